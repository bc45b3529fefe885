"""Reads of 评诺 (STYLE.md, the layers): the lists, lookups and figures the pages show, each in a fixed number of
queries, and the labels they are shown with. Nothing here changes data; the actions are in evaluations.services,
one module per part of the workflow.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from commitments.models import Campaign, Inspection, Pledge, PledgeItem, first_of_month, overdue_q, quarter_of
from commitments.selectors import EVER_SIGNED, Coverage, campaign_coverage
from organizations.errors import DomainError
from organizations.models import Member, Organization, OrganizationUserObjectPermission, User
from organizations.permissions import ROLE_CODENAMES, Role, below_grants_q, holds_role_anywhere

from .models import (
    GRADE_POINTS,
    Appraisal,
    Award,
    Ballot,
    BallotCode,
    Bulletin,
    ContactPoint,
    ContactVisit,
    Grade,
    LeaderReview,
    MonthlyRecord,
    PaperTally,
    Ranking,
    Rectification,
    participant_minimum,
)
from .statistics import Period, _last_day, parse_period

# --- 群众评议 and 整改 ----------------------------------------------------------------------------------------


SATISFACTION_WEIGHTS = (Decimal("1"), Decimal("1"), Decimal("0"))
DEFAULT_UNSATISFIED_THRESHOLD = Decimal("0.10")


def weights_text(weights) -> str:
    """满意 ×1、基本满意 ×0.8、不满意 ×0: how the satisfaction was computed, for the results."""
    names = ("满意", "基本满意", "不满意")
    return "、".join(f"{name} ×{Decimal(w).normalize():f}" for name, w in zip(names, weights, strict=True))


def campaign_weights(campaign: Campaign | None) -> tuple[Decimal, Decimal, Decimal]:
    """The weights of 满意 / 基本满意 / 不满意; 1 / 1 / 0 unless the campaign sets others."""
    if campaign is None:
        return SATISFACTION_WEIGHTS
    return (campaign.weight_satisfied, campaign.weight_basically, campaign.weight_unsatisfied)


def satisfaction_of(
    satisfied: int, basically: int, unsatisfied: int, valid: int, weights=SATISFACTION_WEIGHTS
) -> Decimal | None:
    """Σ weight·count / valid ballots; with the default weights that is (满意 + 基本满意) / valid.

    The result is cut (not rounded) to four decimals, so that the stored value never reaches 90% when the exact
    one does not: 17999 of 20000 is 0.8999, not 0.9000.
    """
    if not valid:
        return None
    ws, wb, wu = (Decimal(w) for w in weights)
    score = ws * satisfied + wb * basically + wu * unsatisfied
    return (score / Decimal(valid)).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


def latest_campaign_of(org: Organization) -> Campaign | None:
    """The campaign covering `org` that began last, running or over (a form's dates fall inside it)."""
    today = timezone.localdate()
    return (
        Campaign.objects.filter(organization__path__in=org.ancestor_paths(), starts_on__lte=today)
        .order_by("-starts_on", "-organization__depth", "-id")
        .first()
    )


def day_in_campaign(campaign: Campaign | None, today: datetime.date | None = None) -> datetime.date:
    """The date a form offers by default: today when it falls inside the campaign, else the campaign's last day
    (its first day when the campaign has not begun), so a default never lands outside the round (issue 13 §8)."""
    today = today or timezone.localdate()
    if campaign is None or campaign.starts_on <= today <= campaign.ends_on:
        return today
    return campaign.starts_on if today < campaign.starts_on else campaign.ends_on


def appraisal_title(appraisal: Appraisal) -> str:
    """2025年上半年群众评议 (2025年窗口服务对象测评), marked when it is the session after a rectification."""
    if appraisal.kind == Appraisal.Kind.WINDOW:
        title = f"{appraisal.year}年窗口服务对象测评"
    else:
        title = f"{appraisal.year}年{appraisal.get_half_display()}群众评议"
    return title + ("（整改后再次评议）" if appraisal.rectification_id else "")


def satisfaction_text(value: Decimal | None) -> str:
    """86.7%; a value just under 90% keeps two decimals so that it never reads as 90.0%."""
    if value is None:
        return "—"
    percent = value * 100
    text = f"{percent.quantize(Decimal('0.1'))}%"
    if value < Appraisal.THRESHOLD and percent.quantize(Decimal("0.1")) >= 90:
        text = f"{percent.quantize(Decimal('0.01'), rounding=ROUND_DOWN)}%"
    return text


@dataclass
class QuestionResult:
    """The counts of one question: the overall one (pledge None) or one member's pledge."""

    pledge: Pledge | None = None
    code_satisfied: int = 0
    code_basically: int = 0
    code_unsatisfied: int = 0
    paper: PaperTally | None = None
    weights: tuple = SATISFACTION_WEIGHTS
    reasons: list[str] = field(default_factory=list)

    @property
    def code_ballots(self) -> int:
        return self.code_satisfied + self.code_basically + self.code_unsatisfied

    @property
    def satisfied(self) -> int:
        return self.code_satisfied + (self.paper.satisfied if self.paper else 0)

    @property
    def basically(self) -> int:
        return self.code_basically + (self.paper.basically_satisfied if self.paper else 0)

    @property
    def unsatisfied(self) -> int:
        return self.code_unsatisfied + (self.paper.unsatisfied if self.paper else 0)

    @property
    def paper_valid(self) -> int:
        return self.paper.valid_forms if self.paper else 0

    @property
    def paper_invalid(self) -> int:
        return self.paper.invalid_forms if self.paper else 0

    @property
    def valid(self) -> int:
        return self.code_ballots + self.paper_valid

    @property
    def satisfaction(self) -> Decimal | None:
        return satisfaction_of(self.satisfied, self.basically, self.unsatisfied, self.valid, self.weights)

    @property
    def satisfaction_text(self) -> str:
        return satisfaction_text(self.satisfaction)

    @property
    def passed(self) -> bool | None:
        value = self.satisfaction
        return None if value is None else value >= Appraisal.THRESHOLD


@dataclass
class AppraisalTally:
    overall: QuestionResult
    members: list[QuestionResult]
    minimum: int
    codes_total: int = 0
    codes_used: int = 0

    @property
    def participants(self) -> int:
        return self.overall.valid

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.participants)

    @property
    def codes_unused(self) -> int:
        return self.codes_total - self.codes_used

    @property
    def reaches_minimum(self) -> bool:
        return self.participants >= self.minimum

    @property
    def progress_percent(self) -> int:
        return min(100, round(self.participants * 100 / self.minimum)) if self.minimum else 100


