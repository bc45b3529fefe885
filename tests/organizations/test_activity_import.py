"""活动记实 from Excel, through the shared import workflow: the template, a clean file written with its participants
and history, every bad row reported in Chinese with nothing written, and large files as background jobs."""

import datetime
import io
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disclosure.models import Job
from organizations.models import Activity
from organizations.permissions import Role
from organizations.resources import IMPORT_SYNC_MAX_ROWS, import_commit, import_preview, import_template
from organizations.validators import mask_id_number
from tests.factories import ActivityFactory, MemberFactory
from tests.jobs import wait_for
from tests.xlsx import xlsx

HEADERS = [
    "党组织代码",
    "活动类别",
    "活动日期",
    "活动名称",
    "活动情况",
    "参加人次",
    "参加党员身份证号",
    "数量",
    "金额",
    "受益对象人数",
]


def row(**values):
    base = {
        "党组织代码": "CA1",
        "活动类别": "理论学习",
        "活动日期": "2025-03-15",
        "活动名称": "学习贯彻全国两会精神",
        "活动情况": "支部书记领学。",
        "参加人次": 12,
        "参加党员身份证号": "",
        "数量": None,
        "金额": None,
        "受益对象人数": None,
    }
    base.update(values)
    return [base[h] for h in HEADERS]


def activities_xlsx(*rows):
    return xlsx(HEADERS, rows)


@pytest.fixture
def clerk(tree, user_with_role):
    return user_with_role(Role.CLERK, tree.branch_a1, full_name="王干事")


@pytest.fixture
def people(tree):
    return [MemberFactory(organization=tree.branch_a1, name=f"甲一党员{n}") for n in range(3)]


