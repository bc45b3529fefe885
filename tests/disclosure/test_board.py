"""The public board: only published data, never personal data, a QR code that leads back to it."""

import datetime
import io
import re

import pytest
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from commitments import services as pledge_services
from disclosure.qr import board_url
from tests.factories import MemberFactory, UserFactory


def test_board_shows_published_pledges_and_not_drafts(client, world, published, draft, time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")  # inside the campaign, before the items' deadlines
    done = published()
    other = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), name="草稿党员")
    draft(other)
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert world.member.name in page
    for item in done.items.all():
        assert item.content in page
    assert "草稿党员" not in page
    assert "进行中" in page
    assert world.tree.branch_a1.supervision_phone in page


def test_board_shows_tick_off_dates_and_overdue(client, world, published, time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")  # inside the campaign, before the items' deadlines
    pledge = published()
    first, second = pledge.items.all()[:2]
    pledge_services.item_request_tick_off(item=first, by=world.member.user, note="完成")
    pledge_services.item_confirm_tick_off(item=first, by=world.secretary)
    type(second).objects.filter(pk=second.pk).update(deadline=datetime.date(2000, 1, 1))  # read as overdue today
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert "已销号" in page and "逾期" in page


def test_board_never_shows_personal_data(client, world, published):
    pledge = published()
    member = pledge.member
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert member.id_number not in page and member.phone not in page
    assert member.birth_date.strftime("%Y-%m-%d") not in page and f"{member.birth_date:%Y年%-m月%-d日}" not in page


def test_board_links_parent_and_children_and_search(client, world):
    page = client.get(reverse("disclosure:board", args=["CA"])).content.decode()
    assert reverse("disclosure:board", args=["CA1"]) in page and reverse("disclosure:board", args=["C"]) in page
    page = client.get(reverse("disclosure:search") + "?q=一村").content.decode()
    assert "甲镇一村党支部" in page and "乙镇一村党支部" in page
    assert client.get(reverse("disclosure:board", args=["NOPE"])).status_code == 404


def test_inactive_organization_shows_a_notice_instead_of_its_board(client, world):
    world.tree.branch_a2.is_active = False
    world.tree.branch_a2.save()
    response = client.get(reverse("disclosure:board", args=["CA2"]))
    page = response.content.decode()
    assert response.status_code == 200 and "已于" in page and "停用" in page
    assert "我要监督" not in page and 'name="text"' not in page


def test_qr_code_decodes_to_the_board_url(client, world, settings):
    settings.PUBLIC_BASE_URL = "https://dangjian.example.cn"
    response = client.get(reverse("disclosure:board_qr", args=["CA1"]))
    image = Image.open(io.BytesIO(response.content))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == ["https://dangjian.example.cn/gs/CA1/"]
    assert board_url(world.tree.branch_a1) == "https://dangjian.example.cn/gs/CA1/"
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert "<svg" in page


def test_board_query_count_is_flat(client, world, published, django_assert_max_num_queries):
    published()
    url = reverse("disclosure:board", args=["CA1"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    small = len(ctx.captured_queries)
    for _ in range(6):
        published(MemberFactory(organization=world.tree.branch_a1, user=UserFactory()))
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_history_by_campaign(client, world, published):
    published()
    pledge_services.campaign_close(campaign=world.campaign, by=world.campaign.opened_by)
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert "（已结束）" in page and world.member.name in page
    page = client.get(reverse("disclosure:board", args=["CA1"]) + f"?campaign={world.campaign.pk}").content.decode()
    assert world.member.name in page


@pytest.mark.django_db
def test_every_public_url_of_the_demo_data_is_free_of_personal_data(client):
    """Crawl every board, search and tracking page of the seeded demo county."""
    from django.core.management import call_command

    from organizations.models import Member, Organization

    call_command("seed_demo", size="small", today="2025-09-15", seed=11)
    secrets_ = set()
    for id_number, phone, birth in Member.objects.values_list("id_number", "phone", "birth_date"):
        secrets_.add(id_number)
        if phone:
            secrets_.add(phone)
        secrets_.add(f"{birth:%Y年%-m月%-d日}")
    supervision_phones = set(Organization.objects.values_list("supervision_phone", flat=True))
    urls = [reverse("disclosure:search"), reverse("disclosure:search") + "?q=党支部", reverse("disclosure:track")]
    urls += [reverse("disclosure:board", args=[code]) for code in Organization.objects.values_list("code", flat=True)]
    checked = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        found = [s for s in secrets_ if s in page and s not in supervision_phones]
        assert not found, (url, found[:3])
        assert not re.search(r"\d{17}[\dX]", page), url
        checked += 1
    assert checked > 20


def test_organization_pins_a_finished_campaign(client, world, published):
    from disclosure.models import BoardSetting

    published()
    pledge_services.campaign_close(campaign=world.campaign, by=world.campaign.opened_by)
    client.force_login(world.secretary)
    response = client.post(reverse("disclosure:board_setting", args=["CA1"]), {"campaign": world.campaign.pk})
    assert response.status_code == 302
    assert BoardSetting.objects.get(organization=world.tree.branch_a1).pinned_campaign == world.campaign
    client.force_login(MemberFactory(organization=world.tree.branch_a1, user=UserFactory()).user)
    assert client.post(reverse("disclosure:board_setting", args=["CA1"]), {"campaign": ""}).status_code == 403


def test_board_shows_published_evaluation_results_only(client, world):
    import datetime
    from decimal import Decimal

    from evaluations.models import Appraisal, Award, Bulletin

    common = {
        "organization": world.tree.branch_a1,
        "year": 2025,
        "place": "村委会",
        "created_by": world.committee,
        "status": Appraisal.Status.CLOSED,
        "valid_ballots": 30,
        "satisfied": 20,
        "basically_satisfied": 6,
        "unsatisfied": 4,
    }
    Appraisal.objects.create(
        half=1,
        held_on=datetime.date(2025, 6, 20),
        satisfaction=Decimal("0.8667"),
        is_published=True,
        campaign=world.campaign,  # its 意见较大 threshold: 10%
        **common,
    )
    Appraisal.objects.create(
        half=2, held_on=datetime.date(2025, 12, 20), satisfaction=Decimal("0.9900"), is_published=False, **common
    )
    Bulletin.objects.create(
        organization=world.tree.branch_a1,
        year=2025,
        quarter=2,
        title="第二季度践诺情况通报",
        body="正文",
        status=Bulletin.Status.PUBLISHED,
        created_by=world.secretary,
    )
    Bulletin.objects.create(
        organization=world.tree.branch_a1,
        year=2025,
        quarter=3,
        title="第三季度草稿通报",
        body="正文",
        created_by=world.secretary,
    )
    Award.objects.create(
        kind=Award.Kind.STAR_MEMBER,
        year=2025,
        member=world.member,
        status=Award.Status.APPROVED,
        nominated_by_organization=world.tree.branch_a1,
        citation="事迹",
        nominated_by=world.secretary,
    )
    page = client.get(reverse("disclosure:board", args=["CA1"])).content.decode()
    assert "86.7%" in page and "99.0%" not in page
    # Why it must be rectified, as the results page says it (篇六: 意见较大、满意度低于90%).
    assert "满意度 86.7%，低于90%；“不满意”票占 13.3%，超过 10.0%，群众意见较大，须整改后再次评议" in page
    assert "第二季度践诺情况通报" in page and "第三季度草稿通报" not in page
    assert "践诺明星党员" in page and world.member.name in page