def appraisal_tally(appraisal: Appraisal, *, with_reasons: bool = False) -> AppraisalTally:
    """The live counts of a session, overall and per member's pledge, in a fixed number of queries."""
    weights = campaign_weights(appraisal.campaign)
    questions = list(
        appraisal.member_questions.select_related("member").order_by("member__name", "member_id", "pk")
        if appraisal.pk
        else []
    )
    results = {None: QuestionResult(weights=weights)}
    for pledge in questions:
        results[pledge.pk] = QuestionResult(pledge=pledge, weights=weights)
    rows = Ballot.objects.filter(appraisal=appraisal).values_list("pledge_id", "choice").annotate(n=Count("id"))
    attribute = {
        Ballot.Choice.SATISFIED: "code_satisfied",
        Ballot.Choice.BASICALLY: "code_basically",
        Ballot.Choice.UNSATISFIED: "code_unsatisfied",
    }
    for pledge_id, choice, n in rows.order_by():
        result = results.get(pledge_id)
        if result is not None:
            setattr(result, attribute[choice], n)
    for tally in PaperTally.objects.filter(appraisal=appraisal):
        result = results.get(tally.pledge_id)
        if result is not None:
            result.paper = tally
    if with_reasons:
        reasons = (
            Ballot.objects.filter(appraisal=appraisal, choice=Ballot.Choice.UNSATISFIED)
            .exclude(reason="")
            .order_by("created_at", "id")
            .values_list("pledge_id", "reason")
        )
        for pledge_id, reason in reasons:
            if pledge_id in results:
                results[pledge_id].reasons.append(reason)
    codes = BallotCode.objects.filter(appraisal=appraisal).aggregate(
        total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False))
    )
    return AppraisalTally(
        overall=results[None],
        members=[results[p.pk] for p in questions],
        minimum=participant_minimum(appraisal.organization),
        codes_total=codes["total"],
        codes_used=codes["used"],
    )


class BallotRefused(DomainError):
    """A ballot that cannot be taken because of its code: unknown, used, or the session has ended."""

    UNKNOWN, USED, CLOSED = "unknown", "used", "closed"
    MESSAGES = {
        UNKNOWN: "票码不存在，请核对票码后重新输入。",
        USED: "该票码已使用，每个票码只能投一次。",
        CLOSED: "评议已结束，不能再投票。",
    }

    def __init__(self, reason: str, appraisal: Appraisal | None = None):
        super().__init__(self.MESSAGES[reason])
        self.reason = reason
        self.appraisal = appraisal


def normalize_code(raw: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes (slips print it in groups)."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())[:32]


def format_code(code: str) -> str:
    """ABCD-EFGH-JKLM-NPQR: groups of four, easier to read out and to type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def ballot_code_lookup(raw: str) -> BallotCode:
    """The code with its appraisal if it can vote now; otherwise BallotRefused with the reason."""
    code = normalize_code(raw)
    found = (
        BallotCode.objects.select_related("appraisal__organization", "appraisal__campaign").filter(code=code).first()
        if len(code) == 16
        else None
    )
    if found is None:
        raise BallotRefused(BallotRefused.UNKNOWN)
    if found.appraisal.status != Appraisal.Status.OPEN:
        raise BallotRefused(BallotRefused.CLOSED, found.appraisal)
    if found.used_at is not None:
        raise BallotRefused(BallotRefused.USED, found.appraisal)
    return found


def rectification_org_users(rectification: Rectification) -> list[User]:
    """The organization's side: its secretaries and clerks, and the member concerned if he has an account."""
    codenames = [ROLE_CODENAMES[Role.SECRETARY], ROLE_CODENAMES[Role.CLERK]]
    users = list(
        User.objects.filter(
            organizationuserobjectpermission__content_object=rectification.organization,
            organizationuserobjectpermission__permission__codename__in=codenames,
            is_active=True,
        ).distinct()
    )
    if rectification.member_id and rectification.member.user_id:
        users.append(rectification.member.user)
    return users


def rectification_superior_users(organization: Organization) -> list[User]:
    """The superior's side: the committee users of the nearest ancestor that has any."""
    paths = organization.ancestor_paths()[:-1]
    rows = list(
        OrganizationUserObjectPermission.objects.filter(
            content_object__path__in=paths,
            content_object__is_active=True,
            permission__codename=ROLE_CODENAMES[Role.COMMITTEE],
            user__is_active=True,
        ).values_list("user_id", "content_object__depth")
    )
    if not rows:
        return []
    nearest = max(depth for _, depth in rows)
    return list(User.objects.filter(pk__in={uid for uid, depth in rows if depth == nearest}))


def appraisals_in(*, org: Organization, filters: dict[str, str]):
    """The sessions held in `org`'s subtree for the list page, newest first, each with its code ballots, its
    paper forms and the rectification it opened (one query); `filters` are the list's year, half, status,
    result (passed, failed) and q (part of the organization's name), as typed."""
    ballots = (
        Ballot.objects.filter(appraisal=OuterRef("pk"), pledge__isnull=True)
        .order_by()
        .values("appraisal")
        .annotate(n=Count("id"))
        .values("n")
    )
    paper = PaperTally.objects.filter(appraisal=OuterRef("pk"), pledge__isnull=True).values("valid_forms")[:1]
    opened = Rectification.objects.filter(appraisal=OuterRef("pk")).order_by("pk")
    qs = (
        Appraisal.objects.filter(organization__path__startswith=org.path)
        .select_related("organization", "rectification")
        .annotate(
            code_ballots=Coalesce(Subquery(ballots, output_field=IntegerField()), Value(0)),
            paper_valid=Coalesce(Subquery(paper, output_field=IntegerField()), Value(0)),
            opened_rectification=Subquery(opened.values("pk")[:1]),
            opened_rectification_status=Subquery(opened.values("status")[:1]),
        )
        .order_by("-held_on", "-id")
    )
    if filters["year"].isdigit():
        qs = qs.filter(year=int(filters["year"]))
    if filters["half"] in ("1", "2"):
        qs = qs.filter(half=int(filters["half"]))
    if filters["status"] in Appraisal.Status.values:
        qs = qs.filter(status=filters["status"])
    if filters["result"] == "passed":
        qs = qs.filter(satisfaction__gte=Appraisal.THRESHOLD)
    elif filters["result"] == "failed":
        qs = qs.filter(satisfaction__lt=Appraisal.THRESHOLD)
    if filters["q"]:
        qs = qs.filter(organization__name__icontains=filters["q"])
    return qs


def organizations_without_appraisal(*, org: Organization, year: int, half: int):
    """The active organizations below `org` without a 群众评议 (open or closed) in `half` of `year`, with the date
    of their last one (one query); 篇六 asks every organization for one each half-year."""
    held = Appraisal.objects.filter(organization=OuterRef("pk"), kind=Appraisal.Kind.HALF_YEARLY, year=year, half=half)
    last = (
        Appraisal.objects.filter(organization=OuterRef("pk"), kind=Appraisal.Kind.HALF_YEARLY)
        .order_by("-held_on", "-id")
        .values("held_on")[:1]
    )
    return (
        Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth, is_active=True)
        .exclude(Exists(held))
        .annotate(last_held_on=Subquery(last))
        .order_by("path")
    )


