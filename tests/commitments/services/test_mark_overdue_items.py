"""The daily overdue job: items past deadline and not ticked off, of current pledges under way; idempotent."""

import datetime

import pytest
import time_machine

from commitments import services
from commitments.models import Notification, PledgeItem

from ..conftest import fresh, item

DAY_AFTER = datetime.date(2025, 7, 1)  # the default item deadline is 2025-06-30


def _overdue(pledge):
    return list(pledge.items.filter(overdue_notified=True).values_list("position", flat=True))


def test_marks_only_items_past_deadline(world, pledge_in):
    items = [
        item(1, deadline=datetime.date(2025, 3, 31)),
        item(2, deadline=datetime.date(2025, 6, 30)),  # due today: not yet overdue
        item(3, deadline=datetime.date(2025, 12, 31)),
    ]
    pledge = pledge_in("published", items=items)
    assert services.mark_overdue_items(today=datetime.date(2025, 6, 30)) == 1
    assert _overdue(pledge) == [1]
    assert services.mark_overdue_items(today=DAY_AFTER) == 1
    assert _overdue(pledge) == [1, 2]


def test_ticked_off_items_are_never_overdue(world, pledge_in):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.all()
    services.item_request_tick_off(item=second, by=world.member.user, note="完成")
    services.item_confirm_tick_off(item=second, by=world.secretary)
    assert services.mark_overdue_items(today=DAY_AFTER) == 1
    assert _overdue(pledge) == [1]


def test_an_item_waiting_for_confirmation_is_still_overdue(world, pledge_in):
    pledge = pledge_in("published")
    services.item_request_tick_off(item=pledge.items.get(), by=world.member.user, note="完成")
    assert services.mark_overdue_items(today=DAY_AFTER) == 1


@pytest.mark.parametrize(
    ("state", "marked"),
    [
        ("draft", 0),
        ("submitted", 0),
        ("approved", 0),
        ("pledger_signed", 0),
        ("signed", 1),
        ("published", 1),
        ("completed", 0),
        ("superseded", 0),  # neither the old revision nor its new draft
    ],
)
def test_only_current_signed_or_published_pledges(world, pledge_in, state, marked):
    pledge = pledge_in(state)
    assert services.mark_overdue_items(today=DAY_AFTER) == marked
    assert len(_overdue(pledge)) == marked
    assert PledgeItem.objects.filter(overdue_notified=True).count() == marked
    assert PledgeItem.objects.overdue(today=DAY_AFTER).count() == marked  # pages read the same set


def test_running_twice_marks_nothing_new(world, pledge_in, run_on_commit):
    pledge = pledge_in("published", n=2)
    assert run_on_commit(services.mark_overdue_items, today=DAY_AFTER) == 2
    notes = list(Notification.objects.order_by("pk").values_list("recipient_id", "dedupe_key"))
    assert run_on_commit(services.mark_overdue_items, today=DAY_AFTER) == 0
    assert run_on_commit(services.mark_overdue_items, today=DAY_AFTER + datetime.timedelta(days=30)) == 0
    assert list(Notification.objects.order_by("pk").values_list("recipient_id", "dedupe_key")) == notes
    assert _overdue(pledge) == [1, 2]


def test_both_sides_are_told_once_per_item(world, pledge_in, run_on_commit):
    pledge = pledge_in("published", n=2)
    run_on_commit(services.mark_overdue_items, today=DAY_AFTER)
    overdue = Notification.objects.filter(kind=Notification.Kind.OVERDUE)
    assert sorted(overdue.values_list("recipient__username", flat=True)) == ["dangyuan", "dangyuan", "shuji", "shuji"]
    first = pledge.items.first()
    note = overdue.filter(recipient=world.member.user, dedupe_key=f"overdue:{first.pk}").get()
    assert note.text.startswith("承诺事项已逾期未销号：王党员——承诺事项1") and note.url == pledge.get_absolute_url()


def test_a_reset_flag_does_not_notify_again(world, pledge_in, run_on_commit):
    """Even if the flag is cleared and the job marks the item again, the same event notifies nobody twice."""
    pledge = pledge_in("published")
    run_on_commit(services.mark_overdue_items, today=DAY_AFTER)
    count = Notification.objects.count()
    PledgeItem.objects.filter(pledge=pledge).update(overdue_notified=False)
    assert run_on_commit(services.mark_overdue_items, today=DAY_AFTER) == 1
    assert Notification.objects.count() == count


def test_ticking_off_ends_overdue(world, pledge_in):
    pledge = pledge_in("published")
    it = pledge.items.get()
    with time_machine.travel(DAY_AFTER):
        assert fresh(it).is_overdue and PledgeItem.objects.overdue().filter(pk=it.pk).exists()
        services.item_request_tick_off(item=it, by=world.member.user, note="迟了几天，已完成。")
        services.item_confirm_tick_off(item=it, by=world.secretary)
        assert not fresh(it).is_overdue and not PledgeItem.objects.overdue().exists()
    assert services.mark_overdue_items(today=DAY_AFTER) == 0


def test_overdue_is_read_from_the_deadline_without_the_nightly_job(world, pledge_in):
    """Under `make run` no beat runs: the item is overdue the day after its deadline all the same (issue 13 §3)."""
    it = pledge_in("published").items.get()
    with time_machine.travel(it.deadline):
        assert not fresh(it).is_overdue and not PledgeItem.objects.overdue().exists()
    with time_machine.travel(DAY_AFTER):
        assert fresh(it).is_overdue and PledgeItem.objects.overdue().get() == it
        assert not fresh(it).overdue_notified


def test_an_organizations_overdue_item_tells_its_officers_and_the_parent(world, org_pledge_in, run_on_commit):
    org_pledge_in("published")
    run_on_commit(services.mark_overdue_items, today=DAY_AFTER)
    told = set(Notification.objects.filter(kind="overdue").values_list("recipient__username", flat=True))
    assert told == {"ganshi", "shuji", "town", "county"}
