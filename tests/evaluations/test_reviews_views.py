"""Pages of 领导点评: the branch and committee pages, the form that keeps input, the member's own reviews, and
query counts that stay flat however many rows a page shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import LeaderReview
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.evaluations.conftest_reviews import GOOD_GRADES, last_quarter, quarter_period, review
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def period():
    return quarter_period(*last_quarter())


def test_branch_page_lists_members_with_this_quarters_coverage(client, world, branch_members):
    a, b = branch_members(2)
    review(reviewer=world.secretary, member=a, period=period())
    client.force_login(world.secretary)
    page = client.get(reverse("evaluations:review_org", args=["CA1"]) + f"?period={period()}").content.decode()
    assert "1/4" in page and "25.0%" in page
    assert a.name in page and b.name in page
    assert reverse("evaluations:review_member_new", args=[b.pk]) in page
    # The secretary is reviewed from above, not by himself.
    assert reverse("evaluations:review_member_new", args=[world.secretary_member.pk]) not in page
    assert "由上级点评" in page


def test_committee_page_rolls_up(client, world, branch_members):
    branch_members(2)
    branch_members(3, world.tree.branch_a2)
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:review_org", args=["CA"])).content.decode()
    assert "甲镇一村党支部" in page and "甲镇二村党支部" in page and "0/7" in page
    assert reverse("evaluations:review_org_new", args=["CA1"]) in page


def test_a_member_without_a_role_cannot_open_the_branch_page(client, world):
    client.force_login(world.member.user)
    assert client.get(reverse("evaluations:review_org", args=["CA1"])).status_code == 403
    assert client.get(reverse("evaluations:review_member_new", args=[world.secretary_member.pk])).status_code == 403


def test_review_form_keeps_input_on_error_and_saves_when_complete(client, world):
    client.force_login(world.secretary)
    url = reverse("evaluations:review_member_new", args=[world.member.pk])
    form = client.get(url).content.decode()
    assert 'type="radio"' in form and "德" in form and "廉" in form
    data = {"kind": "quarterly", "period": period(), "text": "带头服务群众。", "de": "good", "neng": "fair"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "尚未评定：勤、绩、廉" in page
    assert "带头服务群众。" in page and 'value="fair" class="form-check-input" id="id_neng_2" checked' in page
    assert not LeaderReview.objects.exists()

    response = client.post(url, {**data, **GOOD_GRADES, "requires_rectification": "on"})
    assert "要求整改时请填写整改期限" in response.content.decode()
    assert not LeaderReview.objects.exists()

    response = client.post(url, {**data, **GOOD_GRADES})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:review_org", args=["CA1"]) + f"?period={period()}"
    assert LeaderReview.objects.get().member == world.member


def test_service_refusals_show_on_the_form(client, world):
    review(reviewer=world.secretary, member=world.member, period=period())
    client.force_login(world.secretary)
    url = reverse("evaluations:review_member_new", args=[world.member.pk])
    response = client.post(url, {"kind": "quarterly", "period": period(), "text": "再写一次", **GOOD_GRADES})
    assert "不能重复点评" in response.content.decode() and LeaderReview.objects.count() == 1


def test_committee_reviews_an_organization_through_the_form(client, world):
    from tests.evaluations.conftest_reviews import ORG_GRADES

    client.force_login(world.committee)
    url = reverse("evaluations:review_org_new", args=["CA1"])
    assert "引领发展" in client.get(url).content.decode()
    response = client.post(url, {"kind": "quarterly", "period": period(), "text": "班子团结。", **ORG_GRADES})
    assert response.status_code == 302
    assert LeaderReview.objects.get().organization == world.tree.branch_a1
    client.force_login(world.secretary)
    assert client.get(url).status_code == 403
    # The branch sees what its superior said of it.
    assert "班子团结。" in client.get(reverse("evaluations:review_org", args=["CA1"])).content.decode()


def test_member_sees_his_own_reviews_published_or_not(client, world):
    review(reviewer=world.secretary, member=world.member, period=period())
    client.force_login(world.member.user)
    page = client.get(reverse("evaluations:review_mine")).content.decode()
    assert "一季一点评" in page and "点评意见" in page and "德：<strong>好</strong>" in page
    client.force_login(UserFactory())
    assert "没有关联党员信息" in client.get(reverse("evaluations:review_mine")).content.decode()


def test_publish_toggle_from_the_history(client, world):
    r = review(reviewer=world.secretary, member=world.member, period=period())
    client.force_login(world.secretary)
    history = reverse("evaluations:review_history", args=["CA1"])
    assert "在公开栏公布" in client.get(history).content.decode()
    client.post(reverse("evaluations:review_publish", args=[r.pk]), {"publish": "1", "next": "https://evil.test/"})
    r.refresh_from_db()
    assert r.is_published


def test_index_sends_each_person_to_his_page(client, world):
    client.force_login(world.secretary)
    assert client.get(reverse("evaluations:review_index"))["Location"] == reverse(
        "evaluations:review_org", args=["CA1"]
    )
    client.force_login(world.member.user)
    assert client.get(reverse("evaluations:review_index"))["Location"] == reverse("evaluations:review_mine")


def test_review_pages_are_flat(client, world, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            m = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
            review(reviewer=world.secretary, member=m, period=period())
            review(reviewer=world.secretary, member=world.member, kind="monthly", period=f"{2000 + m.pk % 20}-01")
            MemberFactory(organization=world.tree.branch_a2)

    client.force_login(world.secretary)
    urls = [
        reverse("evaluations:review_org", args=["CA1"]) + f"?period={period()}",
        reverse("evaluations:review_history", args=["CA1"]),
    ]
    add(10)
    small = {u: count_queries(client, u) for u in urls}
    add(40)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            client.get(url)

    client.force_login(world.committee)
    url = reverse("evaluations:review_org", args=["CA"])
    small = count_queries(client, url)
    add(10)
    with django_assert_max_num_queries(small):
        client.get(url)

    client.force_login(world.member.user)
    url = reverse("evaluations:review_mine")
    small = count_queries(client, url)
    add(10)
    with django_assert_max_num_queries(small):
        client.get(url)


ORG_PAGES = {
    "review_org": 403,
    "review_history": 403,
    "review_org_new": 403,
    "record_org": 403,
    "bulletin_index": 200,  # members read their organization's published bulletins
    "award_nominate": 403,
}


@pytest.mark.parametrize("name", list(ORG_PAGES))
def test_org_pages_are_404_outside_and_403_without_the_role(client, world, people, name):
    url = reverse(f"evaluations:{name}", args=["CA1"])
    client.force_login(people.town_b_committee)
    assert client.get(url).status_code == 404
    client.force_login(world.member.user)
    assert client.get(url).status_code == ORG_PAGES[name]
    client.force_login(world.committee if name == "review_org_new" else world.secretary)
    assert client.get(url).status_code == 200
