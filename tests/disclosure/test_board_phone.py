"""The board on a phone (issue 14): 我要监督 at the top of the page a QR code lands on, an opinion by default, and
the long sections folded under their headings so the organization's pledges come first."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from disclosure.models import SupervisionReport
from disclosure.qr import board_url
from organizations.models import Organization

FOLDED = ["appraisals", "honours", "bulletins", "records", "answers"]


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


class Page(HTMLParser):
    """The few things these tests read: elements by id in document order, links, and the chosen 类型."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[tuple[str, str, dict]] = []  # (id, tag, attributes) in document order
        self.links: list[dict] = []
        self.summaries: dict[str, str] = {}  # details id -> its summary's text
        self.kind_selected: list[str] = []
        self._select = None
        self._details: list[str] = []
        self._summary = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append((attrs["id"], tag, attrs))
        if tag == "a":
            self.links.append(attrs)
        if tag == "details":
            self._details.append(attrs.get("id", ""))
        if tag == "summary" and self._details:
            self._summary = self._details[-1]
            self.summaries[self._summary] = ""
        if tag == "select":
            self._select = attrs.get("name")
        if tag == "option" and self._select == "kind" and "selected" in attrs:
            self.kind_selected.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "details" and self._details:
            self._details.pop()
        if tag == "summary":
            self._summary = None
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._summary is not None:
            self.summaries[self._summary] += data

    def position(self, element_id: str) -> int:
        return next(n for n, (i, _, _) in enumerate(self.ids) if i == element_id)

    def element(self, element_id: str) -> tuple[str, dict]:
        return next((tag, attrs) for i, tag, attrs in self.ids if i == element_id)

    def details(self) -> list[tuple[str, dict]]:
        return [(i, attrs) for i, tag, attrs in self.ids if tag == "details"]


def board(client, code="CA1") -> Page:
    response = client.get(reverse("disclosure:board", args=[code]))
    assert response.status_code == 200
    return Page(response.content.decode())


def test_the_page_a_qr_code_opens_has_the_supervision_entry_at_its_top(client, world, settings):
    settings.PUBLIC_BASE_URL = "https://dangjian.example.cn"
    # Every printed code (registers, window cards, pledges) leads to the board itself.
    assert board_url(world.tree.branch_a1) == "https://dangjian.example.cn" + reverse("disclosure:board", args=["CA1"])
    page = board(client)
    tag, entry = page.element("supervise-entry")
    assert tag == "a" and entry["href"] == "#supervise" and "btn" in entry["class"]
    # Before every section of the board, right under the title, and it leads to the form.
    assert page.position("supervise-entry") < page.position("org-pledge")
    assert page.position("supervise") < page.position("supervise-form")
    _, form = page.element("supervise-form")
    assert form["action"] == reverse("disclosure:supervise", args=["CA1"])
    assert any(link["href"] == reverse("disclosure:track") and "btn" in link.get("class", "") for link in page.links)


def test_the_type_of_a_message_defaults_to_an_opinion_on_the_board_and_on_its_own_page(client, world, published):
    published()
    assert SupervisionReport.Kind.OPINION.label == "意见建议"
    assert board(client).kind_selected == [SupervisionReport.Kind.OPINION]
    response = client.get(reverse("disclosure:supervise", args=["CA1"]))
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.kind_selected == [SupervisionReport.Kind.OPINION]
    _, form = page.element("supervise-form")
    assert form["action"] == reverse("disclosure:supervise", args=["CA1"])
    assert "我要监督" in response.content.decode() and world.tree.branch_a1.name in response.content.decode()


def test_a_message_sent_with_the_default_type_is_an_opinion(client, world):
    page = board(client)
    data = {"kind": page.kind_selected[0], "item": "", "text": "建议村里多组织几次文艺活动", "website": ""}
    response = client.post(reverse("disclosure:supervise", args=["CA1"]), data, REMOTE_ADDR="127.0.0.7")
    assert response.status_code == 200
    assert SupervisionReport.objects.get().kind == SupervisionReport.Kind.OPINION


def test_sections_are_details_with_the_pledges_first_and_open(client, world, published):
    published()
    page = board(client)
    sections = page.details()
    assert [i for i, _ in sections[:2]] == ["org-pledge", "member-pledges"]
    assert all("open" in attrs for _, attrs in sections[:2])
    folded = [i for i, attrs in sections if "open" not in attrs]
    assert folded == FOLDED  # no ranking, leader reviews or subordinate boards for this branch yet
    assert all("board-fold" in attrs["class"] for _, attrs in sections)
    # Each heading says how much lies under it.
    assert page.summaries["member-pledges"].strip() == "党员承诺（1 人）"
    assert page.summaries["org-pledge"].strip() == "党组织承诺"  # none published
    assert page.summaries["appraisals"].strip() == "群众评议结果（暂无）"
    assert page.summaries["answers"].strip() == "群众监督与答复（暂无）"
    # The form is not folded, so the link at the top always shows it.
    assert page.element("supervise")[0] == "section"
    # 本页: a link to each section.
    hrefs = {link["href"] for link in page.links}
    assert {f"#{i}" for i, _ in sections} | {"#supervise"} <= hrefs


def test_an_answered_message_is_counted_in_its_folded_heading(client, world):
    from disclosure import services

    report = services.supervision_submit(organization=world.tree.branch_a1, text="路灯坏了很久", address="127.0.0.8")
    services.supervision_answer(report=report, by=world.secretary, answer="已经修好了")
    assert board(client).summaries["answers"].strip() == "群众监督与答复（1 条）"


def test_a_town_board_folds_its_subordinate_boards_with_their_number(client, world):
    page = board(client, "CA")
    tag, attrs = page.element("children")
    assert tag == "details" and "open" not in attrs
    town = world.tree.town_a
    children = Organization.objects.filter(path__startswith=town.path, depth=town.depth + 1, is_active=True).count()
    assert children and page.summaries["children"].strip() == f"下级党组织公开栏（{children} 个）"


def test_the_supervision_page_of_a_closed_board_shows_the_notice_instead(client, world):
    world.tree.branch_a2.is_active = False
    world.tree.branch_a2.save()
    response = client.get(reverse("disclosure:supervise", args=["CA2"]))
    page = response.content.decode()
    assert response.status_code == 200 and "停用" in page and 'name="text"' not in page
