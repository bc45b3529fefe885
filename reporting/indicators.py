"""The computed indicators a blank of a statistics form may be bound to, and their values for a subtree and period.

Codes name what is counted, so a form reads the same wherever it is issued:

- ``stat.<key>``: an indicator of the statistics page (evaluations.statistics.INDICATORS), e.g.
  ``stat.members_pledged`` (作出公开承诺的党员), ``stat.opinions_solved`` (已解决的群众意见).
- ``activity.<kind>.<measure>`` over the activity register (organizations.Activity), where `kind` is an
  `ActivityKind.code` and `measure` one of ``count`` (活动次数), ``participants`` (参加人次), ``members`` (参加
  党员人数，不重复), ``organizations`` (开展活动的党组织数), ``quantity`` / ``amount`` / ``beneficiaries`` (the kind's
  own labels) or ``titles`` (the activities' names, for blanks such as 制度名称). A suffix ``@<level>`` keeps the
  activities of organizations of that level only (``activity.institution.quantity@branch``: 支部层面).

`compute_values` answers for the whole subtree and, when asked, for each direct child, in a fixed number of
queries whatever the size of the subtree: the statistics indicators in one `compute_indicators` call (about
twenty aggregates; per child only those it groups by child: organizations, members, items, opinions, appraisals),
the activity register in at most four grouped queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from evaluations.statistics import INDICATOR_BY_KEY, INDICATORS, PERCENT, Period, compute_indicators
from organizations.errors import DomainError
from organizations.models import Activity, ActivityKind, Organization

from .models import ReportBlank

MEASURES = {
    "count": ("活动次数", "次"),
    "participants": ("参加人次", "人次"),
    "members": ("参加党员（不重复）", "名"),
    "organizations": ("开展活动的党组织", "个"),
    "quantity": ("", ""),
    "amount": ("", "元"),
    "beneficiaries": ("", "人"),
    "titles": ("活动名称", ""),
}
TITLES_LISTED = 20  # names of activities listed in a text blank; the rest are counted
LEVELS = dict(Organization.Level.choices)


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    label: str
    unit: str
    value_type: str
    group: str


def _parse(code: str) -> tuple[str, ...]:
    """("stat", key) or ("activity", kind, measure, level-or-"")."""
    head, _, rest = code.partition(".")
    if head == "stat" and rest in INDICATOR_BY_KEY:
        return ("stat", rest)
    if head == "activity":
        body, _, level = rest.partition("@")
        kind, _, measure = body.partition(".")
        if kind and measure in MEASURES and (not level or level in LEVELS):
            return ("activity", kind, measure, level)
    raise DomainError(f"指标代码“{code}”无法识别。请从“可用指标”中选择。")


def describe(code: str, kinds: dict[str, ActivityKind] | None = None) -> IndicatorInfo:
    """Label, unit and value type of an indicator code; a Chinese error for an unknown code."""
    parsed = _parse(code)
    if parsed[0] == "stat":
        ind = INDICATOR_BY_KEY[parsed[1]]
        value_type = ReportBlank.ValueType.PERCENT if ind.unit == PERCENT else ReportBlank.ValueType.COUNT
        return IndicatorInfo(code, ind.label, "" if ind.unit == PERCENT else ind.unit, value_type, ind.section)
    _, kind_code, measure, level = parsed
    if kinds is None:
        kinds = {k.code: k for k in ActivityKind.objects.filter(code=kind_code)}
    kind = kinds.get(kind_code)
    if kind is None:
        raise DomainError(f"指标代码“{code}”中的活动类别“{kind_code}”不存在。")
    label, unit = MEASURES[measure]
    if measure == "quantity":
        if not kind.quantity_label:
            raise DomainError(f"活动类别“{kind.name}”不填数量，不能统计 {code}。")
        label, unit = kind.quantity_label, kind.quantity_unit
    elif measure == "amount":
        if not kind.amount_label:
            raise DomainError(f"活动类别“{kind.name}”不填金额，不能统计 {code}。")
        label = kind.amount_label
    elif measure == "beneficiaries":
        if not kind.beneficiaries_label:
            raise DomainError(f"活动类别“{kind.name}”不填受益对象人数，不能统计 {code}。")
        label = kind.beneficiaries_label
    value_type = {
        "amount": ReportBlank.ValueType.AMOUNT,
        "titles": ReportBlank.ValueType.TEXT,
    }.get(measure, ReportBlank.ValueType.COUNT)
    where = f"（{LEVELS[level]}层面）" if level else ""
    return IndicatorInfo(code, f"{kind.name}：{label}{where}", unit, value_type, "活动记实")


def catalogue() -> list[IndicatorInfo]:
    """Every indicator a blank may be bound to (without the level variants), for the template editor."""
    found = [describe(f"stat.{i.key}") for i in INDICATORS]
    for kind in ActivityKind.objects.filter(is_active=True):
        for measure in MEASURES:
            try:
                found.append(describe(f"activity.{kind.code}.{measure}", {kind.code: kind}))
            except DomainError:
                continue  # a measure this kind does not have
    return found


# --- values -----------------------------------------------------------------------------------------------


@dataclass
class Values:
    """Computed values of a subtree (`total`) and of each direct child (`by_child`, keyed by the child's pk)."""

    total: dict[str, object]
    by_child: dict[int, dict[str, object]]


def compute_values(
    org: Organization,
    period: Period,
    codes: list[str] | set[str],
    *,
    children: list[Organization] | None = None,
    today: datetime.date | None = None,
) -> Values:
    """The value of each code for `org`'s subtree over `period`, and for each organization of `children` (its
    direct children) when given. Values are ints, Decimals (amounts), floats (ratios), or lists of names."""
    parsed = {code: _parse(code) for code in codes}
    total: dict[str, object] = {}
    by_child: dict[int, dict[str, object]] = {c.pk: {} for c in children or ()}
    child_by_path = {c.path: c for c in children or ()}

    stat_codes = [c for c, p in parsed.items() if p[0] == "stat"]
    if stat_codes:
        result = compute_indicators(org, period.start, period.end, today=today)
        rows = {row["code"]: row for row in result["children"]}
        for code in stat_codes:
            key = parsed[code][1]
            total[code] = result.get(key)
            for child in children or ():
                row = rows.get(child.code) or {}
                by_child[child.pk][code] = row.get(key)

    activity_codes = {c: p for c, p in parsed.items() if p[0] == "activity"}
    if activity_codes:
        _activity_values(org, period, activity_codes, total, by_child, child_by_path)
    return Values(total, by_child)


def _activity_values(org, period, codes, total, by_child, child_by_path) -> None:
    kinds = sorted({p[1] for p in codes.values()})
    base = Activity.objects.filter(
        organization__path__startswith=org.path,
        organization__is_active=True,
        kind__code__in=kinds,
        held_on__gte=period.start,
        held_on__lte=period.end,
    )
    size = len(org.path) + Organization.steplen
    measures = {p[2] for p in codes.values()}
    want_children = bool(child_by_path)

    # 1. Sums and counts per (child prefix, kind, level).
    sums: dict[tuple[str, str, str], dict] = {}
    rows = (
        base.annotate(prefix=Substr("organization__path", 1, size))
        .order_by()
        .values("prefix", "kind__code", "organization__level")
        .annotate(
            count=Count("id"),
            participants=Sum("participants_count"),
            quantity=Sum("quantity"),
            amount=Sum("amount"),
            beneficiaries=Sum("beneficiaries"),
            organizations=Count("organization", distinct=True),
        )
    )
    for r in rows:
        sums[(r["prefix"], r["kind__code"], r["organization__level"])] = r

    # 2. Distinct members and organizations over the whole subtree (not the sum of the children's).
    distinct_total: dict[tuple[str, str], dict] = defaultdict(dict)
    distinct_child: dict[tuple[str, str, str], dict] = defaultdict(dict)
    if "members" in measures:
        through = Activity.participants.through.objects.filter(activity__in=base)
        for r in (
            through.order_by()
            .values("activity__kind__code", "activity__organization__level")
            .annotate(n=Count("member", distinct=True))
        ):
            distinct_total[(r["activity__kind__code"], r["activity__organization__level"])]["members"] = r["n"]
        for r in through.order_by().values("activity__kind__code").annotate(n=Count("member", distinct=True)):
            distinct_total[(r["activity__kind__code"], "")]["members"] = r["n"]
        if want_children:
            for r in (
                through.annotate(prefix=Substr("activity__organization__path", 1, size))
                .order_by()
                .values("prefix", "activity__kind__code")
                .annotate(n=Count("member", distinct=True))
            ):
                distinct_child[(r["prefix"], r["activity__kind__code"], "")]["members"] = r["n"]

    # 3. Names, for text blanks.
    titles: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    if "titles" in measures:
        for prefix, kind, level, title in (
            base.annotate(prefix=Substr("organization__path", 1, size))
            .order_by("held_on", "id")
            .values_list("prefix", "kind__code", "organization__level", "title")
        ):
            titles[(kind, level)].append((prefix, title))

    def add(acc, value):
        if value is None:
            return acc
        return value if acc is None else acc + value

    for code, (_, kind, measure, level) in codes.items():

        def matches(key, prefix_ok, kind=kind, level=level):
            p, k, lv = key
            return k == kind and (not level or lv == level) and prefix_ok(p)

        if measure == "titles":
            names = [
                t for (k, lv), rows_ in titles.items() if k == kind and (not level or lv == level) for _, t in rows_
            ]
            total[code] = list(dict.fromkeys(names))
            for path, child in child_by_path.items():
                by_child[child.pk][code] = list(
                    dict.fromkeys(
                        t
                        for (k, lv), rows_ in titles.items()
                        if k == kind and (not level or lv == level)
                        for p, t in rows_
                        if p == path
                    )
                )
            continue
        if measure == "members":
            if level:
                total[code] = distinct_total.get((kind, level), {}).get("members", 0)
            else:
                total[code] = distinct_total.get((kind, ""), {}).get("members", 0)
            for path, child in child_by_path.items():
                # Per child the level filter is not applied to distinct members (one grouped query only).
                by_child[child.pk][code] = distinct_child.get((path, kind, ""), {}).get("members", 0)
            continue
        field = measure
        value = None
        for key, r in sums.items():
            if matches(key, lambda p: True):
                value = add(value, r[field])
        total[code] = _zero(measure, value)
        for path, child in child_by_path.items():
            v = None
            for key, r in sums.items():
                if matches(key, lambda p, path=path: p == path):
                    v = add(v, r[field])
            by_child[child.pk][code] = _zero(measure, v)


def _zero(measure: str, value):
    if value is None:
        return Decimal("0.00") if measure == "amount" else 0
    return value
