"""联系点: leaders (处级以上 / 县级党员领导干部) register contact-point organizations (篇四, 篇十二), review them
(篇六 “县级党员领导干部重点点评联系点和分管单位党组织”) and visit them; both count there as 联系领导点评."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from evaluations import selectors
from evaluations.models import ContactPoint, ContactVisit
from evaluations.services import contact_points as contact_services
from evaluations.services.reviews import leader_review_create
from evaluations.statistics import compute_indicators
from organizations.errors import DomainError
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

from .conftest_appraisals import *  # noqa: F403

pytestmark = pytest.mark.django_db

GRADES = {"lead_development": "good", "serve_masses": "good", "build_harmony": "good", "strengthen_base": "good"}


@pytest.fixture
def leader(world):
    """A county leader (领导干部) of the county organs, without any committee role."""
    organs = OrganizationFactory(code="CG", name="县直机关党支部", parent=world.tree.county)
    user = UserFactory(username="xianzhang", full_name="赵县长")
    MemberFactory(organization=organs, user=user, name="赵县长", is_leader=True)
    return user


def test_a_leader_registers_a_contact_point_and_others_cannot(world, leader):
    """篇十二 counts 处级以上党员领导干部's 联系点: a leader (or a committee officer) may keep them, a member not."""
    point = contact_services.contact_point_add(
        by=leader, organization=world.tree.branch_a1, since=datetime.date(2025, 3, 1)
    )
    assert point.leader == leader and point.organization == world.tree.branch_a1
    with pytest.raises(DomainError, match="已经是您的联系点"):
        contact_services.contact_point_add(by=leader, organization=world.tree.branch_a1)
    with pytest.raises(PermissionDenied):
        contact_services.contact_point_add(by=world.member.user, organization=world.tree.branch_a2)
    contact_services.contact_point_add(by=world.committee, organization=world.tree.branch_a2)  # a committee officer
    assert ContactPoint.objects.count() == 2


def test_a_contact_leader_may_review_his_contact_point_only(world, leader):
    """篇六: “县级党员领导干部重点点评联系点” — a leader who is no committee above it reviews his contact point."""
    review = {"kind": "quarterly", "period": "2025Q3", "text": "承诺事项推进有力。", "grades": GRADES}
    with pytest.raises(PermissionDenied):
        leader_review_create(by=leader, organization=world.tree.branch_a1, **review)
    contact_services.contact_point_add(by=leader, organization=world.tree.branch_a1)
    made = leader_review_create(by=leader, organization=world.tree.branch_a1, **review)
    assert made.reviewer == leader
    with pytest.raises(PermissionDenied):
        leader_review_create(by=leader, organization=world.tree.branch_a2, **review)


def test_reviews_and_visits_count_on_the_organization_and_in_the_statistics(client, world, leader):
    t = world.tree
    point = contact_services.contact_point_add(by=leader, organization=t.branch_a1, since=datetime.date(2025, 3, 1))
    contact_services.contact_visit_add(
        by=leader, contact_point=point, visited_on=datetime.date(2025, 7, 2), note="调研集体经济"
    )
    review = {"kind": "quarterly", "period": "2025Q3", "text": "承诺事项推进有力。", "grades": GRADES}
    leader_review_create(by=leader, organization=t.branch_a1, **review)
    own = review | {"period": "2025Q2"}
    leader_review_create(by=world.committee, organization=t.branch_a1, **own)  # the committee's own: not counted
    rows = list(selectors.contact_leaders_of(t.branch_a1))
    assert [(r.leader, r.reviews, r.visits_count) for r in rows] == [(leader, 1, 1)]
    indicators = compute_indicators(t.county, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert indicators["leader_reviews"] == 2
    assert indicators["contact_leader_reviews"] == 1 and indicators["contact_visits"] == 1
    client.force_login(world.secretary)
    page = client.get(reverse("evaluations:review_org", args=[t.branch_a1.code])).content.decode()
    section = page.split('id="contact-leaders"')[1]
    assert "赵县长" in section and "1 次" in section


def test_only_his_own_contact_points_are_given_up_or_visited(world, leader):
    point = contact_services.contact_point_add(by=leader, organization=world.tree.branch_a1)
    with pytest.raises((DomainError, PermissionDenied)):
        contact_services.contact_point_remove(by=world.committee, contact_point=point)
    with pytest.raises((DomainError, PermissionDenied)):
        contact_services.contact_visit_add(
            by=world.committee, contact_point=point, visited_on=datetime.date(2025, 7, 1), note="走访"
        )
    assert ContactPoint.objects.filter(pk=point.pk).exists() and not ContactVisit.objects.exists()
    contact_services.contact_point_remove(by=leader, contact_point=point)
    assert not ContactPoint.objects.exists()


def test_the_contact_points_page(client, world, leader, django_assert_max_num_queries):
    client.force_login(world.member.user)
    assert client.get(reverse("evaluations:contact_points")).status_code == 403
    client.force_login(leader)
    url = reverse("evaluations:contact_points")
    response = client.post(url, {"organization": world.tree.branch_a1.pk, "since": "2025-03-01"})
    assert response.status_code == 302
    with django_assert_max_num_queries(40) as few:
        page = client.get(url).content.decode()
    assert "甲镇一村党支部" in page and "2025年3月1日" in page
    for i in range(10):
        org = OrganizationFactory(code=f"CA8{i}", name=f"联系{i}党支部", parent=world.tree.town_a)
        contact_services.contact_point_add(by=leader, organization=org)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    point = ContactPoint.objects.get(organization=world.tree.branch_a1)
    client.post(reverse("evaluations:contact_visit_add", args=[point.pk]), {"visited_on": "2025-07-02", "note": "走访"})
    assert point.visits.count() == 1
    client.post(reverse("evaluations:contact_point_remove", args=[point.pk]))
    assert not ContactPoint.objects.filter(pk=point.pk).exists()


@pytest.mark.parametrize(("now", "expected"), [("2025-08-10T04:00:00Z", "2025Q3"), ("2026-12-03T04:00:00Z", "2025Q4")])
def test_the_review_period_defaults_inside_the_campaign(client, world, time_machine, now, expected):
    """Issue 13 §8: the period offered is today's while the campaign runs, else that of its last day."""
    time_machine.move_to(now, tick=False)
    client.force_login(world.secretary)
    page = client.get(reverse("evaluations:review_member_new", args=[world.member.pk])).content.decode()
    assert f'value="{expected}"' in page
