"""The reads of the activity register that the pages and the statistics forms share: a subtree's activities, their
totals, what each kind added up to in a period, and who took part how often — each a fixed number of queries."""

import datetime
from decimal import Decimal

from organizations.permissions import Role
from organizations.selectors import (
    activities_in,
    activity_summary,
    activity_totals,
    member_activities,
    participation_counts,
)
from tests.factories import ActivityFactory, MemberFactory

JAN, DEC = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def test_a_subtree_in_a_period_by_kind(tree, django_assert_num_queries):
    a1, a2, b1 = (MemberFactory(organization=o) for o in (tree.branch_a1, tree.branch_a2, tree.branch_b1))
    ActivityFactory(organization=tree.branch_a1, participants=[a1], participants_count=8)
    ActivityFactory(
        organization=tree.branch_a1, participants=[a1], participants_count=5, held_on=datetime.date(2025, 7, 1)
    )
    ActivityFactory(organization=tree.branch_a2, participants=[a2, a1], participants_count=2)
    ActivityFactory(
        organization=tree.branch_a2,
        code="pairing",
        participants=[a2],
        participants_count=1,
        quantity=2,
        amount=Decimal("1500.50"),
        beneficiaries=4,
    )
    ActivityFactory(organization=tree.branch_b1, participants=[b1], participants_count=30)
    ActivityFactory(organization=tree.branch_a1, held_on=datetime.date(2024, 12, 31), participants_count=99)

    with django_assert_num_queries(3):
        summary = activity_summary(tree.town_a, start=JAN, end=DEC)
    study, pairing = summary["study"], summary["pairing"]
    assert (study.activities, study.participants, study.members, study.distinct_members, study.organizations) == (
        3,
        15,
        4,
        2,
        2,
    )
    assert (pairing.quantity, pairing.amount, pairing.beneficiaries, pairing.members) == (2, Decimal("1500.50"), 4, 1)
    assert summary["donation"].activities == 0 and summary["donation"].amount == 0
    first_half = activity_summary(tree.town_a, start=JAN, end=datetime.date(2025, 6, 30), kinds=["study"])
    assert list(first_half) == ["study"] and first_half["study"].participants == 10

    assert participation_counts(tree.town_a, start=JAN, end=DEC) == {a1.pk: 3, a2.pk: 2}
    assert participation_counts(tree.county, start=JAN, end=DEC, kinds=["pairing"]) == {a2.pk: 1}

    qs = activities_in(tree.town_a, start=JAN, end=DEC)
    totals = activity_totals(qs)
    assert (totals.activities, totals.participants, totals.amount, totals.beneficiaries) == (
        4,
        16,
        Decimal("1500.50"),
        4,
    )
    assert activities_in(tree.town_a, subtree=False).count() == 0
    assert activities_in(tree.county, kind="pairing").count() == 1


def test_a_member_s_activities_as_a_reader_may_see_them(tree, member_user, user_with_role):
    member = member_user(tree.branch_a1)
    own = ActivityFactory(organization=tree.branch_a1, participants=[member], held_on=datetime.date(2025, 2, 1))
    later = ActivityFactory(organization=tree.branch_a1, participants=[member], held_on=datetime.date(2025, 3, 1))
    elsewhere = ActivityFactory(organization=tree.branch_b1, participants=[member])
    assert list(member_activities(member)) == [elsewhere, later, own]
    assert list(member_activities(member, member.user)) == [later, own]
    town_b = user_with_role(Role.COMMITTEE, tree.town_b)
    assert list(member_activities(member, town_b)) == [elsewhere]
