"""The printable PDFs of the notice board: 承诺书 in triplicate (附件1, 附件2) and the registers (附件3, 附件4)."""

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from commitments import services
from commitments.models import Pledge
from disclosure import pdf
from disclosure.qr import board_url
from disclosure.selectors import public_campaign
from organizations.models import Organization
from tests.commitments.conftest import FULL_CHECKS, name_of
from tests.commitments.samples import signature_png
from tests.factories import PASSWORD, MemberFactory, UserFactory

BIRTH = datetime.date(1975, 6, 12)
PHONE = "13907301234"

MEMBER_ITEMS = [
    {
        "content_area": "服务农民群众",
        "content": "结对帮扶本组10户困难群众，帮助解决生产生活中的实际困难，年内帮助至少5户实现稳定增收。",
        "measures": "建立走访台账，每月至少上门一次；对接镇农技站开展种养技术指导；协调申请小额贴息贷款。",
        "deadline": datetime.date(2025, 11, 30),
        "indicator": "帮扶增收户数",
        "unit": "户",
        "baseline_value": Decimal("0"),
        "target_value": Decimal("5"),
    },
    {
        "content_area": "增强致富带富能力",
        "content": "办好林下养鸡示范点，带动本组群众发展生态养殖。",
        "measures": "免费提供鸡苗和防疫指导，统一联系销路。",
        "deadline": datetime.date(2025, 9, 30),
    },
    {
        "content_area": "参与公益事业",
        "content": "参加村口道路硬化义务劳动，协助做好施工期间的交通疏导和群众解释工作。",
        "measures": "按村委会安排出工，每周不少于两次。",
        "deadline": datetime.date(2025, 6, 30),
    },
]

ORG_ITEMS = [
    {
        "content_area": "发展壮大村级集体经济",
        "content": "盘活村集体闲置林地和厂房，发展村级集体经济，使村集体经济收入明显增长。",
        "measures": "成立村股份经济合作社，引进林下种植项目，公开招租闲置厂房。",
        "deadline": datetime.date(2025, 12, 31),
        "responsible_person": "李书记",
        "indicator": "村集体经济收入",
        "unit": "万元",
        "baseline_value": Decimal("5"),
        "target_value": Decimal("8"),
    },
    {
        "content_area": "落实惠农政策",
        "content": "落实耕地地力保护补贴等惠农政策，做到户户知晓、按时足额发放。",
        "measures": "在公开栏公示补贴名单和标准，设立咨询电话。",
        "deadline": datetime.date(2025, 10, 31),
        "responsible_person": "张主任",
    },
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "德明", "春花", "永福", "玉梅", "国庆", "海燕"]
POSTS = ["村民小组长", "种植大户", "村委会委员、网格员", "农机合作社理事", "护林员", "无职党员"]


def publish_member_pledge(world, member, items=MEMBER_ITEMS, *, drawn=False, comment="", publish=True):
    """A written pledge of `member` in branch A1, reviewed and countersigned by its secretary."""
    user = member.user
    pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=user)
    services.pledge_update(pledge=pledge, by=user, items=[dict(i) for i in items])
    services.pledge_submit(pledge=pledge, by=user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS, comment=comment)
    services.pledge_sign(
        pledge=pledge,
        by=user,
        password=PASSWORD,
        image_png=signature_png() if drawn else None,
        typed_name=member.name,
    )
    services.pledge_countersign(
        pledge=pledge,
        by=world.secretary,
        password=PASSWORD,
        image_png=signature_png(size=(360, 120)) if drawn else None,
        typed_name="李书记",
    )
    if publish:
        services.pledge_publish(pledge=pledge, by=world.clerk)
    return Pledge.objects.get(pk=pledge.pk)


