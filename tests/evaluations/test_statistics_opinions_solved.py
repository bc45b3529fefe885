"""已解决 and 转化为承诺事项 are two indicators: an opinion adopted into a pledge is not thereby solved, and a
solved one need not have been adopted (篇十二 附件2 第3项 "收集整理…个，已解决…个" counts the solved)."""

import datetime

import pytest

from commitments.models import Opinion
from evaluations.statistics import INDICATOR_BY_KEY, compute_indicators, parse_period
from tests.evaluations import conftest_stats
from tests.evaluations.conftest_stats import TODAY

stats_world = conftest_stats.stats_world
D = datetime.date
pytestmark = pytest.mark.django_db


def _solve(org, received_on, solved_on):
    Opinion.objects.filter(organization=org, received_on=received_on).update(solved_on=solved_on, solved_how="已解决")


def test_solved_is_counted_apart_from_adopted(stats_world):
    t = stats_world.tree
    # The campaign's opinions (conftest_stats): A1 answered 1-5, not adopted 1-6, open 1-7; B1 answered 2-1,
    # open 10-2; and one of another campaign. Solved here: A1's answered one (3-1), A1's not adopted one
    # (转交有关部门后已解决, 8-20), B1's answered one only on 9-20 (after the statistics' day), and the other
    # campaign's one.
    _solve(t.branch_a1, D(2025, 1, 5), D(2025, 3, 1))
    _solve(t.branch_a1, D(2025, 1, 6), D(2025, 8, 20))
    _solve(t.branch_b1, D(2025, 2, 1), D(2025, 9, 20))
    _solve(t.other, D(2025, 2, 1), D(2025, 3, 1))

    def got(org, period):
        p = parse_period(period)
        data = compute_indicators(org, p.start, p.end, today=TODAY)
        return data["opinions"], data["opinions_answered"], data["opinions_solved"]

    # County, Q3 as of 15 September: collected 4 (B1's of 2 October not yet), adopted 2, solved 2 (A1's two).
    assert got(t.county, "2025Q3") == (4, 2, 2)
    # At the end of Q1: adopted 2 (status as now), solved 1 (A1's of 1 March).
    assert got(t.county, "2025Q1") == (4, 2, 1)
    # Town B: its adopted opinion is solved only after the statistics' day.
    assert got(t.town_b, "2025Q3") == (1, 1, 0)
    assert got(t.branch_a1, "2025Q3") == (3, 1, 2)


def test_the_labels_read_as_the_form():
    assert INDICATOR_BY_KEY["opinions_solved"].label == "已解决"
    assert INDICATOR_BY_KEY["opinions_solved"].form_item == "第3项"
    assert INDICATOR_BY_KEY["opinions_answered"].label == "转化为承诺事项"
