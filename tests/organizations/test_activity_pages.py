"""The pages of the activity register: who opens what, what the list shows and filters, recording and correcting
in the browser's forms, attachments served privately, a member's participation on his page."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations import services
from organizations.models import Activity, ActivityKind
from organizations.permissions import Role
from tests.commitments.samples import PDF, image_bytes
from tests.factories import ActivityFactory, MemberFactory, UserFactory, grant

DAY = datetime.date(2025, 5, 20)


def kind(code):
    return ActivityKind.objects.get(code=code)


@pytest.fixture
def secretary(tree, user_with_role):
    return user_with_role(Role.SECRETARY, tree.branch_a1, full_name="李书记")


@pytest.fixture
def activity(tree, secretary):
    members = [MemberFactory(organization=tree.branch_a1, name=f"甲一党员{n}") for n in range(3)]
    return services.activity_record(
        organization=tree.branch_a1,
        by=secretary,
        kind=kind("pairing"),
        held_on=DAY,
        title="春节走访慰问结对帮扶对象",
        description="带去慰问金和米油。",
        participants_count=5,
        participants=members,
        quantity=2,
        amount=Decimal("3000"),
        beneficiaries=6,
        files=[SimpleUploadedFile("慰问照片.png", image_bytes()), SimpleUploadedFile("签到表.pdf", PDF)],
    )


# --- who opens what ------------------------------------------------------------------------------------------

WHO = {
    "secretary": lambda tree, u, m: u(Role.SECRETARY, tree.branch_a1),
    "clerk": lambda tree, u, m: u(Role.CLERK, tree.branch_a1),
    "committee_above": lambda tree, u, m: u(Role.COMMITTEE, tree.town_a),
    "member": lambda tree, u, m: m(tree.branch_a1).user,
    "member_elsewhere": lambda tree, u, m: m(tree.branch_a2).user,
    "sibling_secretary": lambda tree, u, m: u(Role.SECRETARY, tree.branch_a2),
    "outsider": lambda tree, u, m: u(Role.COMMITTEE, tree.other),
}
# list, detail, new, edit, attachment: 404 where the register is not theirs to read, 403 where they read but
# do not record.
EXPECTED = {
    "secretary": (200, 200, 200, 200, 200),
    "clerk": (200, 200, 200, 200, 200),
    "committee_above": (200, 200, 200, 200, 200),
    "member": (200, 200, 403, 403, 200),
    "member_elsewhere": (404, 404, 404, 404, 404),
    "sibling_secretary": (404, 404, 404, 404, 404),
    "outsider": (404, 404, 404, 404, 404),
}


def _urls(activity):
    return [
        reverse("organizations:activities", args=["CA1"]),
        activity.get_absolute_url(),
        reverse("organizations:activity_create", args=["CA1"]),
        reverse("organizations:activity_edit", args=[activity.pk]),
        reverse("organizations:activity_attachment", args=[activity.attachments.order_by("id").first().pk]),
    ]


@pytest.mark.parametrize("who", list(WHO))
def test_access_by_relation(client, tree, user_with_role, member_user, activity, who):
    client.force_login(WHO[who](tree, user_with_role, member_user))
    statuses = tuple(client.get(url).status_code for url in _urls(activity))
    assert statuses == EXPECTED[who]


def test_anonymous_visitors_are_sent_to_log_in(client, activity):
    for url in _urls(activity):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_writes_are_refused_without_the_right_and_change_nothing(client, tree, member_user, activity):
    client.force_login(member_user(tree.branch_a1).user)
    attachment = activity.attachments.first()
    for url in (
        reverse("organizations:activity_delete", args=[activity.pk]),
        reverse("organizations:activity_attachment_delete", args=[attachment.pk]),
        reverse("organizations:activity_attachments_add", args=[activity.pk]),
    ):
        assert client.post(url).status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists() and activity.attachments.count() == 2


# --- the list ------------------------------------------------------------------------------------------------


def test_the_list_shows_the_activities_and_totals_of_the_filter(client, tree, secretary, activity):
    ActivityFactory(
        organization=tree.branch_a1, title="三月集中学习", held_on=datetime.date(2025, 3, 10), participants_count=20
    )
    ActivityFactory(
        organization=tree.branch_a1, title="去年的学习", held_on=datetime.date(2024, 11, 10), participants_count=7
    )
    ActivityFactory(organization=tree.branch_a2, title="邻村的学习", participants_count=99)
    client.force_login(secretary)
    url = reverse("organizations:activities", args=["CA1"])
    page = client.get(url).content.decode()
    assert "春节走访慰问结对帮扶对象" in page and "三月集中学习" in page and "邻村的学习" not in page
    assert "2025年5月20日" in page and "帮扶金额 3000 元" in page and "结对对象 2 个" in page
    assert "附件 2 个" in page and "党员 3 人" in page
    totals = client.get(url).context["totals"]
    assert (totals.activities, totals.participants, totals.amount, totals.beneficiaries) == (3, 32, Decimal("3000"), 6)

    response = client.get(url, {"kind": "study", "year": "2025"})
    assert [a.title for a in response.context["page"].object_list] == ["三月集中学习"]
    assert response.context["totals"].participants == 20 and "符合条件的" in response.content.decode()
    response = client.get(url, {"start": "2024-11-01", "end": "2025-03-31"})
    assert [a.title for a in response.context["page"].object_list] == ["三月集中学习", "去年的学习"]
    response = client.get(url, {"q": "走访"})
    assert [a.title for a in response.context["page"].object_list] == ["春节走访慰问结对帮扶对象"]
    assert [y for y, _ in response.context["form"].fields["year"].choices] == ["", "2025", "2024"]
    response = client.get(url, {"start": "2025-06-01", "end": "2025-01-01"})
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_a_committee_sees_its_subtree_with_the_organizations_named(client, tree, user_with_role, activity):
    ActivityFactory(organization=tree.branch_a2, title="二村的学习")
    ActivityFactory(organization=tree.town_a, title="全镇辅导报告", code="lecture")
    ActivityFactory(organization=tree.branch_b1, title="乙镇的学习")
    client.force_login(user_with_role(Role.COMMITTEE, tree.town_a))
    url = reverse("organizations:activities", args=["CA"])
    response = client.get(url)
    titles = {a.title for a in response.context["page"].object_list}
    assert titles == {"春节走访慰问结对帮扶对象", "二村的学习", "全镇辅导报告"}
    assert "甲镇二村党支部" in response.content.decode()
    response = client.get(url, {"scope": "own"})
    assert [a.title for a in response.context["page"].object_list] == ["全镇辅导报告"]


def test_empty_states_say_what_to_do(client, tree, secretary, member_user):
    client.force_login(secretary)
    page = client.get(reverse("organizations:activities", args=["CA1"])).content.decode()
    assert "还没有活动记实" in page and "记录活动" in page and "Excel" in page
    page = client.get(reverse("organizations:activities", args=["CA1"]), {"kind": "donation"}).content.decode()
    assert "没有符合条件的活动记实" in page and "清除筛选" in page
    client.force_login(member_user(tree.branch_a1).user)
    page = client.get(reverse("organizations:activities", args=["CA1"])).content.decode()
    assert "本组织还没有活动记实" in page and reverse("organizations:activity_create", args=["CA1"]) not in page


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _many(tree, n, start=0):
    members = list(tree.branch_a1.members.all()[:3])
    for i in range(start, start + n):
        ActivityFactory(
            organization=tree.branch_a1 if i % 2 else tree.branch_a2,
            title=f"活动{i}",
            code=("study", "pairing", "publicity_board")[i % 3],
            held_on=DAY - datetime.timedelta(days=i),
            participants=members if i % 2 else (),
        )


def test_the_list_queries_do_not_grow_with_its_rows(client, tree, user_with_role, django_assert_max_num_queries):
    for _ in range(3):
        MemberFactory(organization=tree.branch_a1)
    client.force_login(user_with_role(Role.COMMITTEE, tree.town_a))
    url = reverse("organizations:activities", args=["CA"])
    _many(tree, 3)
    few = _count(client, url)
    _many(tree, 40, start=3)
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= 16


def test_the_detail_queries_do_not_grow_with_participants(client, tree, secretary, django_assert_max_num_queries):
    few = ActivityFactory(organization=tree.branch_a1, participants=[MemberFactory(organization=tree.branch_a1)])
    many = ActivityFactory(
        organization=tree.branch_a1,
        participants=[MemberFactory(organization=tree.branch_a1) for _ in range(30)],
        participants_count=30,
    )
    client.force_login(secretary)
    baseline = _count(client, few.get_absolute_url())
    with django_assert_max_num_queries(baseline):
        client.get(many.get_absolute_url())


# --- recording and correcting --------------------------------------------------------------------------------


def test_recording_in_the_form(client, tree, secretary):
    members = [MemberFactory(organization=tree.branch_a1, name=f"党员{n}") for n in range(3)]
    client.force_login(secretary)
    url = reverse("organizations:activity_create", args=["CA1"])
    page = client.get(url).content.decode()
    assert "党员0" in page and "activity-kind-measures" in page and "记录活动" in page
    response = client.post(
        url,
        {
            "kind": kind("volunteer").pk,
            "held_on": "2025-06-01",
            "title": "汛期巡堤查险志愿服务",
            "description": "分三组巡堤。",
            "participants_count": "8",
            "participants": [m.pk for m in members[:2]],
            "files": [SimpleUploadedFile("现场.jpg", image_bytes("JPEG"))],
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.participants.count() == 2 and activity.attachments.get().kind == "jpg"
    detail = client.get(activity.get_absolute_url()).content.decode()
    assert "已记录活动“汛期巡堤查险志愿服务”" in detail and "党员0" in detail and "现场.jpg" in detail
    assert "办理过程" in detail and "创建" in detail


def test_a_refused_form_keeps_what_was_typed_and_says_why(client, tree, secretary):
    members = [MemberFactory(organization=tree.branch_a1, name=f"党员{n}") for n in range(3)]
    client.force_login(secretary)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("organizations:activity_create", args=["CA1"]),
        {
            "kind": kind("study").pk,
            "held_on": tomorrow.isoformat(),
            "title": "还没开的学习会",
            "participants_count": "1",
            "participants": [m.pk for m in members],
            "amount": "200",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "活动日期不能晚于今天" in page and "参加人次（1）不能少于所选参加党员的人数（3人）" in page
    assert "“理论学习”类活动不填金额" in page
    assert 'value="还没开的学习会"' in page and "checked" in page
    # The kind's measure that was filled stays visible with its error; the others of study are hidden.
    assert page.count("activity-measure d-none") == 2


def test_the_measures_are_labelled_as_the_kind_calls_them(client, tree, secretary):
    client.force_login(secretary)
    response = client.post(
        reverse("organizations:activity_create", args=["CA1"]),
        {"kind": kind("publicity_board").pk, "held_on": "2025-06-01", "title": "", "participants_count": "0"},
    )
    page = response.content.decode()
    assert "制作宣传板块（块）" in page and page.count("activity-measure d-none") == 2
    assert response.context["form"].kind_measures()[str(kind("pairing").pk)] == {
        "quantity": "结对对象（个）",
        "amount": "帮扶金额（元）",
        "beneficiaries": "帮扶困难群众（人）",
    }


def test_correcting_in_the_form(client, tree, secretary, activity):
    client.force_login(secretary)
    url = reverse("organizations:activity_edit", args=[activity.pk])
    page = client.get(url).content.decode()
    assert 'value="春节走访慰问结对帮扶对象"' in page and page.count("checked") == 3
    data = {
        "kind": kind("pairing").pk,
        "held_on": "2025-05-21",
        "title": "春节走访慰问",
        "participants_count": "5",
        "participants": [m.pk for m in activity.participants.all()[:1]],
        "quantity": "2",
        "amount": "3500",
        "beneficiaries": "6",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.amount, activity.participants.count()) == ("春节走访慰问", Decimal("3500"), 1)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "调整参加党员" in page and "修改了" in page


def test_deleting_from_the_page(client, tree, secretary, activity):
    client.force_login(secretary)
    response = client.post(reverse("organizations:activity_delete", args=[activity.pk]))
    assert response["Location"] == reverse("organizations:activities", args=["CA1"])
    assert not Activity.objects.exists()


# --- attachments ---------------------------------------------------------------------------------------


def test_attachments_are_served_from_their_checked_kind(client, tree, member_user, activity):
    client.force_login(member_user(tree.branch_a1).user)
    photo, sheet = activity.attachments.order_by("id")
    response = client.get(reverse("organizations:activity_attachment", args=[photo.pk]))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.get("Content-Disposition", "")
    response = client.get(reverse("organizations:activity_attachment", args=[sheet.pk]))
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_uploading_and_removing_attachments_on_the_page(client, tree, secretary, activity):
    client.force_login(secretary)
    url = reverse("organizations:activity_attachments_add", args=[activity.pk])
    response = client.post(url, {"files": [SimpleUploadedFile("说明.txt", b"just text")]}, follow=True)
    assert "类型不支持" in response.content.decode() and activity.attachments.count() == 2
    response = client.post(url, {"files": [SimpleUploadedFile("合影.jpg", image_bytes("JPEG"))]}, follow=True)
    assert "已上传 1 个附件" in response.content.decode() and activity.attachments.count() == 3
    first = activity.attachments.order_by("id").first()
    response = client.post(reverse("organizations:activity_attachment_delete", args=[first.pk]), follow=True)
    assert "已删除附件“慰问照片.png”" in response.content.decode() and activity.attachments.count() == 2


# --- links and a member's participation --------------------------------------------------------------------


def test_the_organization_page_links_to_its_register(client, tree, member_user):
    client.force_login(member_user(tree.branch_a1).user)
    page = client.get(reverse("organizations:detail", args=["CA1"])).content.decode()
    assert reverse("organizations:activities", args=["CA1"]) in page


def test_a_member_page_lists_the_activities_he_took_part_in(client, tree, secretary, member_user):
    member = member_user(tree.branch_a1)
    for n in range(10):
        ActivityFactory(
            organization=tree.branch_a1,
            title=f"第{n}次学习",
            held_on=DAY - datetime.timedelta(days=n),
            participants=[member],
        )
    ActivityFactory(organization=tree.branch_a1, title="没去的学习", participants=[])
    ActivityFactory(organization=tree.branch_b1, title="流动时参加的学习", participants=[member], held_on=DAY)
    client.force_login(member.user)
    page = client.get(member.get_absolute_url()).content.decode()
    assert "参加的活动" in page and "第0次学习" in page and "第7次学习" in page and "第8次学习" not in page
    assert "没去的学习" not in page and "流动时参加的学习" not in page  # not his organization's register
    assert "查看全部参加的活动" in page
    page = client.get(reverse("organizations:member_activities", args=[member.pk])).content.decode()
    assert "第9次学习" in page and "第0次学习" in page
    # The committee above reads it too; a stranger does not.
    town = UserFactory()
    grant(town, Role.COMMITTEE, tree.county)
    client.force_login(town)
    assert (
        "流动时参加的学习" in client.get(reverse("organizations:member_activities", args=[member.pk])).content.decode()
    )
    client.force_login(UserFactory())
    assert client.get(reverse("organizations:member_activities", args=[member.pk])).status_code == 404


def test_the_member_page_stays_flat(client, tree, secretary, django_assert_max_num_queries):
    member = MemberFactory(organization=tree.branch_a1)
    ActivityFactory(organization=tree.branch_a1, participants=[member])
    client.force_login(secretary)
    baseline = _count(client, member.get_absolute_url())
    for n in range(15):
        ActivityFactory(organization=tree.branch_a1, participants=[member], code=("study", "pairing")[n % 2])
    with django_assert_max_num_queries(baseline):
        client.get(member.get_absolute_url())
