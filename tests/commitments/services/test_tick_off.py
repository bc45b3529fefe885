"""兑现销号: the pledging side asks, the reviewer confirms or refuses; all items ticked off completes the pledge."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commitments import services
from commitments.models import Pledge, PledgeItem
from organizations.errors import DomainError
from tests.history import transitions

from ..conftest import fresh, item


def _ask(it, user, note="已按承诺完成。", **kwargs):
    return services.item_request_tick_off(item=it, by=user, note=note, **kwargs)


def test_asking_records_the_note_and_who_asked(world, pledge_in):
    it = pledge_in("published").items.get()
    _ask(it, world.member.user, note="  走访了 12 户  ")
    it = fresh(it)
    assert it.state == PledgeItem.State.TICK_REQUESTED
    assert it.tick_request_note == "走访了 12 户" and it.tick_requested_by == world.member.user
    assert it.tick_requested_at is not None


@pytest.mark.parametrize("note", ["", "   "])
def test_asking_needs_a_note(world, pledge_in, note):
    it = pledge_in("published").items.get()
    with pytest.raises(DomainError, match="请说明事项的完成情况"):
        _ask(it, world.member.user, note=note)
    assert fresh(it).state == PledgeItem.State.IN_PROGRESS


def test_a_quantified_item_needs_the_value_reached(world, pledge_in):
    items = [item(1, indicator="帮扶困难户", unit="户", baseline_value=Decimal("2"), target_value=Decimal("10"))]
    it = pledge_in("published", items=items).items.get()
    with pytest.raises(DomainError, match="这是量化承诺，请填写“帮扶困难户”的完成值"):
        _ask(it, world.member.user)
    assert fresh(it).state == PledgeItem.State.IN_PROGRESS and fresh(it).achieved_value is None
    _ask(it, world.member.user, achieved_value=Decimal("12"))
    assert fresh(it).achieved_value == Decimal("12.00")


def test_asking_waits_for_publication(world, pledge_in):
    it = pledge_in("signed").items.get()
    with pytest.raises(DomainError, match="承诺书公示后才能申请销号"):
        _ask(it, world.member.user)
    assert fresh(it).state == PledgeItem.State.IN_PROGRESS


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee"])
def test_only_the_pledging_side_asks(world, pledge_in, who):
    it = pledge_in("published").items.get()
    with pytest.raises(PermissionDenied, match="只有承诺方可以记录践诺情况、申请销号和自查"):
        _ask(it, getattr(world, who))
    assert fresh(it).state == PledgeItem.State.IN_PROGRESS


def test_asking_twice_is_refused(world, pledge_in):
    it = pledge_in("published").items.get()
    _ask(it, world.member.user)
    with pytest.raises(DomainError, match="该事项当前为“申请销号”，不能再申请销号"):
        _ask(it, world.member.user)


def test_confirming_ticks_off_today(world, pledge_in):
    pledge = pledge_in("published", n=2)
    it = pledge.items.first()
    it.needs_help = True
    it.save(update_fields=["needs_help"])
    _ask(it, world.member.user)
    services.item_confirm_tick_off(item=it, by=world.secretary)
    it = fresh(it)
    assert it.state == PledgeItem.State.TICKED_OFF
    assert it.ticked_off_on == timezone.localdate() and it.ticked_off_by == world.secretary
    assert not it.is_overdue and not it.needs_help and it.state == PledgeItem.State.TICKED_OFF
    # One of two items: the pledge is still being fulfilled.
    assert fresh(pledge).status == Pledge.Status.PUBLISHED


@pytest.mark.parametrize("who", ["clerk", "committee", "member", "sibling_secretary", "town_clerk"])
def test_only_the_reviewer_confirms(world, people, pledge_in, who):
    it = pledge_in("published").items.get()
    _ask(it, world.member.user)
    user = {"clerk": world.clerk, "committee": world.committee, "member": world.member.user}.get(who) or getattr(
        people, who
    )
    with pytest.raises(PermissionDenied, match="只有审核这份承诺书的书记或上级党委可以确认销号"):
        services.item_confirm_tick_off(item=it, by=user)
    it = fresh(it)
    assert it.state == PledgeItem.State.TICK_REQUESTED and it.ticked_off_on is None


def test_the_committee_confirms_for_the_secretarys_pledge(world, pledge_in):
    pledge = pledge_in("published", member=world.secretary_member, reviewer=world.committee)
    it = pledge.items.get()
    _ask(it, world.secretary)
    with pytest.raises(PermissionDenied):
        services.item_confirm_tick_off(item=it, by=world.secretary)
    services.item_confirm_tick_off(item=it, by=world.committee)
    assert fresh(it).state == PledgeItem.State.TICKED_OFF
    assert fresh(pledge).status == Pledge.Status.COMPLETED


def test_nothing_to_confirm_without_a_request(world, pledge_in):
    it = pledge_in("published").items.get()
    with pytest.raises(DomainError, match="没有待确认的销号申请"):
        services.item_confirm_tick_off(item=it, by=world.secretary)
    assert fresh(it).state == PledgeItem.State.IN_PROGRESS


def test_refusing_needs_a_reason_and_sends_the_item_back(world, pledge_in):
    it = pledge_in("published").items.get()
    _ask(it, world.member.user)
    with pytest.raises(DomainError, match="不予销号时请说明原因"):
        services.item_refuse_tick_off(item=it, by=world.secretary, reason="  ")
    assert fresh(it).state == PledgeItem.State.TICK_REQUESTED
    services.item_refuse_tick_off(item=it, by=world.secretary, reason="还有两户没有走访。")
    it = fresh(it)
    assert it.state == PledgeItem.State.IN_PROGRESS and it.tick_refusal_reason == "还有两户没有走访。"
    assert it.ticked_off_on is None
    # Asking again clears the old refusal.
    _ask(it, world.member.user, note="全部走访完了。")
    assert fresh(it).tick_refusal_reason == ""


def test_only_the_reviewer_refuses(world, pledge_in):
    it = pledge_in("published").items.get()
    _ask(it, world.member.user)
    for user in (world.clerk, world.member.user, world.committee):
        with pytest.raises(PermissionDenied):
            services.item_refuse_tick_off(item=it, by=user, reason="不行")
    assert fresh(it).state == PledgeItem.State.TICK_REQUESTED and fresh(it).tick_refusal_reason == ""


def test_refusing_without_a_request_is_refused(world, pledge_in):
    it = pledge_in("published").items.get()
    with pytest.raises(DomainError, match="该事项没有待确认的销号申请"):
        services.item_refuse_tick_off(item=it, by=world.secretary, reason="不行")


def test_the_last_item_ticked_off_completes_the_pledge(world, pledge_in):
    pledge = pledge_in("published", n=3)
    items = list(pledge.items.all())
    for it in items[:2]:
        _ask(it, world.member.user)
        services.item_confirm_tick_off(item=it, by=world.secretary)
        assert fresh(pledge).status == Pledge.Status.PUBLISHED
    _ask(items[2], world.member.user)
    assert fresh(pledge).status == Pledge.Status.PUBLISHED
    services.item_confirm_tick_off(item=items[2], by=world.secretary)
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.COMPLETED and pledge.completed_at
    assert [c.after for c in transitions(pledge)].count("completed") == 1
    with pytest.raises(DomainError):
        _ask(items[0], world.member.user)


def test_a_ticked_off_item_cannot_be_asked_again(world, pledge_in):
    pledge = pledge_in("published", n=2)
    it = pledge.items.first()
    _ask(it, world.member.user)
    services.item_confirm_tick_off(item=it, by=world.secretary)
    with pytest.raises(DomainError, match="该事项当前为“已销号”"):
        _ask(it, world.member.user)
    with pytest.raises(DomainError):
        services.item_confirm_tick_off(item=it, by=world.secretary)
    assert fresh(it).ticked_off_on == timezone.localdate()


@pytest.mark.parametrize("decide", ["confirm", "refuse"])
def test_a_request_on_a_superseded_revision_cannot_be_decided(world, pledge_in, decide):
    pledge = pledge_in("published", n=2)
    it = pledge.items.first()
    _ask(it, world.member.user)
    services.pledge_amend(pledge=pledge, by=world.member.user, reason="调整承诺")
    with pytest.raises(DomainError):
        if decide == "confirm":
            services.item_confirm_tick_off(item=it, by=world.secretary)
        else:
            services.item_refuse_tick_off(item=it, by=world.secretary, reason="不行")
    assert fresh(it).state == PledgeItem.State.TICK_REQUESTED


def test_help_flag_needs_a_note_and_not_on_ticked_off_items(world, pledge_in):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.all()
    with pytest.raises(DomainError, match="请说明需要组织帮扶解决的困难"):
        services.item_flag_help(item=first, by=world.member.user, needs_help=True, note="")
    services.item_flag_help(item=first, by=world.member.user, needs_help=True, note="缺少资金")
    assert fresh(first).needs_help and fresh(first).help_note == "缺少资金"
    # The branch may flag it too; an outsider may not.
    services.item_flag_help(item=first, by=world.clerk, needs_help=False)
    assert not fresh(first).needs_help and fresh(first).help_note == ""
    with pytest.raises(PermissionDenied):
        services.item_flag_help(item=first, by=world.committee, needs_help=True, note="x")
    _ask(second, world.member.user)
    services.item_confirm_tick_off(item=second, by=world.secretary)
    with pytest.raises(DomainError, match="已销号的事项无需帮扶"):
        services.item_flag_help(item=second, by=world.member.user, needs_help=True, note="x")


def test_an_organizations_item_is_asked_by_its_officers_and_confirmed_by_the_parent(world, org_pledge_in):
    pledge = org_pledge_in("published")
    it = pledge.items.get()
    with pytest.raises(PermissionDenied):
        _ask(it, world.committee)
    _ask(it, world.clerk)
    with pytest.raises(PermissionDenied):
        services.item_confirm_tick_off(item=it, by=world.secretary)  # its own secretary
    assert fresh(it).state == PledgeItem.State.TICK_REQUESTED
    services.item_confirm_tick_off(item=it, by=world.committee)
    assert fresh(pledge).status == Pledge.Status.COMPLETED