@pytest.fixture
def zhang(world):
    """A member of branch A1 with a known birth date and phone, which must never be printed publicly."""
    return MemberFactory(
        organization=world.tree.branch_a1,
        user=UserFactory(username="zhang"),
        name="张卫国",
        birth_date=BIRTH,
        phone=PHONE,
        post="村委会委员、网格员",
    )


@pytest.fixture
def member_pledge(world, zhang):
    return publish_member_pledge(world, zhang, drawn=True, comment="承诺事项贴近群众需求，措施具体，同意。")


@pytest.fixture
def org_pledge(world):
    Organization.objects.filter(pk=world.tree.branch_a1.pk).update(secretary_name="李书记")
    pledge = services.pledge_create_for_organization(organization=world.tree.branch_a1, by=world.clerk)
    services.pledge_update(pledge=pledge, by=world.clerk, items=[dict(i) for i in ORG_ITEMS])
    services.pledge_submit(pledge=pledge, by=world.clerk)
    services.pledge_approve(pledge=pledge, by=world.committee, checks=FULL_CHECKS, comment="同意。")
    services.pledge_sign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    services.pledge_countersign(
        pledge=pledge, by=world.committee, password=PASSWORD, typed_name=name_of(world.committee)
    )
    services.pledge_publish(pledge=pledge, by=world.clerk)
    return Pledge.objects.get(pk=pledge.pk)


