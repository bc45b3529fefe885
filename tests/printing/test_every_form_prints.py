"""No input breaks a printed form (issue: every character prints).

Property tests over organization names, member names and item texts of any printable Unicode: rare CJK of
Extensions A and B, compatibility ideographs, emoji (some of which no font has), right-to-left marks and
bidirectional controls, long unbroken runs. For any of them and any number of members and items, every form
(附件1–4, ballot slips, 通报, 统计表) renders, every page is A4, and every name is in the text layer exactly as
printed: characters no font has become 〓, invisible format characters are dropped, nothing else changes.

Few examples each, no deadline: the suite stays quick and a slow machine does not fail it.
"""

import unicodedata

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure import pdf
from evaluations.bulletin_pdf import bulletin_pdf
from evaluations.slips import slips_pdf
from evaluations.stats_exports import statistics_pdf
from organizations.models import Organization
from printing import REPLACEMENT, has_glyph
from tests.pdftext import flat, is_a4, page_sizes, text

from . import forms

PROPERTY = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

RTL_AND_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RARE = st.one_of(
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # Extension A
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # Extension B
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAD9),  # compatibility ideographs
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji, some in no font
    st.sampled_from("𠮷䶮堃喆·（）《》，。、；：“”—…　" + RTL_AND_BIDI),
)
# Letters, digits, punctuation, symbols and spaces of any script, except right-to-left letters and combining
# marks, whose order and composition a text extractor may legitimately change.
PRINTABLE = st.characters(categories=("L", "N", "P", "S", "Zs")).filter(
    lambda c: unicodedata.bidirectional(c) not in ("R", "AL")
)
NAME_CHARS = st.one_of(RARE, RARE, PRINTABLE)
LONG_RUN = st.builds(lambda c, n: c * n, st.sampled_from(["W", "𠮷", "1", "䶮", "—", "😀"]), st.integers(60, 2000))
TEXT = st.one_of(
    st.text(st.one_of(RARE, st.characters(categories=("L", "N", "P", "S", "Z", "M"))), min_size=1, max_size=2000),
    LONG_RUN,
)


def name(max_size: int):
    return st.text(NAME_CHARS, min_size=1, max_size=max_size).filter(lambda s: flat(printed(s)))


def invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F


def printed(value: str) -> str:
    """What the PDF must show for `value`: the same characters, 〓 for those no font has, no format controls."""
    return "".join(c if has_glyph(c) else REPLACEMENT for c in value if not invisible(c))


def assert_prints(data: bytes, *names: str) -> None:
    assert data.startswith(b"%PDF-")
    sizes = page_sizes(data)
    assert sizes and all(is_a4(size) for size in sizes), sizes
    layer = flat(text(data))
    for value in names:
        assert flat(printed(value)) in layer, value
    assert not any(c in layer for c in RTL_AND_BIDI if c not in "\u200e\u200f\u061c")


@PROPERTY
@given(
    org_name=name(100),
    people=st.lists(st.tuples(name(50), name(100)), max_size=3),
    contents=st.lists(TEXT, min_size=1, max_size=3),
)
def test_notice_board_forms_print_every_name(world, org_name, people, contents):
    with transaction.atomic():
        branch = world.tree.branch_a1
        Organization.objects.filter(pk=branch.pk).update(name=org_name, secretary_name=people[0][0] if people else "")
        branch.refresh_from_db()
        members = [forms.member(branch, member_name, post) for member_name, post in people]
        pledges = [forms.published_member_pledge(world, m, contents) for m in members]
        org_pledge = forms.published_organization_pledge(world, branch, contents, people[0][0] if people else "")

        for pledge, m in zip(pledges, members, strict=True):
            assert_prints(pdf.pledge_pdf(pledge), m.name, m.post, org_name)  # 附件1
        assert_prints(pdf.pledge_pdf(org_pledge), org_name)  # 附件2
        assert_prints(pdf.organization_register_pdf(world.tree.town_a, world.campaign), org_name)  # 附件3
        assert_prints(pdf.member_register_pdf(branch, world.campaign), org_name, *(m.name for m in members))  # 附件4
        transaction.set_rollback(True)


