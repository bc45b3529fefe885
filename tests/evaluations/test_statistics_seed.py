"""统计 on the demo data: the indicators equal counts made again with plain queries on `seed_demo` small."""

import datetime
import io

import pytest
from django.core.management import call_command

from evaluations.statistics import compute_indicators, parse_period, tally_build
from organizations.models import Organization
from tests.evaluations.conftest_stats import expected_indicators
from tests.evaluations.test_statistics import COMPARED

DEMO_TODAY = datetime.date(2025, 9, 15)


@pytest.mark.django_db
def test_indicators_on_the_demo_data_equal_independent_counts():
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=5, stdout=io.StringIO())
    root = Organization.objects.get(depth=1)
    town = Organization.objects.filter(depth=2, numchild__gt=0).order_by("path").first()
    branch = Organization.objects.filter(level=Organization.Level.BRANCH, members__isnull=False).order_by("path")[0]
    for org in (root, town, branch):
        for label in ("2025Q3", "2025Q2", "2025-08", "2025H1", "2025"):
            p = parse_period(label)
            got = compute_indicators(org, p.start, p.end, today=DEMO_TODAY)
            want = expected_indicators(org, p.start, p.end, DEMO_TODAY)
            assert {k: got[k] for k in COMPARED} == want, (org.code, label)
    p = parse_period("2025Q3")
    got = compute_indicators(root, p.start, p.end, today=DEMO_TODAY)
    # The demo data has every state in it: these must not be empty for the test to mean something.
    assert got["members_pledged"] > 100 and got["items_ticked_off"] > 100 and got["items_overdue"] > 0
    assert got["oral_pledges"] > 0 and got["opinions_answered"] > 0 and got["self_checks"] > 0
    assert got["opinions_solved"] > 0
    # The per-child rows add up to the whole (members of the root itself aside).
    children = got["children"]
    assert sum(c["items"] for c in children) == got["items"] - _own_items(root, p)
    assert sum(c["members_pledged"] for c in children) <= got["members_pledged"]
    tally = tally_build(org=root, period="2025Q3", today=DEMO_TODAY)
    assert tally.indicators["members_pledged"] == got["members_pledged"]


def _own_items(org, p):
    from evaluations.statistics import items_in_force

    return (
        items_in_force(path=org.path, start=p.start, end=p.end, as_of=DEMO_TODAY)
        .filter(pledge__organization_id=org.pk)
        .count()
    )