@pytest.fixture
def many_members(world):
    """40 members of branch A1, each with a published pledge of three items."""
    pledges = []
    for n in range(40):
        member = MemberFactory(
            organization=world.tree.branch_a1,
            user=UserFactory(),
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + ("" if n < 20 else "二"),
            post=POSTS[n % len(POSTS)],
        )
        pledges.append(publish_member_pledge(world, member))
    return pledges


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text without the line breaks and spaces that wrapping puts into extracted text."""
    return re.sub(r"\s+", "", text)


def assert_no_personal_data(data: bytes, *members) -> None:
    text = flat("".join(pages_text(data)))
    assert "身份证" not in text
    for member in members:
        assert member.id_number not in text
        if member.phone:
            assert member.phone not in text


# --- 附件1 ----------------------------------------------------------------------------------------------


def test_member_pledge_in_triplicate(member_pledge, zhang):
    data = pdf.pledge_pdf(member_pledge)
    pages = pages_text(data)
    assert len(pages) == 3
    for page, label in zip(pages, pdf.COPY_LABELS, strict=True):
        text = flat(page)
        assert "附件1" in text
        assert pdf.MEMBER_TITLE in text
        assert pdf.TRIPLICATE_NOTE in text
        marks = text.replace(pdf.TRIPLICATE_NOTE, "")
        assert [copy for copy in pdf.COPY_LABELS if copy in marks] == [label]
        for expected in ("张卫国", "甲镇一村党支部", "村委会委员、网格员", "2025年度公开承诺"):
            assert expected in text
        for item in MEMBER_ITEMS:
            assert flat(item["content"]) in text
            assert flat(item["measures"]) in text
        assert "2025年11月30日" in text
        assert "帮扶增收户数：由0户到5户" in text
        assert "承诺事项贴近群众需求，措施具体，同意。" in text
        assert all(label in text for label in ("体现先进性要求", "体现岗位职责特点", "符合群众意愿", "切实可行"))
        assert "承诺人（签字）" in text and "审定方（盖章）" in text
    # Birth month, gender, political status and date of joining are on the two internal copies only: the
    # public copy names the member, his post and his branch.
    for page in pages[:2]:
        assert all(label in flat(page) for label in ("出生年月", "1975年6月", "性别", "政治面貌", "入党时间"))
    for label in ("出生年月", "1975年6月", "性别", "政治面貌", "入党时间", "正式党员"):
        assert label not in flat(pages[2])
    assert_no_personal_data(data, zhang)


def test_drawn_signatures_are_images_embedded_once(member_pledge):
    reader = PdfReader(io.BytesIO(pdf.pledge_pdf(member_pledge)))
    # The member's and the secretary's signature on every copy; the public copy also has the board's QR code.
    assert [len(page.images) for page in reader.pages] == [2, 2, 3]
    xobjects = {
        page["/Resources"]["/XObject"].raw_get(name).idnum
        for page in reader.pages
        for name in page["/Resources"]["/XObject"]
    }
    assert len(xobjects) == 3  # each image is embedded once and shown on every copy


def test_public_copy_leads_to_the_board(world, member_pledge):
    reader = PdfReader(io.BytesIO(pdf.pledge_pdf(member_pledge)))
    public = reader.pages[2]
    codes = [b.text for image in public.images for b in zxingcpp.read_barcodes(image.image)]
    assert codes == [board_url(world.tree.branch_a1)]
    assert f"监督电话：{world.tree.branch_a1.supervision_phone}" in flat(public.extract_text())
    assert "监督电话" not in flat(reader.pages[0].extract_text())


def test_typed_signature_prints_the_name_and_the_date(world, published):
    pledge = published()
    text = flat(pages_text(pdf.pledge_pdf(pledge))[0])
    assert "王党员" in text and "李书记" in text
    assert "输入姓名" in text
    signed = pledge.signed_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert f"{signed.year}年{signed.month}月{signed.day}日" in text


def test_oral_pledge_shows_the_witness(oral_pledge_in, oral_member):
    pledge = oral_pledge_in("published")
    pages = pages_text(pdf.pledge_pdf(pledge))
    assert len(pages) == 3
    text = flat(pages[0])
    assert "口头承诺" in text
    assert "见证人" in text and "周见证" in text
    assert_no_personal_data(pdf.pledge_pdf(pledge), oral_member)


def test_without_approval_review_a_blank_opinion_is_left(world, zhang):
    pledge = publish_member_pledge(world, zhang)
    pledge.reviews.all().delete()
    text = flat(pages_text(pdf.pledge_pdf(Pledge.objects.get(pk=pledge.pk)))[0])
    assert "审定意见" in text
    assert "审核人（签字）" in text
    assert "√" not in text


def test_long_pledge_flows_but_each_copy_starts_on_a_new_page(world, zhang):
    long_items = [
        dict(MEMBER_ITEMS[1], content="带头发展生态养殖，" * 40, measures="每月走访，及时解决群众反映的问题。" * 12)
        for _ in range(6)
    ]
    pledge = publish_member_pledge(world, zhang, items=long_items)
    pages = pages_text(pdf.pledge_pdf(pledge))
    assert len(pages) % 3 == 0 and len(pages) > 3
    per_copy = len(pages) // 3
    for index, label in enumerate(pdf.COPY_LABELS):
        first = flat(pages[index * per_copy])
        assert label in first and pdf.MEMBER_TITLE in first
        assert "续页" not in first
        for page in pages[index * per_copy + 1 : (index + 1) * per_copy]:
            # A continuation page says which copy and whose pledge it continues.
            assert f"{label}（续页）" in flat(page)
            assert f"{pdf.MEMBER_TITLE}（张卫国）" in flat(page)


def test_unsigned_pledge_leaves_room_to_sign_by_hand(pledge_in):
    pages = pages_text(pdf.pledge_pdf(pledge_in("approved", n=2)))
    text = flat(pages[0])
    assert "承诺人（签字）" in text and "负责人（签字）" in text
    assert "网上签署" not in text
    assert text.count("年月日") == 2  # blank dates for both sides


def test_pledge_pdf_writes_to_a_stream(member_pledge):
    out = io.BytesIO()
    assert pdf.pledge_pdf(member_pledge, out) is None
    assert out.getvalue().startswith(b"%PDF-")
    assert len(PdfReader(out).pages) == 3


def test_pledge_pdf_queries(member_pledge, django_assert_max_num_queries):
    pledge = Pledge.objects.select_related("campaign", "organization", "member").get(pk=member_pledge.pk)
    with django_assert_max_num_queries(4):  # items, signatures, reviews with their reviewer
        pdf.pledge_pdf(pledge)


# --- 附件2 ----------------------------------------------------------------------------------------------


def test_organization_pledge_in_triplicate(world, org_pledge):
    data = pdf.pledge_pdf(org_pledge)
    pages = pages_text(data)
    assert len(pages) == 3
    for page, label in zip(pages, pdf.COPY_LABELS, strict=True):
        text = flat(page)
        assert "附件2" in text and label in text and pdf.ORGANIZATION_TITLE in text
        assert "甲镇一村党支部" in text and "甲镇党委" in text
        assert "书记" in text and "李书记" in text
        assert "党员人数" in text
        assert "责任人" in text and "张主任" in text
        for item in ORG_ITEMS:
            assert flat(item["content"]) in text
        assert "村集体经济收入：由5万元到8万元" in text
    members = list(world.tree.branch_a1.members.all())
    assert_no_personal_data(data, *members)


def test_organization_counts_active_party_members_of_its_subtree(world, org_pledge):
    # world: the secretary and the member of branch A1.
    MemberFactory(organization=world.tree.branch_a1, is_active=False)
    MemberFactory(organization=world.tree.branch_a1, political_status="activist", join_date=None)
    text = flat(pages_text(pdf.pledge_pdf(org_pledge))[0])
    assert "党员人数2名" in text


# --- the font ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pledge", "organization_register", "member_register", "empty_register"])
def test_only_the_embedded_font_is_used(world, member_pledge, org_pledge, kind, tmp_path):
    data = {
        "pledge": lambda: pdf.pledge_pdf(member_pledge),
        "organization_register": lambda: pdf.organization_register_pdf(world.tree.town_a, world.campaign),
        "member_register": lambda: pdf.member_register_pdf(world.tree.branch_a1, world.campaign),
        "empty_register": lambda: pdf.member_register_pdf(world.tree.branch_b1, world.campaign),
    }[kind]()
    reader = PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        # A subset (ABCDEF+ prefix) of WenQuanYi Micro Hei, embedded as a TrueType font program; no other font.
        assert re.fullmatch(r"/[A-Z]{6}\+WenQuanYiMicroHei-\d+", name), name
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"]
    if shutil.which("pdffonts"):
        path = tmp_path / "pledge.pdf"
        path.write_bytes(data)
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = lines.splitlines()[2:]
        assert rows
        for row in rows:
            assert "TrueType" in row and " yes " in row, row  # emb yes, sub yes


def test_font_path_is_the_shipped_file():
    assert pdf.FONT_PATH.is_file()
    assert pdf.FONT_PATH.parent.name == "fonts"
    assert pdf.FONT_PATH.name == "wqy-microhei.ttc"


# --- 附件4 ----------------------------------------------------------------------------------------------


def test_member_register(world, member_pledge, zhang, time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")  # inside the campaign, before the items' deadlines
    org = world.tree.branch_a1
    data = pdf.member_register_pdf(org, world.campaign)
    pages = pages_text(data)
    text = flat(pages[0])
    assert "附件4" in text and pdf.MEMBER_REGISTER_TITLE in text
    assert org.name in text and world.campaign.name in text
    for column in pdf.REGISTER_COLUMNS:
        assert flat(column) in text
    assert "张卫国" in text and "村委会委员、网格员" in text
    for item in MEMBER_ITEMS:
        assert flat(item["content"]) in text
    assert "进行中" in text
    assert "量化目标" in text
    assert f"监督电话：{org.supervision_phone}" in text
    assert "第1页共1页" in text
    assert_no_personal_data(data, zhang)
    assert "1975年6月" not in text


def test_register_shows_only_published_pledges(world, member_pledge, zhang):
    other = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), name="未公示")
    publish_member_pledge(world, other, publish=False)
    text = flat("".join(pages_text(pdf.member_register_pdf(world.tree.branch_a1, world.campaign))))
    assert "张卫国" in text and "未公示" not in text


def test_register_notes_oral_and_help(world, oral_pledge_in):
    pledge = oral_pledge_in("published")
    services.item_flag_help(item=pledge.items.first(), by=world.secretary, needs_help=True, note="缺少劳力")
    text = flat(pages_text(pdf.member_register_pdf(world.tree.branch_a1, world.campaign))[0])
    assert "口头承诺" in text
    assert "需帮扶" in text


def test_register_qr_code_leads_to_the_board(world, member_pledge):
    org = world.tree.branch_a1
    reader = PdfReader(io.BytesIO(pdf.member_register_pdf(org, world.campaign)))
    images = reader.pages[0].images
    assert len(images) == 1
    found = zxingcpp.read_barcodes(images[0].image)
    assert [b.text for b in found] == [board_url(org)]


def test_empty_register_still_renders(world):
    data = pdf.member_register_pdf(world.tree.branch_a2, world.campaign)
    text = flat("".join(pages_text(data)))
    assert pdf.EMPTY_REGISTER in text
    assert pdf.MEMBER_REGISTER_TITLE in text
    assert "序号" in text


def test_long_member_register_repeats_header_and_keeps_pledgers_together(world, many_members):
    org = world.tree.branch_a1
    data = pdf.member_register_pdf(org, world.campaign)
    pages = pages_text(data)
    assert len(pages) > 1
    for number, page in enumerate(pages, 1):
        text = flat(page)
        for column in pdf.REGISTER_COLUMNS:
            assert flat(column) in text, (number, column)
        assert f"第{number}页共{len(pages)}页" in text
        assert f"监督电话：{org.supervision_phone}" in text
    # Every member appears on exactly one page with all three of his items.
    for pledge in many_members:
        name = pledge.member.name
        holding = [flat(p) for p in pages if re.search(rf"(?<![\u4e00-\u9fff]){name}(?!二)", flat(p))]
        assert len(holding) == 1, name
    assert "（续）" not in flat("".join(pages))
    assert_no_personal_data(data, *[p.member for p in many_members])


def test_member_register_queries_do_not_grow_with_rows(world, many_members, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the pledges with their people, and their items
        pdf.member_register_pdf(world.tree.branch_a1, world.campaign)


def test_pledger_too_long_for_one_page_is_continued(world, zhang):
    long_items = [dict(MEMBER_ITEMS[1], content="带头发展生态养殖，带动群众增收致富。" * 25) for _ in range(8)]
    publish_member_pledge(world, zhang, items=long_items)
    pages = pages_text(pdf.member_register_pdf(world.tree.branch_a1, world.campaign))
    assert len(pages) > 1
    assert "张卫国（续）" in flat("".join(pages[1:]))


def test_pledger_the_estimate_misjudges_still_prints(world, zhang, monkeypatch):
    # Should the height estimate let a pledger through that cannot fit on a page, the table is laid out
    # again with every row free to break rather than failing.
    long_items = [dict(MEMBER_ITEMS[1], content="带头发展生态养殖，带动群众增收致富。" * 25) for _ in range(8)]
    publish_member_pledge(world, zhang, items=long_items)
    monkeypatch.setattr(pdf, "_REG_HEAD_HEIGHT", -100_000)
    pages = pages_text(pdf.member_register_pdf(world.tree.branch_a1, world.campaign))
    text = flat("".join(pages))
    assert len(pages) > 1
    assert all(flat(item["content"]) in text for item in long_items)


# --- 附件3 ----------------------------------------------------------------------------------------------


def test_organization_register_covers_the_subtree(world, org_pledge):
    town = world.tree.town_a
    data = pdf.organization_register_pdf(town, world.campaign)
    text = flat("".join(pages_text(data)))
    assert "附件3" in text and pdf.ORGANIZATION_REGISTER_TITLE in text
    assert town.name in text and world.campaign.name in text
    for column in pdf.REGISTER_COLUMNS:
        assert flat(column) in text
    assert "甲镇一村党支部" in text and "党支部" in text
    for item in ORG_ITEMS:
        assert flat(item["content"]) in text
        assert item["responsible_person"] in text
    assert f"监督电话：{town.supervision_phone}" in text
    reader = PdfReader(io.BytesIO(data))
    assert [b.text for b in zxingcpp.read_barcodes(reader.pages[0].images[0].image)] == [board_url(town)]


def test_organization_register_without_pledges(world):
    text = flat("".join(pages_text(pdf.organization_register_pdf(world.tree.town_b, world.campaign))))
    assert pdf.EMPTY_REGISTER in text


# --- render_pdf ----------------------------------------------------------------------------------------


def test_render_pdf_writes_each_form(world, member_pledge, org_pledge, zhang, tmp_path):
    org = world.tree.branch_a1
    cases = {
        "1": ["--member", str(zhang.pk)],
        "2": [],
        "3": [],
        "4": ["--campaign", str(world.campaign.pk)],
    }
    for form, extra in cases.items():
        out = tmp_path / f"form{form}.pdf"
        stdout = io.StringIO()
        call_command("render_pdf", "--form", form, "--org", org.code, "--out", str(out), *extra, stdout=stdout)
        reader = PdfReader(str(out))
        assert len(reader.pages) >= 1
        assert str(out) in stdout.getvalue()
        text = flat(reader.pages[0].extract_text())
        assert f"附件{form}" in text
    assert public_campaign(org) == world.campaign


def test_render_pdf_accepts_a_signed_unpublished_pledge(world, zhang, tmp_path):
    publish_member_pledge(world, zhang, publish=False)
    out = tmp_path / "signed.pdf"
    call_command("render_pdf", "--form", "1", "--org", "CA1", "--member", str(zhang.pk), "--out", str(out))
    assert len(PdfReader(str(out)).pages) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--form", "5", "--org", "CA1"], "--form"),
        (["--org", "CA1"], "--form"),
        (["--form", "1"], "--org"),
        (["--form", "4", "--org", "NOPE"], "NOPE"),
        (["--form", "1", "--org", "CA1"], "--member"),
        (["--form", "1", "--org", "CA1", "--member", "999999"], "999999"),
        (["--form", "4", "--org", "CA1", "--campaign", "999999"], "承诺批次"),
        (["--form", "3", "--org", "CA1", "--member", "1"], "--member"),
        (["--form", "1", "--org", "CA1", "--member", "abc"], "abc"),
    ],
)
def test_render_pdf_refuses_bad_arguments(world, tmp_path, args, message):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("render_pdf", *args, "--out", str(out))
    assert not out.exists()


def test_render_pdf_refuses_unsigned_pledges(world, draft, tmp_path):
    draft()
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="草拟"):
        call_command("render_pdf", "--form", "1", "--org", "CA1", "--member", str(world.member.pk), "--out", str(out))
    with pytest.raises(CommandError, match="组织承诺书"):
        call_command("render_pdf", "--form", "2", "--org", "CA1", "--out", str(out))
    assert not out.exists()


def test_render_pdf_reports_an_unwritable_file(world, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        call_command("render_pdf", "--form", "4", "--org", "CA1", "--out", str(tmp_path / "missing" / "x.pdf"))


def test_render_pdf_requires_out(world):
    with pytest.raises(CommandError, match="--out"):
        call_command("render_pdf", "--form", "4", "--org", "CA1")


def test_render_pdf_member_pledge_of_another_branch_is_not_found(world, published, tmp_path):
    published()
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="承诺书"):
        call_command("render_pdf", "--form", "1", "--org", "CA2", "--member", str(world.member.pk), "--out", str(out))
