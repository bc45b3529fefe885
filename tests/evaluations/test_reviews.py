"""领导点评: who may review whom, what a review must contain, rectification and publication."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commitments.models import Notification
from evaluations import selectors
from evaluations.models import LeaderReview, Rectification
from evaluations.services import reviews as services
from organizations.errors import DomainError
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.evaluations.conftest_reviews import GOOD_GRADES, ORG_GRADES, last_quarter, quarter_period
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def period():
    return quarter_period(*last_quarter())


def write(by, member=None, organization=None, **extra):
    data = {
        "kind": "quarterly",
        "period": period(),
        "text": "工作思路清晰，带头服务群众，执行有力。",
        "grades": GOOD_GRADES if member is not None else ORG_GRADES,
    }
    data.update(extra)
    return services.leader_review_create(by=by, member=member, organization=organization, **data)


def test_secretary_reviews_a_member_of_his_branch(world, run_on_commit):
    r = run_on_commit(write, world.secretary, member=world.member)
    r.refresh_from_db()
    assert (r.member, r.kind, r.period, r.reviewer) == (world.member, "quarterly", period(), world.secretary)
    assert [g for _, g in r.aspects()] == ["好", "好", "较好", "好", "好"]
    assert r.campaign == world.campaign
    assert not r.is_published
    note = Notification.objects.get(recipient=world.member.user)
    assert world.member.name in note.text and "一季一点评" in note.text


@pytest.mark.parametrize("who", ["town_secretary", "co_secretary"])
def test_other_secretaries_above_or_beside_in_the_branch_may_review(world, people, who):
    write(getattr(people, who), member=world.member)
    assert LeaderReview.objects.filter(member=world.member).count() == 1


@pytest.mark.parametrize(
    "who", ["self", "clerk", "committee", "sibling_secretary", "town_b_committee", "outsider", "member"]
)
def test_refused_reviewers_change_nothing(world, people, who):
    users = {
        "self": world.secretary,  # the secretary reviewing his own member record
        "clerk": world.clerk,
        "committee": world.committee,  # a committee reviews organizations, not members
        "sibling_secretary": people.sibling_secretary,
        "town_b_committee": people.town_b_committee,
        "outsider": people.outsider,
        "member": world.member.user,
    }
    subject = world.secretary_member if who in ("self", "member") else world.member
    with pytest.raises(PermissionDenied) as err:
        write(users[who], member=subject)
    assert "书记" in str(err.value)
    assert not LeaderReview.objects.exists()


def test_the_secretary_himself_is_reviewed_from_above(world, people):
    write(people.town_secretary, member=world.secretary_member)
    assert LeaderReview.objects.get().member == world.secretary_member


def test_committee_reviews_subordinate_organizations_only(world, people):
    t = world.tree
    write(world.committee, organization=t.branch_a1)
    write(people.county_committee, organization=t.town_a)
    assert LeaderReview.objects.count() == 2
    for user, org in [
        (world.committee, t.town_a),  # not its own organization
        (world.secretary, t.branch_a1),  # a branch does not review itself
        (people.town_b_committee, t.branch_a1),
        (people.town_secretary, t.branch_a1),  # the role must be a committee
    ]:
        with pytest.raises(PermissionDenied):
            write(user, organization=org)
    assert LeaderReview.objects.count() == 2


def test_quarterly_half_year_and_annual_reviews_need_every_grade(world):
    year = timezone.localdate().year - 1
    for kind, per in [("quarterly", period()), ("half_year", f"{year}H2"), ("annual", str(year))]:
        with pytest.raises(DomainError) as err:
            write(world.secretary, member=world.member, kind=kind, period=per, grades={"de": "good", "neng": "fair"})
        assert "勤、绩、廉" in str(err.value)
    with pytest.raises(DomainError) as err:
        write(world.committee, organization=world.tree.branch_a1, grades={"lead_development": "good"})
    assert "服务群众、构建和谐、加强基层组织" in str(err.value)
    assert not LeaderReview.objects.exists()


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        ("2026-03-31T15:59:00Z", ["2026-03", "2026Q1", "2026H1", "2026"]),  # 23:59 in Shanghai
        ("2026-03-31T16:00:00Z", ["2026-04", "2026Q2", "2026H1", "2026"]),  # next day, month and quarter
        ("2026-06-30T16:30:00Z", ["2026-07", "2026Q3", "2026H2", "2026"]),  # and half-year
        ("2026-12-31T23:30:00Z", ["2027-01", "2027Q1", "2027H1", "2027"]),  # and year
    ],
)
def test_the_current_period_is_the_one_of_the_shanghai_date(time_machine, utc, expected):
    time_machine.move_to(utc, tick=False)
    assert [selectors.current_period(kind) for kind in ("monthly", "quarterly", "half_year", "annual")] == expected


def test_a_monthly_reminder_may_go_without_grades(world):
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    r = write(world.secretary, member=world.member, kind="monthly", period=month, grades={})
    assert r.aspects() == []


@pytest.mark.parametrize(
    "kind,bad,example",
    [
        ("monthly", "2025Q3", "2025-07"),
        ("monthly", "2025-13", "2025-07"),
        ("quarterly", "2025-07", "2025Q3"),
        ("quarterly", "2025Q5", "2025Q3"),
        ("half_year", "2025Q3", "2025H2"),
        ("half_year", "2025H3", "2025H2"),
        ("annual", "2025H2", "2025"),
        ("annual", "25", "2025"),
    ],
)
def test_period_must_match_the_kind(world, kind, bad, example):
    with pytest.raises(DomainError) as err:
        write(world.secretary, member=world.member, kind=kind, period=bad)
    assert example in str(err.value)
    assert not LeaderReview.objects.exists()


def test_period_is_normalised_and_future_periods_are_refused(world):
    year, quarter = last_quarter()
    r = write(world.secretary, member=world.member, period=f"{year}q{quarter}")
    assert r.period == f"{year}Q{quarter}"
    with pytest.raises(DomainError) as err:
        write(world.secretary, member=world.member, period=f"{timezone.localdate().year + 1}Q1")
    assert "还没有开始" in str(err.value)


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"grades": {**GOOD_GRADES, "de": "excellent"}}, "“德”的等次无效"),
        ({"grades": {**GOOD_GRADES, "lead_development": "good"}}, "等次项目不对"),
        ({"text": "   "}, "请填写点评意见"),
        ({"kind": "weekly"}, "请选择点评方式"),
        ({"requires_rectification": True}, "整改期限"),
        ({"requires_rectification": True, "rectify_by": datetime.date(2020, 1, 1)}, "不能早于今天"),
    ],
)
def test_bad_input_changes_nothing(world, extra, message):
    with pytest.raises(DomainError) as err:
        write(world.secretary, member=world.member, **extra)
    assert message in str(err.value)
    assert not LeaderReview.objects.exists() and not Rectification.objects.exists()


def test_one_review_per_subject_kind_and_period(world):
    write(world.secretary, member=world.member)
    with pytest.raises(DomainError) as err:
        write(world.secretary, member=world.member)
    assert "不能重复点评" in str(err.value)
    write(world.secretary, member=MemberFactory(organization=world.tree.branch_a1))
    assert LeaderReview.objects.count() == 2


def test_inactive_member_is_not_reviewed(world):
    world.member.is_active = False
    world.member.save()
    with pytest.raises(DomainError):
        write(world.secretary, member=world.member)


def test_requiring_rectification_opens_one(world):
    due = timezone.localdate() + datetime.timedelta(days=30)
    r = write(world.secretary, member=world.member, requires_rectification=True, rectify_by=due)
    rect = Rectification.objects.get()
    assert rect.source == Rectification.Source.LEADER_REVIEW
    assert (rect.leader_review, rect.member, rect.organization, rect.deadline) == (
        r,
        world.member,
        world.tree.branch_a1,
        due,
    )
    assert rect.status == Rectification.Status.OPEN


def test_organization_review_requiring_rectification(world):
    due = timezone.localdate() + datetime.timedelta(days=60)
    write(world.committee, organization=world.tree.branch_a1, requires_rectification=True, rectify_by=due)
    rect = Rectification.objects.get()
    assert rect.organization == world.tree.branch_a1 and rect.member is None


def test_without_rectification_the_date_is_dropped(world):
    r = write(world.secretary, member=world.member, rectify_by=timezone.localdate())
    assert r.rectify_by is None and not Rectification.objects.exists()


def test_publishing_by_the_reviewer_and_refused_for_others(world, people):
    r = write(world.secretary, member=world.member, publish=True)
    assert r.is_published
    services.leader_review_publish(review=r, by=world.secretary, publish=False)
    assert not LeaderReview.objects.get().is_published
    with pytest.raises(PermissionDenied):
        services.leader_review_publish(review=r, by=people.sibling_secretary)
    with pytest.raises(PermissionDenied):
        services.leader_review_publish(review=r, by=world.member.user)
    assert not LeaderReview.objects.get().is_published


@pytest.mark.parametrize(
    "period,label",
    [("2025Q3", "2025年第三季度"), ("2025-07", "2025年7月"), ("2025H1", "2025年上半年"), ("2025", "2025年度")],
)
def test_period_labels(period, label):
    assert selectors.period_label(period) == label
