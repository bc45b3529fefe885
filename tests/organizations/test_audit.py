"""One way to model state and history: transitions declared with django-fsm, the audit in django-simple-history,
read back as a timeline (organizations.transitions, organizations.audit)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations import audit
from organizations.errors import DomainError
from organizations.models import Exemption
from organizations.permissions import Role
from organizations.services import exemption_decide, exemption_propose, exemption_revoke, member_update
from organizations.transitions import available, take
from tests.factories import MemberFactory


@pytest.fixture
def people(tree, user_with_role):
    class People:
        secretary = user_with_role(Role.SECRETARY, tree.branch_a1, full_name="李书记")
        committee = user_with_role(Role.COMMITTEE, tree.town_a, full_name="甲镇党委组织委员")
        other_committee = user_with_role(Role.COMMITTEE, tree.town_b)

    return People


@pytest.fixture
def pending(tree, people):
    member = MemberFactory(organization=tree.branch_a1, name="李老伯")
    return exemption_propose(member=member, by=people.secretary, reason="age", explanation="年逾八旬。")


def test_a_reason_is_the_label_then_the_comment_and_serves_one_save():
    assert audit.reason("退回修改", "  请补充措施。 ") == "退回修改\n请补充措施。"
    assert audit.reason("批准") == "批准"
    assert audit.split_reason("退回修改\n第一行\n第二行") == ("退回修改", "第一行\n第二行")
    assert audit.split_reason(None) == ("", "")


def test_the_reason_of_a_transition_is_not_repeated_by_the_next_save(pending, people):
    take(pending, "approve", people.committee, comment="同意。")
    pending.save()
    pending.save()  # a later save of the same object is another change
    reasons = list(pending.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["提出免于承诺", "批准\n同意。", None]


def test_a_transition_from_the_wrong_state_is_refused_with_nothing_changed(pending, people):
    exemption_decide(exemption=pending, by=people.committee, approve=True)
    exemption = Exemption.objects.get(pk=pending.pk)
    before = exemption.history.count()
    for name in ("approve", "reject"):
        with pytest.raises(DomainError, match="免于承诺申请当前为“已批准”"):
            take(exemption, name, people.committee)
    assert exemption.status == Exemption.Status.APPROVED and exemption.history.count() == before


def test_a_transition_without_permission_is_refused_with_the_permission_modules_message(pending, people):
    with pytest.raises(PermissionDenied, match="只有上级党委可以审批免于承诺"):
        take(pending, "approve", people.other_committee)
    assert pending.status == Exemption.Status.PENDING
    assert available(pending, people.other_committee) == set()
    assert available(pending, people.committee) == {"approve", "reject"}
    assert available(pending, people.secretary) == set()


def test_the_state_is_changed_by_transitions_only(pending):
    with pytest.raises(AttributeError):
        pending.status = Exemption.Status.APPROVED
    pending.refresh_from_db()  # still possible with a protected state field
    pending.full_clean()  # and so is validating the other fields


def test_the_timeline_says_who_did_what_when(pending, people):
    exemption_decide(exemption=pending, by=people.committee, approve=True, comment="同意免于承诺。")
    exemption_revoke(exemption=pending, by=people.committee, comment="身体已康复。")
    entries = audit.timeline(Exemption.objects.get(pk=pending.pk), people.committee)
    assert [(e.action, e.by, e.change, e.note) for e in entries] == [
        ("提出免于承诺", "李书记", "", ""),
        ("批准", "甲镇党委组织委员", "待审批 → 已批准", "同意免于承诺。"),
        ("撤销", "甲镇党委组织委员", "已批准 → 已撤销", "身体已康复。"),
    ]
    assert all(isinstance(e.at, datetime.datetime) for e in entries)
    assert entries[0].at <= entries[1].at <= entries[2].at


def test_plain_edits_show_what_changed_in_chinese(tree, people):
    member = MemberFactory(organization=tree.branch_a1, name="王五", post="村委委员", is_leader=False)
    member_update(member=member, by=people.secretary, post="村委会主任", is_leader=True)
    [created, edited] = audit.timeline(member, people.secretary)
    assert created.action == "创建"
    assert edited.action.startswith("修改了 ")
    assert "职务/岗位：村委委员 → 村委会主任" in edited.action and "领导干部：否 → 是" in edited.action
    assert edited.by == "李书记"


def test_personal_data_changes_are_left_out_for_those_who_may_not_see_them(tree, people):
    member = MemberFactory(organization=tree.branch_a1, name="王五", phone="13800000000", post="")
    member_update(member=member, by=people.secretary, phone="13900000000")
    member_update(member=member, by=people.secretary, phone="13700000000", post="组长")
    # The branch keeps the roster and sees personal data; the committee reads it masked.
    shown = [e.action for e in audit.timeline(member, people.secretary)]
    assert any("13900000000 → 13700000000" in a for a in shown)
    hidden = [e.action for e in audit.timeline(member, people.committee)]
    assert hidden == ["创建", "修改了 职务/岗位：（空） → 组长"]
    assert not any("1390" in a or "联系电话" in a for a in hidden)


def test_nobody_anonymous_gets_a_timeline(pending):
    from django.contrib.auth.models import AnonymousUser

    assert audit.timeline(pending, AnonymousUser()) == []
    assert audit.timelines([pending], None) == {}


def test_timelines_of_many_objects_take_a_constant_number_of_queries(tree, people):
    def exemptions(n):
        made = []
        for _ in range(n):
            e = exemption_propose(
                member=MemberFactory(organization=tree.branch_a1), by=people.secretary, reason="age", explanation="老"
            )
            exemption_decide(exemption=e, by=people.committee, approve=False, comment="可作口头承诺。")
            made.append(e)
        return made

    def count(objs):
        with CaptureQueriesContext(connection) as ctx:
            result = audit.timelines(objs, people.committee)
        assert all(len(result[o.pk]) == 2 for o in objs)
        return len(ctx.captured_queries)

    assert count(exemptions(2)) == count(exemptions(20))


def test_the_exemption_pages_show_its_timeline(client, pending, people):
    client.force_login(people.committee)
    page = client.get(reverse("organizations:exemption_decide", args=[pending.pk])).content.decode()
    assert "办理过程" in page and "提出免于承诺" in page and "李书记" in page and "提交审批结果" in page
    exemption_decide(exemption=pending, by=people.committee, approve=False, comment="可作口头承诺。")
    page = client.get(reverse("organizations:exemption_decide", args=[pending.pk])).content.decode()
    assert "不予批准" in page and "可作口头承诺。" in page and "提交审批结果" not in page
    listing = client.get(reverse("organizations:exemptions") + "?status=all").content.decode()
    assert "不予批准" in listing and "待审批 → 未批准" in listing
