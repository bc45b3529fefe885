"""审核承诺书 shows beside each item the 群众意见 it answers (text, who raised it, how, when), or that it answers
none; the opinions of all items are read in one query."""

import datetime

from django.urls import reverse

from commitments import services
from commitments.models import Opinion
from tests.factories import MemberFactory, UserFactory

from .conftest import item
from .test_views import count_queries


def review_url(pledge):
    return reverse("commitments:pledge_review", args=[pledge.pk])


def opinion(world, text, day, channel=Opinion.Channel.VISIT, group=Opinion.SourceGroup.MEMBERS):
    return services.opinion_create(
        organization=world.tree.branch_a1,
        by=world.clerk,
        channel=channel,
        source_group=group,
        received_on=day,
        text=text,
    )


def submitted(world, member, items):
    pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=member.user)
    pledge = services.pledge_update(pledge=pledge, by=member.user, items=items)
    services.pledge_submit(pledge=pledge, by=member.user)
    return pledge


def test_each_item_shows_the_opinions_it_answers(client, world):
    lamp = opinion(world, "村里路灯坏了很久，晚上看不清路。", datetime.date(2025, 2, 3))
    items = [item(1, opinions=[world.opinion.pk, lamp.pk]), item(2)]
    pledge = submitted(world, world.member, items)
    first, second = pledge.items.order_by("position")
    client.force_login(world.secretary)
    page = client.get(review_url(pledge)).content.decode()
    one = page[page.index(f'id="review-item-{first.pk}"') : page.index(f'id="review-item-{second.pk}"')]
    two = page[page.index(f'id="review-item-{second.pk}"') : page.index("审核要点")]
    assert "回应的群众意见" in one
    assert "“村口道路坑洼，雨天出行不便。”" in one and "群众 · 座谈会 · 2025年1月10日" in one
    assert "“村里路灯坏了很久，晚上看不清路。”" in one and "党员 · 调研走访 · 2025年2月3日" in one
    assert "未关联群众意见" not in one
    assert "未关联群众意见" in two and "村口道路坑洼" not in two
    # Each item's comment box has a label a screen reader reads.
    assert f'for="id_item_{first.pk}"' in one and "对第 1 项的意见" in one


def test_the_opinions_cost_one_query_for_all_items(client, world, django_assert_max_num_queries):
    def pledge_with(n):
        member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
        cited = [opinion(world, f"意见{n}-{k}", datetime.date(2025, 2, 1 + k)).pk for k in range(3)]
        return submitted(world, member, [item(i, opinions=cited) for i in range(1, n + 1)])

    small, large = pledge_with(1), pledge_with(10)
    client.force_login(world.secretary)
    baseline = count_queries(client, review_url(small))
    with django_assert_max_num_queries(baseline):
        page = client.get(review_url(large)).content.decode()
    assert page.count("“意见10-2”") == 10 and "未关联群众意见" not in page
