"""承诺批次: a committee opens the yearly round for its subtree; one open round per subtree at a time."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import Campaign
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import Role
from tests.factories import UserFactory, grant

DATES = {
    "starts_on": datetime.date(2025, 1, 1),
    "sign_deadline": datetime.date(2025, 3, 31),
    "ends_on": datetime.date(2025, 12, 31),
}


def _open(org, by, **extra):
    fields = {"name": f"{org.name}2025年度公开承诺", "year": 2025, **DATES, **extra}
    return services.campaign_open(organization=org, by=by, **fields)


def _open_campaigns():
    return sorted(Campaign.objects.filter(status="open").values_list("organization__code", flat=True))


def test_a_committee_opens_a_campaign_with_defaults(world, people):
    campaign = _open(world.tree.other, _other_committee())
    assert (campaign.status, campaign.min_items, campaign.leader_min_items, campaign.auto_publish) == (
        "open",
        1,
        3,
        False,
    )
    assert campaign.is_open() and _open_campaigns() == ["C", "X"]


def _other_committee():
    user = UserFactory(username="other_county")
    grant(user, Role.COMMITTEE, Organization.objects.get(code="X"))
    return user


def test_an_ancestors_open_campaign_blocks_opening(world):
    with pytest.raises(
        DomainError, match="“中共测试县委”已有进行中的承诺批次“2025年度公开承诺”，同一范围同时只能有一个"
    ):
        _open(world.tree.town_a, world.committee)
    assert _open_campaigns() == ["C"]


def test_a_descendants_open_campaign_blocks_opening(world, people):
    services.campaign_close(campaign=world.campaign, by=people.county_committee)
    _open(world.tree.town_a, world.committee)
    with pytest.raises(DomainError, match="“甲镇党委”已有进行中的承诺批次"):
        _open(world.tree.county, people.county_committee)
    # A sibling subtree is free.
    _open(world.tree.town_b, people.county_committee)
    assert _open_campaigns() == ["CA", "CB"]


def test_the_same_organization_cannot_open_twice(world, people):
    with pytest.raises(DomainError, match="同一范围同时只能有一个"):
        _open(world.tree.county, people.county_committee, name="第二个批次")
    assert Campaign.objects.count() == 1


def test_a_closed_campaign_frees_the_subtree(world, people):
    services.campaign_close(campaign=world.campaign, by=people.county_committee)
    assert _open_campaigns() == []
    campaign = _open(world.tree.county, people.county_committee, name="2026年度公开承诺", year=2026)
    assert services.campaign_for(world.tree.branch_a1) == campaign


@pytest.mark.parametrize(
    ("who", "org"),
    [
        ("secretary", "branch_a1"),
        ("clerk", "branch_a1"),
        ("town_secretary", "town_a"),
        ("town_b_committee", "town_a"),
        ("member", "branch_a1"),
    ],
)
def test_only_a_committee_on_the_organization_opens(world, people, who, org):
    services.campaign_close(campaign=world.campaign, by=people.county_committee)
    user = {"secretary": world.secretary, "clerk": world.clerk, "member": world.member.user}.get(who) or getattr(
        people, who
    )
    with pytest.raises(PermissionDenied, match="只有上级党委可以开启承诺批次"):
        _open(getattr(world.tree, org), user)
    assert _open_campaigns() == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"sign_deadline": datetime.date(2024, 12, 31)}, "sign_deadline"),
        ({"ends_on": datetime.date(2025, 3, 1)}, "ends_on"),
        ({"min_items": 0}, "min_items"),
        ({"min_items": 4, "leader_min_items": 3}, "leader_min_items"),
        ({"leader_min_items": 11}, "leader_min_items"),
    ],
)
def test_wrong_settings_are_refused(world, people, extra, field):
    services.campaign_close(campaign=world.campaign, by=people.county_committee)
    with pytest.raises(ValidationError) as err:
        _open(world.tree.town_a, world.committee, **extra)
    assert field in err.value.message_dict
    assert _open_campaigns() == []


def test_closing_is_for_the_committee_and_happens_once(world, people):
    with pytest.raises(PermissionDenied):
        services.campaign_close(campaign=world.campaign, by=world.committee)  # town A is below the county
    with pytest.raises(PermissionDenied):
        services.campaign_close(campaign=world.campaign, by=world.secretary)
    assert Campaign.objects.get(pk=world.campaign.pk).is_open()
    services.campaign_close(campaign=world.campaign, by=people.county_committee)
    with pytest.raises(DomainError, match="该承诺批次已经结束"):
        services.campaign_close(campaign=world.campaign, by=people.county_committee)
    assert _open_campaigns() == []


def test_campaign_for_picks_the_nearest_open_campaign(world, people):
    assert services.campaign_for(world.tree.branch_a1) == world.campaign
    assert services.campaign_for(world.tree.county) == world.campaign
    assert services.campaign_for(world.tree.other) is None
    services.campaign_close(campaign=world.campaign, by=people.county_committee)
    town = _open(world.tree.town_a, world.committee)
    assert services.campaign_for(world.tree.branch_a2) == town
    assert services.campaign_for(world.tree.branch_b1) is None


def test_a_campaign_is_a_state_machine_whose_close_is_offered_to_its_committee(world, people):
    """Campaign.status changes only by its transition; the 结束批次 button comes from the available transitions,
    and the history names who closed it."""
    from organizations.transitions import available

    campaign = Campaign.objects.get(pk=world.campaign.pk)
    with pytest.raises(AttributeError):
        campaign.status = Campaign.Status.CLOSED
    assert available(campaign, people.county_committee) == {"close"}
    assert available(campaign, world.committee) == set()
    services.campaign_close(campaign=campaign, by=people.county_committee)
    closed = Campaign.objects.get(pk=campaign.pk)
    assert available(closed, people.county_committee) == set()
    record = closed.history.order_by("-history_date", "-history_id").first()
    assert record.history_user == people.county_committee and "结束承诺批次" in record.history_change_reason
