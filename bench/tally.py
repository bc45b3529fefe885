"""The county quarter tally: `evaluations.statistics.compute_indicators` against one hand-written SQL
statement computing the same main indicators over the same rows, timed in the same run.

The SQL is the yardstick: what a careful person would type into psql for the same numbers. Both read the
same tables with the same rules (DESIGN §7 and the statistics module's docstring); the run also checks that
they agree, so the ratio compares equal work.
"""

from __future__ import annotations

import statistics as pystats
import time

from django.db import connection

from commitments.models import Campaign, Inspection, Opinion, Pledge, PledgeItem, SelfCheck
from organizations.models import Member, Organization

# The indicators both sides compute (keys of compute_indicators' result).
COMPARED = (
    "organizations",
    "organizations_pledged",
    "members",
    "members_exempt",
    "members_pledged",
    "oral_pledges",
    "leaders",
    "leaders_pledged",
    "opinions",
    "opinions_answered",
    "opinions_not_adopted",
    "items",
    "items_ticked_off",
    "items_ticked_off_in_period",
    "items_due",
    "items_overdue",
    "items_needs_help",
    "self_checks",
    "inspections",
    "inspections_failed",
    "leader_reviews",
    "member_reviews_done",
    "appraisals",
    "appraisal_participants",
    "rectifications_open",
    "rectifications_closed",
    "awards",
    "monthly_records",
)


def _tables() -> dict[str, str]:
    from evaluations.models import Appraisal, Award, LeaderReview, MonthlyRecord, Rectification

    models = {
        "campaign": Campaign,
        "pledge": Pledge,
        "item": PledgeItem,
        "org": Organization,
        "member": Member,
        "opinion": Opinion,
        "selfcheck": SelfCheck,
        "inspection": Inspection,
        "review": LeaderReview,
        "appraisal": Appraisal,
        "rectification": Rectification,
        "award": Award,
        "record": MonthlyRecord,
    }
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


def handwritten_sql(quarters: list[tuple[int, int]]) -> str:
    """One statement; parameters: like, start, end, as_of, cut, begin, ever_signed, in_force, review_periods."""
    t = _tables()
    if quarters:
        quarter_filter = " OR ".join(f"(x.year = {int(y)} AND x.quarter = {int(q)})" for y, q in quarters)
    else:
        quarter_filter = "FALSE"
    return f"""
WITH camp AS (
    SELECT id, organization_id FROM {t["campaign"]} WHERE starts_on <= %(end)s AND ends_on >= %(start)s
), signed AS (
    SELECT member_id, pledger_organization_id, form FROM {t["pledge"]}
    WHERE campaign_id IN (SELECT id FROM camp) AND status IN %(ever_signed)s AND signed_at < %(cut)s
), orgs AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE o.id IN (SELECT pledger_organization_id FROM signed
                                           WHERE pledger_organization_id IS NOT NULL)) AS pledged
    FROM {t["org"]} o
    WHERE o.path LIKE %(like)s AND o.is_active AND o.id NOT IN (SELECT organization_id FROM camp)
), mem AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE m.is_exempt) AS exempt,
           count(*) FILTER (WHERE NOT m.is_exempt AND s.member_id IS NOT NULL) AS pledged,
           count(*) FILTER (WHERE NOT m.is_exempt AND s.oral) AS oral,
           count(*) FILTER (WHERE NOT m.is_exempt AND m.is_leader) AS leaders,
           count(*) FILTER (WHERE NOT m.is_exempt AND m.is_leader AND s.member_id IS NOT NULL) AS leaders_pledged
    FROM {t["member"]} m
    JOIN {t["org"]} o ON o.id = m.organization_id
    LEFT JOIN (SELECT member_id, bool_or(form = 'oral') AS oral FROM signed
               WHERE member_id IS NOT NULL GROUP BY member_id) s ON s.member_id = m.id
    WHERE o.path LIKE %(like)s AND m.is_active AND m.political_status IN ('full', 'probationary')
), op AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE x.status = 'answered') AS answered,
           count(*) FILTER (WHERE x.status = 'not_adopted') AS not_adopted
    FROM {t["opinion"]} x JOIN {t["org"]} o ON o.id = x.organization_id
    WHERE o.path LIKE %(like)s AND x.campaign_id IN (SELECT id FROM camp) AND x.received_on <= %(as_of)s
), it AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE ticked) AS ticked,
           count(*) FILTER (WHERE ticked AND ticked_off_on >= %(start)s) AS ticked_in_period,
           count(*) FILTER (WHERE deadline <= %(as_of)s) AS due,
           count(*) FILTER (WHERE deadline < %(as_of)s AND NOT ticked) AS overdue,
           count(*) FILTER (WHERE needs_help AND NOT ticked) AS needs_help
    FROM (
        SELECT i.deadline, i.needs_help, i.ticked_off_on,
               (i.state = 'ticked_off' AND i.ticked_off_on <= %(as_of)s) IS TRUE AS ticked
        FROM {t["item"]} i
        JOIN {t["pledge"]} p ON p.id = i.pledge_id
        JOIN {t["org"]} o ON o.id = p.organization_id
        LEFT JOIN {t["pledge"]} n ON n.previous_id = p.id
        WHERE o.path LIKE %(like)s AND p.campaign_id IN (SELECT id FROM camp) AND p.signed_at < %(cut)s
          AND ((p.is_current AND p.status IN %(in_force)s)
               OR (p.status = 'superseded' AND n.is_current AND n.status NOT IN %(in_force)s))
    ) x
), sc AS (
    SELECT count(*) AS n
    FROM {t["selfcheck"]} x
    JOIN {t["item"]} i ON i.id = x.item_id
    JOIN {t["pledge"]} p ON p.id = i.pledge_id
    JOIN {t["org"]} o ON o.id = p.organization_id
    WHERE o.path LIKE %(like)s AND x.month BETWEEN %(start)s AND %(end)s
), insp AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE x.result = 'fail') AS failed
    FROM {t["inspection"]} x
    JOIN {t["pledge"]} p ON p.id = x.pledge_id
    JOIN {t["org"]} o ON o.id = p.organization_id
    WHERE o.path LIKE %(like)s AND ({quarter_filter})
), lr AS (
    SELECT count(*) AS n
    FROM {t["review"]} x
    LEFT JOIN {t["member"]} m ON m.id = x.member_id
    LEFT JOIN {t["org"]} mo ON mo.id = m.organization_id
    LEFT JOIN {t["org"]} xo ON xo.id = x.organization_id
    WHERE (mo.path LIKE %(like)s OR xo.path LIKE %(like)s) AND x.created_at >= %(begin)s AND x.created_at < %(cut)s
), lrd AS (
    SELECT count(*) AS n FROM (
        SELECT DISTINCT x.member_id, x.period
        FROM {t["review"]} x
        JOIN {t["member"]} m ON m.id = x.member_id
        JOIN {t["org"]} o ON o.id = m.organization_id
        WHERE x.kind = 'quarterly' AND x.period IN %(review_periods)s AND o.path LIKE %(like)s
          AND m.is_active AND NOT m.is_exempt
    ) d
), ap AS (
    SELECT count(*) FILTER (WHERE x.status = 'closed') AS closed,
           coalesce(sum(x.valid_ballots + x.invalid_ballots) FILTER (WHERE x.status = 'closed'), 0) AS participants
    FROM {t["appraisal"]} x JOIN {t["org"]} o ON o.id = x.organization_id
    WHERE o.path LIKE %(like)s AND x.held_on >= %(start)s AND x.held_on <= %(as_of)s
), rect AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE x.closed_at < %(cut)s) AS closed
    FROM {t["rectification"]} x JOIN {t["org"]} o ON o.id = x.organization_id
    WHERE o.path LIKE %(like)s AND x.created_at < %(cut)s
), aw AS (
    SELECT count(*) AS n
    FROM {t["award"]} x
    LEFT JOIN {t["member"]} m ON m.id = x.member_id
    LEFT JOIN {t["org"]} mo ON mo.id = m.organization_id
    LEFT JOIN {t["org"]} xo ON xo.id = x.organization_id
    WHERE (mo.path LIKE %(like)s OR xo.path LIKE %(like)s) AND x.status = 'approved'
      AND x.decided_at >= %(begin)s AND x.decided_at < %(cut)s
), mr AS (
    SELECT count(*) AS n
    FROM {t["record"]} x
    JOIN {t["member"]} m ON m.id = x.member_id
    JOIN {t["org"]} o ON o.id = m.organization_id
    WHERE o.path LIKE %(like)s AND x.month BETWEEN %(start)s AND %(end)s
)
SELECT orgs.total, orgs.pledged,
       mem.total, mem.exempt, mem.pledged, mem.oral, mem.leaders, mem.leaders_pledged,
       op.total, op.answered, op.not_adopted,
       it.total, it.ticked, it.ticked_in_period, it.due, it.overdue, it.needs_help,
       sc.n, insp.total, insp.failed, lr.n, lrd.n, ap.closed, ap.participants,
       rect.total - rect.closed, rect.closed, aw.n, mr.n
FROM orgs, mem, op, it, sc, insp, lr, lrd, ap, rect, aw, mr
"""


