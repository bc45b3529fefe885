"""统计: periods, indicators against independent counts, per-child rows, snapshots, the beat job, the command."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.models import Tally
from evaluations.statistics import (
    compute_indicators,
    format_change,
    format_value,
    parse_period,
    periods_just_ended,
    tally_build,
    tally_build_due,
    tally_get_or_build,
)
from organizations.errors import DomainError
from tests.evaluations import conftest_stats
from tests.evaluations.conftest_stats import TODAY, add_children, expected_indicators

stats_world = conftest_stats.stats_world

D = datetime.date


# --- periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, label, kind, start, end, display",
    [
        ("2025-07", "2025-07", "month", D(2025, 7, 1), D(2025, 7, 31), "2025年7月"),
        ("2025-7", "2025-07", "month", D(2025, 7, 1), D(2025, 7, 31), "2025年7月"),
        ("2024-02", "2024-02", "month", D(2024, 2, 1), D(2024, 2, 29), "2024年2月"),
        ("2025-12", "2025-12", "month", D(2025, 12, 1), D(2025, 12, 31), "2025年12月"),
        ("2025Q3", "2025Q3", "quarter", D(2025, 7, 1), D(2025, 9, 30), "2025年第三季度"),
        ("2025q1", "2025Q1", "quarter", D(2025, 1, 1), D(2025, 3, 31), "2025年第一季度"),
        ("2025H2", "2025H2", "half_year", D(2025, 7, 1), D(2025, 12, 31), "2025年下半年"),
        ("2025H1", "2025H1", "half_year", D(2025, 1, 1), D(2025, 6, 30), "2025年上半年"),
        (" 2025 ", "2025", "year", D(2025, 1, 1), D(2025, 12, 31), "2025年"),
    ],
)
def test_parse_period(text, label, kind, start, end, display):
    p = parse_period(text)
    assert (p.label, p.kind, p.start, p.end, p.display) == (label, kind, start, end, display)


@pytest.mark.parametrize("text", ["", "2025Q5", "2025-13", "2025-00", "2025H3", "25Q1", "2025年7月", "1999", "Q3"])
def test_a_bad_period_is_refused_in_chinese(text):
    with pytest.raises(DomainError) as err:
        parse_period(text)
    assert "2025Q3" in str(err.value) and "期间" in str(err.value)


@pytest.mark.parametrize(
    "text, previous, following",
    [
        ("2025-01", "2024-12", "2025-02"),
        ("2025Q1", "2024Q4", "2025Q2"),
        ("2025Q3", "2025Q2", "2025Q4"),
        ("2025H1", "2024H2", "2025H2"),
        ("2025", "2024", "2026"),
    ],
)
def test_previous_and_next_periods(text, previous, following):
    p = parse_period(text)
    assert p.previous().label == previous
    assert p.next().label == following
    assert p.previous().next() == p


def test_periods_just_ended():
    labels = [p.label for p in periods_just_ended(D(2025, 10, 1))]
    assert labels == ["2025-09", "2025Q3", "2025H1", "2024"]
    assert [p.label for p in periods_just_ended(D(2026, 1, 1))] == ["2025-12", "2025Q4", "2025H2", "2025"]


def test_formatting():
    assert format_value("member_coverage", 0.8156) == "81.6%"
    assert format_value("members", 20000) == "20,000"
    assert format_value("satisfaction", None) == "—"
    assert format_change("member_coverage", 0.8156, 0.7766) == "+3.9个百分点"
    assert format_change("items_overdue", 5, 7) == "-2"
    assert format_change("items", 3, 3) == "持平"


# --- indicators ----------------------------------------------------------------------------------------

COMPARED = (
    "organizations",
    "organizations_pledged",
    "members",
    "members_exempt",
    "members_expected",
    "members_pledged",
    "oral_pledges",
    "leaders",
    "leaders_pledged",
    "opinions",
    "opinions_answered",
    "opinions_solved",
    "opinions_not_adopted",
    "items",
    "items_ticked_off",
    "items_ticked_off_in_period",
    "items_due",
    "items_due_on_time",
    "items_overdue",
    "items_needs_help",
    "fulfilment_rate",
    "self_checks",
    "inspections",
    "inspections_failed",
    "leader_reviews",
    "member_reviews_due",
    "member_reviews_done",
    "appraisals",
    "appraisal_participants",
    "organizations_appraised",
    "satisfaction",
    "organizations_below_threshold",
    "rectifications_open",
    "rectifications_closed",
    "awards",
    "monthly_records",
    "monthly_records_due",
)


@pytest.mark.parametrize("code", ["C", "CA", "CA1", "CB"])
@pytest.mark.parametrize("period", ["2025Q3", "2025-08", "2025H1", "2025", "2025Q2"])
def test_indicators_equal_independent_counts(stats_world, code, period):
    org = stats_world.tree.__dict__[{"C": "county", "CA": "town_a", "CA1": "branch_a1", "CB": "town_b"}[code]]
    p = parse_period(period)
    got = compute_indicators(org, p.start, p.end, today=TODAY)
    want = expected_indicators(org, p.start, p.end, TODAY)
    assert {k: got[k] for k in COMPARED} == want


def test_indicators_of_the_county_for_the_third_quarter_by_hand(stats_world):
    """The same numbers, reasoned out on the data of conftest_stats (as of 15 September 2025)."""
    t = stats_world.tree
    p = parse_period("2025Q3")
    got = compute_indicators(t.county, p.start, p.end, today=TODAY)
    # Organizations: town A, A1, A2, town B, B1 (the county opened the campaign); signed: town A and A1
    # (B1 signed on 20 September, A2 only submitted).
    assert (got["organizations"], got["organizations_pledged"]) == (5, 2)
    # 14 active members (the transferred one left), one exempt; signed: A1 leader, done, oral, amended,
    # A2 ok and leader, B1 0 and 2, the town organ member = 9 (A2 late signer signed on 20 September).
    assert (got["members"], got["members_exempt"], got["members_expected"], got["members_pledged"]) == (14, 1, 13, 9)
    assert got["member_coverage"] == round(9 / 13, 4)
    assert (got["oral_pledges"], got["leaders"], got["leaders_pledged"]) == (1, 3, 3)
    assert (got["opinions"], got["opinions_answered"], got["opinions_not_adopted"]) == (4, 2, 1)
    # Items in force: A1 leader 3, done 2, oral 1, amended (old revision) 2, A2 ok 1, A2 leader 1, B1 0 2,
    # B1 2 1, organ 1, A1 org 2, town A org 1, and the one of the member since transferred out = 18.
    assert got["items"] == 18
    assert got["items_ticked_off"] == 11
    # Oral (1 Jul), amended (1 Sep), B1 0 (15 Aug), A1 org (10 Sep), the transferred member's (31 May).
    assert got["items_overdue"] == 5
    assert got["items_needs_help"] == 2
    assert (got["self_checks"], got["inspections"], got["inspections_failed"]) == (4, 4, 1)
    assert got["leader_reviews"] == 5  # A1 leader, done ×2, A1 org, A2 org (the others are outside)
    assert (got["member_reviews_due"], got["member_reviews_done"]) == (13, 2)
    # A1 latest 93.33%, B1 96.67%, town A 86.67%: three organizations, one below 90%.
    assert (got["appraisals"], got["organizations_appraised"], got["organizations_below_threshold"]) == (4, 3, 1)
    assert got["appraisal_participants"] == 32 + 30 + 31 + 30
    assert got["satisfaction"] == round((0.9333 + 0.9667 + 0.8667) / 3, 4)
    assert got["ballots"] == {"satisfied": 82, "basically": 26, "unsatisfied": 12}
    assert got["satisfaction_bands"] == {"lt80": 0, "80_90": 1, "90_95": 1, "ge95": 1}
    assert (got["rectifications_open"], got["rectifications_closed"]) == (2, 1)
    assert got["awards"] == 2
    assert got["awards_by_kind"]["star_member"] == 1 and got["awards_by_kind"]["advanced_organization"] == 1
    assert (got["monthly_records"], got["monthly_records_due"]) == (4, 13 * 3)


def test_children_rows_equal_independent_counts(stats_world):
    t = stats_world.tree
    p = parse_period("2025Q3")
    got = compute_indicators(t.county, p.start, p.end, today=TODAY)
    rows = {r["code"]: r for r in got["children"]}
    assert list(rows) == ["CA", "CB"]
    for code, org in (("CA", t.town_a), ("CB", t.town_b)):
        want = expected_indicators(org, p.start, p.end, TODAY)
        row = rows[code]
        assert row["members_expected"] == want["members_expected"]
        assert row["members_pledged"] == want["members_pledged"]
        assert row["items"] == want["items"]
        assert row["items_ticked_off"] == want["items_ticked_off"]
        assert row["items_overdue"] == want["items_overdue"]
        assert row["organizations_appraised"] == want["organizations_appraised"]
        assert row["satisfaction"] == want["satisfaction"]
        assert row["organizations"] == want["organizations"]
        assert row["organizations_pledged"] == want["organizations_pledged"]
    # Town A's own rows are in its subtree: its organ member and its own pledge count for it.
    assert rows["CA"]["coverage"] == round(7 / 10, 4)


def test_fulfilment_series_is_cumulative_by_month(stats_world):
    t = stats_world.tree
    p = parse_period("2025Q3")
    series = compute_indicators(t.county, p.start, p.end, today=TODAY)["series"]
    assert series["months"] == [f"{m}月" for m in range(1, 10)]
    assert series["ticked"] == sorted(series["ticked"])
    assert series["ticked"][-1] == 11
    assert sum(series["ticked_in_month"]) == 11
    assert series["items"][-1] == 18
    assert series["items"][0] == 1  # only the A2 leader's pledge was signed in January
    assert series["rate"][-1] == round(11 / 18, 4)


def test_other_trees_and_campaigns_never_leak_in(stats_world):
    t = stats_world.tree
    p = parse_period("2025")
    other = compute_indicators(t.other, p.start, p.end, today=TODAY)
    county = compute_indicators(t.county, p.start, p.end, today=TODAY)
    assert other["members"] == 1 and other["items"] == 1 and other["awards"] == 1
    assert county["members"] == 14


def test_a_period_that_has_not_begun_counts_nothing_that_happens_in_it(stats_world):
    t = stats_world.tree
    p = parse_period("2025Q4")
    got = compute_indicators(t.county, p.start, p.end, today=TODAY)
    assert got["items_ticked_off_in_period"] == 0
    assert got["self_checks"] == 0 and got["appraisals"] == 0 and got["monthly_records_due"] == 0


def test_the_number_of_queries_does_not_grow_with_the_tree(stats_world, django_assert_max_num_queries):
    t = stats_world.tree
    p = parse_period("2025Q3")
    with CaptureQueriesContext(connection) as small:
        compute_indicators(t.county, p.start, p.end, today=TODAY)
    add_children(t.town_b, 25)
    t.county.refresh_from_db()
    with CaptureQueriesContext(connection) as large:
        result = compute_indicators(t.county, p.start, p.end, today=TODAY)
    assert len(large.captured_queries) == len(small.captured_queries) <= 25
    assert result["members"] == 14 + 50


# --- snapshots -----------------------------------------------------------------------------------------


def test_tally_build_stores_one_snapshot_per_org_and_period(stats_world):
    t = stats_world.tree
    first = tally_build(org=t.county, period="2025q3", today=TODAY)
    assert (first.period, first.period_kind, first.starts_on, first.ends_on) == (
        "2025Q3",
        "quarter",
        D(2025, 7, 1),
        D(2025, 9, 30),
    )
    again = tally_build(org=t.county, period="2025Q3", today=TODAY)
    assert again.pk == first.pk
    assert Tally.objects.filter(organization=t.county, period="2025Q3").count() == 1
    assert again.indicators == first.indicators
    assert again.indicators["members_pledged"] == 9


def test_tally_build_refuses_a_bad_period_and_stores_nothing(stats_world):
    with pytest.raises(DomainError):
        tally_build(org=stats_world.tree.county, period="2025Q9")
    assert not Tally.objects.exists()


def test_a_snapshot_taken_before_the_period_ended_is_rebuilt_on_demand(stats_world):
    t = stats_world.tree
    running = tally_build(org=t.county, period="2025Q3", today=TODAY)
    Tally.objects.filter(pk=running.pk).update(computed_at=timezone.make_aware(datetime.datetime(2025, 9, 15, 9)))
    rebuilt = tally_get_or_build(org=t.county, period="2025Q3")
    assert rebuilt.pk == running.pk
    assert rebuilt.computed_at > timezone.make_aware(datetime.datetime(2025, 9, 16))
    # Read as of the end of September: the two pledges signed on 20 September now count.
    assert rebuilt.indicators["members_pledged"] == 10
    kept = tally_get_or_build(org=t.county, period="2025Q3")
    assert kept.computed_at == rebuilt.computed_at


def test_tally_build_due_is_idempotent(stats_world):
    built = tally_build_due(D(2025, 10, 1))
    # County, town A and town B have children; four periods each. Branches and the other root have none.
    assert built == 3 * 4
    labels = set(Tally.objects.values_list("organization__code", "period"))
    assert ("C", "2025Q3") in labels and ("CA", "2025-09") in labels and ("CB", "2025H1") in labels
    assert ("C", "2024") in labels and not any(code == "CA1" for code, _ in labels)
    assert tally_build_due(D(2025, 10, 1)) == 0
    assert Tally.objects.count() == 12


# --- the command ---------------------------------------------------------------------------------------


def test_compute_tally_command_builds_the_snapshot_and_prints_the_main_indicators(stats_world):
    out = io.StringIO()
    call_command("compute_tally", org="C", period="2025Q3", stdout=out)
    text = out.getvalue()
    tally = Tally.objects.get(organization__code="C", period="2025Q3")
    assert "中共测试县委" in text and "2025年第三季度" in text
    assert "党员承诺覆盖率" in text and "承诺兑现率" in text and "平均满意度" in text
    data = tally.indicators
    assert f"（{data['members_pledged']}/{data['members_expected']}）" in text
    assert format_value("fulfilment_rate", data["fulfilment_rate"]) in text
    assert "甲镇党委" in text and "乙镇党委" in text  # the per-child lines


def test_compute_tally_command_lists_every_indicator_on_request(stats_world):
    out = io.StringIO()
    call_command("compute_tally", "--org", "CA", "--period", "2025-08", "--all", stdout=out)
    assert "收集整理群众反映的问题和意见建议" in out.getvalue()
    assert "受到各类表彰" in out.getvalue()


@pytest.mark.parametrize(
    "org, period, message", [("NOPE", "2025Q3", "没有代码为“NOPE”的党组织"), ("C", "2025Q7", "无法识别")]
)
def test_compute_tally_command_errors_are_chinese(stats_world, org, period, message):
    with pytest.raises(CommandError, match=message):
        call_command("compute_tally", org=org, period=period, stdout=io.StringIO())
    assert not Tally.objects.exists()
