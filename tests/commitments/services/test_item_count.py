"""How many items a pledge needs (DESIGN §4): the campaign minimum, at most ten, more for a 领导干部."""

import pytest

from commitments import services
from commitments.models import Campaign, Pledge, PledgeItem, Review
from organizations.errors import DomainError
from organizations.models import Member
from tests.factories import MemberFactory, UserFactory

from ..conftest import FULL_CHECKS, fresh, item, replacing


@pytest.fixture
def leader(world):
    return MemberFactory(
        organization=world.tree.branch_a1, user=UserFactory(username="leader"), name="钱主任", is_leader=True
    )


def _draft(member, n):
    pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=member.user)
    if n:
        services.pledge_update(pledge=pledge, by=member.user, items=[item(i) for i in range(1, n + 1)])
    return pledge


def test_a_pledge_without_items_cannot_be_submitted(world):
    pledge = _draft(world.member, 0)
    with pytest.raises(DomainError, match="承诺至少需要 1 项承诺事项，现在只有 0 项"):
        services.pledge_submit(pledge=pledge, by=world.member.user)
    assert fresh(pledge).status == Pledge.Status.DRAFT


def test_one_item_is_enough_by_default(world):
    assert world.campaign.min_items == 1
    pledge = _draft(world.member, 1)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED


def test_the_campaign_minimum_holds(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(min_items=2, leader_min_items=3)
    pledge = _draft(world.member, 1)
    with pytest.raises(DomainError, match="承诺至少需要 2 项承诺事项，现在只有 1 项"):
        services.pledge_submit(pledge=pledge, by=world.member.user)
    assert fresh(pledge).status == Pledge.Status.DRAFT
    services.pledge_update(pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1), item(2)]))
    services.pledge_submit(pledge=pledge, by=world.member.user)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED


def test_at_most_ten_items(world):
    pledge = _draft(world.member, 2)
    kept = list(pledge.items.values_list("pk", "content"))
    with pytest.raises(DomainError, match="一份承诺最多 10 项事项"):
        services.pledge_update(
            pledge=pledge, by=world.member.user, items=replacing(pledge, [item(i) for i in range(1, 12)])
        )
    assert list(pledge.items.values_list("pk", "content")) == kept
    services.pledge_update(
        pledge=pledge, by=world.member.user, items=replacing(pledge, [item(i) for i in range(1, 11)])
    )
    assert pledge.items.count() == 10
    services.pledge_submit(pledge=pledge, by=world.member.user)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED


def test_a_leader_needs_the_leader_minimum_to_submit(world, leader):
    pledge = _draft(leader, 2)
    with pytest.raises(DomainError, match="领导干部的承诺至少需要 3 项承诺事项，现在只有 2 项"):
        services.pledge_submit(pledge=pledge, by=leader.user)
    assert fresh(pledge).status == Pledge.Status.DRAFT
    services.pledge_update(pledge=pledge, by=leader.user, items=replacing(pledge, [item(i) for i in range(1, 4)]))
    services.pledge_submit(pledge=pledge, by=leader.user)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED


def test_the_leader_minimum_comes_from_the_campaign(world, leader):
    Campaign.objects.filter(pk=world.campaign.pk).update(leader_min_items=5)
    pledge = _draft(leader, 4)
    with pytest.raises(DomainError, match="领导干部的承诺至少需要 5 项"):
        services.pledge_submit(pledge=pledge, by=leader.user)
    # An ordinary member of the same campaign still needs one.
    other = _draft(world.member, 1)
    services.pledge_submit(pledge=other, by=world.member.user)
    assert fresh(other).status == Pledge.Status.SUBMITTED


def test_approving_checks_the_leader_rule_too(world, leader):
    """Someone made a leader after submitting: the reviewer cannot approve a pledge below the leader minimum."""
    pledge = _draft(world.member, 2)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    Member.objects.filter(pk=world.member.pk).update(is_leader=True)
    with pytest.raises(DomainError, match="领导干部的承诺至少需要 3 项承诺事项，现在只有 2 项"):
        services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED
    assert not Review.objects.filter(pledge=pledge).exists()
    # Returning it for more items is still possible.
    services.pledge_return(pledge=pledge, by=world.secretary, comment="领导干部须承诺不少于 3 项。")
    assert fresh(pledge).status == Pledge.Status.RETURNED


def test_approving_needs_all_four_checks(world):
    pledge = _draft(world.member, 1)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    checks = dict(FULL_CHECKS, is_feasible=False)
    with pytest.raises(DomainError, match="尚未勾选：切实可行"):
        services.pledge_approve(pledge=pledge, by=world.secretary, checks=checks)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED
    assert not Review.objects.filter(pledge=pledge).exists()


def test_returning_needs_a_comment_and_keeps_item_comments(world):
    pledge = _draft(world.member, 2)
    services.pledge_submit(pledge=pledge, by=world.member.user)
    with pytest.raises(DomainError, match="退回修改时请填写审核意见"):
        services.pledge_return(pledge=pledge, by=world.secretary, comment="   ")
    assert fresh(pledge).status == Pledge.Status.SUBMITTED
    first, second = pledge.items.all()
    services.pledge_return(
        pledge=pledge,
        by=world.secretary,
        comment="第二项请写明帮扶户数。",
        checks={"is_feasible": True},
        item_comments={second.pk: " 帮几户？ ", first.pk: "  "},
    )
    review = Review.objects.get(pledge=pledge)
    assert review.decision == Review.Decision.RETURN and review.is_feasible and not review.fits_post_duties
    assert [(c.item_id, c.comment) for c in review.item_comments.all()] == [(second.pk, "帮几户？")]
    assert fresh(pledge).status == Pledge.Status.RETURNED


def test_item_count_is_read_from_the_items_not_cached(world):
    pledge = _draft(world.member, 3)
    services.pledge_update(
        pledge=pledge,
        by=world.member.user,
        items=[{**item(1), "id": pledge.items.first().pk}]
        + [{"id": i.pk, "delete": True} for i in pledge.items.all()[1:]],
    )
    assert PledgeItem.objects.filter(pledge=pledge).count() == 1
    Campaign.objects.filter(pk=world.campaign.pk).update(min_items=2, leader_min_items=3)
    with pytest.raises(DomainError, match="现在只有 1 项"):
        services.pledge_submit(pledge=pledge, by=world.member.user)
