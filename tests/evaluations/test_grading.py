"""一诺一评: the proposed grade from the data, its reasoning, the reviewer's confirmation and rectification of
unfulfilled items."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments.models import Campaign, Notification, Pledge
from evaluations import selectors
from evaluations.models import Rectification
from evaluations.services import grading as services
from organizations.errors import DomainError
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.evaluations.conftest_reviews import closed_appraisal, inspect, quick_pledge, review
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ON_TIME = [(D(2025, 5, 31), D(2025, 5, 20)), (D(2025, 8, 31), D(2025, 8, 1)), (D(2025, 11, 30), D(2025, 11, 30))]
POOR = {"de": "fair", "neng": "poor", "qin": "poor", "ji": "poor", "lian": "fair"}


def pledge_for(world, items=ON_TIME, member=None):
    return quick_pledge(campaign=world.campaign, member=member or world.member, items=items)


def test_all_on_time_passed_satisfied_and_well_reviewed_is_excellent(world):
    p = pledge_for(world)
    for q in (2, 3, 4):
        inspect(p, 2025, q, passed=True, by=world.secretary)
    closed_appraisal(world.tree.branch_a1, 2025, "0.8000", by=world.committee, half=1)
    closed_appraisal(world.tree.branch_a1, 2025, "0.9600", by=world.committee, half=2)  # the latest counts
    closed_appraisal(world.tree.branch_a1, 2024, "0.5000", by=world.committee, half=2)  # another year does not
    review(reviewer=world.secretary, member=world.member, period="2025Q3")
    review(reviewer=world.secretary, member=world.member, period="2025", kind="annual")
    review(reviewer=world.secretary, member=world.member, period="2024Q4", grades=POOR)  # last year's
    proposal = selectors.propose_final_grade(p)
    assert proposal.grade == "优秀" and proposal.score >= 90
    f = proposal.facts
    assert (f.items, f.ticked, f.on_time, f.inspections, f.inspections_passed) == (3, 3, 3, 3, 3)
    assert str(f.satisfaction) == "0.9600" and f.leader_reviews == 2
    assert "按期销号 3 项（100%）" in proposal.reasons
    assert "季度检查 3 次，全部通过" in proposal.reasons
    assert "群众满意度 96.0%" in proposal.reasons
    assert "领导点评 2 次，平均等次“好”" in proposal.reasons
    assert proposal.reasons.endswith("建议评为“优秀”。")


def test_an_unfulfilled_item_caps_the_grade_at_fair(world):
    p = pledge_for(world, items=ON_TIME[:2] + [(D(2025, 11, 30), None)])
    for q in (2, 3, 4):
        inspect(p, 2025, q, passed=True, by=world.secretary)
    review(reviewer=world.secretary, member=world.member, period="2025Q3")
    proposal = selectors.propose_final_grade(p)
    assert proposal.score >= 75  # the score alone would say 良好
    assert proposal.grade == "一般"
    assert "有 1 项事项未兑现，最高评为“一般”" in proposal.reasons


def test_a_failed_inspection_caps_at_good(world):
    p = pledge_for(world)
    for q in (1, 2, 4):
        inspect(p, 2025, q, passed=True, by=world.secretary)
    inspect(p, 2025, 3, passed=False, by=world.secretary, not_in_place=True)
    proposal = selectors.propose_final_grade(p)
    assert proposal.score >= 90  # the score alone would say 优秀
    assert proposal.grade == "良好" and "1 次未通过" in proposal.reasons and "最高评为“良好”" in proposal.reasons


def test_low_satisfaction_caps_at_fair(world):
    p = pledge_for(world)
    closed_appraisal(world.tree.branch_a1, 2025, "0.8600", by=world.committee)
    proposal = selectors.propose_final_grade(p)
    assert proposal.grade == "一般" and "群众满意度低于90%" in proposal.reasons


def test_without_checks_appraisals_or_reviews_only_items_count(world):
    p = pledge_for(
        world,
        items=[(D(2025, 5, 31), D(2025, 5, 1)), (D(2025, 6, 30), D(2025, 7, 15)), (D(2025, 9, 30), D(2025, 9, 1))],
    )
    proposal = selectors.propose_final_grade(p)
    # 2 of 3 ticked off on time and one late (half): 83 points, 良好; the late one is fulfilled, so no cap.
    assert (proposal.score, proposal.grade) == (83, "良好")
    assert "逾期后销号 1 项" in proposal.reasons
    assert "没有季度检查记录" in proposal.reasons and "群众满意度" not in proposal.reasons


def test_poor_everything_is_poor(world):
    p = pledge_for(world, items=[(D(2025, 5, 31), None), (D(2025, 6, 30), D(2025, 8, 1))])
    inspect(p, 2025, 3, passed=False, by=world.secretary, problem_unsolved=True)
    review(reviewer=world.secretary, member=world.member, period="2025Q3", grades=POOR)
    proposal = selectors.propose_final_grade(p)
    assert proposal.grade == "差" and proposal.score < 60
    assert "平均等次“差”" in proposal.reasons


def test_organization_pledge_uses_the_organizations_reviews(world):
    p = quick_pledge(campaign=world.campaign, organization=world.tree.branch_a1, items=ON_TIME)
    review(reviewer=world.committee, organization=world.tree.branch_a1, period="2025Q2")
    review(reviewer=world.secretary, member=world.member, period="2025Q2", grades=POOR)
    f = selectors.propose_final_grade(p).facts
    assert f.leader_reviews == 1 and f.leader_points > 3.5


def test_facts_of_many_pledges_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    pledges = [pledge_for(world, member=MemberFactory(organization=world.tree.branch_a1)) for _ in range(12)]
    for p in pledges:
        p.campaign = world.campaign
    with django_assert_num_queries(4):
        proposals = selectors.proposals_for(pledges)
    assert len(proposals) == 12


def test_reviewer_confirms_and_unfulfilled_items_go_to_rectification(world, run_on_commit):
    p = pledge_for(world, items=[(D(2025, 5, 31), D(2025, 5, 1)), (D(2025, 9, 30), None)])
    run_on_commit(services.pledge_grade_confirm, pledge=p, by=world.secretary, grade="一般")
    p.refresh_from_db()
    assert p.final_grade == "一般"
    rect = Rectification.objects.get()
    assert (rect.source, rect.pledge, rect.member, rect.organization) == (
        Rectification.Source.UNFULFILLED,
        p,
        world.member,
        world.tree.branch_a1,
    )
    assert "一般" in Notification.objects.get(recipient=world.member.user).text
    services.pledge_grade_confirm(pledge=p, by=world.secretary, grade="差")  # re-grading opens no second one
    assert Rectification.objects.count() == 1
    assert Pledge.objects.get(pk=p.pk).final_grade == "差"
    assert p.history.first().final_grade == "差"


def test_fulfilled_pledge_opens_no_rectification(world):
    p = pledge_for(world)
    services.pledge_grade_confirm(pledge=p, by=world.secretary, grade="优秀")
    assert not Rectification.objects.exists()


@pytest.mark.parametrize("who", ["member", "clerk", "sibling_secretary", "town_b_committee", "outsider"])
def test_only_the_reviewer_grades(world, people, who):
    p = pledge_for(world, items=[(D(2025, 9, 30), None)])
    user = {"member": world.member.user, "clerk": world.clerk}.get(who) or getattr(people, who)
    with pytest.raises(PermissionDenied):
        services.pledge_grade_confirm(pledge=p, by=user, grade="优秀")
    assert Pledge.objects.get(pk=p.pk).final_grade == "" and not Rectification.objects.exists()


def test_the_secretarys_own_pledge_is_graded_from_above(world):
    p = pledge_for(world, member=world.secretary_member)
    with pytest.raises(PermissionDenied):
        services.pledge_grade_confirm(pledge=p, by=world.secretary, grade="优秀")
    services.pledge_grade_confirm(pledge=p, by=world.committee, grade="优秀")
    assert Pledge.objects.get(pk=p.pk).final_grade == "优秀"


def test_bad_grade_draft_pledge_and_open_campaign_are_refused(world):
    p = pledge_for(world)
    with pytest.raises(DomainError):
        services.pledge_grade_confirm(pledge=p, by=world.secretary, grade="优")
    draft = quick_pledge(
        campaign=world.campaign, member=MemberFactory(organization=world.tree.branch_a1), status="draft"
    )
    with pytest.raises(DomainError) as err:
        services.pledge_grade_confirm(pledge=draft, by=world.secretary, grade="优秀")
    assert "签约践诺" in str(err.value)
    Campaign.objects.filter(pk=world.campaign.pk).update(ends_on=timezone.localdate() + datetime.timedelta(days=30))
    with pytest.raises(DomainError) as err:
        services.pledge_grade_confirm(pledge=p, by=world.secretary, grade="优秀")
    assert "承诺批次结束时" in str(err.value)
    Campaign.objects.filter(pk=world.campaign.pk).update(status="closed")
    services.pledge_grade_confirm(pledge=p, by=world.secretary, grade="优秀")
    assert Pledge.objects.get(pk=p.pk).final_grade == "优秀"


def test_grading_page_shows_proposals_and_confirms(client, world, people):
    p = pledge_for(world)
    other = pledge_for(world, member=people.sibling_member)  # reviewed by branch A2's secretary
    client.force_login(world.secretary)
    url = reverse("evaluations:grade_index")
    page = client.get(url).content.decode()
    assert world.member.name in page and people.sibling_member.name not in page
    assert "建议评为“" in page and "按期销号 3 项（100%）" in page
    response = client.post(reverse("evaluations:grade_confirm", args=[p.pk]), {"grade": "优秀", "next": url})
    assert response.status_code == 302 and Pledge.objects.get(pk=p.pk).final_grade == "优秀"
    client.post(reverse("evaluations:grade_confirm", args=[other.pk]), {"grade": "差"})
    assert Pledge.objects.get(pk=other.pk).final_grade == ""
    client.force_login(world.member.user)
    assert (
        "没有需要您评定的承诺书" in client.get(url).content.decode()
        or "没有可以评定" in client.get(url).content.decode()
    )


def test_grading_page_is_flat(client, world, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            m = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
            p = pledge_for(world, member=m)
            inspect(p, 2025, 3, passed=True, by=world.secretary)
            review(reviewer=world.secretary, member=m, period="2025Q3")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    closed_appraisal(world.tree.branch_a1, 2025, "0.9500", by=world.committee)
    client.force_login(world.secretary)
    url = reverse("evaluations:grade_index")
    add(10)
    small = count(url)
    add(40)
    with django_assert_max_num_queries(small):
        client.get(url)