def appraisal_years(org: Organization) -> list[int]:
    """The years of the sessions held in `org`'s subtree, newest first."""
    return sorted(
        set(Appraisal.objects.filter(organization__path__startswith=org.path).values_list("year", flat=True)),
        reverse=True,
    )


# Rectifications whose deadline can pass: everything before the work is reported done.
UNFINISHED = (
    Rectification.Status.OPEN,
    Rectification.Status.SUBMITTED,
    Rectification.Status.RETURNED,
    Rectification.Status.APPROVED,
)


def rectifications_in(*, org: Organization, filters: dict[str, str], today: datetime.date):
    """The rectifications of `org`'s subtree for the list page, newest first; `filters` are the list's status
    (or "active"), source, overdue (past its deadline on `today`) and q (part of a name), as typed."""
    qs = (
        Rectification.objects.filter(organization__path__startswith=org.path)
        .select_related("organization", "member", "appraisal")
        .order_by("-created_at", "-id")
    )
    if filters["status"] in Rectification.Status.values:
        qs = qs.filter(status=filters["status"])
    elif filters["status"] == "active":
        qs = qs.exclude(status=Rectification.Status.CLOSED)
    if filters["source"] in Rectification.Source.values:
        qs = qs.filter(source=filters["source"])
    if filters["overdue"]:
        qs = qs.filter(status__in=UNFINISHED, deadline__lt=today)
    if filters["q"]:
        qs = qs.filter(Q(organization__name__icontains=filters["q"]) | Q(member__name__icontains=filters["q"]))
    return qs


def rectification_counts(org: Organization) -> dict[str, int]:
    """How many rectifications of `org`'s subtree are in each status (one query)."""
    base = Rectification.objects.filter(organization__path__startswith=org.path)
    return dict(base.order_by().values_list("status").annotate(n=Count("id")))


# --- 领导点评: periods and coverage ---------------------------------------------------------------------------


# Kinds that grade every aspect; 一月一提醒 is a reminder and may leave the grades empty.
GRADED_KINDS = frozenset({LeaderReview.Kind.QUARTERLY, LeaderReview.Kind.HALF_YEAR, LeaderReview.Kind.ANNUAL})
_PERIOD_FORMATS = {
    LeaderReview.Kind.MONTHLY: (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "2025-07"),
    LeaderReview.Kind.QUARTERLY: (re.compile(r"^(\d{4})Q([1-4])$"), "2025Q3"),
    LeaderReview.Kind.HALF_YEAR: (re.compile(r"^(\d{4})H([12])$"), "2025H2"),
    LeaderReview.Kind.ANNUAL: (re.compile(r"^(\d{4})$"), "2025"),
}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def period_start(kind: str, period: str) -> datetime.date:
    """The first day of `period`; DomainError when its format does not match the kind."""
    pattern, example = _PERIOD_FORMATS[kind]
    match = pattern.match(period or "")
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise DomainError(f"期间格式不对：{LeaderReview.Kind(kind).label}的期间应写成 {example} 这样。")
    year = int(match.group(1))
    if kind == LeaderReview.Kind.MONTHLY:
        return datetime.date(year, int(match.group(2)), 1)
    if kind == LeaderReview.Kind.QUARTERLY:
        return datetime.date(year, (int(match.group(2)) - 1) * 3 + 1, 1)
    if kind == LeaderReview.Kind.HALF_YEAR:
        return datetime.date(year, 1 if match.group(2) == "1" else 7, 1)
    return datetime.date(year, 1, 1)


def current_period(kind: str, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if kind == LeaderReview.Kind.MONTHLY:
        return f"{today:%Y-%m}"
    if kind == LeaderReview.Kind.QUARTERLY:
        return quarter_period(*quarter_of(today))
    if kind == LeaderReview.Kind.HALF_YEAR:
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


def quarterly_reviews(period: str):
    """The 一季一点评 of `period` (2025Q3) of members and organizations alike."""
    return LeaderReview.objects.filter(kind=LeaderReview.Kind.QUARTERLY, period=period)


def due_members(org: Organization):
    """Members of the branch who should be reviewed: the party members expected to pledge (`obliged`)."""
    return Member.objects.obliged().filter(organization=org)


def review_coverage(*, org: Organization, year: int, quarter: int) -> ReviewCoverage:
    """Coverage of 一季一点评 for `year`Q`quarter`.

    A branch (a node without children) gets its counts and the members still lacking a review; any other
    node gets, per direct child, the done/due of the child's whole subtree from one grouped query, and
    whether the child itself has its own quarterly review from the committee.
    """
    period = quarter_period(year, quarter)
    reviewed = Exists(quarterly_reviews(period).filter(member=OuterRef("pk")))
    if not org.numchild:
        members = due_members(org)
        counts = members.aggregate(due=Count("id"), done=Count("id", filter=Q(reviewed)))
        missing = members.exclude(reviewed).select_related("user").order_by("name", "id")
        return ReviewCoverage(org, year, quarter, counts["due"], counts["done"], missing=missing)

    prefix_len = len(org.path) + Organization.steplen
    rows = (
        Member.objects.obliged()
        .filter(organization__path__startswith=org.path, organization__is_active=True)
        .annotate(prefix=Substr("organization__path", 1, prefix_len), reviewed=reviewed)
        .order_by()
        .values("prefix")
        .annotate(due=Count("id"), done=Count("id", filter=Q(reviewed=True)))
    )
    by_prefix = {r["prefix"]: (r["due"], r["done"]) for r in rows}
    children = list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, is_active=True)
        .annotate(org_reviewed=Exists(quarterly_reviews(period).filter(organization=OuterRef("pk"))))
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
            reviewed=Exists(quarterly_reviews(period).filter(member=OuterRef("pk"))),
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


