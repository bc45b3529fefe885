"""HTML and JavaScript typed into any text field is shown as text: escaped on every page that shows it, and
printed literally (not interpreted as markup) in the PDFs."""

import datetime
import io
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from commitments import services
from commitments.models import Opinion, Pledge, PledgeItem
from disclosure import services as disclosure_services
from disclosure.models import SupervisionReport
from evaluations import selectors
from evaluations.services import reviews as review_services
from organizations.models import Member
from tests.commitments.conftest import FULL_CHECKS, item
from tests.factories import PASSWORD, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

# A member's name is at most 50 characters.
NAME = "<b>王</b><script>alert(1)</script>"
ITEM = '<script>alert("事项")</script><img src=x onerror=alert(2)>'
OPINION = "<script>alert('意见')</script><iframe src=//evil>"
REPORT = '<a href="javascript:alert(3)">监督</a><script>alert("监督")</script>'
ANSWER = "<svg onload=alert(4)><script>alert('答复')</script>"
RETURNED = '<script>alert("退回")</script><style>body{display:none}</style>'
APPROVED = '<script>alert("审定")</script>&lt;已转义&gt;'
LEADER = "<script>alert('点评')</script><marquee>点评</marquee>"
PAYLOADS = (NAME, ITEM, OPINION, REPORT, ANSWER, RETURNED, APPROVED, LEADER)
RAW_MARKERS = (
    "<script>alert(",
    "<img src=x",
    "<iframe",
    "<svg onload",
    "<marquee>",
    "<style>body",
    '<a href="javascript',
)


@dataclass
class Tainted:
    member: Member
    pledge: Pledge
    item: PledgeItem
    opinion: Opinion
    report: SupervisionReport


@pytest.fixture
def tainted(world) -> Tainted:
    branch = world.tree.branch_a1
    member = MemberFactory(organization=branch, user=UserFactory(username="xss"), name=NAME)
    opinion = services.opinion_create(
        organization=branch,
        by=world.clerk,
        channel="meeting",
        source_group="masses",
        text=OPINION,
        received_on=datetime.date(2025, 1, 12),
    )
    pledge = services.pledge_create_for_member(member=member, organization=branch, by=member.user)
    services.pledge_update(
        pledge=pledge, by=member.user, items=[item(1, content=ITEM, measures=ITEM, opinions=[opinion.pk]), item(2)]
    )
    services.pledge_submit(pledge=pledge, by=member.user)
    services.pledge_return(pledge=pledge, by=world.secretary, comment=RETURNED)
    services.pledge_submit(pledge=pledge, by=member.user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS, comment=APPROVED)
    services.pledge_sign(pledge=pledge, by=member.user, password=PASSWORD, typed_name=NAME)
    services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    services.pledge_publish(pledge=pledge, by=world.clerk)
    pledge = Pledge.objects.get(pk=pledge.pk)
    first = pledge.items.get(position=1)
    report = disclosure_services.supervision_submit(organization=branch, text=REPORT, address="10.0.0.9", item=first)
    disclosure_services.supervision_answer(report=report, by=world.clerk, answer=ANSWER)
    review_services.leader_review_create(
        by=world.secretary,
        member=member,
        kind="quarterly",
        period=selectors.quarter_period(2025, 2),
        text=LEADER,
        grades={"de": "good", "neng": "good", "qin": "fairly_good", "ji": "good", "lian": "good"},
        publish=True,
    )
    return Tainted(member, pledge, first, Opinion.objects.get(pk=opinion.pk), SupervisionReport.objects.get())


def assert_escaped(page: str, *expected, where: str = "") -> None:
    for marker in RAW_MARKERS:
        assert marker not in page, f"{where}: unescaped {marker!r}"
    shown = page.replace("&quot;", '"').replace("&#x27;", "'")
    for text in expected:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped[:12] in shown, f"{where}: {text!r} not shown escaped"


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_staff_pages_show_the_text_escaped(client, world, tainted):
    t = tainted
    client.force_login(world.secretary)
    pages = {
        reverse("organizations:member_detail", args=[t.member.pk]): [NAME],
        reverse("organizations:members") + "?org=CA1": [NAME],
        reverse("commitments:pledge_detail", args=[t.pledge.pk]): [NAME, ITEM, RETURNED, APPROVED],
        reverse("commitments:ledger") + "?org=CA1": [NAME, ITEM],
        reverse("commitments:opinions", args=["CA1"]): [OPINION],
        reverse("disclosure:inbox", args=["CA1"]) + "?status=all": [REPORT, ANSWER],
        reverse("evaluations:review_org", args=["CA1"]): [NAME],
        reverse("organizations:detail", args=["CA1"]): [],
        reverse("commitments:queues"): [],
        reverse("commitments:notifications"): [],
        reverse("organizations:members") + "?" + urlencode({"org": "CA1", "q": "<script>alert(9)</script>"}): [],
    }
    for url, expected in pages.items():
        assert_escaped(_get(client, url), *expected, where=url)


def test_the_members_own_pages_show_the_text_escaped(client, world, tainted):
    t = tainted
    client.force_login(t.member.user)
    pages = {
        reverse("commitments:my_pledges"): [],
        reverse("commitments:pledge_detail", args=[t.pledge.pk]): [NAME, ITEM, RETURNED],
        reverse("commitments:item_log", args=[t.item.pk]): [ITEM],
        reverse("evaluations:review_mine"): [LEADER],
        reverse("commitments:notifications"): [],
        reverse("home"): [],
    }
    for url, expected in pages.items():
        assert_escaped(_get(client, url), *expected, where=url)


def test_the_draft_editor_shows_the_cited_opinion_escaped(client, world, tainted):
    draft = services.pledge_amend(pledge=tainted.pledge, by=tainted.member.user, reason="<script>alert(5)</script>")
    client.force_login(tainted.member.user)
    assert_escaped(_get(client, reverse("commitments:pledge_edit", args=[draft.pk])), ITEM, OPINION[:20])


def test_public_pages_show_the_text_escaped(world, tainted):
    anonymous = Client()
    board = _get(anonymous, reverse("disclosure:board", args=["CA1"]))
    assert_escaped(board, NAME, ITEM, REPORT, ANSWER, LEADER)
    track = _get(anonymous, reverse("disclosure:track") + f"?number={tainted.report.tracking_number}")
    assert_escaped(track, REPORT, ANSWER)
    search = _get(anonymous, reverse("disclosure:search") + "?" + urlencode({"q": "<script>alert(7)</script>"}))
    assert_escaped(search, "<script>alert(7)</script>")
    response = anonymous.post(
        reverse("disclosure:supervise", args=["CA1"]),
        {"kind": "supervision", "text": "<script>alert(8)</script>", "name": "<b>x</b>", "phone": "<i>1</i>"},
    )
    assert_escaped(response.content.decode())


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdfs_print_the_text_literally(client, world, tainted):
    client.force_login(world.secretary)
    response = client.get(reverse("disclosure:pledge_pdf", args=[tainted.pledge.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for payload in (NAME, ITEM, APPROVED):
        assert _flat(payload) in text, payload
    assert "&lt;" not in text.replace(_flat(APPROVED), "")
    register = _pdf_text(client.get(reverse("disclosure:register_pdf", args=[4]) + "?org=CA1").content)
    assert _flat(NAME) in register and _flat(ITEM)[:30] in register
