"""日常记实: the member writes his own record once a month, the secretary comments, missing records are listed."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments.models import Notification
from evaluations import selectors
from evaluations.models import MonthlyRecord
from evaluations.services import records as services
from organizations.errors import DomainError
from organizations.models import Member
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def this_month():
    return timezone.localdate().replace(day=1)


def last_month():
    return (this_month() - datetime.timedelta(days=1)).replace(day=1)


def save(member, text="本月走访困难户3户，帮助办理低保1件。", month=None, by=None):
    return services.monthly_record_save(member=member, by=by or member.user, month=month or this_month(), text=text)


def test_member_writes_and_rewrites_his_record_of_a_month(world):
    r = save(world.member, month=timezone.localdate())
    assert (r.member, r.month, r.is_published) == (world.member, this_month(), True)
    save(world.member, text="更新后的记实。")
    assert MonthlyRecord.objects.get().text == "更新后的记实。"
    save(world.member, month=last_month())
    assert MonthlyRecord.objects.count() == 2


def test_future_months_and_empty_text_are_refused(world):
    next_month = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(DomainError) as err:
        save(world.member, month=next_month)
    assert "本月或以前" in str(err.value)
    with pytest.raises(DomainError):
        save(world.member, text="  ")
    assert not MonthlyRecord.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee", "other_member"])
def test_only_the_member_himself_writes(world, people, who):
    users = {
        "secretary": world.secretary,
        "clerk": world.clerk,
        "committee": world.committee,
        "other_member": people.sibling_member.user,
    }
    with pytest.raises(PermissionDenied) as err:
        save(world.member, by=users[who])
    assert "党员本人" in str(err.value)
    assert not MonthlyRecord.objects.exists()


def test_secretary_comments_and_the_member_is_told(world, run_on_commit):
    r = save(world.member)
    run_on_commit(services.monthly_record_comment, record=r, by=world.secretary, comment="记实具体，继续保持。")
    r.refresh_from_db()
    assert (r.comment, r.commented_by) == ("记实具体，继续保持。", world.secretary)
    assert "继续保持" in Notification.objects.get(recipient=world.member.user).text
    with pytest.raises(DomainError) as err:
        save(world.member, text="改一改")
    assert "已经点评" in str(err.value)
    assert MonthlyRecord.objects.get().text != "改一改"


@pytest.mark.parametrize("who", ["himself", "clerk", "sibling_secretary", "committee", "member"])
def test_refused_comments_change_nothing(world, people, who):
    subject = world.secretary_member if who == "himself" else world.member
    r = save(subject)
    users = {
        "himself": world.secretary,
        "clerk": world.clerk,
        "sibling_secretary": people.sibling_secretary,
        "committee": world.committee,
        "member": world.member.user,
    }
    with pytest.raises(PermissionDenied):
        services.monthly_record_comment(record=r, by=users[who], comment="好")
    assert MonthlyRecord.objects.get().comment == ""


def test_empty_comment_is_refused(world):
    r = save(world.member)
    with pytest.raises(DomainError):
        services.monthly_record_comment(record=r, by=world.secretary, comment=" ")


def test_missing_records_match_a_plain_query(world, branch_members):
    t = world.tree
    members = branch_members(4) + branch_members(2, t.branch_a2)
    MemberFactory(organization=t.branch_a1, is_exempt=True)
    MemberFactory(organization=t.branch_a1, is_active=False)
    for m in members[:2] + members[4:5]:
        save(m)
    save(members[2], month=last_month())  # another month does not count
    for org in (t.branch_a1, t.town_a, t.county):
        due = Member.objects.filter(organization__path__startswith=org.path, is_active=True, is_exempt=False)
        written = set(MonthlyRecord.objects.filter(month=this_month()).values_list("member_id", flat=True))
        expected_missing = {m.pk for m in due if m.pk not in written}
        assert {m.pk for m in selectors.missing_records(org=org, month=timezone.localdate())} == expected_missing
        assert selectors.record_counts(org=org, month=this_month()) == (
            due.count(),
            due.count() - len(expected_missing),
        )


def test_member_page_keeps_input_and_saves(client, world):
    client.force_login(world.member.user)
    url = reverse("evaluations:record_mine")
    assert "记实内容" in client.get(url).content.decode()
    response = client.post(url, {"month": f"{this_month():%Y-%m}", "text": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"month": f"{last_month():%Y-%m}", "text": "组织党员学习一次。", "is_published": "on"})
    assert response.status_code == 302
    r = MonthlyRecord.objects.get()
    assert r.month == last_month() and r.is_published
    page = client.get(url + f"?month={last_month():%Y-%m}").content.decode()
    assert "组织党员学习一次。" in page


def test_secretary_page_lists_missing_and_comments(client, world, branch_members):
    a, b = branch_members(2)
    save(a)
    client.force_login(world.secretary)
    url = reverse("evaluations:record_org", args=["CA1"])
    page = client.get(url).content.decode()
    assert "1/4" in page and b.name in page and world.member.name in page
    response = client.post(
        reverse("evaluations:record_comment", args=[MonthlyRecord.objects.get().pk]), {"comment": "很好"}
    )
    assert response.status_code == 302
    assert MonthlyRecord.objects.get().comment == "很好"
    client.force_login(world.member.user)
    assert client.get(url).status_code == 403


def test_record_pages_are_flat(client, world, django_assert_max_num_queries):
    old_months = itertools.count()

    def add(n):
        for _ in range(n):
            m = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
            services.monthly_record_save(member=m, by=m.user, month=this_month(), text="记实")
            MemberFactory(organization=world.tree.branch_a1)  # one who did not write
            k = next(old_months)
            MonthlyRecord.objects.create(
                member=world.member, month=datetime.date(1960 + k // 12, k % 12 + 1, 1), text="旧"
            )

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add(10)
    client.force_login(world.secretary)
    url = reverse("evaluations:record_org", args=["CA1"])
    small = count(url)
    add(40)
    with django_assert_max_num_queries(small):
        client.get(url)
    client.force_login(world.member.user)
    url = reverse("evaluations:record_mine")
    small = count(url)
    add(10)
    with django_assert_max_num_queries(small):
        client.get(url)


def test_reminder_goes_once_a_month_to_members_who_have_not_written(world, branch_members, run_on_commit):
    a, b = branch_members(2)
    save(a)
    MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), is_exempt=True)
    MemberFactory(organization=world.tree.branch_a1)  # no account: nobody to tell
    assert run_on_commit(services.remind_monthly_records) == 3  # b, world.member and the secretary
    run_on_commit(services.remind_monthly_records)
    reminded = set(Notification.objects.filter(kind="record_due").values_list("recipient_id", flat=True))
    assert reminded == {b.user_id, world.member.user_id, world.secretary.pk}
    assert Notification.objects.filter(kind="record_due").count() == 3
