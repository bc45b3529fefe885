"""In-app notifications: who is told about which event, once, and only after the action commits."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments import services
from commitments.models import Notification
from commitments.notifications import notify, pledger_users, reviewers_of
from organizations.errors import DomainError
from tests.factories import PASSWORD

from .conftest import FULL_CHECKS, fresh


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_submitting_tells_the_reviewer_once(world, pledge_in, run_on_commit):
    pledge = pledge_in("draft")
    run_on_commit(services.pledge_submit, pledge=pledge, by=world.member.user)
    assert _told("submitted") == ["shuji"]
    note = Notification.objects.get(kind="submitted")
    assert note.text == "王党员提交了承诺书，请审核。" and note.url == f"/pledges/{pledge.pk}/" and note.read_at is None


def test_the_secretarys_submission_tells_the_superiors(world, pledge_in, run_on_commit):
    pledge = pledge_in("draft", member=world.secretary_member, reviewer=world.committee)
    run_on_commit(services.pledge_submit, pledge=pledge, by=world.secretary)
    assert _told("submitted") == ["county", "town"]


def test_returning_and_approving_tell_the_pledger(world, pledge_in, run_on_commit):
    pledge = pledge_in("draft")
    run_on_commit(services.pledge_submit, pledge=pledge, by=world.member.user)
    run_on_commit(services.pledge_return, pledge=pledge, by=world.secretary, comment="请写具体")
    assert _told("returned") == ["dangyuan"]
    assert Notification.objects.get(kind="returned").text == "您的承诺书被退回修改：请写具体"
    # A second submission is a new event for the reviewer.
    run_on_commit(services.pledge_submit, pledge=pledge, by=world.member.user)
    assert _told("submitted") == ["shuji", "shuji"]
    run_on_commit(services.pledge_approve, pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    assert _told("to_sign") == ["dangyuan"]
    assert Notification.objects.get(kind="to_sign").text == "您的承诺书已审定，请签署。"


def test_signing_tells_each_side_what_it_waits_for(world, pledge_in, run_on_commit):
    pledge = pledge_in("approved")
    Notification.objects.all().delete()
    run_on_commit(services.pledge_sign, pledge=pledge, by=world.member.user, password=PASSWORD, typed_name="王党员")
    assert _told("to_sign") == ["shuji"]
    run_on_commit(
        services.pledge_countersign, pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记"
    )
    assert _told("signed") == ["dangyuan"]
    run_on_commit(services.pledge_publish, pledge=pledge, by=world.clerk)
    assert _told("published") == ["dangyuan"]
    assert Notification.objects.count() == 3


def test_a_refused_action_tells_nobody(world, pledge_in, run_on_commit):
    pledge = pledge_in("approved")
    Notification.objects.all().delete()
    with pytest.raises(DomainError):
        run_on_commit(services.pledge_sign, pledge=pledge, by=world.member.user, password="bad", typed_name="王党员")
    with pytest.raises(DomainError):
        run_on_commit(services.pledge_submit, pledge=pledge, by=world.member.user)
    assert not Notification.objects.exists()


def test_tick_off_events_are_told_once_each(world, pledge_in, run_on_commit):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.all()
    user = world.member.user
    run_on_commit(services.item_request_tick_off, item=first, by=user, note="完成")
    assert _told("tick_requested") == ["shuji"]
    run_on_commit(services.item_refuse_tick_off, item=first, by=world.secretary, reason="证据不足")
    assert _told("tick_refused") == ["dangyuan"]
    assert Notification.objects.get(kind="tick_refused").text == "销号申请未通过：证据不足"
    # Asking again and being refused again are new events.
    run_on_commit(services.item_request_tick_off, item=first, by=user, note="补充了照片")
    run_on_commit(services.item_refuse_tick_off, item=first, by=world.secretary, reason="还不够")
    assert _told("tick_requested") == ["shuji", "shuji"]
    assert _told("tick_refused") == ["dangyuan", "dangyuan"]
    run_on_commit(services.item_request_tick_off, item=first, by=user, note="都齐了")
    run_on_commit(services.item_confirm_tick_off, item=first, by=world.secretary)
    assert _told("tick_confirmed") == ["dangyuan"]
    assert Notification.objects.filter(recipient=world.secretary, kind="tick_requested").count() == 3
    assert fresh(second).state == "in_progress"


def test_notify_once_per_recipient_and_event(world, run_on_commit):
    users = [world.member.user, world.secretary, world.member.user, None]

    def send_twice():
        notify(users, kind="overdue", text="同一事件", url="/", key="event:1")
        notify([world.secretary.pk], kind="overdue", text="同一事件", url="/", key="event:1")

    run_on_commit(send_twice)
    assert _told("overdue") == ["dangyuan", "shuji"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=world.secretary, kind="overdue", text="x", dedupe_key="event:1")


def test_notifications_wait_for_the_commit(world, pledge_in, django_capture_on_commit_callbacks):
    pledge = pledge_in("draft")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pledge_submit(pledge=pledge, by=world.member.user)
    assert not Notification.objects.exists()
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_notifications_are_written_after_a_real_commit(world, pledge_in):
    pledge = pledge_in("published")
    assert _told("submitted") == ["shuji"]
    assert _told("to_sign") == ["dangyuan", "shuji"]  # approved → pledger; pledger signed → reviewer
    assert _told("signed") == ["dangyuan"] and _told("published") == ["dangyuan"]
    assert services.mark_overdue_items(today=datetime.date(2025, 7, 1)) == 1
    assert services.mark_overdue_items(today=datetime.date(2025, 7, 2)) == 0
    assert _told("overdue") == ["dangyuan", "shuji"]
    assert services.remind_self_checks(today=timezone.localdate()) == 1
    services.remind_self_checks(today=timezone.localdate())
    assert _told("self_check_due") == ["dangyuan"]
    assert fresh(pledge).status == "published"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_action_leaves_no_notification(world, pledge_in):
    pledge = pledge_in("draft")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.pledge_submit(pledge=pledge, by=world.member.user)
        raise RuntimeError("the request failed later")
    assert not Notification.objects.filter(kind="submitted").exists()
    assert fresh(pledge).status == "draft"


def test_who_acts_for_each_side(world, pledge_in, org_pledge_in, oral_pledge_in):
    member_pledge = pledge_in("draft")
    assert [u.username for u in pledger_users(member_pledge)] == ["dangyuan"]
    assert [u.username for u in reviewers_of(member_pledge)] == ["shuji"]
    org = org_pledge_in("draft")
    assert sorted(u.username for u in pledger_users(org)) == ["ganshi", "shuji"]
    assert sorted(u.username for u in reviewers_of(org)) == ["county", "town"]
    oral = oral_pledge_in("draft")
    assert sorted(u.username for u in pledger_users(oral)) == ["ganshi", "shuji"]


def test_marking_read(world, run_on_commit):
    run_on_commit(
        lambda: [notify([world.member.user], kind="overdue", text=f"第{i}条", url="/", key=f"k{i}") for i in range(3)]
    )
    first = Notification.objects.filter(recipient=world.member.user).order_by("pk").first()
    assert services.notification_mark_read(user=world.secretary, notification_id=first.pk) == 0
    assert services.notification_mark_read(user=world.member.user, notification_id=first.pk) == 1
    assert services.notification_mark_read(user=world.member.user) == 2
    assert not Notification.objects.filter(read_at__isnull=True).exists()