def reviews_of(*, member: Member | None = None, organization: Organization | None = None):
    """The leader reviews of one member or of one organization itself, newest first, with their reviewers."""
    subject = {"member": member} if member is not None else {"organization": organization}
    return LeaderReview.objects.filter(**subject).select_related("reviewer").order_by("-created_at", "-id")


def pledge_progress(
    *, campaign: Campaign, member: Member | None = None, organization: Organization | None = None
) -> dict[str, int]:
    """The items of the member's (or the organization's own) pledge in force in `campaign`: how many, ticked
    off, overdue (one query); shown beside a leader review being written."""
    pledges = Pledge.objects.filter(campaign=campaign, is_current=True).exclude(status=Pledge.Status.SUPERSEDED)
    pledges = pledges.filter(member=member) if member is not None else pledges.filter(pledger_organization=organization)
    return PledgeItem.objects.filter(pledge__in=pledges).aggregate(
        items=Count("id"),
        ticked=Count("id", filter=Q(state=PledgeItem.State.TICKED_OFF)),
        overdue=Count("id", filter=overdue_q()),
    )


# --- 日常记实 -------------------------------------------------------------------------------------------------


def month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def parse_month(value: str | None) -> datetime.date | None:
    """2025-07 → 2025-07-01; None for anything else."""
    try:
        return datetime.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def recent_months(today: datetime.date | None = None, count: int = 3) -> list[datetime.date]:
    """This month and the `count - 1` months before it, newest first."""
    month = first_of_month(today or timezone.localdate())
    months = []
    for _ in range(count):
        months.append(month)
        month = first_of_month(month - datetime.timedelta(days=1))
    return months


def _due(org: Organization):
    return Member.objects.filter(organization__path__startswith=org.path, is_active=True, is_exempt=False)


def missing_records(*, org: Organization, month: datetime.date):
    """Members of `org`'s subtree (active, not exempt) without a record for `month`, by branch and name."""
    written = MonthlyRecord.objects.filter(member=OuterRef("pk"), month=first_of_month(month))
    return (
        _due(org)
        .exclude(Exists(written))
        .select_related("organization", "user")
        .order_by("organization__path", "name", "id")
    )


def record_counts(*, org: Organization, month: datetime.date) -> tuple[int, int]:
    """(members who should write a record for `month`, members who did), one query."""
    written = MonthlyRecord.objects.filter(member=OuterRef("pk"), month=first_of_month(month))
    counts = _due(org).aggregate(due=Count("id"), done=Count("id", filter=Q(Exists(written))))
    return counts["due"], counts["done"]


def records_in(*, org: Organization, month: datetime.date):
    """The records of `month` in `org`'s subtree, ready to list."""
    return (
        MonthlyRecord.objects.filter(member__organization__path__startswith=org.path, month=first_of_month(month))
        .select_related("member__organization", "commented_by")
        .order_by("member__organization__path", "member__name", "id")
    )


def records_of(member: Member):
    return MonthlyRecord.objects.filter(member=member).select_related("commented_by").order_by("-month")


# --- 通报: the facts of a quarter -----------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, (quarter - 1) * 3 + 1, 1)
    end_month = start.month + 2
    next_month = datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_month - datetime.timedelta(days=1)


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_title(org: Organization, year: int, quarter: int) -> str:
    return f"{org.name}{year}年{QUARTER_NAMES[quarter]}践诺情况通报"


def campaign_of_year(org: Organization, year: int) -> Campaign | None:
    """The campaign of `year` whose subtree contains `org` (the nearest one when they nest)."""
    return (
        Campaign.objects.filter(organization__path__in=org.ancestor_paths(), year=year)
        .select_related("organization")
        .order_by("-organization__depth", "-id")
        .first()
    )


def default_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The quarter a bulletin is usually written for: the current one in its last month (the 通报会 is held
    at the end of the quarter), otherwise the one that ended before."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    if today.month % 3 == 0:
        return year, quarter
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def bulletins_of(org: Organization):
    return Bulletin.objects.filter(organization=org).select_related("organization", "created_by")


OVERDUE_LISTED = 10  # overdue items named in the text; the rest are counted


@dataclass
class BulletinFacts:
    organization: Organization
    year: int
    quarter: int
    starts: datetime.date
    ends: datetime.date
    campaign: Campaign
    coverage: Coverage
    items: int = 0
    ticked_by_end: int = 0
    ticked_in_quarter: int = 0
    due_in_quarter: int = 0
    overdue: int = 0
    needs_help: int = 0
    overdue_examples: list[str] = field(default_factory=list)
    inspections: int = 0
    inspections_passed: int = 0
    inspections_failed: int = 0
    failed_problem_unsolved: int = 0
    failed_not_in_place: int = 0
    failed_masses_unsatisfied: int = 0
    reviews_due: int = 0
    reviews_done: int = 0
    records_due: int = 0
    records_done: int = 0
    stars: list[str] = field(default_factory=list)


def _subtree(org: Organization, prefix: str = "") -> Q:
    return Q(**{f"{prefix}organization__path__startswith": org.path}) | Q(
        **{f"{prefix}pledger_organization__path__startswith": org.path}
    )


