"""窗口单位 三亮三创三评 (issue 13 §4, 篇五): a 窗口 card per party member of a window unit — 亮身份、亮职责、亮承诺,
the supervision phone and the board's QR code — one A5 page each, every character printed, no personal data."""

import io

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from disclosure import pdf
from disclosure.qr import board_url
from organizations.models import Member
from printing import missing_characters
from tests.disclosure.test_pdf import assert_no_personal_data, flat, pages_text
from tests.factories import MemberFactory, UserFactory


@pytest.fixture
def window(world, published, time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")
    org = world.tree.branch_a1
    org.is_window_unit = True
    org.save()
    world.member.post = "便民服务大厅综合窗口"
    world.member.save()
    pledge = published()
    first = pledge.items.get(position=1)
    type(first).objects.filter(pk=first.pk).update(content_area="认真履职", content="首问负责，一次性告知办事要求")
    return org


def test_a_card_per_party_member_with_the_three_lights(world, window):
    """篇五: 亮身份 (name, 党员/预备党员, post), 亮职责 (the post's duties), 亮承诺 (the pledge), 监督电话."""
    probationer = MemberFactory(
        organization=window, user=UserFactory(), name="欧阳晓燕", political_status=Member.PoliticalStatus.PROBATIONARY
    )
    MemberFactory(
        organization=window, name="积极分子甲", political_status=Member.PoliticalStatus.ACTIVIST, join_date=None
    )
    with missing_characters() as missing:
        data = pdf.window_cards_pdf(window, world.campaign)
    assert not missing  # every character prints
    pages = [flat(t) for t in pages_text(data)]
    party = Member.objects.filter(organization=window, is_active=True, political_status__in=Member.PARTY_STATUSES)
    assert len(pages) == party.count()  # one card a page; the activist is not at the window as a party member
    mine = next(t for t in pages if world.member.name in t)
    assert "亮身份" in mine and "正式党员" in mine and "便民服务大厅综合窗口" in mine
    duties, promises = mine.index("亮职责"), mine.index("亮承诺")
    assert duties < mine.index("首问负责，一次性告知办事要求") < promises
    assert promises < mine.index("承诺事项2：帮助困难群众解决实际问题")
    assert f"监督电话：{window.supervision_phone}" in mine
    other = next(t for t in pages if "欧阳晓燕" in t)
    assert "预备党员" in other and "承诺书公示后补印本卡" in other
    assert_no_personal_data(data, world.member, probationer)
    assert PdfReader(io.BytesIO(data)).pages[0].mediabox.width > PdfReader(io.BytesIO(data)).pages[0].mediabox.height


def test_the_card_qr_code_leads_to_the_board(world, window):
    reader = PdfReader(io.BytesIO(pdf.window_cards_pdf(window, world.campaign)))
    found = zxingcpp.read_barcodes(reader.pages[0].images[0].image)
    assert [b.text for b in found] == [board_url(window)]


def test_cards_from_the_print_menu_for_window_units_only(client, world, window):
    client.force_login(world.clerk)
    page = client.get(reverse("disclosure:print") + "?org=CA1").content.decode()
    assert "窗口服务承诺卡" in page
    response = client.get(reverse("disclosure:window_cards") + "?org=CA1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    window.is_window_unit = False
    window.save()
    assert "窗口服务承诺卡" not in client.get(reverse("disclosure:print") + "?org=CA1").content.decode()
    assert client.get(reverse("disclosure:window_cards") + "?org=CA1").status_code == 404


def test_render_pdf_prints_the_cards(world, window, tmp_path):
    out = tmp_path / "cards.pdf"
    call_command("render_pdf", "--form", "window", "--org", "CA1", "--out", str(out))
    assert world.member.name in flat(pages_text(out.read_bytes())[0]) or any(
        world.member.name in flat(t) for t in pages_text(out.read_bytes())
    )
    with pytest.raises(CommandError, match="不是窗口单位"):
        call_command("render_pdf", "--form", "window", "--org", "CA2", "--out", str(tmp_path / "x.pdf"))
