"""上评下议 (DESIGN §6, issue 5 §4): a committee ranks its direct subordinate organizations every two months,
a branch secretary ranks the branch's members every month; adjustments need a written reason; then published.

Periods. Members are ranked by month, ``2025-07``. Organizations are ranked by two-month period, written
``2025-B1`` … ``2025-B6``: B1 is January–February, B2 March–April, B3 May–June, B4 July–August,
B5 September–October and B6 November–December.

The score. Each subject gets five components, each on a 0–100 scale, read from the data up to the end of the
period (or today while it is still running):

- ``fulfilment`` 按期践诺: of the items of the pledges in force that were due by then or already ticked off,
  the share ticked off by their deadline;
- ``inspections`` 季度检查: the share of pledges passing the last quarterly inspection ended by then;
- ``satisfaction`` 群众满意度: organizations, the average of each organization's latest appraisal in the last
  twelve months (over the child's subtree); members, the share of 满意 and 基本满意 in the ballots and
  paper forms on their own pledges in that time;
- ``leader_grades`` 领导点评: the average grade of the leader reviews of the last three months (or of the
  period when longer), 好 = 100, 较好 = 75, 一般 = 50, 差 = 25;
- ``monthly_records`` 每月记实: monthly records written against those due in the period's months.

The score is the weighted mean of the components, with the weights of the ranking (default 40/20/20/10/10).
A component that no subject has any data for is left out for everyone and the remaining weights carry the
score; a subject without data on a component the others have gets 0 for it. Every input count, value and
weight is stored on the entry, so the score can be recomputed from the entry alone; computing a ranking again
from the same data gives the same scores and ranks. Ties share a rank (1, 2, 2, 4).

Adjustments replace the entry's adjustment and need a written reason; each is a history record of the entry
(django-simple-history, organizations.audit: who, when, the new adjustment, why), read back by
`adjustment_log`. Computing a ranking again updates its entries in place, so adjustments and their records stay.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from commitments.models import Inspection
from evaluations.models import (
    GRADE_POINTS,
    Appraisal,
    Ballot,
    LeaderReview,
    MonthlyRecord,
    PaperTally,
    Ranking,
    RankingEntry,
)
from evaluations.selectors import parse_ranking_period
from evaluations.statistics import (
    Period,
    _begin,
    _cut,
    _last_day,
    items_in_force,
    latest_satisfaction,
    ticked_by,
)
from organizations.audit import split_reason, stamp
from organizations.errors import DomainError
from organizations.models import Member, Organization, User
from organizations.permissions import require

logger = logging.getLogger(__name__)

COMPONENTS = (
    ("fulfilment", "按期践诺"),
    ("inspections", "季度检查"),
    ("satisfaction", "群众满意度"),
    ("leader_grades", "领导点评"),
    ("monthly_records", "每月记实"),
)
COMPONENT_LABELS = dict(COMPONENTS)
DEFAULT_WEIGHTS = {"fulfilment": 40, "inspections": 20, "satisfaction": 20, "leader_grades": 10, "monthly_records": 10}
ADJUSTMENT_LIMIT = Decimal("100")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


# --- weights -------------------------------------------------------------------------------------------


def clean_weights(weights: dict | None) -> dict[str, int | float]:
    """Weights per component, each 0–100 with a positive total; components left out weigh 0."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    unknown = set(weights) - set(COMPONENT_LABELS)
    if unknown:
        raise DomainError("权重中有无法识别的评分项目：" + "、".join(sorted(unknown)) + "。")
    cleaned = {}
    for key, _label in COMPONENTS:
        raw = weights.get(key, 0)
        try:
            value = Decimal(str(raw if raw not in (None, "") else 0))
        except InvalidOperation:
            raise DomainError(f"“{COMPONENT_LABELS[key]}”的权重应为数字。") from None
        if not Decimal(0) <= value <= HUNDRED:
            raise DomainError(f"“{COMPONENT_LABELS[key]}”的权重应在 0 到 100 之间。")
        cleaned[key] = int(value) if value == value.to_integral_value() else float(value)
    if not sum(Decimal(str(v)) for v in cleaned.values()):
        raise DomainError("各评分项目的权重不能全为 0。")
    return cleaned


