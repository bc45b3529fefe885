"""Dates in an import (issue 13 §7): a day that does not exist is reported as such, with the reason; only a value
that is not written as a date at all is a wrong format. Every date column of the roster, typed as text or as a
number, or given as an Excel date cell."""

import datetime

import pytest

from organizations.models import Member
from organizations.permissions import Role
from organizations.resources import DateWidget, import_commit, import_preview
from tests.xlsx import members_xlsx


@pytest.fixture
def clerk(tree, user_with_role):
    return user_with_role(Role.CLERK, tree.town_a)


def only_problem(content, tree, clerk):
    report = import_preview(kind="members", content=content, scope=tree.town_a, by=clerk)
    assert not report.ok and len(report.problems) == 1, report.problems
    return report.problems[0]


@pytest.mark.parametrize("column", ["出生日期", "入党时间"])
@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2010-02-30", "2010年2月只有28天"),
        ("2023-13-01", "月份只能是1至12"),
        ("2023-02-29", "2023年不是闰年，2月只有28天"),
        ("2023年4月31日", "2023年4月只有30天"),
        ("2023/6/0", "没有0日"),
        (20230431, "2023年4月只有30天"),  # typed into a number cell
    ],
)
def test_a_day_that_does_not_exist_is_reported_as_such(tree, clerk, column, written, reason):
    problem = only_problem(members_xlsx("CA1", count=3, bad={1: {column: written}}), tree, clerk)
    assert problem.row == 3 and problem.column == column
    assert problem.message == f"日期“{written}”不存在：{reason}。"
    assert "格式" not in problem.message


@pytest.mark.parametrize("column", ["出生日期", "入党时间"])
@pytest.mark.parametrize("written", ["2023-1", "明年七月", "23-1-1", "2023--01-01", "12345"])
def test_a_value_not_written_as_a_date_is_a_wrong_format(tree, clerk, column, written):
    problem = only_problem(members_xlsx("CA1", count=2, bad={0: {column: written}}), tree, clerk)
    assert problem.column == column
    assert problem.message == f"日期“{written}”格式不正确，应写成 2025-03-15。"


def test_excel_date_cells_are_read_as_dates(tree, clerk):
    birth = datetime.datetime(1970, 1, 1, 0, 0)  # member_row(0) is born on 1970-01-01
    content = members_xlsx(
        "CA1", count=1, bad={0: {"出生日期": birth, "入党时间": datetime.datetime(2001, 7, 1, 9, 30)}}
    )
    assert import_commit(kind="members", content=content, scope=tree.town_a, by=clerk).ok
    member = Member.objects.get()
    assert member.birth_date == datetime.date(1970, 1, 1) and member.join_date == datetime.date(2001, 7, 1)


def test_an_excel_time_cell_is_not_a_date(tree, clerk):
    problem = only_problem(members_xlsx("CA1", count=1, bad={0: {"入党时间": datetime.time(9, 30)}}), tree, clerk)
    assert problem.column == "入党时间" and "是时间" in problem.message and "不是日期" in problem.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("#VALUE!", "Excel 的错误值“#VALUE!”"),  # what openpyxl gives for a date cell beyond Excel's dates
        ("0000-01-01", "年份不能为0"),
        ("2024-02-29", None),  # a leap day
        ("2024.2.29", None),
        (" 2024 年 2 月 29 日 ", None),
    ],
)
def test_date_widget_edge_cases(value, fragment):
    widget = DateWidget()
    if fragment is None:
        assert widget.clean(value) == datetime.date(2024, 2, 29)
    else:
        with pytest.raises(ValueError, match=fragment):
            widget.clean(value)
