"""The scheduled jobs are thin Celery tasks over the services, scheduled by beat and safe to run twice."""

from django.conf import settings
from django.utils import timezone

from commitments import tasks
from commitments.models import Notification, PledgeItem


def test_both_jobs_are_scheduled():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"commitments.tasks.mark_overdue_items", "commitments.tasks.remind_self_checks"} <= scheduled


def test_the_overdue_task_uses_today_and_is_idempotent(world, pledge_in, run_on_commit):
    # Items are due 2025-06-30; "today" is later than that for this suite.
    assert timezone.localdate().isoformat() > "2025-06-30"
    pledge_in("published", n=2)
    assert run_on_commit(lambda: tasks.mark_overdue_items.apply().get()) == 2
    assert run_on_commit(lambda: tasks.mark_overdue_items.apply().get()) == 0
    assert PledgeItem.objects.filter(overdue_notified=True).count() == 2
    assert Notification.objects.filter(kind="overdue").count() == 4


def test_the_reminder_task_reminds_once_this_month(world, pledge_in, run_on_commit):
    pledge_in("signed")
    run_on_commit(lambda: tasks.remind_self_checks.apply().get())
    run_on_commit(lambda: tasks.remind_self_checks.apply().get())
    note = Notification.objects.get(kind="self_check_due")
    assert note.recipient == world.member.user and note.dedupe_key.endswith(timezone.localdate().strftime("%Y-%m"))
