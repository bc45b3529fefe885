"""调研提诺: opinions collected before pledging, answered by the items that cite them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import Opinion
from commitments.services import ItemErrors
from organizations.errors import DomainError

from ..conftest import fresh, item, replacing


def _opinion(org, by, text="希望多组织技能培训。", **extra):
    fields = {
        "channel": Opinion.Channel.BOX,
        "source_group": Opinion.SourceGroup.MASSES,
        "received_on": datetime.date(2025, 1, 15),
        "text": text,
    }
    fields.update(extra)
    return services.opinion_create(organization=org, by=by, **fields)


@pytest.mark.parametrize("who", ["clerk", "secretary", "committee"])
def test_the_branch_and_its_superiors_record_opinions(world, who):
    opinion = _opinion(world.tree.branch_a1, getattr(world, who))
    assert opinion.campaign == world.campaign and opinion.status == Opinion.Status.OPEN
    assert opinion.created_by == getattr(world, who)


@pytest.mark.parametrize("who", ["member", "sibling_clerk", "town_b_committee", "outsider"])
def test_others_do_not_record_opinions(world, people, who):
    user = world.member.user if who == "member" else getattr(people, who)
    with pytest.raises(PermissionDenied, match="您无权维护该党组织的群众意见"):
        _opinion(world.tree.branch_a1, user)
    assert Opinion.objects.count() == 1  # the world's own


def test_opinions_need_an_open_campaign(world):
    services.campaign_close(campaign=world.campaign, by=world.campaign.opened_by)
    with pytest.raises(DomainError, match="目前没有进行中的承诺批次，不能录入意见建议"):
        _opinion(world.tree.branch_a1, world.clerk)
    assert Opinion.objects.count() == 1


def test_an_opinion_is_validated(world):
    with pytest.raises(ValidationError):
        _opinion(world.tree.branch_a1, world.clerk, channel="telepathy")
    assert Opinion.objects.count() == 1


def test_citing_answers_an_opinion_and_unciting_reopens_it(world, draft):
    assert world.opinion.status == Opinion.Status.OPEN
    pledge = draft(n=2)  # the first item cites the opinion
    assert fresh(world.opinion).status == Opinion.Status.ANSWERED
    first, second = pledge.items.all()
    services.pledge_update(
        pledge=pledge,
        by=world.member.user,
        items=[{**item(1), "id": first.pk, "opinions": []}, {**item(2), "id": second.pk}],
    )
    assert fresh(world.opinion).status == Opinion.Status.OPEN
    services.pledge_update(
        pledge=pledge,
        by=world.member.user,
        items=[{**item(1), "id": first.pk}, {**item(2), "id": second.pk, "opinions": [world.opinion.pk]}],
    )
    assert fresh(world.opinion).status == Opinion.Status.ANSWERED
    assert list(world.opinion.answering_items.all()) == [second]


def test_deleting_the_citing_item_reopens_the_opinion(world, draft):
    pledge = draft(n=2)
    first, second = pledge.items.all()
    services.pledge_update(
        pledge=pledge, by=world.member.user, items=[{"id": first.pk, "delete": True}, {**item(2), "id": second.pk}]
    )
    assert fresh(world.opinion).status == Opinion.Status.OPEN


def test_an_opinion_cited_elsewhere_stays_answered(world, draft):
    mine = draft(n=1)
    other = draft(world.secretary_member, n=1)
    assert other.items.get().cited_opinions.get() == world.opinion
    services.pledge_update(
        pledge=mine, by=world.member.user, items=[{**item(1), "id": mine.items.get().pk, "opinions": []}]
    )
    assert fresh(world.opinion).status == Opinion.Status.ANSWERED


def test_a_parent_organizations_opinion_may_be_cited(world):
    town_opinion = _opinion(world.tree.town_a, world.committee, text="全镇道路亮化")
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    services.pledge_update(pledge=pledge, by=world.member.user, items=[item(1, opinions=[town_opinion.pk])])
    assert fresh(town_opinion).status == Opinion.Status.ANSWERED


def test_an_item_cannot_cite_a_sibling_branchs_opinion(world, people):
    sibling_opinion = _opinion(world.tree.branch_a2, people.sibling_clerk, text="二村的意见")
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    services.pledge_update(pledge=pledge, by=world.member.user, items=[item(1)])
    before = list(pledge.items.values())
    with pytest.raises(ItemErrors) as err:
        services.pledge_update(
            pledge=pledge,
            by=world.member.user,
            items=replacing(pledge, [item(1, opinions=[sibling_opinion.pk]), item(2)]),
        )
    assert err.value.errors == {0: {"opinions": ["只能引用本组织及上级组织在本批次征集的意见。"]}}
    assert list(pledge.items.values()) == before
    assert fresh(sibling_opinion).status == Opinion.Status.OPEN


def test_declining_needs_a_reason(world):
    with pytest.raises(DomainError, match="请填写未采纳的原因"):
        services.opinion_decline(opinion=world.opinion, by=world.clerk, reason="  ")
    assert fresh(world.opinion).status == Opinion.Status.OPEN
    services.opinion_decline(opinion=world.opinion, by=world.clerk, reason=" 不属于本村职权范围 ")
    opinion = fresh(world.opinion)
    assert opinion.status == Opinion.Status.NOT_ADOPTED and opinion.not_adopted_reason == "不属于本村职权范围"


def test_an_answered_opinion_cannot_be_declined(world, draft):
    draft(n=1)
    with pytest.raises(DomainError, match="这条意见已被承诺事项采纳，不能标为未采纳"):
        services.opinion_decline(opinion=world.opinion, by=world.clerk, reason="不想做")
    opinion = fresh(world.opinion)
    assert opinion.status == Opinion.Status.ANSWERED and opinion.not_adopted_reason == ""


@pytest.mark.parametrize("who", ["member", "sibling_clerk"])
def test_only_who_keeps_the_opinions_declines(world, people, who):
    user = world.member.user if who == "member" else getattr(people, who)
    with pytest.raises(PermissionDenied):
        services.opinion_decline(opinion=world.opinion, by=user, reason="不采纳")
    assert fresh(world.opinion).status == Opinion.Status.OPEN


def test_declining_is_the_opinions_transition_recorded_with_its_reason(world):
    opinion = _opinion(world.tree.branch_a1, world.clerk)
    services.opinion_decline(opinion=opinion, by=world.clerk, reason="已转交镇有关部门办理")
    record = Opinion.objects.get(pk=opinion.pk).history.order_by("-history_date", "-history_id").first()
    assert record.history_user == world.clerk
    assert "标为未采纳" in record.history_change_reason and "已转交镇有关部门办理" in record.history_change_reason
    with pytest.raises(DomainError, match="已经标为未采纳"):
        services.opinion_decline(opinion=opinion, by=world.clerk, reason="再说一次")
