"""The monthly reminder: every pledging side without this month's self-check is reminded, once a month."""

import datetime

import pytest
from django.utils import timezone

from commitments import services
from commitments.models import Notification, first_of_month


def _reminded():
    return sorted(
        Notification.objects.filter(kind=Notification.Kind.SELF_CHECK_DUE).values_list(
            "recipient__username", "dedupe_key"
        )
    )


def test_reminds_each_pledger_once_a_month(world, pledge_in, run_on_commit):
    pledge = pledge_in("published")
    today = timezone.localdate()
    run_on_commit(services.remind_self_checks, today=today)
    run_on_commit(services.remind_self_checks, today=today)
    key = f"self_check:{pledge.pk}:{today:%Y-%m}"
    assert _reminded() == [("dangyuan", key)]
    note = Notification.objects.get()
    assert note.text == f"请完成{today.year}年{today.month}月的承诺事项自查。"


def test_a_new_month_is_a_new_reminder(world, pledge_in, run_on_commit):
    pledge = pledge_in("signed")
    run_on_commit(services.remind_self_checks, today=datetime.date(2025, 9, 3))
    run_on_commit(services.remind_self_checks, today=datetime.date(2025, 9, 28))
    run_on_commit(services.remind_self_checks, today=datetime.date(2025, 10, 1))
    assert _reminded() == [
        ("dangyuan", f"self_check:{pledge.pk}:2025-09"),
        ("dangyuan", f"self_check:{pledge.pk}:2025-10"),
    ]


def test_no_reminder_once_this_months_check_is_done(world, pledge_in, run_on_commit):
    done = pledge_in("published")
    waiting = pledge_in("published", member=world.secretary_member, reviewer=world.committee)
    today = timezone.localdate()
    services.self_check_record(
        pledge=done, by=world.member.user, month=today, results={i.pk: ("on_track", "") for i in done.items.all()}
    )
    assert run_on_commit(services.remind_self_checks, today=today) == 1
    assert _reminded() == [("shuji", f"self_check:{waiting.pk}:{today:%Y-%m}")]


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "completed", "superseded"])
def test_no_reminder_outside_fulfilment(world, pledge_in, run_on_commit, state):
    pledge_in(state)
    assert run_on_commit(services.remind_self_checks, today=timezone.localdate()) == 0
    assert not Notification.objects.filter(kind="self_check_due").exists()


def test_an_organizations_officers_are_reminded(world, org_pledge_in, run_on_commit):
    pledge = org_pledge_in("published")
    run_on_commit(services.remind_self_checks, today=timezone.localdate())
    month = first_of_month(timezone.localdate())
    assert _reminded() == [
        ("ganshi", f"self_check:{pledge.pk}:{month:%Y-%m}"),
        ("shuji", f"self_check:{pledge.pk}:{month:%Y-%m}"),
    ]