def bulletin_facts(*, organization: Organization, year: int, quarter: int) -> BulletinFacts:
    """The numbers of the quarter for `organization`'s subtree, each from one aggregate query."""
    campaign = campaign_of_year(organization, year)
    if campaign is None:
        raise DomainError(f"{year}年没有覆盖“{organization.name}”的承诺批次，无法生成通报。")
    starts, ends = quarter_bounds(year, quarter)
    today = timezone.localdate()
    # "As of the end of the quarter", or of yesterday while the quarter is still running.
    cutoff = min(ends, today)
    facts = BulletinFacts(
        organization, year, quarter, starts, ends, campaign, campaign_coverage(campaign, organization)
    )

    pledges = Pledge.objects.filter(_subtree(organization), campaign=campaign, is_current=True).exclude(
        status=Pledge.Status.SUPERSEDED
    )
    items = PledgeItem.objects.filter(pledge__in=pledges)
    not_ticked_by_end = Q(ticked_off_on__isnull=True) | Q(ticked_off_on__gt=ends)
    overdue = Q(deadline__lt=cutoff) & not_ticked_by_end
    agg = items.aggregate(
        items=Count("id"),
        ticked_by_end=Count("id", filter=Q(ticked_off_on__lte=ends)),
        ticked_in_quarter=Count("id", filter=Q(ticked_off_on__range=(starts, ends))),
        due_in_quarter=Count("id", filter=Q(deadline__range=(starts, ends))),
        overdue=Count("id", filter=overdue),
        needs_help=Count("id", filter=Q(needs_help=True) & ~Q(state=PledgeItem.State.TICKED_OFF)),
    )
    for key, value in agg.items():
        setattr(facts, key, value)
    facts.overdue_examples = [
        f"{member_name or org_name}“{content[:24]}{'……' if len(content) > 24 else ''}”（完成时限{cn_date(deadline)}）"
        for member_name, org_name, content, deadline in items.filter(overdue)
        .order_by(
            "deadline", "pledge__organization__path", "pledge_id", "position"
        )  # a total order: the text is the same every time
        .values_list("pledge__member__name", "pledge__pledger_organization__name", "content", "deadline")[
            :OVERDUE_LISTED
        ]
    ]

    ins = Inspection.objects.filter(pledge__in=pledges, year=year, quarter=quarter).aggregate(
        total=Count("id"),
        passed=Count("id", filter=Q(result=Inspection.Result.PASS)),
        failed=Count("id", filter=Q(result=Inspection.Result.FAIL)),
        problem_unsolved=Count("id", filter=Q(result=Inspection.Result.FAIL, problem_unsolved=True)),
        not_in_place=Count("id", filter=Q(result=Inspection.Result.FAIL, not_in_place=True)),
        masses_unsatisfied=Count("id", filter=Q(result=Inspection.Result.FAIL, masses_unsatisfied=True)),
    )
    facts.inspections = ins["total"]
    facts.inspections_passed = ins["passed"]
    facts.inspections_failed = ins["failed"]
    facts.failed_problem_unsolved = ins["problem_unsolved"]
    facts.failed_not_in_place = ins["not_in_place"]
    facts.failed_masses_unsatisfied = ins["masses_unsatisfied"]

    coverage = review_coverage(org=organization, year=year, quarter=quarter)
    facts.reviews_due, facts.reviews_done = coverage.due, coverage.done

    months = [
        datetime.date(year, m, 1) for m in range(starts.month, ends.month + 1) if datetime.date(year, m, 1) <= today
    ]
    facts.records_due = facts.coverage.members * len(months)
    facts.records_done = MonthlyRecord.objects.filter(
        member__organization__path__startswith=organization.path,
        member__is_active=True,
        member__is_exempt=False,
        month__in=months,
    ).count()

    # 践诺明星: members every one of whose items was ticked off on or before its deadline by the quarter's end.
    on_time = Q(state=PledgeItem.State.TICKED_OFF, ticked_off_on__lte=F("deadline")) & Q(ticked_off_on__lte=ends)
    facts.stars = list(
        items.filter(pledge__member__isnull=False, pledge__member__is_active=True)
        .values("pledge_id", "pledge__organization__path", "pledge__member__name")
        .annotate(n=Count("id"), n_on_time=Count("id", filter=on_time))
        .filter(n_on_time=F("n"))
        .order_by("pledge__organization__path", "pledge__member__name")
        .values_list("pledge__member__name", flat=True)
    )
    return facts


# --- 组织评选 -------------------------------------------------------------------------------------------------


# Thresholds of the proposed candidates.
STAR_SATISFACTION = Decimal("0.95")
ORGANIZATION_SATISFACTION = Decimal("0.90")
AWARD_RELATED = ("member__organization", "organization", "nominated_by_organization", "nominated_by", "decided_by")