# --- the components ------------------------------------------------------------------------------------


def _pct(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    value = Decimal(numerator) * HUNDRED / Decimal(denominator)
    return min(value, HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _last_quarter_ended(day: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the last quarter that ended on or before `day`."""
    quarter = (day.month - 1) // 3 + 1
    if day == _last_day(day.year, quarter * 3):
        return day.year, quarter
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def _grade_points(aspects) -> tuple:
    """SQL sums of the grade points and of the number of graded aspects of the reviews."""
    points = [
        Sum(
            Case(
                *(When(**{name: grade}, then=Value(p)) for grade, p in GRADE_POINTS.items()),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for name, _ in aspects
    ]
    graded = [Count("id", filter=~Q(**{name: ""})) for name, _ in aspects]
    total_points, total_graded = points[0], graded[0]
    for expression in points[1:]:
        total_points = total_points + expression
    for expression in graded[1:]:
        total_graded = total_graded + expression
    return total_points, total_graded


class _Window:
    """The dates a ranking reads its data over."""

    def __init__(self, period: Period, today: datetime.date):
        self.period = period
        self.start, self.end = period.start, period.end
        self.as_of = min(period.end, today)
        self.cut = _cut(self.as_of)
        self.quarter = _last_quarter_ended(self.as_of)
        self.appraisal_from = self.as_of - datetime.timedelta(days=364)
        self.review_from = min(self.start, self.as_of - datetime.timedelta(days=91))
        self.months = period.months_until(self.as_of)


def _organization_inputs(org: Organization, children: list[Organization], w: _Window) -> dict[int, dict]:
    """Per direct child (its whole subtree): the raw counts of each component, a fixed number of queries."""
    size = len(org.path) + Organization.steplen
    by_path = {c.path: c.pk for c in children}

    def grouped(qs, field: str, **aggregates) -> dict[int, dict]:
        rows = qs.annotate(prefix=Substr(field, 1, size)).order_by().values("prefix").annotate(**aggregates)
        return {by_path[r["prefix"]]: r for r in rows if r["prefix"] in by_path}

    ticked = ticked_by(w.as_of)
    items = grouped(
        items_in_force(path=org.path, start=w.start, end=w.end, as_of=w.as_of).exclude(pledge__organization_id=org.pk),
        "pledge__organization__path",
        counted=Count("id", filter=Q(deadline__lte=w.as_of) | ticked),
        on_time=Count("id", filter=ticked & Q(ticked_off_on__lte=F("deadline"))),
    )
    year, quarter = w.quarter
    inspections = grouped(
        Inspection.objects.filter(pledge__organization__path__startswith=org.path, year=year, quarter=quarter).exclude(
            pledge__organization_id=org.pk
        ),
        "pledge__organization__path",
        total=Count("id"),
        passed=Count("id", filter=Q(result=Inspection.Result.PASS)),
    )
    satisfaction = grouped(
        Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth)
        .annotate(s=latest_satisfaction(start=w.appraisal_from, as_of=w.as_of))
        .filter(s__isnull=False),
        "path",
        n=Count("id"),
        total=Sum("s"),
    )
    points, graded = _grade_points(LeaderReview.ORGANIZATION_ASPECTS)
    reviews = {
        r["organization_id"]: r
        for r in LeaderReview.objects.filter(
            organization_id__in=by_path.values(),
            created_at__gte=_begin(w.review_from),
            created_at__lt=w.cut,
        )
        .order_by()
        .values("organization_id")
        .annotate(points=points, graded=graded)
    }
    members = grouped(
        Member.objects.filter(organization__path__startswith=org.path, is_active=True, is_exempt=False).exclude(
            organization_id=org.pk
        ),
        "organization__path",
        n=Count("id"),
    )
    records = grouped(
        MonthlyRecord.objects.filter(
            member__organization__path__startswith=org.path,
            member__is_active=True,
            member__is_exempt=False,
            month__in=w.months,
        ),
        "member__organization__path",
        n=Count("id"),
    )
    inputs = {}
    for child in children:
        i, n, s = items.get(child.pk, {}), inspections.get(child.pk, {}), satisfaction.get(child.pk, {})
        r, m, rec = reviews.get(child.pk, {}), members.get(child.pk, {}), records.get(child.pk, {})
        average = Decimal(str(s["total"])) / s["n"] if s.get("n") else None
        inputs[child.pk] = {
            "fulfilment": {"items_counted": i.get("counted", 0), "on_time": i.get("on_time", 0)},
            "inspections": {
                "quarter": f"{year}Q{quarter}",
                "inspected": n.get("total", 0),
                "passed": n.get("passed", 0),
            },
            "satisfaction": {
                "organizations_appraised": s.get("n", 0),
                "average": None if average is None else str(average.quantize(Decimal("0.0001"))),
            },
            "leader_grades": {"graded_aspects": r.get("graded", 0) or 0, "points": r.get("points", 0) or 0},
            "monthly_records": {"written": rec.get("n", 0), "due": m.get("n", 0) * len(w.months)},
        }
    return inputs


def _member_inputs(org: Organization, members: list[Member], w: _Window) -> dict[int, dict]:
    """Per member of the branch: the raw counts of each component, a fixed number of queries."""
    ids = [m.pk for m in members]
    ticked = ticked_by(w.as_of)
    items = {
        r["pledge__member_id"]: r
        for r in items_in_force(path="", start=w.start, end=w.end, as_of=w.as_of)
        .filter(pledge__member_id__in=ids)
        .order_by()
        .values("pledge__member_id")
        .annotate(
            counted=Count("id", filter=Q(deadline__lte=w.as_of) | ticked),
            on_time=Count("id", filter=ticked & Q(ticked_off_on__lte=F("deadline"))),
        )
    }
    year, quarter = w.quarter
    inspections = {
        r["pledge__member_id"]: r
        for r in Inspection.objects.filter(pledge__member_id__in=ids, year=year, quarter=quarter)
        .order_by()
        .values("pledge__member_id")
        .annotate(total=Count("id"), passed=Count("id", filter=Q(result=Inspection.Result.PASS)))
    }
    closed = Q(
        appraisal__status=Appraisal.Status.CLOSED,
        appraisal__held_on__gte=w.appraisal_from,
        appraisal__held_on__lte=w.as_of,
    )
    good = (Ballot.Choice.SATISFIED, Ballot.Choice.BASICALLY)
    ballots = {
        r["pledge__member_id"]: r
        for r in Ballot.objects.filter(closed, pledge__member_id__in=ids)
        .order_by()
        .values("pledge__member_id")
        .annotate(total=Count("id"), good=Count("id", filter=Q(choice__in=good)))
    }
    papers = {
        r["pledge__member_id"]: r
        for r in PaperTally.objects.filter(closed, pledge__member_id__in=ids)
        .order_by()
        .values("pledge__member_id")
        .annotate(satisfied=Sum("satisfied"), basically=Sum("basically_satisfied"), unsatisfied=Sum("unsatisfied"))
    }
    points, graded = _grade_points(LeaderReview.MEMBER_ASPECTS)
    reviews = {
        r["member_id"]: r
        for r in LeaderReview.objects.filter(
            member_id__in=ids, created_at__gte=_begin(w.review_from), created_at__lt=w.cut
        )
        .order_by()
        .values("member_id")
        .annotate(points=points, graded=graded)
    }
    records = {
        r["member_id"]: r["n"]
        for r in MonthlyRecord.objects.filter(member_id__in=ids, month__in=w.months)
        .order_by()
        .values("member_id")
        .annotate(n=Count("id"))
    }
    inputs = {}
    for member in members:
        i, n, b, p, r = (d.get(member.pk, {}) for d in (items, inspections, ballots, papers, reviews))
        paper_good = (p.get("satisfied") or 0) + (p.get("basically") or 0)
        paper_total = paper_good + (p.get("unsatisfied") or 0)
        inputs[member.pk] = {
            "fulfilment": {"items_counted": i.get("counted", 0), "on_time": i.get("on_time", 0)},
            "inspections": {
                "quarter": f"{year}Q{quarter}",
                "inspected": n.get("total", 0),
                "passed": n.get("passed", 0),
            },
            "satisfaction": {"answers": b.get("total", 0) + paper_total, "good": b.get("good", 0) + paper_good},
            "leader_grades": {"graded_aspects": r.get("graded", 0) or 0, "points": r.get("points", 0) or 0},
            "monthly_records": {"written": records.get(member.pk, 0), "due": len(w.months)},
        }
    return inputs


def component_value(key: str, inputs: dict) -> Decimal | None:
    """A component's 0–100 value from its stored inputs (None when the subject has no data for it)."""
    if key == "fulfilment":
        return _pct(inputs["on_time"], inputs["items_counted"])
    if key == "inspections":
        return _pct(inputs["passed"], inputs["inspected"])
    if key == "satisfaction":
        if "average" in inputs:
            average = inputs["average"]
            return None if average is None else (Decimal(average) * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        return _pct(inputs["good"], inputs["answers"])
    if key == "leader_grades":
        # Points run from 1 (差) to 4 (好); a mean of 4 is 100.
        return _pct(inputs["points"], inputs["graded_aspects"] * 4)
    if key == "monthly_records":
        return _pct(inputs["written"], inputs["due"])
    raise KeyError(key)


def score_of(parts: list[dict]) -> Decimal:
    """The weighted mean of the used components, to two decimals; what is stored on each entry."""
    used = [p for p in parts if p["used"]]
    total_weight = sum(Decimal(str(p["weight"])) for p in used)
    if not total_weight:
        return Decimal("0.00")
    points = sum(Decimal(str(p["weight"])) * Decimal(p["value"] or "0") for p in used)
    return (points / total_weight).quantize(CENT, rounding=ROUND_HALF_UP)


def _parts(inputs: dict, weights: dict, used: set[str]) -> list[dict]:
    parts = []
    for key, label in COMPONENTS:
        value = component_value(key, inputs[key])
        parts.append(
            {
                "key": key,
                "label": label,
                "weight": weights[key],
                "used": key in used,
                "value": None if value is None else str(value),
                "inputs": inputs[key],
            }
        )
    return parts


def _rank(entries: list[RankingEntry], tiebreak) -> None:
    """Competition ranking (1, 2, 2, 4) by final score; equal scores keep a stable, documented order."""
    entries.sort(key=lambda e: (-e.final_score, tiebreak(e)))
    previous, rank = None, 0
    for position, entry in enumerate(entries, 1):
        if entry.final_score != previous:
            rank, previous = position, entry.final_score
        entry.rank = rank


def _tiebreak(entry: RankingEntry):
    if entry.organization_id:
        return (entry.organization.path,)
    return (entry.member.name, entry.member_id)


# --- the actions ---------------------------------------------------------------------------------------


def _subjects(organization: Organization, level: str) -> list:
    if level == Ranking.Level.ORGANIZATIONS:
        children = list(
            Organization.objects.filter(
                path__startswith=organization.path, depth=organization.depth + 1, is_active=True
            ).order_by("path")
        )
        if not children:
            raise DomainError(f"“{organization.name}”没有下级党组织，无法排名。")
        return children
    members = list(
        Member.objects.filter(organization=organization, is_active=True, is_exempt=False).order_by("name", "id")
    )
    if not members:
        raise DomainError(f"“{organization.name}”没有参加排名的党员。")
    return members


@transaction.atomic
def ranking_compute(
    *,
    organization: Organization,
    level: str,
    period: str,
    by: User,
    weights: dict | None = None,
    today: datetime.date | None = None,
) -> Ranking:
    """Compute (or compute again) the ranking of `organization`'s subordinate organizations or members for a
    period. Adjustments already made are kept; a published ranking is not computed again."""
    if level not in Ranking.Level.values:
        raise DomainError("排名对象只能是下级党组织或党员。")
    require(by, "rank_organizations" if level == Ranking.Level.ORGANIZATIONS else "rank_members", organization)
    ranking = _compute(organization=organization, level=level, period=period, weights=weights, today=today, by=by)
    logger.info("ranking %s computed by user %s", ranking.pk, by.pk)
    return ranking


def _compute(
    *, organization: Organization, level: str, period: str, weights: dict | None, today, by: User | None = None
) -> Ranking:
    p = parse_ranking_period(level, period)
    today = today or timezone.localdate()
    if p.start > today:
        raise DomainError(f"{p.display}还没有开始，不能排名。")
    weights = clean_weights(weights)
    ranking = Ranking.objects.select_for_update().filter(organization=organization, level=level, period=p.label).first()
    if ranking is not None and ranking.is_published:
        raise DomainError(f"{p.display}的排名已经公布，不能重新计算。")

    subjects = _subjects(organization, level)
    window = _Window(p, today)
    if level == Ranking.Level.ORGANIZATIONS:
        inputs = _organization_inputs(organization, subjects, window)
    else:
        inputs = _member_inputs(organization, subjects, window)
    used = {
        key
        for key, _ in COMPONENTS
        if Decimal(str(weights[key])) > 0 and any(component_value(key, inputs[s.pk][key]) is not None for s in subjects)
    }

    if ranking is None:
        ranking = Ranking(organization=organization, level=level, period=p.label, weights=weights)
        stamp(ranking, by, "计算排名")
        ranking.save()
        existing = {}
    else:
        existing = {(e.organization_id or e.member_id): e for e in ranking.entries.all()}
        ranking.weights = weights
        ranking.computed_at = timezone.now()
        stamp(ranking, by, "按最新数据重新计算")
        ranking.save(update_fields=["weights", "computed_at"])

    # Entries are updated in place, so that their adjustments and the records of them stay; computing is not
    # an adjustment and leaves no record on the entries (the ranking's own history has it).
    entries, new = [], []
    for subject in subjects:
        parts = _parts(inputs[subject.pk], weights, used)
        score = score_of(parts)
        entry = existing.pop(subject.pk, None)
        if entry is None:
            entry = RankingEntry(ranking=ranking, adjustment=Decimal("0"), rank=0)
            new.append(entry)
        if level == Ranking.Level.ORGANIZATIONS:
            entry.organization = subject
        else:
            entry.member = subject
        entry.components = {"parts": parts}
        entry.score = score
        entry.final_score = score + entry.adjustment
        entries.append(entry)
    _rank(entries, _tiebreak)
    if existing:  # subjects no longer ranked (an organization closed, a member left)
        for gone in existing.values():
            stamp(gone, by)
            gone.delete()
    RankingEntry.objects.bulk_update(
        [e for e in entries if e.pk], ["components", "score", "final_score", "rank"], batch_size=500
    )
    RankingEntry.objects.bulk_create(new)
    return ranking


def rankings_compute_due(today: datetime.date | None = None) -> int:
    """The scheduled job: the rankings of the periods that have just ended, with the default weights, for
    every committee over its direct subordinate organizations (the last two months) and every branch over its
    members (the last month). Rankings that exist already are left alone, so that a ranking computed by hand
    (perhaps with other weights, perhaps adjusted) is never overwritten; safe to run every day. Returns the
    number of rankings computed."""
    today = today or timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    bimonth_end = today.replace(day=1) - datetime.timedelta(days=1)
    if bimonth_end.month % 2:
        bimonth_end = bimonth_end.replace(day=1) - datetime.timedelta(days=1)
    periods = {
        Ranking.Level.ORGANIZATIONS: f"{bimonth_end.year}-B{bimonth_end.month // 2}",
        Ranking.Level.MEMBERS: f"{last_month.year}-{last_month.month:02d}",
    }
    existing = set(
        Ranking.objects.filter(
            Q(level=Ranking.Level.ORGANIZATIONS, period=periods[Ranking.Level.ORGANIZATIONS])
            | Q(level=Ranking.Level.MEMBERS, period=periods[Ranking.Level.MEMBERS])
        ).values_list("organization_id", "level")
    )
    active_children = Organization.objects.filter(
        path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1, is_active=True
    )
    ranked_members = Member.objects.filter(organization=OuterRef("pk"), is_active=True, is_exempt=False)
    work = [
        (org, Ranking.Level.ORGANIZATIONS)
        for org in Organization.objects.filter(is_active=True).filter(Exists(active_children)).order_by("path")
    ] + [
        (org, Ranking.Level.MEMBERS)
        for org in Organization.objects.filter(is_active=True, numchild=0)
        .filter(Exists(ranked_members))
        .order_by("path")
    ]
    computed = 0
    for org, level in work:
        if (org.pk, level) in existing:
            continue
        with transaction.atomic():
            _compute(organization=org, level=level, period=periods[level], weights=None, today=today)
        computed += 1
    logger.info("scheduled rankings: %d computed", computed)
    return computed


def _require_ranker(by: User, ranking: Ranking) -> None:
    action = "rank_organizations" if ranking.level == Ranking.Level.ORGANIZATIONS else "rank_members"
    require(by, action, ranking.organization)


@transaction.atomic
def ranking_adjust(*, entry: RankingEntry, by: User, adjustment, reason: str) -> RankingEntry:
    """Set an entry's adjustment (replacing the previous one) with a written reason; logs who, when, from,
    to and why on the entry, and ranks the whole ranking again."""
    ranking = Ranking.objects.select_for_update().select_related("organization").get(pk=entry.ranking_id)
    _require_ranker(by, ranking)
    if ranking.is_published:
        raise DomainError("排名已经公布，不能再调整分数。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("调整分数必须写明理由。")
    if len(reason) > RankingEntry._meta.get_field("adjustment_reason").max_length:
        raise DomainError("调整理由最多500字。")
    try:
        value = Decimal(str(adjustment).strip()).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise DomainError("调整分应为数字，例如 2 或 -1.5。") from None
    if not value.is_finite() or abs(value) > ADJUSTMENT_LIMIT:
        raise DomainError(f"调整分应在 -{ADJUSTMENT_LIMIT} 到 {ADJUSTMENT_LIMIT} 之间。")

    entries = list(
        ranking.entries.select_for_update(of=("self",)).select_related("member", "organization").order_by("id")
    )
    target = next((e for e in entries if e.pk == entry.pk), None)
    if target is None:
        raise DomainError("该排名记录已不存在，可能排名已被重新计算，请刷新页面。")
    target.adjustment = value
    target.adjustment_reason = reason
    target.adjusted_by = by
    target.final_score = target.score + value
    _rank(entries, _tiebreak)
    others = [e for e in entries if e is not target]
    RankingEntry.objects.bulk_update(others, ["rank"])
    stamp(target, by, ADJUSTMENT, reason)
    target.save(update_fields=["adjustment", "adjustment_reason", "adjusted_by", "final_score", "rank"])
    logger.info("ranking %s entry %s adjusted by user %s to %s: %s", ranking.pk, target.pk, by.pk, value, reason)
    return target


@transaction.atomic
def ranking_publish(*, ranking: Ranking, by: User) -> Ranking:
    """Publish the ranking (on the board, with its period)."""
    ranking = Ranking.objects.select_for_update().select_related("organization").get(pk=ranking.pk)
    _require_ranker(by, ranking)
    if ranking.is_published:
        raise DomainError("该排名已经公布。")
    if not ranking.entries.exists():
        raise DomainError("排名还没有结果，不能公布。")
    ranking.is_published = True
    ranking.published_at = timezone.now()
    stamp(ranking, by, "公布排名")
    ranking.save(update_fields=["is_published", "published_at"])
    logger.info("ranking %s published by user %s", ranking.pk, by.pk)
    return ranking


# --- the record of adjustments -------------------------------------------------------------------------

ADJUSTMENT = "调整分数"


@dataclass(frozen=True)
class Adjustment:
    at: datetime.datetime
    by: str
    subject: str
    before: Decimal
    after: Decimal
    reason: str


def adjustment_log(ranking: Ranking, entries: list[RankingEntry]) -> list[Adjustment]:
    """Every adjustment made on the ranking's entries (given with their members or organizations), newest first,
    from the entries' history: one query."""
    subjects = {e.pk: (e.member.name if e.member_id else e.organization.name) for e in entries}
    records = (
        RankingEntry.history.filter(ranking_id=ranking.pk, id__in=list(subjects))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    log, before = [], {}
    for record in records:
        label, reason = split_reason(record.history_change_reason)
        if label == ADJUSTMENT:
            by = record.history_user.get_full_name() if record.history_user_id else "系统"
            previous = before.get(record.id, Decimal("0.00"))
            log.append(Adjustment(record.history_date, by, subjects[record.id], previous, record.adjustment, reason))
        before[record.id] = record.adjustment
    log.sort(key=lambda a: a.at, reverse=True)
    return log
