"""领导点评 (DESIGN §6, 篇六 “着力抓好领导点评”): the branch secretary reviews each member, a superior committee
reviews each subordinate organization — 一月一提醒、一季一点评、半年一检查、一年一总评 — and the coverage of
the quarterly review (逐一点评) is tracked for the branch and rolled up for the committees above it.

A review that requires rectification opens a `Rectification` (source 领导点评要求整改) in the same transaction.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from commitments.models import quarter_of
from commitments.notifications import notify
from commitments.services import campaign_for
from organizations.errors import DomainError
from organizations.models import Member, Organization, OrganizationUserObjectPermission, User
from organizations.permissions import ROLE_CODENAMES, Role, may, require

from ..models import Grade, LeaderReview
from .appraisals import rectification_open_from_review

Kind = LeaderReview.Kind

# Kinds that grade every aspect; 一月一提醒 is a reminder and may leave the grades empty.
GRADED_KINDS = frozenset({Kind.QUARTERLY, Kind.HALF_YEAR, Kind.ANNUAL})

_PERIOD_FORMATS = {
    Kind.MONTHLY: (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "2025-07"),
    Kind.QUARTERLY: (re.compile(r"^(\d{4})Q([1-4])$"), "2025Q3"),
    Kind.HALF_YEAR: (re.compile(r"^(\d{4})H([12])$"), "2025H2"),
    Kind.ANNUAL: (re.compile(r"^(\d{4})$"), "2025"),
}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}

# Notification kinds of this module (commitments.models.Notification.Kind should list them with labels).
NOTIFY_REVIEW = "leader_review"
NOTIFY_REVIEW_DUE = "review_due"


# --- periods ---------------------------------------------------------------------------------------------


def period_start(kind: str, period: str) -> datetime.date:
    """The first day of `period`; DomainError when its format does not match the kind."""
    pattern, example = _PERIOD_FORMATS[kind]
    match = pattern.match(period or "")
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise DomainError(f"期间格式不对：{Kind(kind).label}的期间应写成 {example} 这样。")
    year = int(match.group(1))
    if kind == Kind.MONTHLY:
        return datetime.date(year, int(match.group(2)), 1)
    if kind == Kind.QUARTERLY:
        return datetime.date(year, (int(match.group(2)) - 1) * 3 + 1, 1)
    if kind == Kind.HALF_YEAR:
        return datetime.date(year, 1 if match.group(2) == "1" else 7, 1)
    return datetime.date(year, 1, 1)


def current_period(kind: str, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if kind == Kind.MONTHLY:
        return f"{today:%Y-%m}"
    if kind == Kind.QUARTERLY:
        return quarter_period(*quarter_of(today))
    if kind == Kind.HALF_YEAR:
        return f"{today.year}H{1 if today.month <= 6 else 2}"
    return str(today.year)


def quarter_period(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def period_label(period: str) -> str:
    """2025Q3 → 2025年第三季度; 2025-07 → 2025年7月; 2025H2 → 2025年下半年; 2025 → 2025年度."""
    if m := re.match(r"^(\d{4})Q([1-4])$", period):
        return f"{m.group(1)}年{QUARTER_NAMES[int(m.group(2))]}"
    if m := re.match(r"^(\d{4})-(\d{2})$", period):
        return f"{m.group(1)}年{int(m.group(2))}月"
    if m := re.match(r"^(\d{4})H([12])$", period):
        return f"{m.group(1)}年{'上' if m.group(2) == '1' else '下'}半年"
    if re.match(r"^\d{4}$", period):
        return f"{period}年度"
    return period


def aspects_for(*, member: bool) -> tuple[tuple[str, str], ...]:
    return LeaderReview.MEMBER_ASPECTS if member else LeaderReview.ORGANIZATION_ASPECTS


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
        require(by, "review_member", member)
        if not member.is_active:
            raise DomainError(f"{member.name}已不在册，不能点评。")
        subject_name, subject_org = member.name, member.organization
    else:
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        require(by, "review_organization", organization)
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
    subject = review.member if review.member_id else review.organization
    action = "review_member" if review.member_id else "review_organization"
    if review.reviewer_id != by.pk and not may(by, action, subject):
        raise PermissionDenied("只有点评人或有权点评的书记、上级党委可以公开这条点评。")
    review.is_published = publish
    review.save(update_fields=["is_published"])
    return review


# --- coverage (逐一点评) -----------------------------------------------------------------------------------


@dataclass
class ReviewCoverage:
    """Who has this quarter's 一季一点评: for a branch its members; for a committee each direct child."""

    organization: Organization
    year: int
    quarter: int
    due: int
    done: int
    missing: QuerySet | None = None  # branch: the members still to review, by name
    children: list[Organization] | None = None  # committee: each with .due, .done, .org_reviewed
    own_due: int = 0  # committee: members directly in the organization itself
    own_done: int = 0

    @property
    def period(self) -> str:
        return quarter_period(self.year, self.quarter)

    @property
    def label(self) -> str:
        return period_label(self.period)

    @property
    def is_rollup(self) -> bool:
        return self.children is not None

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def remaining(self) -> int:
        return max(self.due - self.done, 0)

    @property
    def percent(self) -> int:
        """The coverage as a whole percentage for progress bars (100 when nobody is due)."""
        return 100 if not self.due else int(self.done * 100 / self.due)

    @property
    def complete(self) -> bool:
        return self.done >= self.due

    @property
    def children_reviewed(self) -> int:
        return sum(1 for c in self.children or () if c.org_reviewed)


