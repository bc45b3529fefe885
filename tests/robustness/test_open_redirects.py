"""Every form that carries a `next` or `back` address sends the browser back into this site, never elsewhere.

Each endpoint is posted an off-site address in the three shapes an attacker uses (an absolute URL, a
scheme-relative one and a `javascript:` one); the answer is a redirect to the endpoint's own page, and the
action itself still happens exactly once.
"""

import datetime

import pytest
from django.urls import reverse

from commitments import services as commitment_services
from commitments.models import Notification, PledgeItem
from evaluations.models import Award, LeaderReview, MonthlyRecord
from evaluations.services import awards as award_services
from evaluations.services import records as record_services
from organizations.models import OrganizationUserObjectPermission
from organizations.permissions import Role
from tests.evaluations.conftest_reviews import quick_pledge, review
from tests.factories import PASSWORD, UserFactory, grant

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example", "javascript:alert(1)"]


def assert_stays_on_site(response, expected):
    assert response.status_code == 302
    location = response["Location"]
    assert location == expected, location
    assert "evil" not in location and "javascript" not in location


@pytest.mark.parametrize("evil", EVIL)
def test_tick_off_decision(client, world, published, evil):
    item = published().items.first()
    commitment_services.item_request_tick_off(item=item, by=world.member.user, note="已完成")
    client.force_login(world.secretary)
    response = client.post(
        reverse("commitments:item_tick_decide", args=[item.pk]), {"decision": "confirm", "next": evil}
    )
    assert_stays_on_site(response, item.pledge.get_absolute_url())
    assert PledgeItem.objects.get(pk=item.pk).state == PledgeItem.State.TICKED_OFF


def test_tick_off_decision_follows_a_path_on_this_site(client, world, published):
    item = published().items.first()
    client.force_login(world.secretary)
    back = reverse("commitments:queues") + "?tab=tick"
    response = client.post(reverse("commitments:item_tick_decide", args=[item.pk]), {"decision": "x", "next": back})
    assert_stays_on_site(response, back)


@pytest.mark.parametrize("evil", EVIL)
def test_notification_read(client, world, evil):
    Notification.objects.create(recipient=world.secretary, kind="submitted", text="通知", url="/", dedupe_key="k")
    client.force_login(world.secretary)
    response = client.post(reverse("commitments:notification_read"), {"next": evil})
    assert_stays_on_site(response, reverse("commitments:notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("back", [*EVIL, "CA", "no such code", "organizations:tree", ""])
def test_role_revoke_with_a_bad_back_redirects_after_revoking_once(client, tree, back):
    committee = UserFactory()
    grant(committee, Role.COMMITTEE, tree.town_a)
    clerk = UserFactory()
    role = grant(clerk, Role.CLERK, tree.branch_a1)
    client.force_login(committee)
    response = client.post(reverse("organizations:role_revoke", args=[role.pk]), {"back": back})
    assert_stays_on_site(response, reverse("organizations:roles", args=["CA1"]))
    assert not OrganizationUserObjectPermission.objects.filter(user=clerk).exists()
    history = OrganizationUserObjectPermission.history.filter(id=role.pk, history_type="-")
    assert history.count() == 1
    # A second post finds nothing to revoke and does not fail either.
    assert client.post(reverse("organizations:role_revoke", args=[role.pk]), {"back": back}).status_code == 404


def test_role_revoke_returns_to_the_roles_page_it_was_posted_from(client, tree):
    committee = UserFactory()
    grant(committee, Role.COMMITTEE, tree.town_a)
    role = grant(UserFactory(), Role.CLERK, tree.branch_a1)
    client.force_login(committee)
    page = client.get(reverse("organizations:roles", args=["CA"]) + "?page=1").content.decode()
    assert 'name="back" value="/orgs/CA/roles/?page=1"' in page
    response = client.post(reverse("organizations:role_revoke", args=[role.pk]), {"back": "/orgs/CA/roles/?page=1"})
    assert_stays_on_site(response, "/orgs/CA/roles/?page=1")


@pytest.mark.parametrize("evil", EVIL)
def test_review_publish(client, world, evil):
    r = review(reviewer=world.secretary, member=world.member, period="2025Q2")
    client.force_login(world.secretary)
    response = client.post(reverse("evaluations:review_publish", args=[r.pk]), {"publish": "1", "next": evil})
    assert_stays_on_site(response, reverse("evaluations:review_history", args=["CA1"]))
    assert LeaderReview.objects.get(pk=r.pk).is_published


@pytest.mark.parametrize("evil", EVIL)
def test_grade_confirm(client, world, evil):
    pledge = quick_pledge(campaign=world.campaign, member=world.member)
    client.force_login(world.secretary)
    response = client.post(reverse("evaluations:grade_confirm", args=[pledge.pk]), {"grade": "?", "next": evil})
    assert_stays_on_site(response, reverse("evaluations:grade_index") + f"?campaign={world.campaign.pk}")


@pytest.mark.parametrize("evil", EVIL)
def test_award_decide(client, world, evil):
    award = award_services.award_nominate(
        kind="star_member",
        year=2025,
        occasion="七一",
        member=world.member,
        organization=None,
        nominating_organization=world.tree.branch_a1,
        citation="承诺事项全部按期兑现。",
        by=world.secretary,
    )
    client.force_login(world.committee)
    response = client.post(reverse("evaluations:award_decide", args=[award.pk]), {"decision": "approve", "next": evil})
    assert_stays_on_site(response, reverse("evaluations:award_index") + "?tab=pending")
    assert Award.objects.get(pk=award.pk).status == "approved"


@pytest.mark.parametrize("evil", EVIL)
def test_record_comment(client, world, evil):
    month = datetime.date.today().replace(day=1)
    record = record_services.monthly_record_save(member=world.member, by=world.member.user, month=month, text="记实")
    client.force_login(world.secretary)
    response = client.post(reverse("evaluations:record_comment", args=[record.pk]), {"comment": "好", "next": evil})
    assert_stays_on_site(response, reverse("evaluations:record_org", args=["CA1"]))
    assert MonthlyRecord.objects.get(pk=record.pk).comment == "好"


@pytest.mark.parametrize("evil", EVIL)
def test_login_next(client, db, evil):
    UserFactory(username="wang")
    response = client.post(reverse("login"), {"username": "wang", "password": PASSWORD, "next": evil})
    assert_stays_on_site(response, reverse("home"))


@pytest.mark.parametrize("evil", EVIL)
def test_logout_next(client, db, evil):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"), {"next": evil})
    assert_stays_on_site(response, reverse("login"))
