"""组织评选 (DESIGN §6, 篇六 “着力抓好组织评选”): an organization nominates members or organizations of its
subtree for 践诺明星党员、先进基层党组织、优秀共产党员、优秀党务工作者 on an occasion such as 七一; a committee
above the nominating organization approves or rejects; approved awards go on the boards' honour roll. The
nomination page proposes candidates from the data.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commitments.notifications import notify
from organizations.audit import stamp
from organizations.errors import DomainError
from organizations.models import Member, Organization, User
from organizations.permissions import require
from organizations.transitions import check, take

from ..models import Award
from ..permissions import EvaluationAction
from ..selectors import approvers_of

MEMBER_KINDS = frozenset({Award.Kind.STAR_MEMBER, Award.Kind.EXCELLENT_MEMBER, Award.Kind.EXCELLENT_WORKER})
ORGANIZATION_KINDS = frozenset({Award.Kind.ADVANCED_ORGANIZATION})
OCCASIONS = ("七一", "年度", "国庆", "五四", "三八", "五一")

NOTIFY_NOMINATED = "award_nominated"
NOTIFY_DECIDED = "award_decided"


def _recipient_name(award: Award) -> str:
    return award.member.name if award.member_id else award.organization.name


@transaction.atomic
def award_nominate(
    *,
    kind: str,
    year: int,
    occasion: str,
    member: Member | None = None,
    organization: Organization | None = None,
    nominating_organization: Organization,
    citation: str,
    by: User,
) -> Award:
    """Nominate one member or one organization of the nominating organization's subtree."""
    nominating_organization = Organization.objects.select_for_update().get(pk=nominating_organization.pk)
    require(by, EvaluationAction.NOMINATE_AWARD, nominating_organization)
    if kind not in Award.Kind.values:
        raise DomainError("请选择表彰类别。")
    label = Award.Kind(kind).label
    if kind in MEMBER_KINDS:
        if member is None or organization is not None:
            raise DomainError(f"“{label}”须推荐一名党员。")
        member = Member.objects.select_related("organization").get(pk=member.pk)
        if not member.is_active:
            raise DomainError(f"{member.name}已不在册。")
        if not member.organization.path.startswith(nominating_organization.path):
            raise DomainError(f"{member.name}不是“{nominating_organization.name}”的党员，不能由本单位推荐。")
    else:
        if organization is None or member is not None:
            raise DomainError(f"“{label}”须推荐一个党组织。")
        organization = Organization.objects.get(pk=organization.pk)
        if not organization.path.startswith(nominating_organization.path):
            raise DomainError(f"“{organization.name}”不在“{nominating_organization.name}”的范围内，不能由本单位推荐。")
    today = timezone.localdate()
    if not 2000 <= int(year) <= today.year + 1:
        raise DomainError("表彰年度不对。")
    occasion = (occasion or "").strip()
    if not occasion:
        raise DomainError("请填写表彰时机，如“七一”。")
    if len(occasion) > 30:
        raise DomainError("表彰时机不能超过 30 字。")
    citation = (citation or "").strip()
    if not citation:
        raise DomainError("请填写主要事迹。")
    if len(citation) > 2000:
        raise DomainError("主要事迹不能超过 2000 字。")
    recipient = {"member": member} if member is not None else {"organization": organization}
    duplicate = Award.objects.filter(kind=kind, year=year, occasion=occasion, **recipient).exclude(
        status=Award.Status.REJECTED
    )
    if duplicate.exists():
        who = member.name if member is not None else organization.name
        raise DomainError(f"{who}已被推荐为{year}年{occasion}“{label}”，不能重复推荐。")
    award = Award(
        kind=kind,
        year=year,
        occasion=occasion,
        nominated_by_organization=nominating_organization,
        citation=citation,
        nominated_by=by,
        **recipient,
    )
    stamp(award, by, "推荐")
    award.save()
    notify(
        approvers_of(nominating_organization),
        kind=NOTIFY_NOMINATED,
        text=f"{nominating_organization.name}推荐{_recipient_name(award)}为{year}年{occasion}“{label}”，请审批。",
        url=reverse("evaluations:award_index") + "?tab=pending",
        key=f"award_nominated:{award.pk}",
    )
    return award


@transaction.atomic
def award_decide(*, award: Award, by: User, approve: bool, comment: str = "") -> Award:
    """A committee above the nominating organization approves or rejects (rejection needs a reason)."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("nominated_by_organization", "member", "organization")
        .get(pk=award.pk)
    )
    require(by, EvaluationAction.APPROVE_AWARD, award.nominated_by_organization)
    decision = "approve" if approve else "reject"
    refused = f"这项推荐已经{award.get_status_display()}，不能再审批。"
    check(award, decision, by, refused=refused)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError("不予批准时请填写审批意见。")
    if len(comment) > 500:
        raise DomainError("审批意见不能超过 500 字。")
    take(award, decision, by, comment=comment, refused=refused)
    award.decided_by = by
    award.decision_comment = comment
    award.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    notify(
        [award.nominated_by_id],
        kind=NOTIFY_DECIDED,
        text=f"{award.year}年{award.occasion}“{award.get_kind_display()}”推荐{_recipient_name(award)}："
        f"{award.get_status_display()}。{comment}",
        url=reverse("evaluations:award_index") + "?tab=mine",
        key=f"award_decided:{award.pk}",
    )
    return award
