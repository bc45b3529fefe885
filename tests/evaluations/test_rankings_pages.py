"""上评下议 pages: list and compute, detail with adjustments and publishing, access both ways, flat queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Ranking, RankingEntry
from evaluations.services.rankings import ranking_compute
from organizations.models import Organization
from organizations.permissions import Role
from tests.evaluations import conftest_stats
from tests.evaluations.conftest_stats import TODAY
from tests.factories import MemberFactory, OrganizationFactory, UserFactory, grant

stats_world = conftest_stats.stats_world

ORGS = Ranking.Level.ORGANIZATIONS
MEMBERS = Ranking.Level.MEMBERS


@pytest.fixture
def town_ranking(stats_world):
    w = stats_world
    return ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY)


def test_the_list_offers_the_committee_to_rank_its_subordinates(client, stats_world, town_ranking):
    client.force_login(stats_world.town_committee)
    page = client.get(reverse("evaluations:ranking_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "对下级党组织排名（每两个月）" in text
    assert "对党员排名（每月）" not in text  # a committee does not rank a branch's members
    assert "2025年7—8月" in text  # the existing ranking
    assert reverse("evaluations:ranking_detail", args=[town_ranking.pk]) in text


def test_the_list_offers_the_secretary_to_rank_the_members(client, stats_world):
    client.force_login(stats_world.secretary)
    text = client.get(reverse("evaluations:ranking_list")).content.decode()
    assert "对党员排名（每月）" in text and "对下级党组织排名" not in text
    assert 'value="CA1"' in text


def test_computing_from_the_page(client, stats_world):
    w = stats_world
    client.force_login(w.secretary)
    month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    response = client.post(
        reverse("evaluations:ranking_compute"),
        {"level": MEMBERS, "org": "CA1", "period": f"{month:%Y-%m}", "weight_fulfilment": "50"},
    )
    ranking = Ranking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluations:ranking_detail", args=[ranking.pk]
    )
    assert ranking.weights["fulfilment"] == 50 and ranking.weights["inspections"] == 20
    assert ranking.entries.count() == 5
    page = client.get(response["Location"])
    assert "甲一领导" in page.content.decode()


def test_computing_from_the_page_without_the_right_shows_the_refusal(client, stats_world):
    client.force_login(stats_world.secretary)
    response = client.post(
        reverse("evaluations:ranking_compute"), {"level": ORGS, "org": "CA1", "period": "2025-B4"}, follow=True
    )
    assert "只有上级党委可以对下级党组织进行排名" in response.content.decode()
    assert not Ranking.objects.exists()


def test_the_detail_shows_components_and_the_adjustment_form(client, stats_world, town_ranking):
    client.force_login(stats_world.town_committee)
    page = client.get(reverse("evaluations:ranking_detail", args=[town_ranking.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("按期践诺", "季度检查", "群众满意度", "领导点评", "每月记实", "计算得分", "最终得分"):
        assert label in text
    assert "甲镇一村党支部" in text and "71.43" in text
    assert "调整理由（必填）" in text and "公布排名" in text


def test_adjusting_without_a_reason_from_the_page_changes_nothing(client, stats_world, town_ranking):
    client.force_login(stats_world.town_committee)
    entry = town_ranking.entries.get(organization=stats_world.tree.branch_a2)
    response = client.post(
        reverse("evaluations:ranking_adjust", args=[entry.pk]), {"adjustment": "10", "reason": ""}, follow=True
    )
    assert "调整未保存" in response.content.decode()
    assert RankingEntry.objects.get(pk=entry.pk).adjustment == 0


def test_adjusting_and_publishing_from_the_page(client, stats_world, town_ranking):
    client.force_login(stats_world.town_committee)
    entry = town_ranking.entries.get(organization=stats_world.tree.branch_a2)
    response = client.post(
        reverse("evaluations:ranking_adjust", args=[entry.pk]),
        {"adjustment": "90", "reason": "抗洪抢险表现突出。"},
        follow=True,
    )
    text = response.content.decode()
    assert "已调整分数" in text and "抗洪抢险表现突出。" in text
    assert "甲镇党委 将“甲镇二村党支部”的调整分由 0.00 改为 90.00。理由：抗洪抢险表现突出。" in text
    assert RankingEntry.objects.get(pk=entry.pk).rank == 1
    response = client.post(reverse("evaluations:ranking_publish", args=[town_ranking.pk]), follow=True)
    assert "排名已公布" in response.content.decode()
    assert Ranking.objects.get(pk=town_ranking.pk).is_published
    text = client.get(reverse("evaluations:ranking_detail", args=[town_ranking.pk])).content.decode()
    assert "保存调整" not in text and "公布排名" not in text


@pytest.mark.parametrize("who", ["outsider", "town_b_committee", "member_user"])
def test_others_cannot_open_the_ranking(client, stats_world, town_ranking, who):
    client.force_login(getattr(stats_world, who))
    assert client.get(reverse("evaluations:ranking_detail", args=[town_ranking.pk])).status_code == 404


def test_a_member_sees_his_branch_but_not_its_unpublished_member_ranking(client, stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.branch_a1, level=MEMBERS, period="2025-08", by=w.secretary, today=TODAY
    )
    client.force_login(w.member_user)
    response = client.get(reverse("evaluations:ranking_detail", args=[ranking.pk]))
    assert response.status_code == 403
    assert "您无权查看该排名" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "town_b_committee", "secretary"])
def test_others_cannot_adjust_or_publish_from_the_page(client, stats_world, town_ranking, who):
    client.force_login(getattr(stats_world, who))
    entry = town_ranking.entries.first()
    client.post(reverse("evaluations:ranking_adjust", args=[entry.pk]), {"adjustment": "10", "reason": "加分"})
    client.post(reverse("evaluations:ranking_publish", args=[town_ranking.pk]))
    assert RankingEntry.objects.get(pk=entry.pk).adjustment == 0
    assert not Ranking.objects.get(pk=town_ranking.pk).is_published


def test_the_secretary_sees_the_published_ranking_of_the_town_but_cannot_change_it(client, stats_world, town_ranking):
    """A secretary of A1 holds no role on town A: the town's ranking of its branches is not his to read."""
    client.force_login(stats_world.secretary)
    assert client.get(reverse("evaluations:ranking_detail", args=[town_ranking.pk])).status_code == 404
    assert "2025年7—8月" not in client.get(reverse("evaluations:ranking_list")).content.decode()


