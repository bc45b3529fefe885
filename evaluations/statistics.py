"""统计 (DESIGN §7): the indicators of an organization's subtree for a period, and the `Tally` snapshots.

`compute_indicators` answers with a fixed number of aggregate queries (about twenty), whatever the size of
the subtree: every count is a database aggregate over the materialized-path prefix, and the per-child rows
come from queries grouped by the child's path prefix. `tally_build` stores the result as a snapshot per
organization and period; `tally_build_due` is the scheduled job that builds the snapshots of the periods that
have just ended.

Periods are written ``2025-07`` (month), ``2025Q3`` (quarter), ``2025H2`` (half-year) or ``2025`` (year).

What each indicator means:

- Stocks are taken "as of" the end of the period, or today while the period is still running: organizations
  and members with a signed pledge (signed by then), items, items ticked off, overdue items, open and closed
  rectifications. Members, exemptions and the organization tree are as they are now (no history is kept).
- Flows count what happened within the period: items ticked off in the period, self-checks of its months,
  quarterly inspections of the quarters that end within it, leader reviews written in it, appraisals held in
  it, awards approved in it, monthly records of its months.
- Opinions are counted from the start of the campaign up to the end of the period, as 篇十二 附件2 counts
  "创先争优活动以来…收集整理…个，已解决…个": 已解决 are those marked solved by then (solved_on), a fact apart
  from 转化为承诺事项 (adopted: cited by an item), which is the opinion's status.
- A campaign takes part when its dates overlap the period. The organization that opened the campaign does
  not pledge to itself and is left out of the organizations expected to pledge (as in `campaign_coverage`).
- The items counted are those of the signed revision in force of each pledge: the current revision once
  signed, or the superseded one while its amendment is not yet signed.
- Satisfaction is that of each organization's latest closed appraisal held in the period; the average and
  the count below 90% are over organizations, not over sessions.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from commitments.models import Campaign, Inspection, Opinion, Pledge, PledgeItem, SelfCheck
from organizations.errors import DomainError
from organizations.models import Member, Organization

from .models import Appraisal, Award, ContactVisit, LeaderReview, MonthlyRecord, Rectification, Tally

SATISFACTION_THRESHOLD = Appraisal.THRESHOLD
CHINESE_NUMERALS = "一二三四"

# --- periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A statistics period: its label (``2025Q3``), kind (a `Tally.PeriodKind` value) and first/last day."""

    label: str
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def display(self) -> str:
        """2025年7月, 2025年第三季度, 2025年下半年, 2025年."""
        if self.kind == Tally.PeriodKind.MONTH:
            return f"{self.year}年{self.start.month}月"
        if self.kind == Tally.PeriodKind.QUARTER:
            return f"{self.year}年第{CHINESE_NUMERALS[(self.start.month - 1) // 3]}季度"
        if self.kind == Tally.PeriodKind.HALF_YEAR:
            return f"{self.year}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "bimonth":
            return f"{self.year}年{self.start.month}—{self.end.month}月"
        return f"{self.year}年"

    @property
    def range_display(self) -> str:
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

    def months(self) -> list[datetime.date]:
        """The first day of each month of the period."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return months

    def months_until(self, day: datetime.date) -> list[datetime.date]:
        return [m for m in self.months() if m <= day]

    def quarters_overlapping(self) -> list[str]:
        return list(dict.fromkeys(f"{m.year}Q{(m.month - 1) // 3 + 1}" for m in self.months()))

    def quarters_ending_within(self) -> list[tuple[int, int]]:
        """(year, quarter) of the quarters whose last month lies in the period; months add up to quarters."""
        return [(m.year, m.month // 3) for m in self.months() if m.month % 3 == 0]

    def previous(self) -> Period:
        if self.kind == Tally.PeriodKind.MONTH:
            day = self.start - datetime.timedelta(days=1)
            return parse_period(f"{day.year}-{day.month:02d}")
        if self.kind == Tally.PeriodKind.QUARTER:
            q = (self.start.month - 1) // 3 + 1
            return parse_period(f"{self.year}Q{q - 1}" if q > 1 else f"{self.year - 1}Q4")
        if self.kind == Tally.PeriodKind.HALF_YEAR:
            return parse_period(f"{self.year}H1" if self.start.month == 7 else f"{self.year - 1}H2")
        return parse_period(str(self.year - 1))

    def next(self) -> Period:
        day = self.end + datetime.timedelta(days=1)
        if self.kind == Tally.PeriodKind.MONTH:
            return parse_period(f"{day.year}-{day.month:02d}")
        if self.kind == Tally.PeriodKind.QUARTER:
            return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
        if self.kind == Tally.PeriodKind.HALF_YEAR:
            return parse_period(f"{day.year}H{1 if day.month == 1 else 2}")
        return parse_period(str(day.year))


_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})|[Qq]([1-4])|[Hh]([12]))?$")
PERIOD_HELP = "期间应写作 2025-07（月）、2025Q3（季度）、2025H2（半年）或 2025（年度）。"


def _last_day(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def parse_period(text: str) -> Period:
    """``2025-07`` / ``2025Q3`` / ``2025H2`` / ``2025`` → Period; a clear Chinese error for anything else."""
    raw = (text or "").strip()
    match = _PERIOD_RE.match(raw)
    if not match:
        raise DomainError(f"统计期间“{raw}”无法识别。{PERIOD_HELP}")
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise DomainError(f"统计期间的年份 {year} 超出范围。{PERIOD_HELP}")
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month is not None:
        m = int(month)
        if not 1 <= m <= 12:
            raise DomainError(f"统计期间“{raw}”的月份应在 1 到 12 之间。{PERIOD_HELP}")
        return Period(f"{year}-{m:02d}", Tally.PeriodKind.MONTH, datetime.date(year, m, 1), _last_day(year, m))
    if quarter is not None:
        q = int(quarter)
        first = 3 * q - 2
        return Period(
            f"{year}Q{q}", Tally.PeriodKind.QUARTER, datetime.date(year, first, 1), _last_day(year, first + 2)
        )
    if half is not None:
        h = int(half)
        first = 1 if h == 1 else 7
        return Period(
            f"{year}H{h}", Tally.PeriodKind.HALF_YEAR, datetime.date(year, first, 1), _last_day(year, first + 5)
        )
    return Period(str(year), Tally.PeriodKind.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def period_containing(day: datetime.date, kind: str) -> Period:
    if kind == Tally.PeriodKind.MONTH:
        return parse_period(f"{day.year}-{day.month:02d}")
    if kind == Tally.PeriodKind.QUARTER:
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == Tally.PeriodKind.HALF_YEAR:
        return parse_period(f"{day.year}H{1 if day.month <= 6 else 2}")
    return parse_period(str(day.year))


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _cut(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the site's time zone: timestamps `< cut` happened on or before `day`."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _begin(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- indicator catalogue -------------------------------------------------------------------------------

PERCENT = "%"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    section: str
    form_item: str = ""  # the matching line of 篇十二 附件2《创先争优活动有关项目统计》
    higher_is_better: bool | None = True


SECTION_COVERAGE = "组织和党员承诺"
SECTION_OPINIONS = "调研提诺"
SECTION_FULFILMENT = "践诺"
SECTION_EVALUATION = "评诺"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("organizations", "基层党组织", "个", SECTION_COVERAGE, "第2项", None),
    Indicator("organizations_pledged", "作出公开承诺的基层党组织", "个", SECTION_COVERAGE, "第2项"),
    Indicator("organization_coverage", "党组织承诺覆盖率", PERCENT, SECTION_COVERAGE),
    Indicator("members", "党员（在册）", "名", SECTION_COVERAGE, "", None),
    Indicator("members_exempt", "免于承诺", "名", SECTION_COVERAGE, "", None),
    Indicator("members_expected", "应作承诺的党员", "名", SECTION_COVERAGE, "", None),
    Indicator("members_pledged", "作出公开承诺的党员", "名", SECTION_COVERAGE, "第2项"),
    Indicator("member_coverage", "党员承诺覆盖率", PERCENT, SECTION_COVERAGE),
    Indicator("oral_pledges", "其中口头承诺", "名", SECTION_COVERAGE, "", None),
    Indicator("leaders", "领导干部", "名", SECTION_COVERAGE, "", None),
    Indicator("leaders_pledged", "作出公开承诺的领导干部", "名", SECTION_COVERAGE),
    Indicator("volunteers", "入党积极分子、非党干部（自愿参加，不计入应承诺）", "名", SECTION_COVERAGE, "", None),
    Indicator("volunteers_pledged", "其中作出公开承诺", "名", SECTION_COVERAGE, "", None),
    Indicator("opinions", "收集整理群众反映的问题和意见建议", "条", SECTION_OPINIONS, "第3项"),
    Indicator("opinions_solved", "已解决", "条", SECTION_OPINIONS, "第3项"),
    Indicator("opinions_answered", "转化为承诺事项", "条", SECTION_OPINIONS),
    Indicator("opinions_not_adopted", "未采纳", "条", SECTION_OPINIONS, "", None),
    Indicator("items", "承诺事项", "项", SECTION_FULFILMENT, "", None),
    Indicator("items_ticked_off", "已兑现销号", "项", SECTION_FULFILMENT),
    Indicator("items_ticked_off_in_period", "其中本期销号", "项", SECTION_FULFILMENT),
    Indicator("fulfilment_rate", "承诺兑现率", PERCENT, SECTION_FULFILMENT),
    Indicator("items_due", "已到完成时限的事项", "项", SECTION_FULFILMENT, "", None),
    Indicator("on_time_rate", "到期事项按期兑现率", PERCENT, SECTION_FULFILMENT),
    Indicator("items_overdue", "逾期未销号", "项", SECTION_FULFILMENT, "", False),
    Indicator("items_needs_help", "需组织帮扶", "项", SECTION_FULFILMENT, "", None),
    Indicator("self_checks", "月度自查（事项·月）", "次", SECTION_FULFILMENT),
    Indicator("inspections", "季度检查", "次", SECTION_FULFILMENT),
    Indicator("inspections_failed", "其中检查不通过", "次", SECTION_FULFILMENT, "", False),
    Indicator("leader_reviews", "领导点评", "次", SECTION_EVALUATION),
    Indicator("contact_leader_reviews", "其中联系领导点评", "次", SECTION_EVALUATION),
    Indicator("contact_visits", "联系领导走访联系点", "次", SECTION_EVALUATION),
    Indicator("member_reviews_due", "应逐一点评（党员·季度）", "人次", SECTION_EVALUATION, "", None),
    Indicator("member_reviews_done", "已逐一点评", "人次", SECTION_EVALUATION),
    Indicator("member_review_coverage", "一季一点评覆盖率", PERCENT, SECTION_EVALUATION),
    Indicator("appraisals", "群众评议（已结束）", "场", SECTION_EVALUATION),
    Indicator("appraisal_participants", "参加评议", "人次", SECTION_EVALUATION),
    Indicator("organizations_appraised", "参加评议的党组织", "个", SECTION_EVALUATION),
    Indicator("satisfaction", "平均满意度", PERCENT, SECTION_EVALUATION),
    Indicator("organizations_below_threshold", "满意度低于90%的党组织", "个", SECTION_EVALUATION, "", False),
    Indicator("rectifications_open", "整改中", "项", SECTION_EVALUATION, "", None),
    Indicator("rectifications_closed", "整改销号", "项", SECTION_EVALUATION),
    Indicator("awards", "受到各类表彰", "人次", SECTION_EVALUATION, "第5项"),
    Indicator("monthly_records", "党员每月记实", "篇", SECTION_EVALUATION),
    Indicator("monthly_record_rate", "每月记实完成率", PERCENT, SECTION_EVALUATION),
)
INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}
SECTIONS = (SECTION_COVERAGE, SECTION_OPINIONS, SECTION_FULFILMENT, SECTION_EVALUATION)

# The indicators printed by `compute_tally` and shown as cards on the dashboard.
MAIN_INDICATORS = (
    "organization_coverage",
    "member_coverage",
    "opinions_solved",
    "fulfilment_rate",
    "items_overdue",
    "member_review_coverage",
    "satisfaction",
    "awards",
)

SATISFACTION_BANDS = (
    ("lt80", "80%以下"),
    ("80_90", "80%—90%"),
    ("90_95", "90%—95%"),
    ("ge95", "95%及以上"),
)


def format_value(key: str, value) -> str:
    """An indicator as people read it: 83.5% for rates, 1,234 for counts, — when there is nothing to say."""
    if value is None:
        return "—"
    if INDICATOR_BY_KEY[key].unit == PERCENT:
        return f"{value * 100:.1f}%"
    return f"{value:,}"


def format_change(key: str, current, previous) -> str:
    """The change from the previous period: +2.5个百分点 for rates, +12 for counts."""
    if current is None or previous is None:
        return "—"
    if INDICATOR_BY_KEY[key].unit == PERCENT:
        diff = round((current - previous) * 100, 1)
        return "持平" if diff == 0 else f"{diff:+.1f}个百分点"
    diff = current - previous
    return "持平" if diff == 0 else f"{diff:+,}"


def change_direction(key: str, current, previous) -> str:
    """ "up"/"down"/"" and whether that is good, for colouring: "good", "bad" or "neutral"."""
    if current is None or previous is None or current == previous:
        return ""
    better = INDICATOR_BY_KEY[key].higher_is_better
    if better is None:
        return "neutral"
    return "good" if (current > previous) == better else "bad"


def _ratio(numerator, denominator) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _float(value) -> float | None:
    return None if value is None else round(float(value), 4)


# --- the querysets shared with rankings ----------------------------------------------------------------

EVER_SIGNED = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED, Pledge.Status.SUPERSEDED)
IN_FORCE = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)


def campaign_window(start: datetime.date, end: datetime.date, prefix: str = "campaign__") -> Q:
    return Q(**{f"{prefix}starts_on__lte": end, f"{prefix}ends_on__gte": start})


def pledge_in_force(prefix: str = "") -> Q:
    """The signed revision in force: the current one once signed, or a superseded one whose amendment (the
    next revision, now current) has not been signed yet."""
    return Q(**{f"{prefix}is_current": True, f"{prefix}status__in": IN_FORCE}) | (
        Q(**{f"{prefix}status": Pledge.Status.SUPERSEDED, f"{prefix}next_revision__is_current": True})
        & ~Q(**{f"{prefix}next_revision__status__in": IN_FORCE})
    )


def items_in_force(*, path: str, start: datetime.date, end: datetime.date, as_of: datetime.date):
    """Items of the pledges in force made in the subtree of `path`, signed by `as_of`."""
    return PledgeItem.objects.filter(
        pledge_in_force("pledge__"),
        campaign_window(start, end, "pledge__campaign__"),
        pledge__organization__path__startswith=path,
        pledge__signed_at__lt=_cut(as_of),
    )


def ticked_by(as_of: datetime.date) -> Q:
    return Q(state=PledgeItem.State.TICKED_OFF, ticked_off_on__lte=as_of)


def latest_satisfaction(*, start: datetime.date, as_of: datetime.date, ref: str = "pk") -> Subquery:
    """The satisfaction of the organization's latest closed appraisal held between `start` and `as_of`."""
    return Subquery(
        Appraisal.objects.filter(
            organization=OuterRef(ref),
            status=Appraisal.Status.CLOSED,
            satisfaction__isnull=False,
            held_on__gte=start,
            held_on__lte=as_of,
        )
        .order_by("-held_on", "-id")
        .values("satisfaction")[:1]
    )


