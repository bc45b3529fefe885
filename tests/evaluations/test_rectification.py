"""整改: report → approval or return → done → a new appraisal; closed only when that one reaches 90%."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commitments.models import Notification
from evaluations.models import LeaderReview
from organizations.errors import DomainError

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import REPORT, Appraisal, Rectification, cast, fresh, services


def test_a_failed_appraisal_opens_one_rectification_for_the_organization(world, failed_appraisal, rectification):
    assert rectification.organization == world.tree.branch_a1
    assert rectification.source == Rectification.Source.APPRAISAL
    assert rectification.status == Rectification.Status.OPEN
    assert rectification.deadline is None


def test_the_whole_loop_closes_only_after_a_passing_re_appraisal(world, rectification, report, open_appraisal):
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    assert fresh(rectification).status == Rectification.Status.SUBMITTED
    services.rectification_return(rectification=rectification, by=world.committee, comment="整改措施要落实到人。")
    r = fresh(rectification)
    assert r.status == Rectification.Status.RETURNED and r.review_comment == "整改措施要落实到人。"
    services.rectification_submit(
        rectification=rectification, by=world.clerk, **(report | {"measures": "书记牵头，张三、李四分片负责。"})
    )
    services.rectification_approve(rectification=rectification, by=world.committee, comment="同意。")
    r = fresh(rectification)
    assert r.status == Rectification.Status.APPROVED and r.approved_by == world.committee and r.approved_at
    # Approved is not closed, and done is not closed either: only a passing appraisal closes it.
    with pytest.raises(DomainError, match="整改完成后才能组织再次评议"):
        open_appraisal(half=2, rectification=rectification)
    services.rectification_mark_done(rectification=rectification, by=world.secretary, evidence="道路已修好。")
    r = fresh(rectification)
    assert r.status == Rectification.Status.DONE and r.done_at and r.closed_at is None

    again = open_appraisal(rectification=rectification)  # the same half-year is fine for a re-appraisal
    assert again.rectification == r
    cast(again, satisfied=25, basically=3, unsatisfied=2)
    closed = services.appraisal_close(appraisal=again, by=world.committee)
    assert closed.satisfaction == Decimal("0.9333")
    r = fresh(rectification)
    assert r.status == Rectification.Status.CLOSED and r.closed_at is not None
    assert Rectification.objects.count() == 1  # nothing new opened


def test_a_failing_re_appraisal_sends_the_rectification_back_to_work(world, done_rectification, open_appraisal, report):
    again = open_appraisal(rectification=done_rectification)
    cast(again, satisfied=26, unsatisfied=4)
    services.appraisal_close(appraisal=again, by=world.committee)
    r = fresh(done_rectification)
    assert r.status == Rectification.Status.APPROVED and r.done_at is None and r.closed_at is None
    assert "满意度为 86.7%，仍低于90%" in r.review_comment
    assert Rectification.objects.count() == 1  # the same rectification continues; no second one
    # Work again, report done again, appraise again: now it passes and closes.
    services.rectification_mark_done(rectification=r, by=world.clerk, evidence="又组织了两次回访。")
    third = open_appraisal(rectification=r)
    cast(third, satisfied=29, unsatisfied=1)
    services.appraisal_close(appraisal=third, by=world.committee)
    assert fresh(r).status == Rectification.Status.CLOSED
    assert list(r.follow_up_appraisals.order_by("pk")) == [again, third]


def test_only_the_organization_files_and_only_the_committee_above_decides(world, people, rectification, report):
    for outsider in (world.committee, people.sibling_secretary, people.town_b_committee, world.member.user):
        with pytest.raises(PermissionDenied):
            services.rectification_submit(rectification=rectification, by=outsider, **report)
    assert fresh(rectification).status == Rectification.Status.OPEN and not fresh(rectification).problems
    services.rectification_submit(rectification=rectification, by=world.clerk, **report)
    for outsider in (world.secretary, world.clerk, people.town_b_committee, people.town_secretary):
        with pytest.raises(PermissionDenied, match="上级党委"):
            services.rectification_approve(rectification=rectification, by=outsider)
        with pytest.raises(PermissionDenied):
            services.rectification_return(rectification=rectification, by=outsider, comment="不行")
    assert fresh(rectification).status == Rectification.Status.SUBMITTED
    services.rectification_approve(rectification=rectification, by=people.county_committee)
    with pytest.raises(PermissionDenied):
        services.rectification_mark_done(rectification=rectification, by=world.committee, evidence="完成")
    assert fresh(rectification).status == Rectification.Status.APPROVED


def test_the_report_needs_every_part_and_a_deadline_not_in_the_past(world, rectification):
    with pytest.raises(ValidationError) as info:
        services.rectification_submit(
            rectification=rectification,
            by=world.secretary,
            problems=" ",
            targets="",
            measures=REPORT["measures"],
            deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert set(info.value.message_dict) == {"problems", "targets", "deadline"}
    assert "不能早于今天" in info.value.message_dict["deadline"][0]
    assert fresh(rectification).status == Rectification.Status.OPEN


def test_wrong_steps_are_refused_with_a_message(world, rectification, report):
    with pytest.raises(DomainError, match="待报送整改报告"):
        services.rectification_approve(rectification=rectification, by=world.committee)
    with pytest.raises(DomainError, match="不能报告整改完成"):
        services.rectification_mark_done(rectification=rectification, by=world.secretary, evidence="完成")
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    with pytest.raises(DomainError, match="审批意见"):
        services.rectification_return(rectification=rectification, by=world.committee, comment="  ")
    with pytest.raises(DomainError, match="不能报送"):
        services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    services.rectification_approve(rectification=rectification, by=world.committee)
    with pytest.raises(DomainError, match="整改完成情况"):
        services.rectification_mark_done(rectification=rectification, by=world.secretary, evidence="")
    assert fresh(rectification).status == Rectification.Status.APPROVED


def test_the_re_appraisal_must_concern_the_same_organization_and_be_one_at_a_time(
    world, done_rectification, open_appraisal
):
    with pytest.raises(DomainError, match="整改的党组织本身"):
        open_appraisal(org=world.tree.branch_a2, rectification=done_rectification)
    open_appraisal(rectification=done_rectification)
    with pytest.raises(DomainError, match="正在进行"):
        open_appraisal(rectification=done_rectification)
    assert Appraisal.objects.filter(rectification=done_rectification).count() == 1


def test_a_leader_review_that_requires_it_opens_a_rectification_once(world):
    review = LeaderReview.objects.create(
        member=world.member,
        kind=LeaderReview.Kind.QUARTERLY,
        period="2025Q2",
        text="承诺事项推进慢。",
        requires_rectification=True,
        rectify_by=datetime.date(2025, 9, 30),
        reviewer=world.secretary,
    )
    first = services.rectification_open_from_review(review)
    assert services.rectification_open_from_review(review) == first
    assert first.source == Rectification.Source.LEADER_REVIEW
    assert first.organization == world.tree.branch_a1 and first.member == world.member
    assert first.deadline == datetime.date(2025, 9, 30)
    plain = LeaderReview.objects.create(
        organization=world.tree.branch_a1, kind="quarterly", period="2025Q2", text="很好。", reviewer=world.committee
    )
    assert services.rectification_open_from_review(plain) is None
    assert Rectification.objects.count() == 1


def test_unfulfilled_pledges_open_a_rectification_once(world, published, org_pledge_in):
    pledge = published(n=1)
    first = services.rectification_open_for_unfulfilled(pledge)
    assert services.rectification_open_for_unfulfilled(pledge) == first
    assert (first.source, first.member, first.organization) == ("unfulfilled", world.member, world.tree.branch_a1)
    org_pledge = org_pledge_in("published")
    second = services.rectification_open_for_unfulfilled(org_pledge)
    assert second.member is None and second.organization == world.tree.branch_a1
    assert Rectification.objects.count() == 2


def test_overdue_rectifications_notify_both_sides_once(world, people, rectification, report, run_on_commit):
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    services.rectification_approve(rectification=rectification, by=world.committee)
    deadline = fresh(rectification).deadline
    assert run_on_commit(services.rectification_notify_overdue, deadline) == 0  # due today, not yet overdue
    later = deadline + datetime.timedelta(days=1)
    assert run_on_commit(services.rectification_notify_overdue, later) == 1
    assert run_on_commit(services.rectification_notify_overdue, later + datetime.timedelta(days=1)) == 0
    recipients = set(Notification.objects.filter(kind="overdue").values_list("recipient__username", flat=True))
    # The branch's secretaries and clerk, and the committee directly above (town A), not the county's.
    assert recipients == {"shuji", "co_sec", "ganshi", "town"}
    assert "整改已超过时限" in Notification.objects.first().text


def test_done_or_closed_rectifications_are_not_overdue(world, done_rectification):
    later = fresh(done_rectification).deadline + datetime.timedelta(days=10)
    assert services.rectification_notify_overdue(later) == 0
    assert fresh(done_rectification).overdue_notified_at is None
