"""日常活动记实: recording, correcting and deleting an organization's activities, and their attachments. Who may
(the branch's secretary and clerk, the committees above; nobody else), and every rule of the register."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from organizations import services
from organizations.audit import timeline
from organizations.errors import DomainError
from organizations.models import Activity, ActivityAttachment, ActivityKind
from organizations.permissions import Role, may
from tests.commitments.samples import PDF, image_bytes, upload
from tests.factories import ActivityFactory, MemberFactory, UserFactory, grant

DAY = datetime.date(2025, 5, 20)


def kind(code):
    return ActivityKind.objects.get(code=code)


def record(org, by, **extra):
    fields = {
        "organization": org,
        "by": by,
        "kind": kind("study"),
        "held_on": DAY,
        "title": "学习贯彻全国两会精神集中学习",
        "description": "支部书记领学。",
        "participants_count": 12,
        **extra,
    }
    return services.activity_record(**fields)


@pytest.fixture
def secretary(tree, user_with_role):
    return user_with_role(Role.SECRETARY, tree.branch_a1, full_name="李书记")


@pytest.fixture
def roster(tree):
    return [MemberFactory(organization=tree.branch_a1, name=f"甲一党员{n}") for n in range(4)]


# --- recording -----------------------------------------------------------------------------------------------


def test_the_secretary_records_an_activity_with_members_of_the_roster(tree, secretary, roster):
    activity = record(tree.branch_a1, secretary, participants=roster[:3], title="  两会精神学习  ")
    activity.refresh_from_db()
    assert (activity.organization, activity.kind.code, activity.held_on, activity.title) == (
        tree.branch_a1,
        "study",
        DAY,
        "两会精神学习",
    )
    assert activity.recorded_by == secretary and activity.participants_count == 12
    assert set(activity.participants.all()) == set(roster[:3])
    created = activity.history.get()
    assert created.history_type == "+" and created.history_user == secretary
    # The creation record keeps who took part (simple-history's participants of a record).
    assert {m.member_id for m in created.participants.all()} == {m.pk for m in roster[:3]}
    assert [e.action for e in timeline(activity, secretary)] == ["创建"]


@pytest.mark.parametrize(
    "role, where",
    [(Role.CLERK, "branch_a1"), (Role.SECRETARY, "branch_a1"), (Role.COMMITTEE, "town_a"), (Role.COMMITTEE, "county")],
)
def test_the_branch_and_the_committees_above_may_record(tree, user_with_role, role, where):
    user = user_with_role(role, getattr(tree, where))
    assert record(tree.branch_a1, user).pk


@pytest.mark.parametrize("who", ["member", "sibling_secretary", "other_committee", "nobody"])
def test_others_may_not_record_and_nothing_is_written(tree, user_with_role, member_user, who):
    user = {
        "member": lambda: member_user(tree.branch_a1).user,
        "sibling_secretary": lambda: user_with_role(Role.SECRETARY, tree.branch_a2),
        "other_committee": lambda: user_with_role(Role.COMMITTEE, tree.other),
        "nobody": UserFactory,
    }[who]()
    with pytest.raises(PermissionDenied, match="书记、党务干事或上级党委"):
        record(tree.branch_a1, user)
    assert not Activity.objects.exists()


def test_a_member_reads_his_own_organization_register_only(tree, member_user):
    member = member_user(tree.branch_a1).user
    own = ActivityFactory(organization=tree.branch_a1)
    other = ActivityFactory(organization=tree.branch_a2)
    assert may(member, "view_activities", own) and not may(member, "view_activities", other)
    assert not may(member, "record_activity", own)


def test_a_floating_member_may_be_named_by_the_branch_he_takes_part_in(tree, secretary):
    floating = MemberFactory(organization=tree.branch_b1, inflow_organization=tree.branch_a1)
    activity = record(tree.branch_a1, secretary, participants=[floating])
    assert list(activity.participants.all()) == [floating]


def test_a_committee_names_members_of_its_whole_subtree(tree, user_with_role, roster):
    town = user_with_role(Role.COMMITTEE, tree.town_a)
    other = MemberFactory(organization=tree.branch_a2)
    activity = record(tree.town_a, town, participants=[roster[0], other], kind=kind("lecture"), title="专题辅导报告会")
    assert activity.participants.count() == 2


# --- the rules ---------------------------------------------------------------------------------------------


def _refused(field, message, tree, by, **extra):
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        record(tree.branch_a1, by, **extra)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict[field]
    assert Activity.objects.count() == before


def test_the_date_may_not_be_in_the_future(tree, secretary):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _refused("held_on", "活动日期不能晚于今天", tree, secretary, held_on=tomorrow)
    assert record(tree.branch_a1, secretary, held_on=timezone.localdate()).pk


def test_participants_count_is_at_least_the_members_named(tree, secretary, roster):
    _refused(
        "participants_count",
        "参加人次（2）不能少于所选参加党员的人数（3人）",
        tree,
        secretary,
        participants=roster[:3],
        participants_count=2,
    )
    assert record(tree.branch_a1, secretary, participants=roster[:3], participants_count=3).pk


def test_members_outside_the_roster_are_refused_by_name(tree, secretary, roster):
    stranger = MemberFactory(organization=tree.branch_a2, name="乙村张三")
    _refused(
        "participants",
        "乙村张三不在“甲镇一村党支部”及其下级组织的党员名册中",
        tree,
        secretary,
        participants=[roster[0], stranger],
    )


def test_members_who_left_the_roster_are_refused(tree, secretary):
    gone = MemberFactory(organization=tree.branch_a1, name="已出册党员", is_active=False)
    _refused("participants", "已出册党员不在", tree, secretary, participants=[gone])


@pytest.mark.parametrize(
    "measure, value, word",
    [("quantity", 2, "数量"), ("amount", Decimal("100"), "金额"), ("beneficiaries", 3, "受益对象人数")],
)
def test_measures_only_where_the_kind_has_them(tree, secretary, measure, value, word):
    _refused(measure, f"“理论学习”类活动不填{word}", tree, secretary, **{measure: value})


def test_pairing_records_its_objects_amount_and_beneficiaries(tree, secretary, roster):
    activity = record(
        tree.branch_a1,
        secretary,
        kind=kind("pairing"),
        title="春节走访慰问结对帮扶对象",
        participants=roster[:2],
        participants_count=2,
        quantity=3,
        amount=Decimal("2800.50"),
        beneficiaries=7,
    )
    activity.refresh_from_db()
    assert (activity.quantity, activity.amount, activity.beneficiaries) == (3, Decimal("2800.50"), 7)


def test_a_donation_has_an_amount_but_no_quantity(tree, secretary):
    assert record(tree.branch_a1, secretary, kind=kind("donation"), amount=Decimal("500")).amount == Decimal("500")
    _refused("quantity", "“爱心捐助”类活动不填数量", tree, secretary, kind=kind("donation"), quantity=1)


def test_an_amount_is_never_negative(tree, secretary):
    _refused("amount", "金额不能为负数", tree, secretary, kind=kind("pairing"), amount=Decimal("-1"))


def test_a_title_is_needed(tree, secretary):
    _refused("title", "请填写活动名称", tree, secretary, title="   ")


def test_a_retired_kind_is_not_offered_for_new_records_but_old_ones_keep_it(tree, secretary):
    activity = record(tree.branch_a1, secretary, kind=kind("garden"), title="党建园地第1期")
    ActivityKind.objects.filter(code="garden").update(is_active=False)
    _refused("kind", "活动类别“党建园地”已停用", tree, secretary, kind=kind("garden"))
    services.activity_update(activity=activity, by=secretary, title="党建园地第1期出刊")
    assert Activity.objects.get(pk=activity.pk).kind.code == "garden"
    with pytest.raises(ValidationError, match="已停用"):
        other = record(tree.branch_a1, secretary)
        services.activity_update(activity=other, by=secretary, kind=kind("garden"))


def test_an_inactive_organization_records_nothing(tree, user_with_role):
    town = user_with_role(Role.COMMITTEE, tree.town_a)
    tree.branch_a2.is_active = False
    tree.branch_a2.save()
    with pytest.raises(DomainError, match="已停用"):
        record(tree.branch_a2, town)


# --- correcting and deleting ------------------------------------------------------------------------------


def test_a_correction_and_a_change_of_participants_show_in_the_timeline(tree, secretary, roster):
    activity = record(tree.branch_a1, secretary, participants=roster[:2])
    clerk_user = UserFactory(full_name="王干事")
    grant(clerk_user, Role.CLERK, tree.branch_a1)
    services.activity_update(
        activity=activity,
        by=clerk_user,
        title="两会精神专题学习",
        participants=[roster[1], roster[2]],
        participants_count=15,
    )
    activity.refresh_from_db()
    assert activity.title == "两会精神专题学习" and activity.participants_count == 15
    assert set(activity.participants.all()) == {roster[1], roster[2]}
    entries = timeline(activity, secretary)
    assert [e.action.split("：")[0] for e in entries] == ["创建", "修改了 活动名称", "调整参加党员"]
    assert "学习贯彻全国两会精神集中学习 → 两会精神专题学习" in entries[1].action and entries[1].by == "王干事"
    assert entries[2].note == f"增加：{roster[2].name}；减少：{roster[0].name}"
    # Saving the same values again writes no history.
    services.activity_update(
        activity=activity, by=secretary, title="两会精神专题学习", participants=[roster[2], roster[1]]
    )
    assert activity.history.count() == 3


def test_a_correction_is_checked_like_a_record(tree, secretary, roster):
    activity = record(tree.branch_a1, secretary, participants=roster[:2], participants_count=2)
    with pytest.raises(ValidationError) as exc:
        services.activity_update(activity=activity, by=secretary, participants_count=1)
    assert "participants_count" in exc.value.message_dict
    assert Activity.objects.get(pk=activity.pk).participants_count == 2


def test_only_those_who_record_may_correct_or_delete(tree, secretary, member_user, user_with_role):
    activity = record(tree.branch_a1, secretary)
    for user in (member_user(tree.branch_a1).user, user_with_role(Role.SECRETARY, tree.branch_a2)):
        with pytest.raises(PermissionDenied):
            services.activity_update(activity=activity, by=user, title="改了")
        with pytest.raises(PermissionDenied):
            services.activity_delete(activity=activity, by=user)
    assert Activity.objects.get(pk=activity.pk).title == "学习贯彻全国两会精神集中学习"
    # The committee above corrects what the branch recorded.
    town = user_with_role(Role.COMMITTEE, tree.town_a)
    services.activity_update(activity=activity, by=town, title="改了")
    assert Activity.objects.get(pk=activity.pk).title == "改了"


def test_deleting_takes_the_attachments_and_their_files(tree, secretary, settings, django_capture_on_commit_callbacks):
    activity = record(tree.branch_a1, secretary, files=[upload("签到表.png", image_bytes())])
    path = Path(settings.MEDIA_ROOT) / activity.attachments.get().file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_delete(activity=activity, by=secretary)
    assert not Activity.objects.exists() and not ActivityAttachment.objects.exists() and not path.exists()
    assert Activity.history.filter(history_type="-").get().history_user == secretary


def test_unknown_fields_are_a_programming_error(tree, secretary):
    activity = record(tree.branch_a1, secretary)
    with pytest.raises(ValueError):
        services.activity_update(activity=activity, by=secretary, organization=tree.branch_a2)


# --- attachments ---------------------------------------------------------------------------------------


def test_attachments_are_checked_by_their_content(tree, secretary, settings):
    activity = record(tree.branch_a1, secretary)
    made = services.activity_attachments_add(
        activity=activity, by=secretary, files=[upload("现场照片.jpg", image_bytes("JPEG")), upload("签到表.pdf", PDF)]
    )
    assert [(a.original_name, a.kind, a.is_image) for a in made] == [
        ("现场照片.jpg", "jpg", True),
        ("签到表.pdf", "pdf", False),
    ]
    assert made[0].file.name.startswith("private/activities/") and made[0].uploaded_by == secretary
    assert made[1].content_type == "application/pdf"
    assert timeline(activity, secretary)[-1].action == "上传附件"
    assert timeline(activity, secretary)[-1].note == "现场照片.jpg、签到表.pdf"
    # A text file named like a photo is refused, and nothing of that upload is kept.
    with pytest.raises(DomainError, match="类型不支持"):
        services.activity_attachments_add(activity=activity, by=secretary, files=[upload("假照片.png", b"hello")])
    with pytest.raises(DomainError, match="已损坏"):
        services.activity_attachments_add(
            activity=activity, by=secretary, files=[upload("坏照片.png", image_bytes()[:40])]
        )
    assert activity.attachments.count() == 2
    stored = [p for p in (Path(settings.MEDIA_ROOT) / "private" / "activities").rglob("*") if p.is_file()]
    assert len(stored) == 2


def test_attachments_when_recording_are_refused_on_the_files_field(tree, secretary):
    with pytest.raises(ValidationError) as exc:
        record(tree.branch_a1, secretary, files=[upload("说明.txt", b"plain text")])
    assert "类型不支持" in exc.value.message_dict["files"][0]
    assert not Activity.objects.exists()


def test_at_most_ten_files_at_once(tree, secretary):
    activity = record(tree.branch_a1, secretary)
    with pytest.raises(DomainError, match="一次最多上传 10 个附件"):
        services.activity_attachments_add(
            activity=activity, by=secretary, files=[upload(f"{n}.png", image_bytes()) for n in range(11)]
        )
    with pytest.raises(DomainError, match="请选择要上传的文件"):
        services.activity_attachments_add(activity=activity, by=secretary, files=[])


def test_removing_an_attachment(tree, secretary, member_user, settings, django_capture_on_commit_callbacks):
    activity = record(tree.branch_a1, secretary, files=[upload("签到表.png", image_bytes())])
    attachment = activity.attachments.get()
    with pytest.raises(PermissionDenied):
        services.activity_attachment_delete(attachment=attachment, by=member_user(tree.branch_a1).user)
    path = Path(settings.MEDIA_ROOT) / attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_attachment_delete(attachment=attachment, by=secretary)
    assert not activity.attachments.exists() and not path.exists()
    assert (
        timeline(activity, secretary)[-1].action == "删除附件"
        and timeline(activity, secretary)[-1].note == "签到表.png"
    )


def test_a_member_may_not_add_attachments(tree, secretary, member_user):
    activity = record(tree.branch_a1, secretary)
    with pytest.raises(PermissionDenied):
        services.activity_attachments_add(
            activity=activity, by=member_user(tree.branch_a1).user, files=[upload("a.png", image_bytes())]
        )


# --- in bulk (the import, the demo) ------------------------------------------------------------------------


def test_activities_are_inserted_in_bulk_with_participants_and_history(tree, secretary, roster):
    rows = [
        (
            Activity(
                organization=tree.branch_a1,
                kind=kind("study"),
                held_on=DAY,
                title=f"第{n}次学习",
                participants_count=5,
                recorded_by=secretary,
            ),
            [m.pk for m in roster[: n + 1]],
        )
        for n in range(3)
    ]
    assert services.activities_insert_checked(rows, by=secretary, batch_size=2) == 3
    for n, activity in enumerate(Activity.objects.order_by("title")):
        assert activity.participants.count() == n + 1
        record_ = activity.history.get()
        assert record_.history_user == secretary
        assert sorted(m.member_id for m in record_.participants.all()) == sorted(m.pk for m in roster[: n + 1])


def test_members_named_before_they_left_stay_on_the_record(client, tree, secretary, roster):
    activity = record(tree.branch_a1, secretary, participants=roster[:2])
    roster[0].is_active = False
    roster[0].save()
    services.activity_update(activity=activity, by=secretary, title="仍然有效的记录")
    services.activity_update(activity=activity, by=secretary, participants=[roster[0], roster[1], roster[2]])
    assert activity.participants.count() == 3
    # The form lists him, ticked, once.
    client.force_login(secretary)
    page = client.get(reverse("organizations:activity_edit", args=[activity.pk])).content.decode()
    assert page.count(f">{roster[0].name}<") == 1 and page.count("checked") == 3


def test_an_organization_with_activities_is_deactivated_not_deleted(tree, user_with_role):
    town = user_with_role(Role.COMMITTEE, tree.town_a)
    ActivityFactory(organization=tree.branch_a2)
    with pytest.raises(DomainError, match="已有活动记实"):
        services.organization_delete(organization=tree.branch_a2, by=town)
