"""待销号 with its evidence: the fulfilment logs and attachments of each request are on the page, and 确认销号 is
accepted only from a page that showed them (the newest log entry's id comes back as `evidence_seen`)."""

import datetime
import re

import pytest
from django.urls import reverse

from commitments import services
from commitments.models import PledgeItem
from tests.factories import MemberFactory, UserFactory

from .samples import sample
from .test_views import count_queries

QUEUE = reverse("commitments:queues") + "?tab=tick"
DAY = datetime.date(2025, 5, 20)


def decide_url(item):
    return reverse("commitments:item_tick_decide", args=[item.pk])


def add_log(item, user, text="修整村口道路200米。", files=(), happened_on=DAY):
    return services.fulfilment_log_add(item=item, by=user, happened_on=happened_on, text=text, files=list(files))


def request_tick(item, user, note="已完成"):
    services.item_request_tick_off(item=item, by=user, note=note)
    return PledgeItem.objects.get(pk=item.pk)


@pytest.fixture
def requested(world, published):
    """The first item of the member's published pledge with a log (a photo and a PDF), asked to be ticked off."""
    item = published().items.get(position=1)
    log = add_log(item, world.member.user, files=[sample("jpg"), sample("pdf")])
    return request_tick(item, world.member.user, note="道路已修好"), log


def state_of(item):
    return PledgeItem.objects.get(pk=item.pk).state


def test_the_queue_shows_each_request_with_its_logs_and_attachments(client, world, requested):
    item, log = requested
    client.force_login(world.secretary)
    page = client.get(QUEUE).content.decode()
    row = page[page.index(f'id="tick-{item.pk}"') :]
    assert "查看销号依据（1 条记录、2 个附件）" in row
    assert f"2025年5月20日 · {world.member.user.get_full_name()}" in row and "修整村口道路200米。" in row
    photo, pdf = sorted(log.attachments.all(), key=lambda a: a.kind)
    assert f'src="{reverse("commitments:attachment", args=[photo.pk])}"' in row and 'class="evidence-thumb"' in row
    pdf_link = f'href="{reverse("commitments:attachment", args=[pdf.pk])}">{pdf.original_name}</a>'
    assert pdf_link in row
    # The confirmation sits inside the closed <details>: it cannot be pressed before the evidence is opened.
    details = row[row.index("<details") : row.index("</details>")]
    assert '<details class="tick-evidence">' in row and "确认销号</button>" in details
    assert f'name="evidence_seen" value="{log.pk}"' in details
    assert "确认销号</button>" not in row[row.index("</details>") :].split("list-group-item")[0]


