"""The pledge and its items keep their history in django-simple-history: the tick-off is a state machine, the
pledge page shows both timelines in a constant number of queries, and the old status-change rows became
history records (the data migration's function)."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments import services
from commitments.models import Pledge, PledgeItem
from organizations.audit import timeline
from organizations.errors import DomainError
from organizations.transitions import available, take
from tests.factories import MemberFactory, UserFactory
from tests.history import changes, transitions

from .conftest import fresh

migration = importlib.import_module("commitments.migrations.0008_status_changes_to_history")


def _refused(item, name, user, error):
    before = (item.state, item.history.count())
    with pytest.raises(error):
        take(item, name, user)
    item = PledgeItem.objects.get(pk=item.pk)
    assert (item.state, item.history.count()) == before


def test_the_tick_off_is_refused_from_the_wrong_state_and_without_permission(world, people, pledge_in):
    pledge = pledge_in("published", n=1)
    it = pledge.items.get()
    _refused(it, "confirm_tick_off", world.secretary, DomainError)  # nothing asked yet
    _refused(it, "refuse_tick_off", world.secretary, DomainError)
    _refused(it, "request_tick_off", world.secretary, PermissionDenied)  # the pledging side asks
    _refused(it, "request_tick_off", people.sibling_secretary, PermissionDenied)
    assert available(it, world.member.user, "state") == {"request_tick_off"}
    assert available(it, world.secretary, "state") == set()
    services.item_request_tick_off(item=it, by=world.member.user, note="已完成。")
    it = fresh(it)
    _refused(it, "request_tick_off", world.member.user, DomainError)
    _refused(it, "confirm_tick_off", world.member.user, PermissionDenied)  # the reviewing side confirms
    assert available(it, world.secretary, "state") == {"confirm_tick_off", "refuse_tick_off"}


def test_no_tick_off_before_publication(world, pledge_in):
    it = pledge_in("signed", n=1).items.get()
    _refused(it, "request_tick_off", world.member.user, DomainError)
    assert available(it, world.member.user, "state") == set()


def test_each_tick_off_step_is_recorded_with_its_note(world, pledge_in):
    pledge = pledge_in("published", n=1)
    it = pledge.items.get()
    services.item_request_tick_off(item=it, by=world.member.user, note="路灯已装好。")
    services.item_refuse_tick_off(item=it, by=world.secretary, reason="还差两盏。")
    services.item_request_tick_off(item=it, by=world.member.user, note="全部装好。")
    services.item_confirm_tick_off(item=it, by=world.secretary)
    assert [(c.label, c.before, c.after, c.by, c.comment) for c in transitions(fresh(it), "state")] == [
        ("申请销号", "in_progress", "tick_requested", "dangyuan", "路灯已装好。"),
        ("不予销号", "tick_requested", "in_progress", "shuji", "还差两盏。"),
        ("申请销号", "in_progress", "tick_requested", "dangyuan", "全部装好。"),
        ("确认销号", "tick_requested", "ticked_off", "shuji", ""),
    ]
    assert [c.label for c in transitions(fresh(pledge))][-1] == "全部事项销号"


def test_the_pledge_timeline_shows_who_what_when(world, pledge_in):
    pledge = pledge_in("returned", n=1)
    entries = timeline(pledge, world.secretary)
    pledger = world.member.user.get_full_name()
    assert [(e.action, e.by, e.change, e.note) for e in entries] == [
        ("起草承诺书", pledger, "", ""),
        ("提交审核", pledger, "草拟 → 待审", ""),
        ("退回修改", "李书记", "待审 → 退回修改", "请把措施写具体。"),
    ]
    assert all(e.at <= timezone.now() for e in entries)


def test_the_pledge_page_shows_both_timelines_and_the_tick_off_buttons_its_transitions_allow(client, world, pledge_in):
    pledge = pledge_in("published", n=2)
    first, second = pledge.items.order_by("position")
    services.item_request_tick_off(item=first, by=world.member.user, note="第一项已完成。")
    url = reverse("commitments:pledge_detail", args=[pledge.pk])
    client.force_login(world.secretary)
    page = client.get(url).content.decode()
    assert "办理过程" in page and "提交审核" in page and "草拟 → 待审" in page and "公示" in page
    assert "办理记录（2）" in page and "第一项已完成。" in page  # the first item: created, then asked
    assert page.count(">确认销号</button>") == 1 and page.count(">不予销号</button>") == 1
    assert "申请销号</a>" not in page
    client.force_login(world.member.user)
    page = client.get(url).content.decode()
    assert page.count("申请销号</a>") == 1 and ">确认销号</button>" not in page


def test_the_pledge_page_takes_the_same_queries_with_more_items_and_more_history(client, world, pledge_in):
    def count(pledge):
        client.force_login(world.secretary)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("commitments:pledge_detail", args=[pledge.pk])).status_code == 200
        return len(ctx.captured_queries)

    def ticked(member, n):
        pledge = pledge_in("published", member=member, n=n)
        for it in pledge.items.all():
            services.item_request_tick_off(item=it, by=member.user, note="完成。")
        return pledge

    small = count(ticked(world.member, 2))
    big = ticked(MemberFactory(organization=world.tree.branch_a1, user=UserFactory()), 8)
    assert count(big) <= small


# --- the data migration: StatusChange rows become history records ----------------------------------------------


def _change(pledge, to_status, by, at, action, comment="", pk=1):
    return SimpleNamespace(
        pk=pk,
        pledge_id=pledge.pk,
        from_status="",
        to_status=to_status,
        action=action,
        by_id=by.pk,
        at=at,
        comment=comment,
    )


def test_status_changes_name_the_history_records_their_transitions_saved(world, pledge_in):
    pledge = pledge_in("submitted", n=1)
    submitted = pledge.history.get(status="submitted")
    submitted.history_change_reason = None  # as the services left it before the migration
    submitted.save()
    rows = [_change(pledge, "submitted", world.member.user, submitted.history_date, "提交审核", "请审核。")]
    assert migration.history_from_changes(rows, Pledge, Pledge.history.model) == (1, 0)
    submitted = pledge.history.get(history_id=submitted.history_id)
    assert submitted.history_change_reason == "提交审核\n请审核。"
    assert pledge.history.count() == 3  # nothing added


def test_status_changes_without_a_history_record_get_one_of_their_own(world, pledge_in):
    pledge = pledge_in("draft", n=1)
    Pledge.history.filter(id=pledge.pk).delete()  # written in bulk, without history
    at = timezone.now() - datetime.timedelta(days=3)
    rows = [
        _change(pledge, "submitted", world.member.user, at, "提交审核", pk=1),
        _change(pledge, "returned", world.secretary, at + datetime.timedelta(days=1), "退回修改", "写具体。", pk=2),
    ]
    assert migration.history_from_changes(rows, Pledge, Pledge.history.model) == (0, 2)
    assert [(c.label, c.after, c.by, c.comment) for c in changes(pledge)] == [
        ("提交审核", "submitted", "dangyuan", ""),
        ("退回修改", "returned", "shuji", "写具体。"),
    ]
    record = pledge.history.order_by("history_date").last()
    assert record.history_date == at + datetime.timedelta(days=1) and record.revision == pledge.revision


def test_old_tick_offs_are_named_by_the_migration(world, pledge_in):
    it = pledge_in("published", n=1).items.get()
    services.item_request_tick_off(item=it, by=world.member.user, note="已完成。")
    services.item_confirm_tick_off(item=it, by=world.secretary)
    PledgeItem.history.filter(id=it.pk).update(history_change_reason=None)
    assert migration.name_item_tick_offs(PledgeItem.history.model) == 2
    assert [(c.label, c.comment) for c in transitions(it, "state")] == [("申请销号", "已完成。"), ("确认销号", "")]
