"""Chinese line breaking: short words stay whole, no lone last character, no line starts with a closing mark,
and a paragraph split over two pages keeps its text exactly."""

from reportlab.pdfbase import pdfmetrics

import printing
from printing.wrap import CANNOT_START

SIZE = 10
STYLE = printing.paragraph_style("wrap_test", SIZE, rightIndent=0)


def lines(text: str, chars_per_line: float) -> list[str]:
    paragraph = printing.paragraph(text, STYLE)
    paragraph.wrap(chars_per_line * SIZE + 0.5, 10_000)
    return ["".join(word.text for word in line.words) for line in paragraph.blPara.lines]


def test_short_words_stay_whole():
    broken = lines("中共安宁县城关镇红星村党支部委员会", 9)
    assert "".join(broken) == "中共安宁县城关镇红星村党支部委员会"
    assert any("支部委员会" in line for line in broken), broken
    assert broken[0] == "中共安宁县城关镇"


def test_a_word_is_never_cut_on_lines_of_ten_characters_or_more():
    text = "中共安宁县城关镇红星村党支部委员会关于开展创先争优活动的公开承诺"
    for width in range(10, 24):
        broken = lines(text, width)
        assert "".join(broken) == text
        for line in broken[:-1]:
            assert not line.endswith(("委", "委员", "支", "创先", "争", "公开承")), (width, broken)


def test_no_line_starts_with_a_closing_mark():
    text = "带头参加村里的环境整治，每月组织党员志愿者清理河道两次，带动群众共同维护村容村貌。" * 3
    for width in (7, 8, 9, 10, 11, 13):
        for line in lines(text, width)[1:]:
            assert line[0] not in CANNOT_START, (width, line)


def test_no_single_character_on_the_last_line_when_avoidable():
    text = "每月走访困难群众不少于四户"  # 13 characters on lines of 12
    broken = lines(text, 12)
    assert len(broken) == 2 and len(broken[-1]) >= 2, broken
    assert "".join(broken) == text


def test_a_run_longer_than_a_line_is_cut_where_full():
    broken = lines("W" * 200, 20)
    assert "".join(broken) == "W" * 200
    width = 20 * SIZE + 0.5
    assert all(pdfmetrics.stringWidth(line, printing.FONT, SIZE) <= width for line in broken)


def test_line_breaks_typed_by_people_are_kept():
    assert lines("第一行\n第二行", 30) == ["第一行", "第二行"]


def test_a_split_paragraph_keeps_its_text_without_added_spaces():
    text = "带头发展生态养殖，带动群众增收致富。" * 20
    paragraph = printing.paragraph(text, STYLE)
    paragraph.wrap(200, 10_000)
    first, rest = paragraph.split(200, STYLE.leading * 3)
    rest.wrap(200, 10_000)
    joined = "".join(w.text for part in (first, rest) for line in part.blPara.lines for w in line.words)
    assert joined == text


def test_wrapping_twice_after_a_failed_split_still_draws():
    # The root of the old blPara crash: a paragraph that cannot be split loses blPara, and must lay itself out
    # again on the next wrap rather than answer from a cache.
    paragraph = printing.paragraph("带头发展生态养殖。" * 10, STYLE)
    paragraph.wrap(100, 10_000)
    assert paragraph.split(100, 1) == []
    assert not hasattr(paragraph, "blPara")
    paragraph.wrap(100, 10_000)
    assert paragraph.blPara.lines
