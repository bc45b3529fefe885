"""Public supervision from a board: protected without a login, answered and published without personal data."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from commitments.models import Notification, Opinion
from disclosure import services
from disclosure.models import SupervisionReport
from organizations.permissions import Role
from tests.factories import UserFactory, grant


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def post(client, code="CA1", REMOTE_ADDR="127.0.0.1", **data):  # noqa: N803 (the WSGI name)
    payload = {
        "kind": "supervision",
        "item": "",
        "text": "村口的路灯坏了很久没人修",
        "name": "",
        "phone": "",
        "website": "",
    }
    payload.update(data)
    return client.post(reverse("disclosure:supervise", args=[code]), payload, REMOTE_ADDR=REMOTE_ADDR)


def test_a_visitor_sends_a_report_and_gets_a_tracking_number(client, world):
    response = post(client, name="张大爷", phone="13912345678")
    assert response.status_code == 200
    report = SupervisionReport.objects.get()
    assert report.tracking_number in response.content.decode()
    assert report.due_on == timezone.localdate() + datetime.timedelta(days=7)
    assert report.phone == "13912345678"


def test_an_opinion_also_reaches_the_opinion_inbox(client, world):
    post(client, kind="opinion", text="建议在村里建一个图书角")
    opinion = Opinion.objects.get(text="建议在村里建一个图书角")
    assert opinion.channel == Opinion.Channel.ONLINE and SupervisionReport.objects.get().opinion == opinion


def test_report_about_one_published_item(client, world, published):
    pledge = published()
    item = pledge.items.first()
    post(client, item=str(item.pk), text="这项承诺没有看到进展")
    assert SupervisionReport.objects.get().item == item


def test_honeypot_keeps_nothing(client, world):
    response = post(client, website="http://spam.example")
    assert response.status_code == 200 and not SupervisionReport.objects.exists()


def test_csrf_is_enforced(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("disclosure:supervise", args=["CA1"]), {"text": "没有令牌的提交", "kind": "supervision"}
    )
    assert response.status_code == 403 and not SupervisionReport.objects.exists()


def test_length_limits(client, world):
    assert post(client, text="短").status_code == 400
    assert post(client, text="长" * 1001).status_code == 400
    assert not SupervisionReport.objects.exists()


def test_rate_limit_per_address(client, world):
    for n in range(5):
        assert post(client, text=f"第{n}条意见，内容足够长").status_code == 200
    response = post(client, text="第六条意见，内容足够长")
    assert response.status_code == 429 and "太频繁" in response.content.decode()
    assert SupervisionReport.objects.count() == 5


def test_a_flood_from_six_addresses_does_not_silence_a_genuine_citizen(
    client, world, django_capture_on_commit_callbacks
):
    """The reported attack: 6 addresses fill the board's hourly cap; the next citizen must still be heard."""
    for address in range(6):
        for n in range(services.RATE_PER_ADDRESS[0]):
            post(client, text=f"刷屏内容第{address}-{n}条", REMOTE_ADDR=f"10.0.0.{address}")
    assert SupervisionReport.objects.count() == services.RATE_PER_BOARD[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, text="村口的路灯坏了很久没人修", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200
    report = SupervisionReport.objects.get(text="村口的路灯坏了很久没人修")
    page = response.content.decode()
    assert report.tracking_number in page and "核对后按期答复" in page
    assert report.is_held and not report.is_overdue
    # The clerk sees it among the held ones, with one notice for the flood rather than one per report.
    held_notes = Notification.objects.filter(kind=Notification.Kind.SUPERVISION_NEW, text__contains="暂存待甄别")
    assert held_notes.filter(recipient=world.clerk).count() == 1
    client.force_login(world.clerk)
    inbox = reverse("disclosure:inbox", args=["CA1"])
    assert "村口的路灯坏了很久没人修" in client.get(inbox + "?status=held").content.decode()
    assert "村口的路灯坏了很久没人修" not in client.get(inbox + "?status=open").content.decode()
    client.post(inbox, {"report": report.pk, "action": "release"})
    report.refresh_from_db()
    assert not report.is_held and report.due_on == timezone.localdate() + datetime.timedelta(days=7)
    # 31 open reports now, 30 to a page: it is the last, on page 2.
    assert "村口的路灯坏了很久没人修" in client.get(inbox + "?status=open&page=2").content.decode()


def test_held_reports_can_be_discarded_and_are_never_flagged_overdue(client, world, monkeypatch):
    monkeypatch.setattr(services, "RATE_PER_BOARD", (1, 3600))
    post(client, text="第一条意见，内容足够长", REMOTE_ADDR="10.0.0.1")
    post(client, text="第二条刷屏内容足够长", REMOTE_ADDR="10.0.0.2")
    held = SupervisionReport.objects.get(text="第二条刷屏内容足够长")
    assert held.is_held
    assert services.flag_overdue_reports(today=timezone.localdate() + datetime.timedelta(days=30)) == 1
    held.refresh_from_db()
    assert held.flagged_at is None
    services.supervision_discard(report=held, by=world.clerk)
    held.refresh_from_db()
    assert held.is_discarded and held.discarded_by == world.clerk
    with pytest.raises(services.DomainError):
        services.supervision_answer(report=held, by=world.clerk, answer="不应答复")
    page = client.get(reverse("disclosure:track") + f"?number={held.tracking_number}").content.decode()
    assert "无效信息" in page


def test_only_the_organization_releases_or_discards(world, monkeypatch):
    from django.core.exceptions import PermissionDenied

    monkeypatch.setattr(services, "RATE_PER_BOARD", (1, 3600))
    services.supervision_submit(organization=world.tree.branch_a1, text="第一条留言内容", address="10.1.1.1")
    report = services.supervision_submit(organization=world.tree.branch_a1, text="暂存的留言内容", address="10.1.1.2")
    outsider = UserFactory()
    grant(outsider, Role.CLERK, world.tree.branch_a2)
    for action in (services.supervision_release, services.supervision_discard):
        with pytest.raises(PermissionDenied):
            action(report=report, by=outsider)
    report.refresh_from_db()
    assert report.is_held and not report.is_discarded


def test_answer_is_published_without_the_senders_name_or_phone(client, world):
    post(client, name="张大爷", phone="13912345678")
    report = SupervisionReport.objects.get()
    services.supervision_answer(report=report, by=world.secretary, answer="已联系电工，三天内修好。")
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert "村口的路灯坏了很久没人修" in page and "已联系电工" in page
    assert "13912345678" not in page and "张大爷" not in page
    track = client.get(reverse("disclosure:track") + f"?number={report.tracking_number}").content.decode()
    assert "已联系电工" in track and "13912345678" not in track and "张大爷" not in track


def test_only_the_organization_answers(world):
    report = services.supervision_submit(organization=world.tree.branch_a1, text="内容足够长的意见", address="1.2.3.4")
    stranger = UserFactory()
    grant(stranger, Role.SECRETARY, world.tree.branch_b1)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.supervision_answer(report=report, by=stranger, answer="不是我们的事")
    report.refresh_from_db()
    assert not report.is_answered


@pytest.mark.django_db(transaction=True)
def test_unanswered_reports_are_flagged_to_the_superior_once(world):
    report = services.supervision_submit(organization=world.tree.branch_a1, text="内容足够长的意见", address="1.2.3.4")
    later = report.due_on + datetime.timedelta(days=1)
    assert services.flag_overdue_reports(today=later) == 1
    assert services.flag_overdue_reports(today=later) == 0
    notes = Notification.objects.filter(kind=Notification.Kind.SUPERVISION_OVERDUE)
    assert set(notes.values_list("recipient", flat=True)) == {world.committee.pk}
    assert Notification.objects.filter(kind=Notification.Kind.SUPERVISION_NEW, recipient=world.secretary).exists()


def test_staff_inbox(client, world):
    services.supervision_submit(
        organization=world.tree.branch_a1, text="内容足够长的意见", address="1.2.3.4", name="李四", phone="13800000000"
    )
    client.force_login(world.secretary)
    page = client.get(reverse("disclosure:inbox", args=["CA1"])).content.decode()
    assert "内容足够长的意见" in page and "13800000000" in page
    report = SupervisionReport.objects.get()
    client.post(reverse("disclosure:inbox", args=["CA1"]), {"report": report.pk, "answer": "已处理"})
    report.refresh_from_db()
    assert report.answer == "已处理"
