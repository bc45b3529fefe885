"""一月一自查: each month the pledging side says how every item not yet ticked off stands."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commitments import services
from commitments.models import SelfCheck, first_of_month
from organizations.errors import DomainError


def _this_month():
    return first_of_month(timezone.localdate())


def _next_month():
    return (_this_month() + datetime.timedelta(days=32)).replace(day=1)


def _results(pledge, result="on_track", note=""):
    return {i.pk: (result, note) for i in pledge.items.all()}


def test_every_item_gets_a_result(world, pledge_in):
    pledge = pledge_in("published", n=2)
    checks = services.self_check_record(
        pledge=pledge, by=world.member.user, month=timezone.localdate(), results=_results(pledge, note=" 按计划 ")
    )
    assert len(checks) == 2
    rows = list(SelfCheck.objects.filter(item__pledge=pledge).values_list("month", "result", "note", "by"))
    assert rows == [(_this_month(), "on_track", "按计划", world.member.user.pk)] * 2


def test_a_missing_item_is_named_and_nothing_is_saved(world, pledge_in):
    pledge = pledge_in("published", n=3)
    first = pledge.items.first()
    with pytest.raises(DomainError, match="请为每个未销号的事项填写自查结果（缺第 2、3 项）"):
        services.self_check_record(
            pledge=pledge, by=world.member.user, month=_this_month(), results={first.pk: ("done", "")}
        )
    assert not SelfCheck.objects.exists()


def test_a_ticked_off_item_needs_no_result(world, pledge_in):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.all()
    services.item_request_tick_off(item=first, by=world.member.user, note="完成")
    services.item_confirm_tick_off(item=first, by=world.secretary)
    services.self_check_record(
        pledge=pledge, by=world.member.user, month=_this_month(), results={second.pk: ("behind", "资金未到位")}
    )
    assert list(SelfCheck.objects.values_list("item", "result")) == [(second.pk, "behind")]


def test_a_future_month_is_refused(world, pledge_in):
    pledge = pledge_in("published")
    with pytest.raises(DomainError, match="不能为以后的月份自查"):
        services.self_check_record(pledge=pledge, by=world.member.user, month=_next_month(), results=_results(pledge))
    assert not SelfCheck.objects.exists()


def test_an_earlier_month_may_be_caught_up(world, pledge_in):
    pledge = pledge_in("published")
    services.self_check_record(
        pledge=pledge, by=world.member.user, month=datetime.date(2025, 8, 17), results=_results(pledge)
    )
    assert SelfCheck.objects.get().month == datetime.date(2025, 8, 1)


def test_recording_the_same_month_again_replaces_it(world, pledge_in):
    pledge = pledge_in("published", n=2)
    services.self_check_record(pledge=pledge, by=world.member.user, month=_this_month(), results=_results(pledge))
    services.self_check_record(
        pledge=pledge, by=world.member.user, month=_this_month(), results=_results(pledge, "behind", "下雨耽误")
    )
    assert list(SelfCheck.objects.values_list("result", "note")) == [("behind", "下雨耽误")] * 2


def test_an_unknown_result_saves_nothing(world, pledge_in):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.all()
    with pytest.raises(DomainError, match="自查结果无效"):
        services.self_check_record(
            pledge=pledge,
            by=world.member.user,
            month=_this_month(),
            results={first.pk: ("done", ""), second.pk: ("maybe", "")},
        )
    assert not SelfCheck.objects.exists()


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "superseded"])
def test_self_checks_start_after_signing(world, pledge_in, state):
    pledge = pledge_in(state)
    with pytest.raises(DomainError, match="承诺书签约后才开始月度自查"):
        services.self_check_record(pledge=pledge, by=world.member.user, month=_this_month(), results=_results(pledge))
    assert not SelfCheck.objects.exists()


@pytest.mark.parametrize("state", ["signed", "published", "completed"])
def test_self_checks_while_fulfilling_and_after(world, pledge_in, state):
    pledge = pledge_in(state)
    services.self_check_record(
        pledge=pledge, by=world.member.user, month=_this_month(), results=_results(pledge, "done")
    )
    assert SelfCheck.objects.count() == 1


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee"])
def test_only_the_pledging_side_self_checks(world, pledge_in, who):
    pledge = pledge_in("published")
    with pytest.raises(PermissionDenied, match="只有承诺方可以记录践诺情况、申请销号和自查"):
        services.self_check_record(pledge=pledge, by=getattr(world, who), month=_this_month(), results=_results(pledge))
    assert not SelfCheck.objects.exists()


def test_results_for_another_pledges_items_are_ignored(world, people, pledge_in):
    mine = pledge_in("published")
    other = pledge_in("published", member=world.secretary_member, reviewer=world.committee)
    results = {**_results(mine), **_results(other, "done")}
    services.self_check_record(pledge=mine, by=world.member.user, month=_this_month(), results=results)
    assert list(SelfCheck.objects.values_list("item__pledge", flat=True)) == [mine.pk]


def test_the_branch_self_checks_an_oral_pledge(world, oral_pledge_in):
    pledge = oral_pledge_in("published")
    services.self_check_record(pledge=pledge, by=world.clerk, month=_this_month(), results=_results(pledge, "done"))
    assert SelfCheck.objects.get().by == world.clerk