def approvers_of(org: Organization) -> list[int]:
    """Users with the committee role on a proper ancestor of `org` (who may approve its nominations)."""
    return list(
        OrganizationUserObjectPermission.objects.filter(
            content_object__path__in=org.ancestor_paths()[:-1],
            permission__codename=ROLE_CODENAMES[Role.COMMITTEE],
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def may_decide_any(user: User) -> bool:
    return holds_role_anywhere(user, {Role.COMMITTEE})


def honour_roll(org: Organization):
    """Approved awards of members and organizations in `org`'s subtree (the 光荣榜)."""
    return (
        Award.objects.filter(status=Award.Status.APPROVED)
        .filter(Q(member__organization__path__startswith=org.path) | Q(organization__path__startswith=org.path))
        .select_related(*AWARD_RELATED)
        .order_by("-year", "kind", "-decided_at", "id")
    )


def awards_to_decide(user: User):
    """Nominations waiting for this user's decision: made by organizations strictly below a committee grant."""
    qs = Award.objects.filter(status=Award.Status.NOMINATED).select_related(*AWARD_RELATED)
    scope = below_grants_q(user, Role.COMMITTEE, "nominated_by_organization")
    if scope is None:
        return qs.none()
    return qs.filter(scope).order_by("created_at", "id")


def nominations_by(org: Organization):
    """Nominations made by organizations in `org`'s subtree, newest first."""
    return (
        Award.objects.filter(nominated_by_organization__path__startswith=org.path)
        .select_related(*AWARD_RELATED)
        .order_by("-created_at", "-id")
    )


@dataclass
class Candidates:
    members: list  # Pledge rows with .items_total, .satisfaction, .nominated, .citation
    organizations: list  # Organization rows with .due, .pledged, .items_total, .ticked, .satisfaction


def _latest_satisfaction(org_ref: str, year: int):
    return Subquery(
        Appraisal.objects.filter(
            organization=OuterRef(org_ref), year=year, status=Appraisal.Status.CLOSED, satisfaction__isnull=False
        )
        .order_by("-closed_at", "-id")
        .values("satisfaction")[:1]
    )


class _SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery, without grouping the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _count(qs) -> _SubqueryCount:
    return _SubqueryCount(qs.order_by().values("pk"))


LOW_GRADES = (Grade.FAIR, Grade.POOR)


def _member_satisfaction(pledge_ids: list[int], year: int, weights) -> dict[int, tuple[int, Decimal | None]]:
    """pledge id → (valid ballots, satisfaction) of the member's own 逐人测评 in the closed appraisals of `year`
    (code ballots and paper forms on his pledge); two queries whatever the number of pledges."""
    if not pledge_ids:
        return {}
    counts: dict[int, list[int]] = {}
    index = {Ballot.Choice.SATISFIED: 0, Ballot.Choice.BASICALLY: 1, Ballot.Choice.UNSATISFIED: 2}
    closed = {"appraisal__status": Appraisal.Status.CLOSED, "appraisal__year": year}
    rows = (
        Ballot.objects.filter(pledge_id__in=pledge_ids, **closed)
        .values_list("pledge_id", "choice")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pledge_id, choice, n in rows:
        counts.setdefault(pledge_id, [0, 0, 0])[index[choice]] += n
    for pledge_id, s, b, u in PaperTally.objects.filter(pledge_id__in=pledge_ids, **closed).values_list(
        "pledge_id", "satisfied", "basically_satisfied", "unsatisfied"
    ):
        row = counts.setdefault(pledge_id, [0, 0, 0])
        row[0], row[1], row[2] = row[0] + s, row[1] + b, row[2] + u
    return {pk: (sum(c), satisfaction_of(*c, sum(c), weights)) for pk, c in counts.items()}


def award_candidates(*, org: Organization, campaign: Campaign, year: int | None = None) -> Candidates:
    """Proposed candidates from the data: one query for members (and two for their own ballots), one for
    organizations.

    Members (践诺明星党员), from the member's own results, not his organization's (篇六 “对群众满意度较高的
    ‘践诺明星党员’要给予表扬”): a party member (not an activist or non-party cadre, 篇一) with a current signed
    pledge in the campaign made in `org`'s subtree whose every item was ticked off on or before its deadline;
    where he was appraised one by one (逐人测评) in a closed appraisal of the campaign's year, his own
    satisfaction at least 95%; and no leader review of that year graded any aspect 一般 or 差.
    Organizations (先进基层党组织) below `org`: every member obliged to pledge (party members not exempted; the
    volunteers are not in the denominator, 篇一) has signed, at least 90% of the items of the pledges made there
    are ticked off, and a closed appraisal (if any) reached 90%.
    `year` is the year of the awards: candidates already nominated for it (and not rejected) are flagged.
    """
    year = year or campaign.year
    on_time = Q(items__state=PledgeItem.State.TICKED_OFF, items__ticked_off_on__lte=F("items__deadline"))
    already = Award.objects.filter(member=OuterRef("member_id"), year=year).exclude(status=Award.Status.REJECTED)
    year_reviews = LeaderReview.objects.filter(member=OuterRef("member_id"), period__startswith=str(campaign.year))
    low = reduce(or_, (Q(**{f"{name}__in": LOW_GRADES}) for name, _ in LeaderReview.MEMBER_ASPECTS))
    graded = reduce(or_, (~Q(**{name: ""}) for name, _ in LeaderReview.MEMBER_ASPECTS))
    members = list(
        Pledge.objects.filter(
            campaign=campaign,
            is_current=True,
            status__in=EVER_SIGNED,
            member__isnull=False,
            member__is_active=True,
            member__political_status__in=Member.PARTY_STATUSES,
            organization__path__startswith=org.path,
        )
        .annotate(
            items_total=Count("items"),
            items_on_time=Count("items", filter=on_time),
            reviews_graded=_count(year_reviews.filter(graded)),
            low_review=Exists(year_reviews.filter(low)),
            nominated=Exists(already),
        )
        .filter(items_total__gt=0, items_on_time=F("items_total"), low_review=False)
        .select_related("member__organization", "organization")
        .order_by("organization__path", "member__name")
    )
    own = _member_satisfaction([p.pk for p in members], campaign.year, campaign_weights(campaign))
    kept = []
    for p in members:
        p.ballots, p.satisfaction = own.get(p.pk, (0, None))
        if p.satisfaction is not None and p.satisfaction < STAR_SATISFACTION:
            continue
        parts = [f"{campaign.name}中承诺的 {p.items_total} 项事项全部按期兑现销号"]
        if p.satisfaction is not None:
            parts.append(f"群众逐人测评满意度 {float(p.satisfaction):.1%}（{p.ballots} 票）")
        if p.reviews_graded:
            parts.append(f"{campaign.year}年 {p.reviews_graded} 次领导点评均为“好”或“较好”")
        p.citation = "，".join(parts) + "。"
        kept.append(p)
    members = kept

    signed = Pledge.objects.filter(campaign=campaign, status__in=EVER_SIGNED)
    due = Member.objects.obliged().filter(organization__path__startswith=OuterRef("path"))
    made_there = PledgeItem.objects.filter(
        pledge__campaign=campaign,
        pledge__is_current=True,
        pledge__status__in=EVER_SIGNED,
        pledge__organization__path__startswith=OuterRef("path"),
    )
    org_already = Award.objects.filter(organization=OuterRef("pk"), year=year).exclude(status=Award.Status.REJECTED)
    organizations = list(
        Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth, is_active=True)
        .annotate(
            due=_count(due),
            pledged=_count(due.filter(Exists(signed.filter(member=OuterRef("pk"))))),
            items_total=_count(made_there),
            ticked=_count(made_there.filter(state=PledgeItem.State.TICKED_OFF)),
            satisfaction=_latest_satisfaction("pk", campaign.year),
            nominated=Exists(org_already),
        )
        .alias(ticked_x10=F("ticked") * 10, total_x9=F("items_total") * 9)
        .filter(due__gt=0, pledged=F("due"), items_total__gt=0, ticked_x10__gte=F("total_x9"))
        .filter(Q(satisfaction__isnull=True) | Q(satisfaction__gte=ORGANIZATION_SATISFACTION))
        .order_by("path")
    )
    for o in organizations:
        o.citation = (
            f"党员承诺全覆盖（{o.pledged}/{o.due}），承诺事项兑现销号 {o.ticked}/{o.items_total} 项"
            + (f"，群众满意度 {float(o.satisfaction):.1%}" if o.satisfaction is not None else "")
            + "。"
        )
    return Candidates(members, organizations)


# --- 一诺一评: the proposed grade -----------------------------------------------------------------------------

# The proposal is a weighted score over what is known of the pledge, with caps for the things the source
# documents treat as decisive:
#   - items ticked off on or before their deadline (weight 50; one ticked off late counts half);
#   - quarterly inspections passed (weight 20, when inspected);
#   - satisfaction of the latest closed 群众评议 of its organization in the campaign's year (weight 15, if any);
#   - the average leader grade (德能勤绩廉, or the four aspects of an organization) of the year's graded
#     leader reviews (weight 15, if any).
# Missing parts drop out and the others are re-weighted. A score of 90 gives 优秀, 75 良好, 60 一般, less 差.
# An item not fulfilled or a satisfaction below 90% caps the grade at 一般; a failed inspection caps it at 良好.


EXCELLENT, GOOD, FAIR, POOR = "优秀", "良好", "一般", "差"
FINAL_GRADES = (EXCELLENT, GOOD, FAIR, POOR)
THRESHOLDS = ((90, EXCELLENT), (75, GOOD), (60, FAIR))
WEIGHTS = {"on_time": 50, "inspections": 20, "satisfaction": 15, "leader": 15}
LATE_CREDIT = 0.5  # an item ticked off after its deadline counts half
SATISFACTION_PASS = Decimal("0.90")
_POINTS = {str(k): v for k, v in GRADE_POINTS.items()}


@dataclass
class GradeFacts:
    items: int = 0
    ticked: int = 0
    on_time: int = 0
    inspections: int = 0
    inspections_passed: int = 0
    satisfaction: Decimal | None = None
    leader_points: float | None = None  # 1 (差) … 4 (好)
    leader_reviews: int = 0

    @property
    def unfulfilled(self) -> int:
        return self.items - self.ticked


@dataclass
class GradeProposal:
    grade: str
    score: int
    reasons: str
    facts: GradeFacts


def _cap(grade: str, ceiling: str) -> str:
    return grade if FINAL_GRADES.index(grade) >= FINAL_GRADES.index(ceiling) else ceiling


def _points_label(points: float) -> str:
    if points >= 3.5:
        return Grade.GOOD.label
    if points >= 2.5:
        return Grade.FAIRLY_GOOD.label
    if points >= 1.5:
        return Grade.FAIR.label
    return Grade.POOR.label


def grade_from_facts(f: GradeFacts) -> GradeProposal:
    parts: list[tuple[int, float]] = []
    reasons: list[str] = []
    if f.items:
        late = f.ticked - f.on_time
        parts.append((WEIGHTS["on_time"], (f.on_time + LATE_CREDIT * late) / f.items))
        reasons.append(
            f"承诺事项 {f.items} 项，已销号 {f.ticked} 项，其中按期销号 {f.on_time} 项（{f.on_time / f.items:.0%}）"
            + (f"、逾期后销号 {late} 项" if late else "")
        )
    else:
        reasons.append("没有承诺事项")
    if f.inspections:
        parts.append((WEIGHTS["inspections"], f.inspections_passed / f.inspections))
        failed = f.inspections - f.inspections_passed
        reasons.append(f"季度检查 {f.inspections} 次" + ("，全部通过" if not failed else f"，{failed} 次未通过"))
    else:
        reasons.append("没有季度检查记录")
    if f.satisfaction is not None:
        parts.append((WEIGHTS["satisfaction"], min(float(f.satisfaction), 1.0)))
        reasons.append(f"群众满意度 {float(f.satisfaction):.1%}")
    if f.leader_points is not None:
        parts.append((WEIGHTS["leader"], (f.leader_points - 1) / 3))
        reasons.append(
            f"领导点评 {f.leader_reviews} 次，平均等次“{_points_label(f.leader_points)}”（{f.leader_points:.1f} 分）"
        )
    total = sum(w for w, _ in parts)
    score = round(100 * sum(w * v for w, v in parts) / total) if total else 0
    grade = next((g for limit, g in THRESHOLDS if score >= limit), POOR)
    caps = []
    if f.unfulfilled:
        capped = _cap(grade, FAIR)
        if capped != grade:
            caps.append(f"有 {f.unfulfilled} 项事项未兑现，最高评为“一般”")
        grade = capped
    if f.satisfaction is not None and f.satisfaction < SATISFACTION_PASS:
        capped = _cap(grade, FAIR)
        if capped != grade:
            caps.append("群众满意度低于90%，最高评为“一般”")
        grade = capped
    if f.inspections_passed < f.inspections:
        capped = _cap(grade, GOOD)
        if capped != grade:
            caps.append("有季度检查未通过，最高评为“良好”")
        grade = capped
    text = "；".join(reasons) + f"。综合得分 {score} 分"
    if caps:
        text += "，但" + "；".join(caps)
    text += f"，建议评为“{grade}”。"
    return GradeProposal(grade, score, text, f)


def grade_facts(pledges) -> dict[int, GradeFacts]:
    """The facts behind the proposals of many pledges (of one or more campaigns) with four queries."""
    pledges = list(pledges)
    if not pledges:
        return {}
    ids = [p.pk for p in pledges]
    facts = {pk: GradeFacts() for pk in ids}
    item_rows = (
        PledgeItem.objects.filter(pledge_id__in=ids)
        .values("pledge_id")
        .annotate(
            n=Count("id"),
            ticked=Count("id", filter=Q(state=PledgeItem.State.TICKED_OFF)),
            on_time=Count("id", filter=Q(state=PledgeItem.State.TICKED_OFF, ticked_off_on__lte=F("deadline"))),
        )
        .order_by()
    )
    for r in item_rows:
        f = facts[r["pledge_id"]]
        f.items, f.ticked, f.on_time = r["n"], r["ticked"], r["on_time"]
    inspection_rows = (
        Inspection.objects.filter(pledge_id__in=ids)
        .values("pledge_id")
        .annotate(n=Count("id"), passed=Count("id", filter=Q(result=Inspection.Result.PASS)))
        .order_by()
    )
    for r in inspection_rows:
        facts[r["pledge_id"]].inspections, facts[r["pledge_id"]].inspections_passed = r["n"], r["passed"]

    years = {p.campaign.year for p in pledges}
    org_ids = {p.pledger_organization_id or p.organization_id for p in pledges}
    latest: dict[tuple[int, int], Decimal] = {}
    for org_id, year, satisfaction in (
        Appraisal.objects.filter(
            organization_id__in=org_ids,
            year__in=years,
            status=Appraisal.Status.CLOSED,
            satisfaction__isnull=False,
        )
        .order_by("organization_id", "year", "-closed_at", "-id")
        .values_list("organization_id", "year", "satisfaction")
    ):
        latest.setdefault((org_id, year), satisfaction)

    member_ids = {p.member_id for p in pledges if p.member_id}
    subject_org_ids = {p.pledger_organization_id for p in pledges if p.pledger_organization_id}
    aspect_names = [n for n, _ in LeaderReview.MEMBER_ASPECTS + LeaderReview.ORGANIZATION_ASPECTS]
    points: dict[tuple[str, int, int], list[int]] = {}
    counts: dict[tuple[str, int, int], int] = {}
    reviews = (
        LeaderReview.objects.filter(
            Q(member_id__in=member_ids) | Q(organization_id__in=subject_org_ids),
            kind__in=GRADED_KINDS,
        )
        .filter(reduce(or_, (Q(period__startswith=str(y)) for y in sorted(years))))
        .values_list("member_id", "organization_id", "period", *aspect_names)
    )
    for member_id, org_id, period, *grades in reviews:
        key = ("m", member_id, int(period[:4])) if member_id else ("o", org_id, int(period[:4]))
        values = [_POINTS[g] for g in grades if g]
        if values:
            points.setdefault(key, []).extend(values)
            counts[key] = counts.get(key, 0) + 1

    for p in pledges:
        f = facts[p.pk]
        f.satisfaction = latest.get((p.pledger_organization_id or p.organization_id, p.campaign.year))
        key = ("m", p.member_id, p.campaign.year) if p.member_id else ("o", p.pledger_organization_id, p.campaign.year)
        if key in points:
            f.leader_points = sum(points[key]) / len(points[key])
            f.leader_reviews = counts[key]
    return facts


def propose_final_grade(pledge: Pledge) -> GradeProposal:
    """The proposed 一诺一评 grade of one pledge, with the reasoning as a short Chinese text."""
    return grade_from_facts(grade_facts([pledge])[pledge.pk])


def proposals_for(pledges) -> dict[int, GradeProposal]:
    return {pk: grade_from_facts(f) for pk, f in grade_facts(pledges).items()}


def grading_open(campaign: Campaign, today=None) -> bool:
    """一诺一评 takes place at the end of the campaign: once it is closed or its last day has come."""
    today = today or timezone.localdate()
    return campaign.status == Campaign.Status.CLOSED or today >= campaign.ends_on


# --- 上评下议: periods ----------------------------------------------------------------------------------------


BIMONTHS = {f"B{k}": (2 * k - 1, 2 * k) for k in range(1, 7)}
_BIMONTH_RE = re.compile(r"^(\d{4})-?[Bb]([1-6])$")


def parse_ranking_period(level: str, text: str) -> Period:
    """``2025-07`` for members, ``2025-B4`` (July–August) for organizations."""
    raw = (text or "").strip()
    if level == Ranking.Level.MEMBERS:
        try:
            period = parse_period(raw)
        except DomainError:
            period = None
        if period is None or period.kind != "month":
            raise DomainError(f"党员按月排名，期间应写作 2025-07 这样的年月（收到“{raw}”）。")
        return period
    if level == Ranking.Level.ORGANIZATIONS:
        match = _BIMONTH_RE.match(raw)
        if not match:
            raise DomainError(
                f"下级党组织每两个月排名一次，期间应写作 2025-B4（B1 为1—2月 … B6 为11—12月；收到“{raw}”）。"
            )
        year, key = int(match.group(1)), f"B{match.group(2)}"
        first, last = BIMONTHS[key]
        return Period(f"{year}-{key}", "bimonth", datetime.date(year, first, 1), _last_day(year, last))
    raise DomainError("排名对象只能是下级党组织或党员。")


def ranking_period_display(ranking: Ranking) -> str:
    try:
        return parse_ranking_period(ranking.level, ranking.period).display
    except DomainError:
        return ranking.period


def ranking_period_choices(level: str, today: datetime.date, count: int | None = None) -> list[tuple[str, str]]:
    """The most recent periods up to the one containing `today`, newest first: (label, 2025年7—8月)."""
    choices = []
    if level == Ranking.Level.MEMBERS:
        day = today.replace(day=1)
        for _ in range(count or 12):
            p = parse_ranking_period(level, f"{day.year}-{day.month:02d}")
            choices.append((p.label, p.display))
            day = (day - datetime.timedelta(days=1)).replace(day=1)
        return choices
    year, k = today.year, (today.month + 1) // 2
    for _ in range(count or 6):
        p = parse_ranking_period(level, f"{year}-B{k}")
        choices.append((p.label, p.display))
        year, k = (year, k - 1) if k > 1 else (year - 1, 6)
    return choices


def rankings_in(organizations):
    """The rankings made by `organizations` (a queryset), newest first, each with its number of entries."""
    return (
        Ranking.objects.filter(organization__in=organizations)
        .select_related("organization")
        .annotate(entry_count=Count("entries"))
        .order_by("-computed_at", "-id")
    )


# --- 联系点 ---------------------------------------------------------------------------------------------------


def _contact_reviews(ref_leader: str, ref_org: str):
    return LeaderReview.objects.filter(reviewer_id=OuterRef(ref_leader), organization_id=OuterRef(ref_org))


def contact_points_of(user: User):
    """The leader's own contact points with the number of his reviews and visits there (one query)."""
    return (
        ContactPoint.objects.filter(leader=user)
        .select_related("organization")
        .annotate(
            reviews=_count(_contact_reviews("leader_id", "organization_id")),
            visits_count=_count(ContactVisit.objects.filter(contact_point=OuterRef("pk"))),
            last_visit=Subquery(
                ContactVisit.objects.filter(contact_point=OuterRef("pk"))
                .order_by("-visited_on")
                .values("visited_on")[:1]
            ),
        )
        .order_by("organization__path")
    )


def contact_leaders_of(org: Organization):
    """The leaders who keep `org` as their contact point, with their reviews and visits there (one query)."""
    return (
        ContactPoint.objects.filter(organization=org)
        .select_related("leader")
        .annotate(
            reviews=_count(_contact_reviews("leader_id", "organization_id")),
            visits_count=_count(ContactVisit.objects.filter(contact_point=OuterRef("pk"))),
        )
        .order_by("since", "id")
    )
