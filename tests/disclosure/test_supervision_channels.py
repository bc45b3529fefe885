"""Every supervision channel (issue 13 §6): complaints by phone, 意见箱, letter or SMS logged by the clerk into the
same tracked inbox as those from the board — same 7-day deadline counted from the day received, same tracking
number, same publication rules without personal data, same escalation to the superior when overdue."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from commitments.models import Notification, Opinion
from disclosure import services
from disclosure.models import SupervisionReport
from organizations.errors import DomainError
from organizations.permissions import Role
from tests.factories import UserFactory, grant

TODAY = datetime.date(2025, 6, 16)
OFFLINE = ["phone", "box", "letter", "sms"]


@pytest.fixture
def june(time_machine):
    time_machine.move_to("2025-06-16T10:00:00+08:00")  # inside the 2025 campaign


def log(world, **extra):
    data = {
        "organization": world.tree.branch_a1,
        "by": world.clerk,
        "channel": "phone",
        "received_on": TODAY,
        "text": "村东头的水渠堵了，请党支部协调疏通",
    }
    data.update(extra)
    return services.supervision_log(**data)


@pytest.mark.parametrize("channel", OFFLINE)
def test_each_offline_channel_is_logged_into_the_inbox(client, world, june, channel):
    """篇六's 群众监督 is not only online: each channel is logged, tracked and shown in the inbox."""
    report = log(world, channel=channel)
    assert report.channel == channel and report.logged_by == world.clerk
    assert report.tracking_number.startswith("JD") and not report.is_held
    assert report.due_on == TODAY + datetime.timedelta(days=7)
    client.force_login(world.clerk)
    page = client.get(reverse("disclosure:inbox", args=["CA1"])).content.decode()
    label = SupervisionReport.Channel(channel).label
    assert report.tracking_number in page and f">{label}<" in page and "2025年6月16日收到" in page


def test_the_form_logs_and_gives_a_receipt_with_the_tracking_number(client, world, june):
    client.force_login(world.clerk)
    url = reverse("disclosure:log", args=["CA1"])
    page = client.get(url).content.decode()
    assert "登记线下意见" in page and 'value="2025-06-16"' in page
    response = client.post(
        url,
        {
            "channel": "letter",
            "received_on": "2025-06-12",
            "kind": "supervision",
            "item": "",
            "text": "来信反映低保评定不公开",
            "name": "赵老汉",
            "phone": "13911112222",
        },
    )
    report = SupervisionReport.objects.get()
    assert (
        response.status_code == 302
        and response.url == reverse("disclosure:log", args=["CA1"]) + f"?receipt={report.pk}"
    )
    receipt = client.get(response.url).content.decode()
    assert report.tracking_number in receipt and "来信" in receipt and "2025年6月19日" in receipt
    assert "赵老汉" not in receipt and "13911112222" not in receipt