def test_an_item_without_evidence_says_so_and_is_confirmed_directly(client, world, published):
    item = request_tick(published().items.get(position=2), world.member.user)
    client.force_login(world.secretary)
    page = client.get(QUEUE).content.decode()
    row = page[page.index(f'id="tick-{item.pk}"') :]
    assert "没有践诺记录或附件" in row and "<details" not in row.split("list-group-item")[0]
    response = client.post(decide_url(item), {"decision": "confirm", "next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert state_of(item) == PledgeItem.State.TICKED_OFF


def test_a_confirmation_without_the_evidence_mark_is_refused_and_the_evidence_shown(client, world, requested):
    item, log = requested
    client.force_login(world.secretary)
    response = client.post(decide_url(item), {"decision": "confirm", "next": QUEUE}, follow=True)
    assert state_of(item) == PledgeItem.State.TICK_REQUESTED
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(decide_url(item) + "?next=")
    assert "该事项有践诺记录，请先查看践诺记录和附件，再确认销号。" in page
    assert "修整村口道路200米。" in page and 'class="evidence-thumb"' in page
    assert f'name="evidence_seen" value="{log.pk}"' in page
    # From the page that showed the evidence, the confirmation goes through and returns to the queue.
    response = client.post(decide_url(item), {"decision": "confirm", "evidence_seen": str(log.pk), "next": QUEUE})
    assert response["Location"] == QUEUE
    assert state_of(item) == PledgeItem.State.TICKED_OFF


def test_a_log_added_after_the_page_was_shown_must_be_seen_first(client, world, requested):
    item, log = requested
    newer = add_log(item, world.member.user, text="补充：路灯也装好了。", happened_on=DAY - datetime.timedelta(days=3))
    client.force_login(world.secretary)
    response = client.post(decide_url(item), {"decision": "confirm", "evidence_seen": str(log.pk)}, follow=True)
    assert state_of(item) == PledgeItem.State.TICK_REQUESTED
    page = response.content.decode()
    assert "有新的践诺记录，请查看后再确认销号。" in page and "补充：路灯也装好了。" in page
    # The newest entry by id, though its date is earlier, is the mark the page now carries.
    assert f'name="evidence_seen" value="{newer.pk}"' in page
    client.post(decide_url(item), {"decision": "confirm", "evidence_seen": str(newer.pk)})
    assert state_of(item) == PledgeItem.State.TICKED_OFF


def test_a_made_up_mark_is_refused(client, world, requested):
    item, log = requested
    client.force_login(world.secretary)
    client.post(decide_url(item), {"decision": "confirm", "evidence_seen": "abc"})
    client.post(decide_url(item), {"decision": "confirm", "evidence_seen": str(log.pk + 1000)})
    assert state_of(item) == PledgeItem.State.TICK_REQUESTED


def test_refusing_needs_no_mark(client, world, requested):
    item, _ = requested
    client.force_login(world.secretary)
    client.post(decide_url(item), {"decision": "refuse", "reason": "照片看不清"})
    assert state_of(item) == PledgeItem.State.IN_PROGRESS


def test_the_decision_page_shows_every_log_while_the_queue_shows_the_latest_three(client, world, published):
    item = published().items.get(position=1)
    for n in range(5):
        add_log(item, world.member.user, text=f"第{n + 1}次践诺记录", happened_on=DAY + datetime.timedelta(days=n))
    item = request_tick(item, world.member.user)
    client.force_login(world.secretary)
    queue = client.get(QUEUE).content.decode()
    assert "查看销号依据（5 条记录）" in queue
    assert all(f"第{n}次践诺记录" in queue for n in (5, 4, 3)) and "第2次践诺记录" not in queue
    assert "查看全部 5 条践诺记录" in queue
    page = client.get(decide_url(item) + "?next=" + QUEUE).content.decode()
    assert all(f"第{n}次践诺记录" in page for n in range(1, 6))
    assert "销号依据（5 条践诺记录）" in page and f"{world.member.user.get_full_name()} 申请于 2025年" in page
    assert f'name="next" value="{QUEUE}"' in page


def test_only_the_reviewing_side_gets_the_decision_page(client, world, requested, people):
    item, _ = requested
    client.force_login(world.member.user)
    response = client.get(decide_url(item))
    assert response.status_code == 302 and response["Location"] == item.pledge.get_absolute_url()
    client.force_login(people.outsider)
    assert client.get(decide_url(item)).status_code == 404
    client.force_login(people.sibling_secretary)
    assert client.get(decide_url(item)).status_code == 404


def test_a_decided_item_sends_the_secretary_back(client, world, requested):
    item, log = requested
    client.force_login(world.secretary)
    client.post(decide_url(item), {"decision": "confirm", "evidence_seen": str(log.pk)})
    response = client.get(decide_url(item) + "?next=" + QUEUE, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "该事项没有等待您确认的销号申请" in response.content.decode()


def test_the_member_sees_what_the_secretary_will_see_when_asking(client, world, published):
    pledge = published()
    with_log, without = pledge.items.get(position=1), pledge.items.get(position=2)
    add_log(with_log, world.member.user, files=[sample("png")])
    client.force_login(world.member.user)
    page = client.get(reverse("commitments:item_tick", args=[with_log.pk])).content.decode()
    assert "书记确认时将看到的践诺记录（1 条、1 个附件）" in page and 'class="evidence-thumb"' in page
    page = client.get(reverse("commitments:item_tick", args=[without.pk])).content.decode()
    assert "没有践诺记录或附件" in page and reverse("commitments:item_log", args=[without.pk]) in page


def test_the_pledge_page_gives_each_item_its_evidence_mark(client, world, requested):
    item, log = requested
    client.force_login(world.secretary)
    response = client.get(item.pledge.get_absolute_url())
    by_pk = {i.pk: i for i in response.context["items"]}
    assert by_pk[item.pk].evidence.mark == log.pk and by_pk[item.pk].evidence.attachments == 2
    others = [i for pk, i in by_pk.items() if pk != item.pk]
    assert others and all(i.evidence.mark is None and not i.evidence.exists for i in others)
    # The pledge page shows the logs open, so its 确认销号 carries the mark and confirms at once.
    page = response.content.decode()
    assert f'name="evidence_seen" value="{log.pk}"' in page
    response = client.post(decide_url(item), {"decision": "confirm", "evidence_seen": log.pk})
    assert response.status_code == 302 and state_of(item) == PledgeItem.State.TICKED_OFF


def test_the_queue_with_evidence_stays_flat(client, world, published, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
            item = published(member).items.get(position=1)
            add_log(item, member.user, files=[sample("jpg"), sample("docx")])
            add_log(item, member.user, text="第二条记录")
            request_tick(item, member.user)

    client.force_login(world.secretary)
    add(2)
    small = count_queries(client, QUEUE)
    add(6)
    with django_assert_max_num_queries(small):
        page = client.get(QUEUE).content.decode()
    assert len(re.findall(r'class="evidence-thumb"', page)) == 8
    assert page.count("查看销号依据（2 条记录、2 个附件）") == 8