def handwritten_indicators(org: Organization, period) -> dict:
    """The main indicators of `org`'s subtree for `period` from the one SQL statement."""
    from django.utils import timezone

    from evaluations import statistics as st

    today = timezone.localdate()
    as_of = min(period.end, today)
    params = {
        "like": org.path + "%",
        "start": period.start,
        "end": period.end,
        "as_of": as_of,
        "cut": st._cut(as_of),
        "begin": st._begin(period.start),
        "ever_signed": tuple(str(s) for s in st.EVER_SIGNED),
        "in_force": tuple(str(s) for s in st.IN_FORCE),
        "review_periods": tuple(period.quarters_overlapping()),
    }
    with connection.cursor() as cursor:
        cursor.execute(handwritten_sql(period.quarters_ending_within()), params)
        row = cursor.fetchone()
    return dict(zip(COMPARED, (int(v or 0) for v in row), strict=True))


def _median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return pystats.median(times), result


def measure_tally(org: Organization, period_label: str, repeat: int = 3) -> dict:
    """Median seconds of compute_indicators and of the SQL statement (each after one warm-up run), their
    ratio, tally_build (compute and store the snapshot) and the indicators that disagree, if any."""
    from evaluations import statistics as st

    period = st.parse_period(period_label)

    def compute():
        return st.compute_indicators(org, period.start, period.end)

    def sql():
        return handwritten_indicators(org, period)

    compute()
    sql()
    compute_s, indicators = _median_time(compute, repeat)
    sql_s, handwritten = _median_time(sql, repeat)
    build_s, _ = _median_time(lambda: st.tally_build(org=org, period=period.label), 1)
    mismatches = {
        key: {"compute_indicators": indicators.get(key), "sql": handwritten[key]}
        for key in COMPARED
        if (indicators.get(key) or 0) != handwritten[key]
    }
    return {
        "period": period.label,
        "organization": org.name,
        "compute_s": round(compute_s, 4),
        "sql_s": round(sql_s, 4),
        "ratio": round(compute_s / sql_s, 2) if sql_s else None,
        "tally_build_s": round(build_s, 4),
        "mismatches": mismatches,
        "values": handwritten,
    }
