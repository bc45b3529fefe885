"""逐一点评: this quarter's 一季一点评 coverage of a branch and its roll-up for committees, checked against
counts computed independently with plain queries."""

import datetime

import pytest
from django.utils import timezone

from evaluations.models import LeaderReview
from evaluations.selectors import review_coverage
from organizations.models import Member
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.evaluations.conftest_reviews import last_quarter, quarter_period, review
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def expected(org_path: str, period: str) -> tuple[int, int]:
    """(due, done) from plain queries: active, not exempt members under the path; done if reviewed."""
    due = Member.objects.filter(
        organization__path__startswith=org_path, organization__is_active=True, is_active=True, is_exempt=False
    )
    reviewed_ids = set(
        LeaderReview.objects.filter(kind="quarterly", period=period, member__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    ids = set(due.values_list("pk", flat=True))
    return len(ids), len(ids & reviewed_ids)


@pytest.fixture
def seeded(world, branch_members):
    """Members in three branches, some exempt or gone, reviewed in assorted ways."""
    t = world.tree
    year, quarter = last_quarter()
    period = quarter_period(year, quarter)
    before = quarter_period(*last_quarter(datetime.date(year, (quarter - 1) * 3 + 1, 1)))
    a1 = branch_members(4)
    a2 = branch_members(3, t.branch_a2)
    b1 = branch_members(5, t.branch_b1)
    exempt = MemberFactory(organization=t.branch_a1, is_exempt=True)
    gone = MemberFactory(organization=t.branch_a1, is_active=False)
    direct = MemberFactory(organization=t.town_a)  # a member of the town committee itself
    sec = world.secretary
    for m in [a1[0], a1[1], a2[0], b1[0], b1[1], b1[2], exempt, gone, direct]:
        review(reviewer=sec, member=m, period=period)
    review(reviewer=sec, member=a1[2], period=before)  # last quarter's does not count
    review(reviewer=sec, member=a1[3], kind="half_year", period=f"{year}H{1 if quarter <= 2 else 2}")
    review(reviewer=world.committee, organization=t.branch_a2, period=period)
    review(reviewer=world.committee, organization=t.branch_a1, kind="monthly", period=f"{year}-01", grades={})
    return period, year, quarter


def test_branch_coverage_lists_who_is_missing(world, seeded):
    period, year, quarter = seeded
    org = world.tree.branch_a1
    cov = review_coverage(org=org, year=year, quarter=quarter)
    assert (cov.due, cov.done) == expected(org.path, period)
    assert not cov.is_rollup and cov.period == period
    reviewed = set(LeaderReview.objects.filter(kind="quarterly", period=period).values_list("member_id", flat=True))
    due = Member.objects.filter(organization=org, is_active=True, is_exempt=False)
    assert set(cov.missing) == {m for m in due if m.pk not in reviewed}
    assert len(cov.missing) == cov.due - cov.done == cov.remaining
    # world.secretary_member and world.member plus four new members, two reviewed.
    assert (cov.due, cov.done) == (6, 2)


def test_rollup_per_direct_child_with_one_grouped_query(world, seeded, django_assert_num_queries):
    period, year, quarter = seeded
    t = world.tree
    with django_assert_num_queries(2):
        cov = review_coverage(org=t.county, year=year, quarter=quarter)
    assert cov.is_rollup
    by_code = {c.code: c for c in cov.children}
    assert set(by_code) == {"CA", "CB"}
    for child in cov.children:
        assert (child.due, child.done) == expected(child.path, period), child.name
    assert (cov.due, cov.done) == expected(t.county.path, period)
    assert not by_code["CA"].org_reviewed

    town = review_coverage(org=t.town_a, year=year, quarter=quarter)
    by_code = {c.code: c for c in town.children}
    assert (by_code["CA1"].due, by_code["CA1"].done) == expected(t.branch_a1.path, period)
    assert (by_code["CA2"].due, by_code["CA2"].done) == expected(t.branch_a2.path, period) == (3, 1)
    assert by_code["CA2"].org_reviewed and not by_code["CA1"].org_reviewed  # a monthly reminder is not enough
    assert town.children_reviewed == 1
    assert (town.own_due, town.own_done) == (1, 1)
    assert (town.due, town.done) == expected(t.town_a.path, period)


def test_inactive_branches_leave_the_rollup(world, seeded):
    period, year, quarter = seeded
    t = world.tree
    t.branch_a2.is_active = False
    t.branch_a2.save()
    town = review_coverage(org=t.town_a, year=year, quarter=quarter)
    assert [c.code for c in town.children] == ["CA1"]
    assert (town.due, town.done) == expected(t.town_a.path, period)


def test_coverage_reaches_full_when_everyone_is_reviewed(world, branch_members):
    year, quarter = last_quarter()
    period = quarter_period(year, quarter)
    branch_members(3)
    org = world.tree.branch_a1
    cov = review_coverage(org=org, year=year, quarter=quarter)
    assert (cov.done, cov.complete, cov.percent) == (0, False, 0)
    reviewer = UserFactory()
    for m in cov.missing:
        review(reviewer=reviewer, member=m, period=period)
    cov = review_coverage(org=org, year=year, quarter=quarter)
    assert (cov.done, cov.due, cov.complete, cov.percent, cov.rate) == (5, 5, True, 100, 1.0)
    assert list(cov.missing) == []


def test_empty_branch_is_complete_with_no_rate(tree):
    cov = review_coverage(org=tree.branch_b1, year=2025, quarter=1)
    assert (cov.due, cov.done, cov.rate, cov.percent) == (0, 0, None, 100)


def test_secretaries_are_reminded_of_members_still_to_review(world, people, branch_members, run_on_commit):
    from commitments.models import Notification, quarter_of
    from evaluations.services.reviews import remind_quarterly_reviews

    year, quarter = quarter_of(timezone.localdate())
    a = branch_members(2)
    review(reviewer=world.secretary, member=a[0], period=quarter_period(year, quarter))
    assert run_on_commit(remind_quarterly_reviews) == 2  # branch A1 and branch A2 (people.sibling_member)
    run_on_commit(remind_quarterly_reviews)
    notes = Notification.objects.filter(kind="review_due")
    assert {n.recipient_id for n in notes} == {world.secretary.pk, people.co_secretary.pk, people.sibling_secretary.pk}
    a1_note = notes.get(recipient=world.secretary)
    assert "甲镇一村党支部还有 3 名党员" in a1_note.text
    assert "还有 1 名党员" in notes.get(recipient=people.sibling_secretary).text
