"""The opinions page: the 已解决 badge, the 标为已解决 form (errors kept with the input), the 已解决 tab."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from commitments import services
from commitments.models import Opinion

from .conftest import fresh

NOW = datetime.datetime(2025, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
URL = reverse("commitments:opinions", args=["CA1"])


def test_the_form_defaults_to_today_and_offers_the_items_citing_the_opinion(client, world, draft):
    pledge = draft(n=2)
    client.force_login(world.clerk)
    page = client.get(URL).content.decode()
    assert "标为已解决" in page and 'value="2025-03-15"' in page
    assert "王党员第1项" in page and "王党员第2项" not in page
    first = pledge.items.get(position=1)
    response = client.post(
        URL, {"solve": world.opinion.pk, "solved_on": "2025-03-14", "how": "已铺设水泥路面", "item": first.pk}
    )
    assert response.status_code == 302
    opinion = fresh(world.opinion)
    assert (opinion.solved_on, opinion.solved_by_item) == (datetime.date(2025, 3, 14), first)
    page = client.get(URL).content.decode()
    assert "已解决 2025年3月14日" in page and "已铺设水泥路面" in page and "王党员第1项</a>解决" in page
    assert "已转化为承诺事项" in page  # the status stays beside it


def test_errors_come_back_in_chinese_with_the_input(client, world):
    client.force_login(world.clerk)
    response = client.post(URL, {"solve": world.opinion.pk, "solved_on": "2025-03-16", "how": "修好了路"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "解决日期不能晚于今天。" in page
    assert 'value="2025-03-16"' in page and "修好了路" in page and '<details class="mt-2" open>' in page
    response = client.post(URL, {"solve": world.opinion.pk, "solved_on": "2025-03-01", "how": ""})
    assert "这个字段是必填项" in response.content.decode()
    assert fresh(world.opinion).solved_on is None


def test_those_who_may_not_manage_see_no_form_and_cannot_post(client, world, people):
    services.opinion_mark_solved(opinion=world.opinion, by=world.clerk, solved_on=datetime.date(2025, 3, 1), how="已修")
    client.force_login(world.member.user)
    response = client.get(URL)
    if response.status_code == 200:
        page = response.content.decode()
        assert "已解决 2025年3月1日" in page and 'name="solve"' not in page and "撤销已解决" not in page
    response = client.post(URL, {"solve": world.opinion.pk, "solved_on": "2025-03-02", "how": "改"})
    assert response.status_code in (403, 404)
    assert fresh(world.opinion).solved_on == datetime.date(2025, 3, 1)


def test_the_solved_tab_and_undo(client, world):
    other = services.opinion_create(
        organization=world.tree.branch_a1,
        by=world.clerk,
        channel=Opinion.Channel.BOX,
        source_group=Opinion.SourceGroup.MASSES,
        received_on=datetime.date(2025, 2, 1),
        text="希望增设路灯。",
    )
    services.opinion_mark_solved(opinion=world.opinion, by=world.clerk, solved_on=datetime.date(2025, 3, 1), how="已修")
    client.force_login(world.clerk)
    page = client.get(URL + "?status=solved").content.decode()
    assert "村口道路坑洼" in page and other.text not in page
    client.post(reverse("commitments:opinion_unsolve", args=[world.opinion.pk]), {"reason": "标错了", "org": "CA1"})
    assert fresh(world.opinion).solved_on is None
