"""已解决: an opinion is marked solved with a date, how and (optionally) the item that solved it; apart from the
status, which says whether it was adopted into a pledge."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import Opinion
from organizations.errors import DomainError

from ...history import changes
from ..conftest import fresh

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2025-03-15 00:30 in Shanghai is still 2025-03-14 in UTC: "today" is the local date.
NOW = datetime.datetime(2025, 3, 15, 0, 30, tzinfo=SHANGHAI)
pytestmark = pytest.mark.django_db


def _solve(world, by=None, **extra):
    fields = {"solved_on": datetime.date(2025, 3, 15), "how": "村里组织铺设了水泥路面。"}
    fields.update(extra)
    return services.opinion_mark_solved(opinion=world.opinion, by=by or world.clerk, **fields)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["clerk", "secretary", "committee"])
def test_the_branch_and_its_superiors_mark_an_opinion_solved(world, who):
    by = getattr(world, who)
    _solve(world, by=by)
    opinion = fresh(world.opinion)
    assert opinion.solved_on == datetime.date(2025, 3, 15)  # today in Shanghai, tomorrow of UTC
    assert opinion.solved_how == "村里组织铺设了水泥路面。"
    assert opinion.solved_recorded_by == by and opinion.solved_by_item is None
    assert opinion.status == Opinion.Status.OPEN  # solved is not a status
    last = changes(opinion)[-1]
    assert (last.label, last.comment, last.by) == ("标为已解决", "村里组织铺设了水泥路面。", by.username)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["member", "sibling_clerk", "town_b_committee", "outsider"])
def test_others_do_not_mark_it_solved(world, people, who):
    user = world.member.user if who == "member" else getattr(people, who)
    with pytest.raises(PermissionDenied, match="您无权维护该党组织的群众意见"):
        _solve(world, by=user)
    assert fresh(world.opinion).solved_on is None


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"solved_on": datetime.date(2025, 3, 16)}, "solved_on", "解决日期不能晚于今天。"),
        ({"solved_on": datetime.date(2025, 1, 9)}, "solved_on", "解决日期不能早于征集日期（2025年1月10日）。"),
        ({"solved_on": None}, "solved_on", "请填写解决日期。"),
        ({"how": "  "}, "how", "请填写怎样解决的。"),
    ],
)
def test_the_date_and_how_are_checked(world, extra, field, message):
    with pytest.raises(ValidationError) as err:
        _solve(world, **extra)
    assert err.value.message_dict[field] == [message]
    assert fresh(world.opinion).solved_on is None


@time_machine.travel(NOW, tick=False)
def test_the_item_must_be_one_that_adopted_the_opinion(world, draft):
    pledge = draft(n=2)  # the first item cites the opinion
    first, second = pledge.items.all()
    with pytest.raises(ValidationError) as err:
        _solve(world, item=second)
    assert err.value.message_dict["item"] == ["只能选择采纳了这条意见的承诺事项。"]
    assert fresh(world.opinion).solved_on is None
    _solve(world, item=first)
    opinion = fresh(world.opinion)
    assert opinion.solved_by_item == first and opinion.status == Opinion.Status.ANSWERED  # adopted and solved


@time_machine.travel(NOW, tick=False)
def test_a_declined_opinion_can_be_solved_too(world):
    services.opinion_decline(opinion=world.opinion, by=world.clerk, reason="不属于本级职责，已转交交通部门")
    _solve(world, how="交通部门已于三月修复。")
    opinion = fresh(world.opinion)
    assert opinion.status == Opinion.Status.NOT_ADOPTED and opinion.solved_on == datetime.date(2025, 3, 15)


@time_machine.travel(NOW, tick=False)
def test_a_mistaken_solved_is_undone_with_a_reason(world, people):
    _solve(world)
    with pytest.raises(PermissionDenied):
        services.opinion_unmark_solved(opinion=world.opinion, by=people.outsider, reason="标错了")
    assert fresh(world.opinion).solved_on is not None
    with pytest.raises(DomainError, match="请填写撤销的原因"):
        services.opinion_unmark_solved(opinion=world.opinion, by=world.clerk, reason=" ")
    services.opinion_unmark_solved(opinion=world.opinion, by=world.clerk, reason="标错了条目")
    opinion = fresh(world.opinion)
    assert (opinion.solved_on, opinion.solved_how, opinion.solved_recorded_by) == (None, "", None)
    last = changes(opinion)[-1]
    assert (last.label, last.comment) == ("撤销已解决", "标错了条目")
    with pytest.raises(DomainError, match="还没有标为已解决"):
        services.opinion_unmark_solved(opinion=world.opinion, by=world.clerk, reason="再撤一次")
