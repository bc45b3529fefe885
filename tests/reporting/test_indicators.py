"""Computed blanks agree with hand counts: the activity register, and the statistics page's own indicators."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.statistics import compute_indicators, parse_period
from reporting.indicators import catalogue, compute_values
from tests.evaluations.conftest_stats import TODAY, expected_indicators, stats_world  # noqa: F401

from .conftest import more_branches

pytestmark = pytest.mark.django_db
YEAR = parse_period("2025")
CODES = [
    "activity.study.count",
    "activity.study.participants",
    "activity.study.members",
    "activity.study.organizations",
    "activity.pairing.quantity",
    "activity.pairing.amount",
    "activity.pairing.beneficiaries",
    "activity.pairing.members",
    "activity.institution.quantity",
    "activity.institution.quantity@branch",
    "activity.institution.quantity@general_branch",
    "activity.institution.titles",
]


def test_activity_indicators_of_a_county_and_its_towns(tree, activities):
    t = tree
    values = compute_values(t.county, YEAR, CODES, children=[t.town_a, t.town_b], today=datetime.date(2026, 1, 5))
    assert values.total == {
        "activity.study.count": 4,
        "activity.study.participants": 35,
        "activity.study.members": 3,  # m1, m2 and B1's member, each once
        "activity.study.organizations": 2,
        "activity.pairing.quantity": 3,
        "activity.pairing.amount": Decimal("1700.50"),
        "activity.pairing.beneficiaries": 5,
        "activity.pairing.members": 3,
        "activity.institution.quantity": 3,
        "activity.institution.quantity@branch": 1,
        "activity.institution.quantity@general_branch": 2,
        "activity.institution.titles": ["三会一课制度", "党员积分制度", "联系群众制度"],
    }
    town_a, town_b = values.by_child[t.town_a.pk], values.by_child[t.town_b.pk]
    assert (
        town_a["activity.study.count"],
        town_a["activity.study.participants"],
        town_a["activity.study.members"],
    ) == (3, 30, 2)
    assert (
        town_b["activity.study.count"],
        town_b["activity.study.participants"],
        town_b["activity.study.members"],
    ) == (1, 5, 1)
    assert town_b["activity.pairing.amount"] == Decimal("0") and town_b["activity.institution.titles"] == []
    assert town_a["activity.institution.quantity@general_branch"] == 2


def test_a_quarter_counts_only_its_days(tree, activities):
    q2 = compute_values(tree.county, parse_period("2025Q2"), ["activity.study.count", "activity.pairing.amount"])
    assert q2.total == {"activity.study.count": 1, "activity.pairing.amount": Decimal("500")}


def test_statistics_bindings_are_the_statistics_page_numbers(stats_world):  # noqa: F811
    """The 篇十二 items 2, 3 and 5 (公开承诺人数, 收集的问题和已解决数, 表彰人次) give what the statistics page gives,
    for the subtree and for each subordinate organization, and what the independent hand count gives."""
    t = stats_world.tree
    codes = ["stat.members_pledged", "stat.opinions", "stat.opinions_solved", "stat.awards", "stat.members_expected"]
    values = compute_values(t.county, YEAR, codes, children=[t.town_a, t.town_b], today=TODAY)
    want = expected_indicators(t.county, YEAR.start, YEAR.end, TODAY)
    for code in codes:
        assert values.total[code] == want[code.split(".")[1]], code
    page = compute_indicators(t.town_a, YEAR.start, YEAR.end, today=TODAY)
    town_a = values.by_child[t.town_a.pk]
    assert town_a["stat.members_pledged"] == page["members_pledged"]
    assert town_a["stat.opinions"] == page["opinions"] and town_a["stat.opinions_solved"] == page["opinions_solved"]
    assert town_a["stat.awards"] is None  # not broken down by subordinate organization: shown as —


def test_the_queries_do_not_grow_with_the_subtree(tree, activities):
    def count(children):
        with CaptureQueriesContext(connection) as ctx:
            compute_values(tree.county, YEAR, CODES + ["stat.members_pledged", "stat.opinions"], children=children)
        return len(ctx.captured_queries)

    small = count([tree.town_a, tree.town_b])
    more_branches(tree.town_a, 6)
    more_branches(tree.town_b, 6, prefix="Y")
    tree.refresh()
    assert count([tree.town_a, tree.town_b]) == small


def test_the_catalogue_names_each_kind_by_its_own_labels(db):
    labels = {i.code: i.label for i in catalogue()}
    assert labels["activity.pairing.amount"] == "结对帮扶：帮扶金额"
    assert labels["activity.publicity_board.quantity"] == "宣传板块：制作宣传板块"
    assert "activity.study.amount" not in labels  # 理论学习 has no amount
    assert labels["stat.opinions_solved"] == "已解决"
