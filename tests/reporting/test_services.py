"""Issue, fill, submit, return, accept and roll up a statistics form."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from organizations.errors import DomainError
from reporting import selectors, services
from reporting.models import ReportSubmission, ReportTemplate

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def issued(tree, people, pian12):
    with time_machine.travel("2026-01-05 10:00 +0800", tick=False):
        return services.report_issue(
            template=pian12, organization=tree.county, period="2025", due_on=D(2026, 1, 31), by=people["county"]
        )


def _sub(issue, org):
    return ReportSubmission.objects.get(issue=issue, organization=org)


def test_issuing_gives_every_organization_of_the_subtree_its_form(tree, people, issued):
    orgs = set(ReportSubmission.objects.filter(issue=issued).values_list("organization__code", flat=True))
    assert orgs == {"C", "CA", "CB", "CA1", "CA2", "CB1"}  # not the other county
    assert set(ReportSubmission.objects.filter(issue=issued).values_list("status", flat=True)) == {"pending"}
    assert issued.period == "2025" and issued.history.first().history_user == people["county"]


def test_only_a_committee_issues_and_only_once(tree, people, pian12, issued):
    with pytest.raises(PermissionDenied):
        services.report_issue(
            template=pian12, organization=tree.branch_a1, period="2025", due_on=D(2099, 1, 1), by=people["a1"]
        )
    with pytest.raises(DomainError, match="已经下发过"):
        services.report_issue(
            template=pian12, organization=tree.county, period="2025", due_on=D(2099, 1, 1), by=people["county"]
        )
    with pytest.raises(DomainError, match="无法识别"):
        services.report_issue(
            template=pian12, organization=tree.county, period="2025年", due_on=D(2099, 1, 1), by=people["county"]
        )
    with pytest.raises(DomainError, match="不能早于今天"):
        services.report_issue(
            template=pian12, organization=tree.town_a, period="2025", due_on=D(2000, 1, 1), by=people["town_a"]
        )


@pytest.mark.parametrize(
    "values, message",
    [
        ({"5-2": "-1"}, "“被评为先进的人次”应填写不小于 0 的整数"),
        ({"5-2": "三"}, "应填写不小于 0 的整数"),
        ({"5-2": "1.5"}, "应填写不小于 0 的整数"),
        ({"5-3": "好" * 501}, "不能超过 500 个字"),
        ({"10-3": "12", "5-5": "x"}, "“受到其他表彰的人次”应填写"),
    ],
)
def test_entered_values_are_checked_with_the_blank_named(tree, people, issued, values, message):
    sub = _sub(issued, tree.branch_a1)
    with pytest.raises(DomainError, match=message):
        services.submission_save(submission=sub, values=values, by=people["a1"])
    sub.refresh_from_db()
    assert sub.entered == {}


def test_a_branch_fills_and_submits_its_own_form_only(tree, people, issued, activities):
    sub = _sub(issued, tree.branch_a1)
    with pytest.raises(PermissionDenied):
        services.submission_save(submission=sub, values={}, by=people["b1"])
    services.submission_save(
        submission=sub, values={"5-2": "3", "5-3": "优秀共产党员", "10-3": "1,200"}, by=people["a1_clerk"]
    )
    sub.refresh_from_db()
    assert sub.entered == {"5-2": 3, "5-3": "优秀共产党员", "10-3": 1200}
    with time_machine.travel("2026-01-06 10:00 +0800", tick=False):
        services.submission_submit(submission=sub, by=people["a1"])
    sub.refresh_from_db()
    assert sub.status == ReportSubmission.Status.SUBMITTED
    assert sub.computed["1-1"] == 3 and sub.computed["1-2"] == 30  # A1's study sessions, kept as submitted
    with pytest.raises(DomainError, match="已上报，不能再修改"):
        services.submission_save(submission=sub, values={}, by=people["a1"])


def test_the_issuer_returns_with_a_comment_or_accepts(tree, people, issued):
    sub = _sub(issued, tree.branch_b1)
    services.submission_submit(submission=sub, by=people["b1"])
    with pytest.raises(PermissionDenied):
        services.submission_accept(submission=sub, by=people["b1"])
    with pytest.raises(DomainError, match="请写明"):
        services.submission_return(submission=sub, comment=" ", by=people["county"])
    services.submission_return(submission=sub, comment="第5项表彰人次与名单不符", by=people["county"])
    sub.refresh_from_db()
    assert sub.status == ReportSubmission.Status.RETURNED and sub.comment == "第5项表彰人次与名单不符"
    services.submission_save(submission=sub, values={"5-2": "1"}, by=people["b1"])
    services.submission_submit(submission=sub, by=people["b1"])
    services.submission_accept(submission=sub, by=people["county"])
    sub.refresh_from_db()
    assert sub.status == ReportSubmission.Status.ACCEPTED
    labels = [h.history_change_reason or "" for h in sub.history.order_by("history_id")]
    assert any(r.startswith("退回修改") for r in labels) and any(r.startswith("审核通过") for r in labels)


def test_the_roll_up_sums_what_was_reported_and_names_who_has_not(tree, people, issued, activities):
    for org, user, values in (
        (tree.branch_a1, people["a1"], {"5-2": "3", "5-3": "优秀共产党员", "9-4": "2"}),
        (tree.branch_b1, people["b1"], {"5-2": "2", "5-3": "先进工作者", "9-4": "1"}),
    ):
        sub = _sub(issued, org)
        services.submission_save(submission=sub, values=values, by=user)
        services.submission_submit(submission=sub, by=user)
    # A2 saved but did not submit: its figure stays out of the roll-up.
    services.submission_save(submission=_sub(issued, tree.branch_a2), values={"5-2": "100"}, by=people["county"])

    form = selectors.filled_form(
        template=issued.template, organization=tree.county, period="2025", issue=issued, today=D(2026, 1, 10)
    )
    blanks = {b.key: b for item in form.items for b in item.blanks}
    assert blanks["5-2"].raw == 5 and blanks["5-2"].text == "5※"
    assert blanks["5-3"].raw == ["优秀共产党员", "先进工作者"]
    assert blanks["1-1"].raw == 4 and blanks["1-1"].text == "4"  # computed: no mark
    assert (form.reported_count, form.expected_count, form.not_reported_count) == (2, 5, 3)
    assert form.not_reported == ["甲镇党委", "甲镇二村党支部", "乙镇党委"]
    assert "尚未上报：甲镇党委、甲镇二村党支部、乙镇党委" in form.note
    assert form.items[0].sentence == "创先争优活动以来，本部门共组织4次理论学习，35人次党员干部参加学习。"

    columns, rows = selectors.rollup_table(form, today=D(2026, 1, 10))
    by_org = {r.organization.code: r for r in rows}
    assert by_org["CA"].values["5-2"] == "3" and by_org["CB"].values["5-2"] == "2"
    assert by_org["CA"].values["1-2"] == "30" and by_org["CB"].values["1-2"] == "5"
    assert (by_org["CA"].reported, by_org["CA"].expected) == (1, 3)
    assert by_org["CA"].values["3-1"] is not None and by_org["CA"].values["5-1"] == "—"  # awards: not by child

    # The town's own form adds up its own subtree only.
    town = selectors.filled_form(template=issued.template, organization=tree.town_a, period="2025", issue=issued)
    assert {b.key: b.raw for i in town.items for b in i.blanks}["5-2"] == 3


def test_a_committee_defines_a_form_and_cannot_change_it_once_issued(tree, people):
    source = "本镇共组织{activity.study.count}次学习，另有{填报:其他学习人次}人次自学。"
    with pytest.raises(PermissionDenied):
        services.template_create(organization=tree.branch_a1, code="x", name="学习", source=source, by=people["a1"])
    with pytest.raises(DomainError, match="第1行"):
        services.template_create(
            organization=tree.town_a, code="x", name="学习", source="{stat.nope}", by=people["town_a"]
        )
    template = services.template_create(
        organization=tree.town_a, code="Town-Study", name="学习情况", source=source, by=people["town_a"]
    )
    assert template.code == "town-study" and template.items.get().blanks.count() == 2
    services.template_update(
        template=template, name="学习情况表", source=source + "\n共{填报:篇}篇心得。", by=people["town_a"]
    )
    assert template.items.count() == 2
    assert list(selectors.templates_for(tree.branch_a1).values_list("code", flat=True)).count("town-study") == 1
    assert "town-study" not in selectors.templates_for(tree.branch_b1).values_list("code", flat=True)
    services.report_issue(
        template=template, organization=tree.town_a, period="2025Q3", due_on=D(2099, 1, 1), by=people["town_a"]
    )
    with pytest.raises(DomainError, match="已经下发"):
        services.template_update(template=template, name="改", source=source, by=people["town_a"])
    with pytest.raises(DomainError, match="内置"):
        services.template_update(
            template=ReportTemplate.objects.get(code="pian12"), name="改", source=source, by=people["county"]
        )
    with pytest.raises(DomainError, match="只能下发本级或上级制定"):
        services.report_issue(
            template=template, organization=tree.town_b, period="2025", due_on=D(2099, 1, 1), by=people["county"]
        )