# --- the indicators ------------------------------------------------------------------------------------


def compute_indicators(
    org: Organization, start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> dict:
    """The indicators of `org`'s subtree for the days `start`..`end`, plus per-child rows, the monthly
    fulfilment series and the satisfaction distribution. A fixed number of queries (under twenty).

    The big tables (items, members, organizations, appraisal results) are read once each, grouped by the
    path prefix of the direct child they fall under; the subtree's totals are the sums of those few groups.
    """
    today = today or timezone.localdate()
    as_of = min(end, today)
    if as_of < start:
        as_of = start - datetime.timedelta(days=1)  # a period that has not begun: nothing has happened in it
    period = Period("", "", start, end)
    cut = _cut(as_of)
    path = org.path
    size = len(path) + Organization.steplen
    result: dict = {"as_of": as_of.isoformat(), "start": start.isoformat(), "end": end.isoformat()}
    campaign_ids = list(Campaign.objects.filter(campaign_window(start, end, "")).values_list("id", flat=True))

    def grouped(qs, field: str, **aggregates) -> dict[str, dict]:
        """Aggregates per direct child (keyed by its path; rows of `org` itself are keyed by `org.path`)."""
        rows = qs.annotate(prefix=Substr(field, 1, size)).order_by().values("prefix").annotate(**aggregates)
        return {r["prefix"]: r for r in rows}

    def total(groups: dict, key: str):
        return sum((g[key] or 0) for g in groups.values())

    # 1. Organizations expected to pledge (the one that opened a campaign pledges to nobody), and those with
    # a signed pledge. "Signed by then" is an uncorrelated IN (...) list, which the database hashes once.
    signed = Pledge.objects.filter(campaign_id__in=campaign_ids, status__in=EVER_SIGNED, signed_at__lt=cut)
    signed_orgs = signed.filter(pledger_organization__isnull=False).values("pledger_organization_id")
    orgs = grouped(
        Organization.objects.filter(path__startswith=path, is_active=True).exclude(
            pk__in=Campaign.objects.filter(pk__in=campaign_ids).values("organization_id")
        ),
        "path",
        total=Count("id"),
        pledged=Count("id", filter=Q(pk__in=signed_orgs)),
    )
    result["organizations"] = total(orgs, "total")
    result["organizations_pledged"] = total(orgs, "pledged")
    result["organization_coverage"] = _ratio(result["organizations_pledged"], result["organizations"])

    # 2. Members: exempt ones leave the denominator (全覆盖 counts the others).
    signed_members = signed.filter(member__isnull=False).values("member_id")
    oral_members = signed.filter(member__isnull=False, form=Pledge.Form.ORAL).values("member_id")
    # 入党积极分子、非党干部 may pledge (篇一 “也可以参加”) but are not expected to: counted apart, in the same query.
    party = Q(political_status__in=Member.PARTY_STATUSES)
    expected = party & Q(is_exempt=False)
    members = grouped(
        Member.objects.filter(organization__path__startswith=path, is_active=True),
        "organization__path",
        total=Count("id", filter=party),
        exempt=Count("id", filter=party & Q(is_exempt=True)),
        volunteers=Count("id", filter=~party),
        volunteers_pledged=Count("id", filter=~party & Q(pk__in=signed_members)),
        pledged=Count("id", filter=expected & Q(pk__in=signed_members)),
        oral=Count("id", filter=expected & Q(pk__in=oral_members)),
        leaders=Count("id", filter=expected & Q(is_leader=True)),
        leaders_pledged=Count("id", filter=expected & Q(is_leader=True, pk__in=signed_members)),
    )
    members_expected = total(members, "total") - total(members, "exempt")
    result.update(
        members=total(members, "total"),
        members_exempt=total(members, "exempt"),
        volunteers=total(members, "volunteers"),
        volunteers_pledged=total(members, "volunteers_pledged"),
        members_expected=members_expected,
        members_pledged=total(members, "pledged"),
        member_coverage=_ratio(total(members, "pledged"), members_expected),
        oral_pledges=total(members, "oral"),
        leaders=total(members, "leaders"),
        leaders_pledged=total(members, "leaders_pledged"),
    )

    # 3. 调研提诺: opinions collected since the campaign began, and what became of them.
    opinion_groups = grouped(
        Opinion.objects.filter(
            campaign_id__in=campaign_ids, organization__path__startswith=path, received_on__lte=as_of
        ),
        "organization__path",
        total=Count("id"),
        answered=Count("id", filter=Q(status=Opinion.Status.ANSWERED)),
        solved=Count("id", filter=Q(solved_on__isnull=False, solved_on__lte=as_of)),
        not_adopted=Count("id", filter=Q(status=Opinion.Status.NOT_ADOPTED)),
    )
    result.update(
        opinions=total(opinion_groups, "total"),
        opinions_answered=total(opinion_groups, "answered"),
        opinions_solved=total(opinion_groups, "solved"),
        opinions_not_adopted=total(opinion_groups, "not_adopted"),
    )

    # 4. 践诺: items of the pledges in force as of the end of the period, with the month-by-month series
    # (items signed and ticked off by the end of each month since January), in one pass.
    ticked = ticked_by(as_of)
    due = Q(deadline__lte=as_of)
    series_months = [m for m in (datetime.date(start.year, k, 1) for k in range(1, 13)) if m <= as_of]
    series_aggregates = {}
    for m in series_months:
        last = min(_last_day(m.year, m.month), as_of)
        series_aggregates[f"i{m.month}"] = Count("id", filter=Q(pledge__signed_at__lt=_cut(last)))
        series_aggregates[f"t{m.month}"] = Count("id", filter=ticked_by(last))
    items = grouped(
        PledgeItem.objects.filter(
            pledge_in_force("pledge__"),
            pledge__campaign_id__in=campaign_ids,
            pledge__organization__path__startswith=path,
            pledge__signed_at__lt=cut,
        ),
        "pledge__organization__path",
        total=Count("id"),
        ticked=Count("id", filter=ticked),
        ticked_in_period=Count("id", filter=ticked & Q(ticked_off_on__gte=start)),
        due=Count("id", filter=due),
        due_on_time=Count("id", filter=due & ticked & Q(ticked_off_on__lte=F("deadline"))),
        overdue=Count("id", filter=Q(deadline__lt=as_of) & ~ticked),
        needs_help=Count("id", filter=Q(needs_help=True) & ~ticked),
        **series_aggregates,
    )
    result.update(
        items=total(items, "total"),
        items_ticked_off=total(items, "ticked"),
        items_ticked_off_in_period=total(items, "ticked_in_period"),
        fulfilment_rate=_ratio(total(items, "ticked"), total(items, "total")),
        items_due=total(items, "due"),
        items_due_on_time=total(items, "due_on_time"),
        on_time_rate=_ratio(total(items, "due_on_time"), total(items, "due")),
        items_overdue=total(items, "overdue"),
        items_needs_help=total(items, "needs_help"),
    )
    totals = [total(items, f"i{m.month}") for m in series_months]
    ticked_series = [total(items, f"t{m.month}") for m in series_months]
    result["series"] = {
        "months": [f"{m.month}月" for m in series_months],
        "items": totals,
        "ticked": ticked_series,
        "ticked_in_month": [t - (ticked_series[k - 1] if k else 0) for k, t in enumerate(ticked_series)],
        "rate": [_ratio(t, n) for t, n in zip(ticked_series, totals, strict=True)],
    }

    # 5. 一月一自查, 一季一检查 (of the quarters that end within the period, so that months add up).
    result["self_checks"] = SelfCheck.objects.filter(
        item__pledge__organization__path__startswith=path, month__gte=start, month__lte=end
    ).count()
    quarters = period.quarters_ending_within()
    if quarters:
        quarter_q = Q()
        for year, quarter in quarters:
            quarter_q |= Q(year=year, quarter=quarter)
        inspections = Inspection.objects.filter(quarter_q, pledge__organization__path__startswith=path).aggregate(
            total=Count("id"), failed=Count("id", filter=Q(result=Inspection.Result.FAIL))
        )
    else:
        inspections = {"total": 0, "failed": 0}
    result.update(inspections=inspections["total"], inspections_failed=inspections["failed"])

    # 6. 领导点评: reviews written in the period; coverage of 一季一点评 over the quarters it touches.
    begin = _begin(start)
    kinds = LeaderReview.Kind
    reviews = LeaderReview.objects.filter(
        Q(member__organization__path__startswith=path) | Q(organization__path__startswith=path),
        created_at__gte=begin,
        created_at__lt=cut,
    ).aggregate(
        total=Count("id"),
        **{f"kind_{k.value}": Count("id", filter=Q(kind=k.value)) for k in kinds},
    )
    result["leader_reviews"] = reviews["total"]
    # 联系点 (篇六 “县级党员领导干部重点点评联系点”): reviews of an organization by a leader whose contact point
    # it is, and the leaders' visits there.
    result["contact_leader_reviews"] = LeaderReview.objects.filter(
        organization__path__startswith=path,
        created_at__gte=begin,
        created_at__lt=cut,
        organization__contact_points__leader_id=F("reviewer_id"),
    ).count()
    result["contact_visits"] = ContactVisit.objects.filter(
        contact_point__organization__path__startswith=path, visited_on__gte=start, visited_on__lte=as_of
    ).count()
    result["leader_reviews_by_kind"] = {k.value: reviews[f"kind_{k.value}"] for k in kinds}
    review_quarters = period.quarters_overlapping()
    done = (
        LeaderReview.objects.filter(
            kind=kinds.QUARTERLY,
            period__in=review_quarters,
            member__organization__path__startswith=path,
            member__is_active=True,
            member__is_exempt=False,
            member__political_status__in=Member.PARTY_STATUSES,
        )
        .values("member_id", "period")
        .distinct()
        .count()
    )
    reviews_due = members_expected * len(review_quarters)
    result.update(
        member_reviews_due=reviews_due,
        member_reviews_done=done,
        member_review_coverage=_ratio(done, reviews_due),
        review_quarters=review_quarters,
    )

    # 7. 群众评议: sessions held in the period; each organization's latest result.
    closed = Q(status=Appraisal.Status.CLOSED)
    sessions = Appraisal.objects.filter(
        organization__path__startswith=path, held_on__gte=start, held_on__lte=as_of
    ).aggregate(
        total=Count("id"),
        closed=Count("id", filter=closed),
        participants=Sum(F("valid_ballots") + F("invalid_ballots"), filter=closed),
        satisfied=Sum("satisfied", filter=closed),
        basically=Sum("basically_satisfied", filter=closed),
        unsatisfied=Sum("unsatisfied", filter=closed),
    )
    appraised = grouped(
        Organization.objects.filter(path__startswith=path)
        .annotate(s=latest_satisfaction(start=start, as_of=as_of))
        .filter(s__isnull=False),
        "path",
        n=Count("id"),
        sum=Sum("s"),
        below=Count("id", filter=Q(s__lt=SATISFACTION_THRESHOLD)),
        lt80=Count("id", filter=Q(s__lt=Decimal("0.80"))),
        b80_90=Count("id", filter=Q(s__gte=Decimal("0.80"), s__lt=Decimal("0.90"))),
        b90_95=Count("id", filter=Q(s__gte=Decimal("0.90"), s__lt=Decimal("0.95"))),
        ge95=Count("id", filter=Q(s__gte=Decimal("0.95"))),
    )
    n_appraised = total(appraised, "n")
    result.update(
        appraisals=sessions["closed"],
        appraisals_open=sessions["total"] - sessions["closed"],
        appraisal_participants=sessions["participants"] or 0,
        organizations_appraised=n_appraised,
        satisfaction=_mean(total(appraised, "sum"), n_appraised),
        organizations_below_threshold=total(appraised, "below"),
        ballots={
            "satisfied": sessions["satisfied"] or 0,
            "basically": sessions["basically"] or 0,
            "unsatisfied": sessions["unsatisfied"] or 0,
        },
        satisfaction_bands={
            "lt80": total(appraised, "lt80"),
            "80_90": total(appraised, "b80_90"),
            "90_95": total(appraised, "b90_95"),
            "ge95": total(appraised, "ge95"),
        },
    )

    # 8. 整改: as of the end of the period.
    rect = Rectification.objects.filter(organization__path__startswith=path, created_at__lt=cut).aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(closed_at__lt=cut)),
        opened=Count("id", filter=Q(created_at__gte=begin)),
    )
    result.update(
        rectifications_open=rect["total"] - rect["closed"],
        rectifications_closed=rect["closed"],
        rectifications_opened_in_period=rect["opened"],
    )

    # 9. 表彰: awards approved in the period, to members or organizations of the subtree.
    award_kinds = Award.Kind
    awards = Award.objects.filter(
        Q(member__organization__path__startswith=path) | Q(organization__path__startswith=path),
        status=Award.Status.APPROVED,
        decided_at__gte=begin,
        decided_at__lt=cut,
    ).aggregate(total=Count("id"), **{k.value: Count("id", filter=Q(kind=k.value)) for k in award_kinds})
    result["awards"] = awards.pop("total")
    result["awards_by_kind"] = awards

    # 10. 日常记实: records of the months of the period (up to now) against the members expected to write.
    months = period.months_until(as_of)
    records = MonthlyRecord.objects.filter(
        member__organization__path__startswith=path, month__gte=start, month__lte=end
    ).count()
    records_due = members_expected * len(months)
    result.update(
        monthly_records=records,
        monthly_records_due=records_due,
        monthly_record_rate=_ratio(records, records_due),
    )

    # 11. One row per direct child, from the same groups.
    children = (
        Organization.objects.filter(path__startswith=path, depth=org.depth + 1, is_active=True)
        .order_by("path")
        .values_list("path", "code", "name", "level")
    )
    rows = []
    for child_path, code, name, level in children:
        m, o, i, s, op = (groups.get(child_path) or {} for groups in (members, orgs, items, appraised, opinion_groups))
        expected_here = (m.get("total") or 0) - (m.get("exempt") or 0)
        rows.append(
            {
                "code": code,
                "name": name,
                "level": level,
                "organizations": o.get("total", 0),
                "organizations_pledged": o.get("pledged", 0),
                "members_expected": expected_here,
                "members_pledged": m.get("pledged", 0),
                "coverage": _ratio(m.get("pledged", 0), expected_here),
                "items": i.get("total", 0),
                "items_ticked_off": i.get("ticked", 0),
                "items_overdue": i.get("overdue", 0),
                "fulfilment_rate": _ratio(i.get("ticked", 0), i.get("total", 0)),
                "organizations_appraised": s.get("n", 0),
                "organizations_below_threshold": s.get("below", 0),
                "satisfaction": _mean(s.get("sum"), s.get("n", 0)),
                "opinions": op.get("total", 0),
                "opinions_solved": op.get("solved", 0),
                "opinions_answered": op.get("answered", 0),
            }
        )
    result["children"] = rows
    return result