def test_the_form_keeps_input_on_error(client, world, june):
    client.force_login(world.clerk)
    response = client.post(
        reverse("disclosure:log", args=["CA1"]),
        {"channel": "sms", "received_on": "2025-06-20", "kind": "opinion", "text": "短信反映的内容足够长"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "收到日期不能晚于今天" in page and "短信反映的内容足够长" in page
    assert not SupervisionReport.objects.exists()


def test_due_date_counts_from_the_day_received(world, june):
    """The 7 days run from the day the call or letter reached the organization, not from the day it was typed in."""
    report = log(world, received_on=datetime.date(2025, 6, 10))
    assert report.due_on == datetime.date(2025, 6, 17) == services.answer_due(report.received_on)
    online = services.supervision_submit(
        organization=world.tree.branch_a1, text="网上留言内容足够长", address="1.1.1.1"
    )
    assert online.channel == "online" and online.received_on == TODAY and online.due_on == services.answer_due(TODAY)


def test_refuses_the_online_channel_a_future_or_an_ancient_date(world, june):
    for extra in (
        {"channel": "online"},
        {"channel": "fax"},
        {"received_on": TODAY + datetime.timedelta(days=1)},
        {"received_on": TODAY - datetime.timedelta(days=400)},
        {"text": "短"},
        {"phone": "12345"},
    ):
        with pytest.raises(DomainError):
            log(world, **extra)
    assert not SupervisionReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_overdue_offline_reports_are_escalated_like_online_ones(world, time_machine):
    """Unanswered past the deadline, a letter is flagged to the superior exactly as an online report is."""
    time_machine.move_to("2025-06-16T10:00:00+08:00")
    letter = log(world, channel="letter", received_on=datetime.date(2025, 6, 1))
    online = services.supervision_submit(
        organization=world.tree.branch_a1, text="网上留言内容足够长", address="1.1.1.1"
    )
    assert letter.is_overdue and not online.is_overdue
    assert services.flag_overdue_reports() == 1
    notes = Notification.objects.filter(kind=Notification.Kind.SUPERVISION_OVERDUE)
    assert list(notes.values_list("recipient", flat=True)) == [world.committee.pk]
    assert letter.tracking_number in notes.get().text
    assert services.flag_overdue_reports(today=online.due_on + datetime.timedelta(days=1)) == 1


def test_overdue_offline_report_is_listed_as_overdue(client, world, june):
    report = log(world, received_on=datetime.date(2025, 6, 2))
    client.force_login(world.secretary)
    page = client.get(reverse("disclosure:inbox", args=["CA1"]) + "?status=overdue").content.decode()
    assert report.tracking_number in page and "已超期" in page


def test_only_those_who_answer_may_log(client, world, june):
    """Permission as for answering: the clerk, the secretary, a superior committee; not a sibling, not a member."""
    sibling = UserFactory()
    grant(sibling, Role.CLERK, world.tree.branch_a2)
    for outsider in (sibling, world.member.user):
        with pytest.raises(PermissionDenied):
            log(world, by=outsider)
    assert not SupervisionReport.objects.exists()
    assert log(world, by=world.committee).logged_by == world.committee
    client.force_login(sibling)
    assert client.get(reverse("disclosure:log", args=["CA1"])).status_code in (403, 404)
    client.force_login(world.member.user)
    assert client.post(reverse("disclosure:log", args=["CA1"]), {"channel": "phone"}).status_code in (403, 404)
    assert SupervisionReport.objects.count() == 1


def test_channel_and_answer_are_public_but_not_the_complainant(client, world, june):
    report = log(world, channel="sms", name="钱大妈", phone="13922223333")
    services.supervision_answer(report=report, by=world.secretary, answer="已安排人员疏通水渠。")
    board = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert "村东头的水渠堵了" in board and "已安排人员疏通水渠" in board and "短信" in board
    track = client.get(reverse("disclosure:track") + f"?number={report.tracking_number}").content.decode()
    assert "已安排人员疏通水渠" in track and "短信收到" in track
    for page in (board, track):
        assert "钱大妈" not in page and "13922223333" not in page


def test_an_opinion_by_phone_joins_the_opinion_inbox(world, june):
    report = log(world, kind="opinion", channel="box", text="建议在村部设一个图书角")
    assert report.opinion.channel == Opinion.Channel.BOX and report.opinion.received_on == TODAY
    phoned = log(world, kind="opinion", channel="phone", text="建议增加一盏路灯照明")
    assert phoned.opinion.text == "建议增加一盏路灯照明" and phoned.opinion.channel == Opinion.Channel.PHONE
    written = log(world, kind="opinion", channel="letter", text="建议村里办一期电商培训")
    assert written.opinion.channel == Opinion.Channel.LETTER and written.opinion.get_channel_display() == "来信"
    assert phoned.opinion.created_by == world.clerk


def test_inbox_query_count_is_flat(client, world, june, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log(world)
    client.force_login(world.clerk)
    url = reverse("disclosure:inbox", args=["CA1"]) + "?status=all"
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for n in range(8):
        log(world, channel=OFFLINE[n % 4], text=f"第{n}条线下意见，内容足够长")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200


def test_received_on_of_online_reports_is_the_local_day(world):
    report = services.supervision_submit(
        organization=world.tree.branch_a1, text="网上留言内容足够长", address="1.1.1.2"
    )
    assert report.received_on == timezone.localdate()
