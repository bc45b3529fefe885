"""Drafting the items of a pledge: validation keyed by item, renumbering, and the lock once submitted."""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import LockedError, Pledge, PledgeItem
from commitments.services import ItemErrors
from organizations.errors import DomainError

from ..conftest import fresh, item, org_item, replacing


def test_items_are_saved_in_order(world, pledge_in):
    pledge = pledge_in("draft", n=3)
    assert list(pledge.items.values_list("position", "content")) == [
        (1, "承诺事项1：帮助困难群众解决实际问题"),
        (2, "承诺事项2：帮助困难群众解决实际问题"),
        (3, "承诺事项3：帮助困难群众解决实际问题"),
    ]


def test_reordering_deleting_and_adding_renumbers_without_clashes(world, pledge_in):
    pledge = pledge_in("draft", n=3)
    one, two, three = pledge.items.all()
    services.pledge_update(
        pledge=pledge,
        by=world.member.user,
        items=[
            {**item(3, content="第三项改到最前"), "id": three.pk},
            {"id": two.pk, "delete": True},
            item(9, content="新增一项"),
            {**item(1), "id": one.pk},
        ],
    )
    assert list(pledge.items.values_list("pk", "position", "content")) == [
        (three.pk, 1, "第三项改到最前"),
        (pledge.items.get(content="新增一项").pk, 2, "新增一项"),
        (one.pk, 3, "承诺事项1：帮助困难群众解决实际问题"),
    ]
    assert not PledgeItem.objects.filter(pk=two.pk).exists()


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"content_area": "随便写的方面"}, "content_area", "请从列表中选择承诺方面"),
        ({"content": "  "}, "content", "请填写承诺事项"),
        ({"deadline": None}, "deadline", "请填写完成时限"),
        ({"deadline": datetime.date(2026, 1, 1)}, "deadline", "完成时限应在 2025年1月1日 至 2025年12月31日 之间"),
    ],
)
def test_a_wrong_item_is_reported_by_index_and_nothing_is_saved(world, pledge_in, bad, field, message):
    pledge = pledge_in("draft", n=1)
    before = list(pledge.items.values())
    with pytest.raises(ItemErrors, match="承诺事项填写有误") as err:
        services.pledge_update(pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1), item(2, **bad)]))
    errors = err.value.errors
    assert list(errors) == [1]
    assert message in errors[1][field][0]
    assert list(pledge.items.values()) == before


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"target_value": Decimal("10")}, "indicator", "填写了数值时请写明量化指标"),
        ({"indicator": "走访户数"}, "target_value", "量化承诺请填写目标值"),
    ],
)
def test_a_half_quantified_item_is_refused_and_nothing_is_saved(world, pledge_in, bad, field, message):
    """These come from PledgeItem.clean (the edit form checks them first); the service still refuses."""
    pledge = pledge_in("draft", n=1)
    before = list(pledge.items.values())
    with pytest.raises((ItemErrors, ValidationError)) as err:
        services.pledge_update(pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1), item(2, **bad)]))
    found = err.value.errors[1] if isinstance(err.value, ItemErrors) else err.value.message_dict
    assert message in found[field][0]
    assert list(pledge.items.values()) == before


def test_an_organizations_items_name_a_person_responsible(world, org_pledge_in):
    pledge = org_pledge_in("draft")
    with pytest.raises(ItemErrors) as err:
        services.pledge_update(
            pledge=pledge, by=world.clerk, items=replacing(pledge, [org_item(1, responsible_person="")])
        )
    assert "组织承诺的每个事项都要明确责任人" in err.value.errors[0]["responsible_person"][0]


def test_member_areas_depend_on_his_flags(world, pledge_in):
    """A 村干部 may use the village cadre areas; an ordinary member may not."""
    pledge = pledge_in("draft")
    with pytest.raises(ItemErrors):
        services.pledge_update(
            pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1, content_area="发展党员")])
        )
    world.member.is_village_cadre = True
    world.member.save()
    services.pledge_update(
        pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1, content_area="发展党员")])
    )
    assert pledge.items.get().content_area == "发展党员"


def test_a_quantified_item_keeps_its_numbers(world, pledge_in):
    pledge = pledge_in("draft")
    services.pledge_update(
        pledge=pledge,
        by=world.member.user,
        items=replacing(
            pledge,
            [item(1, indicator="帮扶困难户", unit="户", baseline_value=Decimal("2"), target_value=Decimal("10"))],
        ),
    )
    it = pledge.items.get()
    assert it.is_quantified and it.quantified_text() == "帮扶困难户：由 2户 到 10户"


@pytest.mark.parametrize("state", ["submitted", "approved", "signed", "published", "completed", "superseded"])
def test_a_pledge_out_of_draft_cannot_be_edited(world, pledge_in, state):
    pledge = pledge_in(state)
    before = list(pledge.items.values())
    with pytest.raises(DomainError, match="不能修改"):
        services.pledge_update(pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1, content="改")]))
    assert list(pledge.items.values()) == before


def test_a_returned_pledge_can_be_edited_again(world, pledge_in):
    pledge = pledge_in("returned")
    services.pledge_update(pledge=pledge, by=world.member.user, items=replacing(pledge, [item(1, content="改好了")]))
    assert pledge.items.get().content == "改好了"


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee"])
def test_only_the_pledger_edits_his_pledge(world, pledge_in, who):
    pledge = pledge_in("draft")
    before = list(pledge.items.values())
    with pytest.raises(PermissionDenied, match="只有承诺方可以修改承诺书"):
        services.pledge_update(pledge=pledge, by=getattr(world, who), items=replacing(pledge, [item(1, content="改")]))
    assert list(pledge.items.values()) == before


def test_items_are_locked_at_model_level_once_submitted(world, pledge_in):
    pledge = pledge_in("submitted")
    it = pledge.items.get()
    it.content = "偷偷改"
    with pytest.raises(LockedError, match="如需修改请走变更流程"):
        it.save()
    with pytest.raises(LockedError):
        it.delete()
    assert fresh(it).content != "偷偷改"


def test_an_item_list_that_omits_an_existing_item_does_not_crash(world, pledge_in):
    pledge = pledge_in("draft", n=1)
    with contextlib.suppress(DomainError, ItemErrors):
        services.pledge_update(pledge=pledge, by=world.member.user, items=[item(2), item(3)])
    positions = list(pledge.items.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


def test_a_pledge_is_found_by_its_status_helpers(world, pledge_in):
    draft = pledge_in("draft")
    assert draft.is_editable and not draft.is_locked and draft.is_member_pledge
    assert str(draft) == "王党员的承诺书"
    assert Pledge.objects.get(pk=draft.pk).pledger_name == "王党员"