def _mean(total, count) -> float | None:
    return round(float(total) / count, 4) if count else None


# --- snapshots -----------------------------------------------------------------------------------------


def tally_build(*, org: Organization, period: str, today: datetime.date | None = None) -> Tally:
    """Build (or rebuild) the snapshot of `org`'s subtree for `period`; one row per organization and period."""
    p = parse_period(period)
    indicators = compute_indicators(org, p.start, p.end, today=today)
    with transaction.atomic():
        tally, _ = Tally.objects.update_or_create(
            organization=org,
            period=p.label,
            defaults={
                "period_kind": p.kind,
                "starts_on": p.start,
                "ends_on": p.end,
                "indicators": indicators,
                "computed_at": timezone.now(),
            },
        )
    return tally


def tally_is_final(tally: Tally) -> bool:
    """Was the snapshot taken after its period ended (so the data it counts can no longer grow)?"""
    return timezone.localtime(tally.computed_at).date() > tally.ends_on


def tally_get_or_build(
    *, org: Organization, period: str, max_age: datetime.timedelta = datetime.timedelta(minutes=15), today=None
) -> Tally:
    """The stored snapshot, built now when there is none or when it was taken while the period was still
    running and is older than `max_age`."""
    p = parse_period(period)
    tally = Tally.objects.filter(organization=org, period=p.label).first()
    if tally is not None and (tally_is_final(tally) or timezone.now() - tally.computed_at < max_age):
        return tally
    return tally_build(org=org, period=p.label, today=today)