def test_the_template_has_the_columns_a_drop_down_of_kinds_and_notes(db):
    wb = load_workbook(io.BytesIO(import_template("activities")))
    sheet = wb.active
    assert [c.value for c in sheet[1]] == HEADERS
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("理论学习" in f and "结对帮扶" in f for f in lists)
    notes = {r[0]: r[2] for r in wb["填写说明"].iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert "顿号" in notes["参加党员身份证号"] and "单位：元" in notes["金额"]


def test_a_clean_file_is_written_with_its_participants_and_history(tree, clerk, people):
    ids = "、".join(m.id_number for m in people[:2]) + "," + people[2].id_number.lower()
    content = activities_xlsx(
        row(参加党员身份证号=ids),
        row(
            活动类别="结对帮扶",
            活动日期=datetime.date(2025, 4, 2),
            活动名称="春节走访慰问结对帮扶对象",
            参加人次=3,
            数量=2,
            金额="2,800.50",
            受益对象人数=6,
        ),
        row(活动类别="pairing", 活动名称="按代码写的类别", 参加人次=None),
    )
    report = import_preview(kind="activities", content=content, scope=tree.branch_a1, by=clerk)
    assert report.ok and report.total == 3 and not Activity.objects.exists()
    report = import_commit(kind="activities", content=content, scope=tree.branch_a1, by=clerk)
    assert report.ok
    study = Activity.objects.get(title="学习贯彻全国两会精神")
    assert set(study.participants.all()) == set(people) and study.recorded_by == clerk
    assert study.held_on == datetime.date(2025, 3, 15) and study.participants_count == 12
    pairing = Activity.objects.get(title="春节走访慰问结对帮扶对象")
    assert (pairing.kind.code, pairing.quantity, str(pairing.amount), pairing.beneficiaries) == (
        "pairing",
        2,
        "2800.50",
        6,
    )
    assert Activity.objects.get(title="按代码写的类别").participants_count == 0
    record = study.history.get()
    assert record.history_user == clerk and {p.member_id for p in record.participants.all()} == {m.pk for m in people}


def _problems(content, tree, clerk):
    report = import_preview(kind="activities", content=content, scope=tree.town_a, by=clerk)
    assert not report.ok
    return [(p.row, p.column, p.message) for p in report.problems]


def test_every_bad_row_is_reported_in_chinese_and_nothing_is_written(tree, user_with_role, people):
    town = user_with_role(Role.COMMITTEE, tree.town_a)
    stranger = MemberFactory(organization=tree.branch_b1, name="乙镇党员")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    content = activities_xlsx(
        row(),  # row 2 is fine
        row(活动类别="跳广场舞"),
        row(活动日期=tomorrow.isoformat()),
        row(数量=3),
        row(金额=100),
        row(活动类别="爱心捐助", 金额="五百"),
        row(参加人次=1, 参加党员身份证号=f"{people[0].id_number}、{people[1].id_number}"),
        row(参加党员身份证号=stranger.id_number),
        row(参加党员身份证号="110101199001011234"),
        row(党组织代码="CB1"),
        row(参加人次="很多"),
        row(活动名称=""),
        row(活动日期="2025-02-30"),
    )
    problems = _problems(content, tree, town)
    by_row = {}
    for number, column, message in problems:
        by_row.setdefault(number, []).append((column, message))
    assert 2 not in by_row
    expected = {
        3: ("活动类别", "“跳广场舞”不是有效的活动类别"),
        4: ("活动日期", "活动日期不能晚于今天"),
        5: ("数量", "“理论学习”类活动不填数量"),
        6: ("金额", "“理论学习”类活动不填金额"),
        7: ("金额", "“五百”不是有效的金额"),
        8: ("参加人次", "参加人次（1）不能少于所选参加党员的人数（2人）"),
        9: ("参加党员身份证号", f"乙镇党员（{mask_id_number(stranger.id_number)}）不在“甲镇一村党支部”"),
        10: ("参加党员身份证号", "在系统中没有在册的党员"),
        11: ("党组织代码", "不在本次导入的范围"),
        12: ("参加人次", "“很多”不是整数"),
        13: ("活动名称", ""),
        14: ("活动日期", "不存在：2025年2月只有28天"),
    }
    for number, (column, fragment) in expected.items():
        assert any(c == column and fragment in m for c, m in by_row.get(number, [])), (number, by_row.get(number))
    # Personal data stays masked in the messages.
    assert stranger.id_number not in repr(problems)
    report = import_commit(kind="activities", content=content, scope=tree.town_a, by=town)
    assert not report.ok and not Activity.objects.exists()


def test_a_file_imported_twice_is_refused_the_second_time(tree, clerk):
    ActivityFactory(organization=tree.branch_a1, title="学习贯彻全国两会精神", held_on=datetime.date(2025, 3, 15))
    content = activities_xlsx(row(活动名称="新的学习"), row(活动名称="新的学习"), row())
    problems = _problems(content, tree, clerk)
    assert (3, "活动名称", "与第 2 行是同一党组织、同一天的同名活动。") in problems
    assert (4, "活动名称", "该党组织在这一天已有同名的活动记实，可能是重复导入。") in problems


def test_only_those_who_record_may_import(client, tree, member_user, user_with_role):
    client.force_login(member_user(tree.branch_a1).user)
    assert client.get(reverse("organizations:import", args=["CA1", "activities"])).status_code == 403
    client.force_login(user_with_role(Role.SECRETARY, tree.branch_a2))
    assert client.get(reverse("organizations:import", args=["CA1", "activities"])).status_code == 404


def test_importing_on_the_page(client, tree, clerk, people):
    client.force_login(clerk)
    url = reverse("organizations:import", args=["CA1", "activities"])
    page = client.get(url).content.decode()
    assert "导入活动记实" in page and "参加党员身份证号" in page
    template = client.get(reverse("organizations:import_template", args=["activities"]))
    assert template.status_code == 200 and "活动记实导入模板" in unquote(template["Content-Disposition"])
    content = activities_xlsx(row(参加党员身份证号=people[0].id_number), row(活动名称="第二次学习"))
    response = client.post(url, {"file": SimpleUploadedFile("活动.xlsx", content)})
    assert "全部可以导入" in response.content.decode()
    token = response.context["token"]
    response = client.post(reverse("organizations:import_confirm", args=["CA1", "activities"]), {"token": token})
    assert response["Location"] == reverse("organizations:activities", args=["CA1"])
    assert Activity.objects.count() == 2


@pytest.mark.shared_media
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_as_background_jobs(client, tree, clerk):
    client.force_login(clerk)
    rows = [
        row(
            活动名称=f"第{n}次学习", 活动日期=(datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 300)).isoformat()
        )
        for n in range(IMPORT_SYNC_MAX_ROWS + 20)
    ]
    url = reverse("organizations:import", args=["CA1", "activities"])
    response = client.post(url, {"file": SimpleUploadedFile("活动.xlsx", activities_xlsx(*rows))})
    preview = wait_for(Job.objects.get())
    assert response["Location"] == preview.get_absolute_url()
    assert preview.kind == "import_activities_preview" and preview.outcome["ok"], preview.outcome
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "活动记实导入校验" in page and "全部可以导入" in page
    response = client.post(
        reverse("organizations:import_confirm", args=["CA1", "activities"]), {"token": preview.params["token"]}
    )
    done = wait_for(Job.objects.exclude(pk=preview.pk).get())
    assert done.outcome["ok"] and Activity.objects.count() == len(rows)
    assert "查看活动记实" in client.get(done.get_absolute_url()).content.decode()
