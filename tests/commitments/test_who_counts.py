"""Who counts in 全覆盖 (issue 13 §1).

篇一: “入党积极分子和非党干部也可以参加” — they may pledge, but only party members (正式、预备) who are not
exempted are expected to (应作承诺); the others are shown as a separate count everywhere coverage is shown.
篇四: 在职党员到居住地社区报到 and pledge there too — he is one member who pledged, counted once.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments import selectors, services
from commitments.models import Pledge
from evaluations import selectors as evaluation_selectors
from evaluations.statistics import compute_indicators
from organizations.models import Member, Organization
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

ACTIVIST = Member.PoliticalStatus.ACTIVIST
NON_PARTY = Member.PoliticalStatus.NON_PARTY_CADRE


@pytest.fixture
def mid_2025(time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")  # inside the campaign


@pytest.fixture
def volunteers(mid_2025, world, pledge_in):
    """An activist who pledged and a non-party cadre who did not, in branch A1."""
    activist = MemberFactory(
        organization=world.tree.branch_a1, user=UserFactory(), political_status=ACTIVIST, join_date=None
    )
    MemberFactory(organization=world.tree.branch_a1, political_status=NON_PARTY, join_date=None)
    pledge_in("signed", member=activist)
    return activist


def test_volunteers_are_counted_apart_from_the_members_expected_to_pledge(world, pledge_in, volunteers):
    """篇一: 入党积极分子和非党干部也可以参加 — not in the denominator, not in the numerator."""
    before = selectors.campaign_coverage(world.campaign, world.tree.branch_a1)
    pledge_in("signed")  # 王党员, a party member
    after = selectors.campaign_coverage(world.campaign, world.tree.branch_a1)
    assert after.members == before.members == Member.objects.obliged().filter(organization=world.tree.branch_a1).count()
    assert after.members_pledged == before.members_pledged + 1
    assert (after.volunteers, after.volunteers_pledged) == (2, 1)
    assert not Member.objects.obliged().filter(pk=volunteers.pk).exists()
    assert volunteers.is_volunteer and not world.member.is_volunteer


def test_the_ledger_shows_volunteers_as_their_own_count(client, world, volunteers):
    client.force_login(world.secretary)
    page = client.get(reverse("commitments:ledger"), {"org": world.tree.branch_a1.code}).content.decode()
    assert "另有入党积极分子、非党干部 2 名自愿参加，已签约 1 名（不计入应承诺党员）" in page


def test_statistics_count_volunteers_apart(mid_2025, world, volunteers):
    got = compute_indicators(world.tree.county, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    obliged = Member.objects.obliged().filter(organization__path__startswith=world.tree.county.path).count()
    assert got["members_expected"] == obliged
    assert (got["volunteers"], got["volunteers_pledged"]) == (2, 1)
    assert got["members_pledged"] == 0  # the activist's pledge does not raise the members' coverage


def test_leader_review_coverage_expects_party_members_only(world, volunteers):
    """一季一点评 is due for each party member expected to pledge; a volunteer is not owed one."""
    coverage = evaluation_selectors.review_coverage(org=world.tree.branch_a1, year=2025, quarter=2)
    assert coverage.due == Member.objects.obliged().filter(organization=world.tree.branch_a1).count()
    assert volunteers not in list(coverage.missing)


def test_a_member_pledging_at_branch_and_residence_community_counts_once(world, pledge_in):
    """篇四: 在职党员到社区报到 pledges again at his community; coverage counts the member, not the pledges."""
    community = OrganizationFactory(parent=world.tree.town_a, level=Organization.Level.BRANCH, name="幸福社区党支部")
    member = world.member
    member.residence_organization = community
    member.save()
    pledge_in("signed")
    second = services.pledge_create_for_member(member=member, organization=community, by=member.user)
    Pledge.objects.filter(pk=second.pk).update(status=Pledge.Status.SIGNED, signed_at=timezone.now())
    town = selectors.campaign_coverage(world.campaign, world.tree.town_a)
    assert Pledge.objects.filter(member=member, status=Pledge.Status.SIGNED).count() == 2
    others = Member.objects.obliged().filter(organization__path__startswith=world.tree.town_a.path)
    assert town.members == others.count() and town.members_pledged == 1