def periods_just_ended(today: datetime.date) -> list[Period]:
    """The last completed month, quarter, half-year and year before `today`."""
    return [period_containing(today, kind).previous() for kind in Tally.PeriodKind.values]


def tally_build_due(today: datetime.date | None = None) -> int:
    """The beat job: snapshot the periods that have just ended for every active organization with children.

    Idempotent: a snapshot already taken after its period ended is kept; one taken while the period was
    still running is rebuilt. Returns the number of snapshots built.
    """
    today = today or timezone.localdate()
    periods = periods_just_ended(today)
    orgs = list(Organization.objects.filter(is_active=True, numchild__gt=0).order_by("path"))
    existing = {
        (t.organization_id, t.period): t
        for t in Tally.objects.filter(organization__in=orgs, period__in=[p.label for p in periods])
    }
    built = 0
    for org in orgs:
        for p in periods:
            tally = existing.get((org.pk, p.label))
            if tally is not None and tally_is_final(tally):
                continue
            tally_build(org=org, period=p.label, today=today)
            built += 1
    return built


# --- reading a snapshot --------------------------------------------------------------------------------


def indicator_table(current: dict, previous: dict | None) -> list[dict]:
    """The indicators by section, formatted, with the previous period's value and the change."""
    previous = previous or {}
    sections = []
    for section in SECTIONS:
        rows = []
        for indicator in INDICATORS:
            if indicator.section != section:
                continue
            now, before = current.get(indicator.key), previous.get(indicator.key)
            rows.append(
                {
                    "key": indicator.key,
                    "label": indicator.label,
                    "unit": "" if indicator.unit == PERCENT else indicator.unit,
                    "value": format_value(indicator.key, now),
                    "previous": format_value(indicator.key, before) if previous else "—",
                    "change": format_change(indicator.key, now, before) if previous else "—",
                    "direction": change_direction(indicator.key, now, before) if previous else "",
                    "form_item": indicator.form_item,
                    "raw": now,
                }
            )
        sections.append({"title": section, "rows": rows})
    return sections
