import datetime
import time

import pytest

from organizations.models import Member, Organization
from organizations.permissions import Role
from organizations.resources import import_commit, import_preview, import_template, read_xlsx
from tests.factories import MemberFactory, make_id_number
from tests.xlsx import MEMBER_HEADERS, member_row, members_xlsx, xlsx


@pytest.fixture
def clerk(tree, user_with_role):
    return user_with_role(Role.CLERK, tree.town_a)


def preview(content, scope, by, kind="members"):
    return import_preview(kind=kind, content=content, scope=scope, by=by)


def test_clean_file_previews_then_imports(tree, clerk):
    content = members_xlsx("CA1", count=3)
    report = preview(content, tree.town_a, clerk)
    assert report.ok and report.total == 3
    assert Member.objects.count() == 0  # a preview writes nothing
    report = import_commit(kind="members", content=content, scope=tree.town_a, by=clerk)
    assert report.ok
    members = Member.objects.filter(organization=tree.branch_a1)
    assert members.count() == 3
    assert all(m.history.count() == 1 for m in members)
    assert Member.history.first().history_user == clerk


def only_problem(report):
    assert not report.ok
    assert len(report.problems) == 1, report.problems
    return report.problems[0]


BIRTH = datetime.date(1970, 1, 2)


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"姓名": ""}, "姓名", "不能为空"),
        (
            {"身份证号": "110105194912310021", "出生日期": datetime.date(1949, 12, 31), "性别": "女"},
            "身份证号",
            "校验位",
        ),
        ({"身份证号": "12345"}, "身份证号", "18位"),
        ({"所在党组织代码": "NOPE"}, "所在党组织代码", "不存在"),
        ({"所在党组织代码": "CB1"}, "所在党组织代码", "不在本次导入的范围"),
        ({"入党时间": "2001-13-45"}, "入党时间", "日期"),
        ({"性别": "未知"}, "性别", "不是有效的选项"),
        ({"政治面貌": "群众"}, "政治面貌", "不是有效的选项"),
        ({"领导干部": "也许"}, "领导干部", "是"),
        ({"出生日期": datetime.date(1971, 1, 1)}, "出生日期", "身份证号"),
        ({"入党时间": ""}, "入党时间", "入党时间"),
        ({"联系电话": "12"}, "联系电话", "电话号码"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_row_column_and_reason(tree, clerk, overrides, column, fragment):
    content = members_xlsx("CA1", count=4, bad={2: overrides})
    report = preview(content, tree.town_a, clerk)
    problem = only_problem(report)
    assert problem.row == 4  # data row index 2 is Excel row 4 under the header
    assert problem.column == column
    assert fragment in problem.message
    assert report.bad_rows == 1


def test_duplicate_in_file_points_at_the_first_row(tree, clerk):
    birth = datetime.date(1980, 5, 5)
    id_number = make_id_number(birth)
    rows = [member_row("CA1", 0), member_row("CA1", 1, 身份证号=id_number, 出生日期=birth)]
    rows.append(member_row("CA1", 2, 身份证号=id_number, 出生日期=birth))
    problem = only_problem(preview(xlsx(MEMBER_HEADERS, rows), tree.town_a, clerk))
    assert problem.row == 4 and "与第 3 行重复" in problem.message


def test_duplicate_in_database(tree, clerk):
    existing = MemberFactory(organization=tree.branch_b1)
    content = members_xlsx("CA1", count=2, bad={1: {"身份证号": existing.id_number, "出生日期": existing.birth_date}})
    problem = only_problem(preview(content, tree.town_a, clerk))
    assert problem.row == 3 and "已存在" in problem.message


def test_one_bad_row_means_nothing_is_written(tree, clerk):
    content = members_xlsx("CA1", count=5, bad={4: {"所在党组织代码": "NOPE"}})
    report = import_commit(kind="members", content=content, scope=tree.town_a, by=clerk)
    assert not report.ok
    assert Member.objects.count() == 0


def test_missing_column_and_unreadable_file(tree, clerk):
    content = xlsx(["姓名", "性别"], [["张三", "男"]])
    report = preview(content, tree.town_a, clerk)
    assert report.file_errors and "身份证号" in report.file_errors[0]
    report = preview(b"not an excel file", tree.town_a, clerk)
    assert report.file_errors and "无法读取" in report.file_errors[0]
    report = preview(xlsx(MEMBER_HEADERS, []), tree.town_a, clerk)
    assert report.file_errors and "没有数据" in report.file_errors[0]


def test_dates_in_the_usual_written_forms(tree, clerk):
    content = members_xlsx(
        "CA1", count=3, bad={0: {"入党时间": "2001年7月1日"}, 1: {"入党时间": "2001/7/1"}, 2: {"入党时间": "20010701"}}
    )
    assert preview(content, tree.town_a, clerk).ok


def test_a_committee_cannot_import_members(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    report = preview(members_xlsx("CA1", count=2), tree.town_a, committee)
    assert not report.ok and "无权" in report.problems[0].message


ORG_HEADERS = ["组织代码", "组织名称", "上级组织代码", "组织层级", "所属领域", "窗口单位", "监督电话", "书记姓名"]


def test_organizations_import_with_parents_earlier_in_the_file(tree, clerk):
    rows = [
        ["CA9", "甲镇九村党总支", "CA", "党总支", "农村", "否", "0730-5211111", "赵书记"],
        ["CA91", "甲镇九村第一党支部", "CA9", "党支部", "农村", "否", "", ""],
        ["CA92", "甲镇九村第二党支部", "CA9", "党支部", "农村", "是", "", ""],
    ]
    content = xlsx(ORG_HEADERS, rows)
    assert preview(content, tree.town_a, clerk, kind="organizations").ok
    assert not Organization.objects.filter(code="CA9").exists()
    assert import_commit(kind="organizations", content=content, scope=tree.town_a, by=clerk).ok
    parent = Organization.objects.get(code="CA9")
    assert set(parent.subtree().values_list("code", flat=True)) == {"CA9", "CA91", "CA92"}
    assert Organization.objects.get(code="CA92").is_window_unit


def test_organizations_import_reports_bad_rows(tree, clerk):
    rows = [
        ["CA1", "重复代码", "CA", "党支部", "农村", "否", "", ""],
        ["CA8", "范围外", "CB", "党支部", "农村", "否", "", ""],
        ["CA7", "坏领域", "CA", "党支部", "火星", "否", "", ""],
        ["CA6", "正常", "CA", "党支部", "社区", "否", "", ""],
        ["CA6", "文件内重复", "CA", "党支部", "社区", "否", "", ""],
    ]
    report = preview(xlsx(ORG_HEADERS, rows), tree.town_a, clerk, kind="organizations")
    by_row = {p.row: p for p in report.problems}
    assert set(by_row) == {2, 3, 4, 6}
    assert "已存在" in by_row[2].message
    assert by_row[3].column == "上级组织代码"
    assert by_row[4].column == "所属领域"
    assert "第 5 行重复" in by_row[6].message


def test_template_has_the_import_columns():
    dataset = read_xlsx(import_template("members"))
    assert dataset.headers[:4] == ["姓名", "性别", "出生日期", "身份证号"]
    assert len(dataset) == 0


def test_five_thousand_rows(tree, clerk):
    content = members_xlsx("CA1", count=5000, bad={})
    started = time.monotonic()
    report = import_commit(kind="members", content=content, scope=tree.town_a, by=clerk)
    elapsed = time.monotonic() - started
    assert report.ok, report.problems[:3]
    assert Member.objects.filter(organization=tree.branch_a1).count() == 5000
    assert Member.history.count() == 5000
    # Not a performance target (that is the benchmark's job), only a guard against per-row query storms.
    assert elapsed < 120
