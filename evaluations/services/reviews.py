"""领导点评 (DESIGN §6, 篇六 “着力抓好领导点评”): the branch secretary reviews each member, a superior committee
reviews each subordinate organization — 一月一提醒、一季一点评、半年一检查、一年一总评 — and the coverage of
the quarterly review (逐一点评) is tracked for the branch and rolled up for the committees above it.

A review that requires rectification opens a `Rectification` (source 领导点评要求整改) in the same transaction.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from commitments.models import quarter_of
from commitments.notifications import notify
from commitments.services import campaign_for
from organizations.errors import DomainError
from organizations.models import Member, Organization, OrganizationUserObjectPermission, User
from organizations.permissions import ROLE_CODENAMES, Role, require

from ..models import Grade, LeaderReview
from ..permissions import EvaluationAction
from ..selectors import GRADED_KINDS, aspects_for, period_label, period_start, quarter_period, quarterly_reviews
from .appraisals import rectification_open_from_review

Kind = LeaderReview.Kind

# Notification kinds of this module (commitments.models.Notification.Kind should list them with labels).
NOTIFY_REVIEW = "leader_review"
NOTIFY_REVIEW_DUE = "review_due"


# --- writing a review ------------------------------------------------------------------------------------


def _clean_grades(grades: dict, aspects, kind: str) -> dict[str, str]:
    names = {name for name, _ in aspects}
    unknown = set(grades or {}) - names
    if unknown:
        known = dict(LeaderReview.MEMBER_ASPECTS + LeaderReview.ORGANIZATION_ASPECTS)
        names_cn = "、".join(f"“{known.get(n, '未知项目')}”" for n in sorted(unknown))
        raise DomainError(f"点评的等次项目不对：这类点评没有{names_cn}。")
    cleaned = {}
    for name, label in aspects:
        value = (grades or {}).get(name) or ""
        if value and value not in Grade.values:
            raise DomainError(f"“{label}”的等次无效，请在好、较好、一般、差中选择。")
        cleaned[name] = value
    if kind in GRADED_KINDS:
        missing = [label for name, label in aspects if not cleaned[name]]
        if missing:
            raise DomainError(f"{Kind(kind).label}须逐项评定等次，尚未评定：" + "、".join(missing) + "。")
    return cleaned


def _officers_of(org: Organization) -> list[int]:
    """Users holding the secretary or clerk role on exactly this organization."""
    codenames = [ROLE_CODENAMES[Role.SECRETARY], ROLE_CODENAMES[Role.CLERK]]
    return list(
        OrganizationUserObjectPermission.objects.filter(
            content_object=org, permission__codename__in=codenames, user__is_active=True
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def leader_review_create(
    *,
    by: User,
    member: Member | None = None,
    organization: Organization | None = None,
    kind: str,
    period: str,
    text: str,
    grades: dict,
    requires_rectification: bool = False,
    rectify_by: datetime.date | None = None,
    publish: bool = False,
) -> LeaderReview:
    """Write one 领导点评 of a member (by his branch secretary) or of an organization (by a committee above)."""
    if (member is None) == (organization is None):
        raise DomainError("一次点评只能针对一名党员或一个党组织。")
    if member is not None:
        member = Member.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=member.pk)
        require(by, EvaluationAction.REVIEW_MEMBER, member)
        if not member.is_active:
            raise DomainError(f"{member.name}已不在册，不能点评。")
        subject_name, subject_org = member.name, member.organization
    else:
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        require(by, EvaluationAction.REVIEW_ORGANIZATION, organization)
        if not organization.is_active:
            raise DomainError(f"“{organization.name}”已停用，不能点评。")
        subject_name, subject_org = organization.name, organization

    if kind not in Kind.values:
        raise DomainError("请选择点评方式。")
    period = (period or "").strip().upper()
    starts = period_start(kind, period)
    today = timezone.localdate()
    if starts > today:
        raise DomainError(f"{period_label(period)}还没有开始，不能提前点评。")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写点评意见。")
    if len(text) > 2000:
        raise DomainError("点评意见不能超过 2000 字。")
    cleaned = _clean_grades(grades, aspects_for(member=member is not None), kind)
    if requires_rectification:
        if rectify_by is None:
            raise DomainError("要求整改时请填写整改期限。")
        if rectify_by < today:
            raise DomainError("整改期限不能早于今天。")
    else:
        rectify_by = None

    subject = {"member": member} if member is not None else {"organization": organization}
    if LeaderReview.objects.filter(kind=kind, period=period, **subject).exists():
        raise DomainError(f"已经写过{subject_name}{period_label(period)}的{Kind(kind).label}，不能重复点评。")

    review = LeaderReview.objects.create(
        **subject,
        campaign=campaign_for(subject_org),
        kind=kind,
        period=period,
        text=text,
        requires_rectification=requires_rectification,
        rectify_by=rectify_by,
        is_published=publish,
        reviewer=by,
        **cleaned,
    )
    if requires_rectification:
        rectification_open_from_review(review)

    if member is not None:
        recipients = [member.user_id] if member.user_id else []
        url = reverse("evaluations:review_mine")
    else:
        recipients = _officers_of(organization)
        url = reverse("evaluations:review_org", args=[organization.code])
    note = f"，并要求在{rectify_by.year}年{rectify_by.month}月{rectify_by.day}日前整改" if rectify_by else ""
    notify(
        recipients,
        kind=NOTIFY_REVIEW,
        text=f"{by.get_full_name()}对{subject_name}作了{period_label(period)}{Kind(kind).label}{note}。",
        url=url,
        key=f"leader_review:{review.pk}",
    )
    return review


@transaction.atomic
def leader_review_publish(*, review: LeaderReview, by: User, publish: bool = True) -> LeaderReview:
    """Show (or withdraw) a review on the subject's public board — 以书面形式在一定范围内进行公开."""
    review = (
        LeaderReview.objects.select_for_update(of=("self",)).select_related("member__organization").get(pk=review.pk)
    )
    require(by, EvaluationAction.PUBLISH_REVIEW, review)
    review.is_published = publish
    review.save(update_fields=["is_published"])
    return review


# --- scheduled job ---------------------------------------------------------------------------------------


def remind_quarterly_reviews(*, today: datetime.date | None = None) -> int:
    """Tell each secretary of a branch whose members still lack this quarter's 一季一点评 how many are left;
    once per branch and quarter however often it runs (meant for the last month of the quarter). Returns the
    number of branches reminded."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    period = quarter_period(year, quarter)
    missing = dict(
        Member.objects.obliged()
        .filter(organization__is_active=True)
        .exclude(Exists(quarterly_reviews(period).filter(member=OuterRef("pk"))))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    if not missing:
        return 0
    secretaries: dict[int, list[int]] = {}
    for org_id, user_id in OrganizationUserObjectPermission.objects.filter(
        content_object_id__in=list(missing),
        permission__codename=ROLE_CODENAMES[Role.SECRETARY],
        user__is_active=True,
    ).values_list("content_object_id", "user_id"):
        secretaries.setdefault(org_id, []).append(user_id)
    orgs = Organization.objects.filter(pk__in=list(secretaries)).only("pk", "code", "name")
    for org in orgs:
        notify(
            secretaries[org.pk],
            kind=NOTIFY_REVIEW_DUE,
            text=f"{org.name}还有 {missing[org.pk]} 名党员没有{period_label(period)}的一季一点评，请逐一点评。",
            url=reverse("evaluations:review_org", args=[org.code]),
            key=f"review_due:{org.pk}:{period}",
        )
    return len(secretaries)
