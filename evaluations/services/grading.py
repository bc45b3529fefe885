"""一诺一评 (DESIGN §6): at the end of a campaign each pledge gets a final grade — 优秀、良好、一般、差 —
proposed from its data and confirmed by its reviewer. Items still not fulfilled then go to rectification
(整改, source 承诺未兑现).

The proposal and its reasoning are reads: evaluations.selectors (grade_facts, grade_from_facts, proposals_for).
"""

from __future__ import annotations

from django.db import transaction

from commitments.models import Pledge, PledgeItem
from commitments.notifications import notify, pledger_users
from organizations.audit import stamp
from organizations.errors import DomainError
from organizations.models import User
from organizations.permissions import require

from ..models import Rectification
from ..permissions import EvaluationAction
from ..selectors import FINAL_GRADES, grading_open
from .appraisals import rectification_open_for_unfulfilled

GRADABLE = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)
NOTIFY_GRADE = "final_grade"


@transaction.atomic
def pledge_grade_confirm(*, pledge: Pledge, by: User, grade: str) -> Pledge:
    """The reviewer confirms the final grade; unfulfilled items open one rectification for the pledger."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("campaign", "organization", "member__user", "pledger_organization")
        .get(pk=pledge.pk)
    )
    require(by, EvaluationAction.GRADE_PLEDGE, pledge)
    if grade not in FINAL_GRADES:
        raise DomainError("请在优秀、良好、一般、差中选择一诺一评等次。")
    if not pledge.is_current or pledge.status not in GRADABLE:
        raise DomainError(f"承诺书当前为“{pledge.get_status_display()}”，签约践诺的承诺书才能评定等次。")
    if not grading_open(pledge.campaign):
        raise DomainError(f"一诺一评在承诺批次结束时进行（{pledge.campaign.ends_on:%Y年%-m月%-d日}起）。")
    before = pledge.final_grade
    pledge.final_grade = grade
    stamp(pledge, by, "一诺一评", f"{before or '未评'} → {grade}")
    pledge.save(update_fields=["final_grade", "updated_at"])

    unfulfilled = list(pledge.items.exclude(state=PledgeItem.State.TICKED_OFF).order_by("position"))
    already = Rectification.objects.filter(pledge=pledge, source=Rectification.Source.UNFULFILLED).exists()
    if unfulfilled and not already:
        rectification_open_for_unfulfilled(pledge)
    notify(
        pledger_users(pledge),
        kind=NOTIFY_GRADE,
        text=f"{pledge.campaign.name}一诺一评：{pledge.pledger_name}的承诺评为“{grade}”。",
        url=pledge.get_absolute_url(),
        key=f"final_grade:{pledge.pk}:{grade}",
    )
    return pledge