@PROPERTY
@given(org_name=name(100), title=name(200), names=st.lists(name(50), min_size=1, max_size=4), body=TEXT)
def test_evaluation_forms_print_every_name(world, org_name, title, names, body):
    with transaction.atomic():
        org = world.tree.branch_a1
        Organization.objects.filter(pk=org.pk).update(name=org_name)
        org.refresh_from_db()
        closing = f"{org_name}\n2025年10月8日"
        bulletin = forms.bulletin(org, title, "\n\n".join([body, "、".join(names), closing]), world.secretary)
        assert_prints(bulletin_pdf(bulletin), org_name, title, *names)
        assert_prints(slips_pdf(forms.appraisal(org, world.campaign), ["ABCD2345EFGH"] * 11), org_name)
        assert_prints(statistics_pdf(tally=forms.tally(org, names)), org_name, *names)
        transaction.set_rollback(True)


NAMES = ("王𠮷", "李䶮", "欧阳堃喆", "阿不都热依木·买买提")


def test_evaluation_forms_print_the_rare_names(world):
    org = world.tree.branch_a1
    Organization.objects.filter(pk=org.pk).update(name="𠮷祥村党支部")
    org.refresh_from_db()
    body = "各党小组：\n\n" + "、".join(NAMES) + "等同志践诺成效明显，予以通报表扬。\n\n𠮷祥村党支部\n2025年10月8日"
    assert_prints(bulletin_pdf(forms.bulletin(org, "关于李䶮等同志践诺情况的通报", body, world.secretary)), *NAMES)
    assert_prints(slips_pdf(forms.appraisal(org, world.campaign), ["ABCD2345EFGH"]), "𠮷祥村党支部")
    assert_prints(statistics_pdf(tally=forms.tally(org, [f"{n}所在党支部" for n in NAMES])), *NAMES)


def test_an_item_longer_than_a_page_breaks_across_pages_without_losing_text(world):
    branch = world.tree.branch_a1
    contents = ["😀" * 1270, "W" * 2000, "带头发展生态养殖，带动群众增收致富。" * 60]
    pledge = forms.published_member_pledge(world, forms.member(branch, "㐀㒂㐀㐀", "村民小组长"), contents)
    # Measures print the reversed text, cut at 1000 characters: count what every copy must hold.
    expected = {char: sum(c.count(char) + c[::-1][:1000].count(char) for c in contents) for char in "😀W养"}
    data = pdf.pledge_pdf(pledge)
    assert_prints(data, "㐀㒂㐀㐀")
    layer = flat(text(data))
    assert {char: layer.count(char) for char in expected} == {char: 3 * n for char, n in expected.items()}
    data = pdf.member_register_pdf(branch, world.campaign)
    assert_prints(data, "㐀㒂㐀㐀")
    layer = flat(text(data))
    assert {char: layer.count(char) for char in expected} == {c: sum(x.count(c) for x in contents) for c in expected}


def test_a_register_too_tall_for_its_first_layout_is_laid_out_again(world):
    # Found by the property test: reportlab's report of the failed first layout raised a TypeError (rows not
    # yet measured), which escaped the fallback that lets rows break across pages.
    branch = world.tree.branch_a1
    people = [
        ("㐀㒂㐀㐀", "㐀㐀㐀㐁㐀㐀㒗㐀㐀㐀㐀䐲㓺㓊㐀㐀㐀㒦㐀㐀㐀㐀㐀㐀裸1"),
        ("🍓\u202a🎞𠀧卵🍹\u3000㑖", "🍜易S𠃪𣔹𠃛🏈\u202c𠁮𠂂"),
        ("`盛", "𠮷㓞寧Ä《·𠀡İ🕦𠂤擄搜𠃞"),
    ]
    for member_name, post in people:
        forms.published_member_pledge(world, forms.member(branch, member_name, post), ["😀" * 1270, "ፘõ½", "1" * 244])
    assert_prints(pdf.member_register_pdf(branch, world.campaign), *(n for n, _ in people))