def test_anonymous_users_are_sent_to_log_in(client, town_ranking):
    response = client.get(reverse("evaluations:ranking_detail", args=[town_ranking.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- flat query counts ---------------------------------------------------------------------------------


def _branch_with_members(tree, n: int, code: str) -> tuple[Organization, object]:
    branch = OrganizationFactory(code=code, name=f"{n}人党支部", parent=tree.town_b)
    for i in range(n):
        MemberFactory(organization=branch, name=f"党员{i:03d}")
    secretary = UserFactory(username=f"sec_{code}")
    grant(secretary, Role.SECRETARY, branch)
    return branch, secretary


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_ranking_detail_page_is_flat(client, stats_world):
    counts = []
    for n, code in ((10, "CBS"), (50, "CBL")):
        branch, secretary = _branch_with_members(stats_world.tree, n, code)
        ranking = ranking_compute(organization=branch, level=MEMBERS, period="2025-08", by=secretary, today=TODAY)
        entries = list(ranking.entries.order_by("id")[:3])
        from evaluations.services.rankings import ranking_adjust

        for entry in entries:
            ranking_adjust(entry=entry, by=secretary, adjustment="1", reason="记实认真。")
        client.force_login(secretary)
        counts.append(_queries(client, reverse("evaluations:ranking_detail", args=[ranking.pk])))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12


def test_the_ranking_list_page_is_flat(client, stats_world):
    w = stats_world
    counts = []
    for n in (10, 50):
        Ranking.objects.all().delete()
        for i in range(n):
            Ranking.objects.create(
                organization=w.tree.town_a if i % 2 else w.tree.town_b,
                level=ORGS,
                period=f"{2000 + i}-B1",
            )
        client.force_login(w.county_committee)
        counts.append(_queries(client, reverse("evaluations:ranking_list")))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12
