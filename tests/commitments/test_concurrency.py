"""Two people acting on the same row at the same moment (DESIGN §10: state changes lock the row they change).

These need real row locks and real concurrent connections, so they run on PostgreSQL only. Each thread
takes its own connection and closes it at the end; a barrier starts them together, and a short pause inside
the locked transaction makes sure the second one arrives while the first still holds the lock.
"""

import datetime
import threading
import time

import pytest
from django.db import connection

from commitments import notifications, services
from commitments.models import Notification, Pledge, PledgeItem, Review, Signature
from organizations.errors import DomainError
from organizations.models import User
from tests.factories import PASSWORD
from tests.history import transitions

from .conftest import FULL_CHECKS, fresh, name_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.fixture
def race(monkeypatch):
    """Run calls in threads started together; return ("ok", value) or ("error", exception) for each.

    During the race each transaction is held open a little after its transition, while it keeps the row
    locked, so that the other thread surely arrives before the first one commits.
    """
    original = notifications.notify

    def slow_notify(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    def run_together(*calls):
        monkeypatch.setattr(services, "notify", slow_notify)
        try:
            return _race(*calls)
        finally:
            monkeypatch.setattr(services, "notify", original)

    return run_together


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as error:  # the outcome is what the test looks at
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung: deadlock?"
    return results


def _outcomes(results):
    return sorted(kind for kind, _ in results)


def _own(user):
    """A separate user object per thread, so no per-request cache is shared between threads."""
    return lambda: User.objects.get(pk=user.pk)


def test_two_reviewers_approving_at_once_only_one_wins(world, people, pledge_in, race):
    pledge = pledge_in("submitted")
    a, b = _own(world.secretary), _own(people.co_secretary)
    results = race(
        lambda: services.pledge_approve(pledge=Pledge(pk=pledge.pk), by=a(), checks=FULL_CHECKS),
        lambda: services.pledge_approve(pledge=Pledge(pk=pledge.pk), by=b(), checks=FULL_CHECKS),
    )
    assert _outcomes(results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, DomainError) and "已审定" in str(error)
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert [c.after for c in transitions(pledge)].count("approved") == 1
    assert Review.objects.filter(pledge=pledge).count() == 1
    assert Notification.objects.filter(kind="to_sign").count() == 1


def test_approve_and_return_at_once_only_one_wins(world, people, pledge_in, race):
    pledge = pledge_in("submitted")
    a, b = _own(world.secretary), _own(people.co_secretary)
    results = race(
        lambda: services.pledge_approve(pledge=Pledge(pk=pledge.pk), by=a(), checks=FULL_CHECKS),
        lambda: services.pledge_return(pledge=Pledge(pk=pledge.pk), by=b(), comment="请修改"),
    )
    assert _outcomes(results) == ["error", "ok"]
    assert isinstance(next(v for k, v in results if k == "error"), DomainError)
    assert fresh(pledge).status in (Pledge.Status.APPROVED, Pledge.Status.RETURNED)
    assert [c.before for c in transitions(pledge)].count("submitted") == 1
    assert Review.objects.filter(pledge=pledge).count() == 1


def test_two_confirmations_of_one_tick_off_only_one_wins(world, people, pledge_in, race):
    pledge = pledge_in("published", n=1)
    it = pledge.items.get()
    services.item_request_tick_off(item=it, by=world.member.user, note="已完成")
    a, b = _own(world.secretary), _own(people.co_secretary)
    results = race(
        lambda: services.item_confirm_tick_off(item=PledgeItem(pk=it.pk, pledge_id=pledge.pk), by=a()),
        lambda: services.item_confirm_tick_off(item=PledgeItem(pk=it.pk, pledge_id=pledge.pk), by=b()),
    )
    assert _outcomes(results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, DomainError) and "没有待确认的销号申请" in str(error)
    assert fresh(it).state == PledgeItem.State.TICKED_OFF
    assert fresh(pledge).status == Pledge.Status.COMPLETED
    assert [c.after for c in transitions(pledge)].count("completed") == 1
    assert Notification.objects.filter(kind="tick_confirmed").count() == 1


def test_confirm_and_refuse_of_one_tick_off_at_once_only_one_wins(world, people, pledge_in, race):
    pledge = pledge_in("published", n=2)
    it = pledge.items.first()
    services.item_request_tick_off(item=it, by=world.member.user, note="已完成")
    a, b = _own(world.secretary), _own(people.co_secretary)
    results = race(
        lambda: services.item_confirm_tick_off(item=PledgeItem(pk=it.pk, pledge_id=pledge.pk), by=a()),
        lambda: services.item_refuse_tick_off(item=PledgeItem(pk=it.pk, pledge_id=pledge.pk), by=b(), reason="不行"),
    )
    assert _outcomes(results) == ["error", "ok"]
    it = fresh(it)
    assert (it.state == PledgeItem.State.TICKED_OFF) != bool(it.tick_refusal_reason)


def test_the_last_two_items_confirmed_at_once_complete_the_pledge_once(world, people, pledge_in, race):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.all()
    for it in (first, second):
        services.item_request_tick_off(item=it, by=world.member.user, note="已完成")
    a, b = _own(world.secretary), _own(people.co_secretary)
    results = race(
        lambda: services.item_confirm_tick_off(item=PledgeItem(pk=first.pk, pledge_id=pledge.pk), by=a()),
        lambda: services.item_confirm_tick_off(item=PledgeItem(pk=second.pk, pledge_id=pledge.pk), by=b()),
    )
    assert _outcomes(results) == ["ok", "ok"]
    assert fresh(pledge).status == Pledge.Status.COMPLETED
    assert [c.after for c in transitions(pledge)].count("completed") == 1


def test_two_reviewers_countersigning_at_once_only_one_signs(world, people, pledge_in, race):
    pledge = pledge_in("pledger_signed", member=world.secretary_member, reviewer=world.committee)
    a, b = _own(world.committee), _own(people.county_committee)
    results = race(
        lambda: services.pledge_countersign(
            pledge=Pledge(pk=pledge.pk), by=a(), password=PASSWORD, typed_name=name_of(world.committee)
        ),
        lambda: services.pledge_countersign(
            pledge=Pledge(pk=pledge.pk), by=b(), password=PASSWORD, typed_name=name_of(people.county_committee)
        ),
    )
    assert _outcomes(results) == ["error", "ok"]
    assert isinstance(next(v for k, v in results if k == "error"), DomainError)
    assert fresh(pledge).status == Pledge.Status.SIGNED
    assert Signature.objects.filter(pledge=pledge, role="reviewer").count() == 1


def test_the_overdue_job_run_twice_at_once_marks_and_notifies_once(world, pledge_in, race):
    pledge_in("published", n=2)
    day = datetime.date(2025, 7, 1)
    results = race(lambda: services.mark_overdue_items(today=day), lambda: services.mark_overdue_items(today=day))
    assert _outcomes(results) == ["ok", "ok"]
    assert sum(value for _, value in results) == 2
    assert PledgeItem.objects.filter(overdue_notified=True).count() == 2
    assert Notification.objects.filter(kind="overdue").count() == 4  # two items × (member, secretary)