def _quarterly_reviews(period: str):
    return LeaderReview.objects.filter(kind=Kind.QUARTERLY, period=period)


def due_members(org: Organization):
    """Members of the branch who should be reviewed: active and not exempt."""
    return Member.objects.filter(organization=org, is_active=True, is_exempt=False)


def review_coverage(*, org: Organization, year: int, quarter: int) -> ReviewCoverage:
    """Coverage of 一季一点评 for `year`Q`quarter`.

    A branch (a node without children) gets its counts and the members still lacking a review; any other
    node gets, per direct child, the done/due of the child's whole subtree from one grouped query, and
    whether the child itself has its own quarterly review from the committee.
    """
    period = quarter_period(year, quarter)
    reviewed = Exists(_quarterly_reviews(period).filter(member=OuterRef("pk")))
    if not org.numchild:
        members = due_members(org)
        counts = members.aggregate(due=Count("id"), done=Count("id", filter=Q(reviewed)))
        missing = members.exclude(reviewed).select_related("user").order_by("name", "id")
        return ReviewCoverage(org, year, quarter, counts["due"], counts["done"], missing=missing)

    prefix_len = len(org.path) + Organization.steplen
    rows = (
        Member.objects.filter(
            organization__path__startswith=org.path,
            organization__is_active=True,
            is_active=True,
            is_exempt=False,
        )
        .annotate(prefix=Substr("organization__path", 1, prefix_len), reviewed=reviewed)
        .order_by()
        .values("prefix")
        .annotate(due=Count("id"), done=Count("id", filter=Q(reviewed=True)))
    )
    by_prefix = {r["prefix"]: (r["due"], r["done"]) for r in rows}
    children = list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, is_active=True)
        .annotate(org_reviewed=Exists(_quarterly_reviews(period).filter(organization=OuterRef("pk"))))
        .order_by("path")
    )
    for child in children:
        child.due, child.done = by_prefix.get(child.path, (0, 0))
    own_due, own_done = by_prefix.get(org.path, (0, 0))
    due = sum(d for d, _ in by_prefix.values())
    done = sum(d for _, d in by_prefix.values())
    return ReviewCoverage(org, year, quarter, due, done, children=children, own_due=own_due, own_done=own_done)


def branch_review_members(*, org: Organization, period: str):
    """The branch's members for the review page, each with whether this quarter's review is done and the
    time and id of the latest review of any kind (one query)."""
    latest = LeaderReview.objects.filter(member=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Member.objects.filter(organization=org, is_active=True)
        .select_related("user")
        .annotate(
            reviewed=Exists(_quarterly_reviews(period).filter(member=OuterRef("pk"))),
            last_review_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("is_exempt", "reviewed", "name", "id")
    )


def reviews_in(org: Organization):
    """Reviews of members and organizations in `org`'s subtree, newest first, ready to list."""
    return (
        LeaderReview.objects.filter(
            Q(member__organization__path__startswith=org.path) | Q(organization__path__startswith=org.path)
        )
        .select_related("member__organization", "organization", "reviewer")
        .order_by("-created_at", "-id")
    )


# --- scheduled job ---------------------------------------------------------------------------------------


def remind_quarterly_reviews(*, today: datetime.date | None = None) -> int:
    """Tell each secretary of a branch whose members still lack this quarter's 一季一点评 how many are left;
    once per branch and quarter however often it runs (meant for the last month of the quarter). Returns the
    number of branches reminded."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    period = quarter_period(year, quarter)
    missing = dict(
        Member.objects.filter(is_active=True, is_exempt=False, organization__is_active=True)
        .exclude(Exists(_quarterly_reviews(period).filter(member=OuterRef("pk"))))
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
