"""The text a statistics form is written in: blanks bound to indicators or entered, errors naming the line."""

import pytest

from organizations.errors import DomainError
from reporting.models import ReportBlank
from reporting.sources import parse_source

pytestmark = pytest.mark.django_db


def test_items_and_blanks_are_read_from_the_text():
    items = parse_source(
        "1. 共组织{activity.study.count}次理论学习，{activity.study.participants}人次参加。\n\n"
        "（2）其中{填报:人次}人次被评为{填报文字:称号}，捐助{填报金额:金额}元，覆盖率{stat.member_coverage}。"
    )
    assert [i.text for i in items] == [
        "共组织{1}次理论学习，{2}人次参加。",
        "其中{1}人次被评为{2}，捐助{3}元，覆盖率{4}。",
    ]
    first, second = items
    assert [(b.source, b.indicator, b.label) for b in first.blanks] == [
        ("computed", "activity.study.count", "理论学习：活动次数"),
        ("computed", "activity.study.participants", "理论学习：参加人次"),
    ]
    assert [b.value_type for b in second.blanks] == [
        ReportBlank.ValueType.COUNT,
        ReportBlank.ValueType.TEXT,
        ReportBlank.ValueType.AMOUNT,
        ReportBlank.ValueType.PERCENT,
    ]
    assert second.blanks[0].label == "人次" and second.blanks[0].source == "entered"


@pytest.mark.parametrize(
    "source, message",
    [
        ("共有{stat.no_such}个", "第1行：指标代码“stat.no_such”无法识别"),
        ("好\n共有{activity.nokind.count}个", "第2行：指标代码“activity.nokind.count”中的活动类别“nokind”不存在"),
        ("共{activity.study.amount}元", "活动类别“理论学习”不填金额"),
        ("共{填报:}人", "缺少说明"),
        ("没有空格的一句话。", "第1行：没有空格"),
        ("共{填报:人数}人}", "大括号不配对"),
        ("", "表样不能为空"),
        ("共{activity.institution.quantity@town}项", "无法识别"),
    ],
)
def test_a_wrong_text_is_refused_with_the_line(source, message):
    with pytest.raises(DomainError) as exc:
        parse_source(source)
    assert message in str(exc.value)


def test_a_level_suffix_names_the_level_in_the_label():
    (item,) = parse_source("总支层面{activity.institution.quantity@general_branch}个")
    assert item.blanks[0].label == "制度建设：建立的制度（党总支层面）"
