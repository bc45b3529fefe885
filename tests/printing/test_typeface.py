"""The fonts: a fallback chain in one place, loaded lazily, embedded as subsets, with a text layer that holds
the exact text; a character no font has is printed as 〓 and reported, never dropped."""

import io
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

import printing
from printing.typeface import to_unicode_cmap
from tests.pdftext import flat, text

ROOT = Path(__file__).resolve().parents[2]
NO_FONT_HAS_IT = "\U0001fae0"  # 🫠 (Unicode 14), in none of the shipped fonts
NAMES = ("王𠮷", "李䶮", "欧阳堃喆", "阿不都热依木·买买提")


def render(*texts: str) -> bytes:
    body = printing.paragraph_style("test_body", 12)

    def build(target):
        doc = SimpleDocTemplate(target, pagesize=A4, initialFontName=printing.FONT)
        doc.build([printing.paragraph(t, body) for t in texts])

    return printing.output(build)


def embedded_fonts(data: bytes) -> dict[str, object]:
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


@pytest.mark.parametrize(
    "char",
    [
        "\u3400",  # first of Extension A
        "\u4dae",  # 䶮
        "\U00020000",  # first of Extension B
        "\U00020bb7",  # 𠮷
        "\U0002a6d6",  # late in Extension B
        "\uf900",  # compatibility ideograph
        "\U0002f800",  # compatibility ideograph supplement
        "堃",
        "喆",
        "·",  # the middle dot of minority names
        *"，。、；：！？（）《》“”‘’—…　",
    ],
)
def test_the_chain_covers_rare_chinese_characters_and_punctuation(char):
    assert printing.has_glyph(char)


def test_a_character_no_font_has_is_printed_as_a_replacement_and_reported(caplog):
    assert not printing.has_glyph(NO_FONT_HAS_IT)
    with caplog.at_level(logging.WARNING, logger="printing"), printing.missing_characters() as missing:
        data = render(f"张{NO_FONT_HAS_IT}三")
    assert missing == {NO_FONT_HAS_IT}
    assert "张〓三" in flat(text(data))
    assert "U+1FAE0" in caplog.text and NO_FONT_HAS_IT in caplog.text
    assert printing.describe_characters(missing) == f"{NO_FONT_HAS_IT}（U+1FAE0）"


def test_collectors_nest():
    with printing.missing_characters() as outer:
        with printing.missing_characters() as inner:
            render(NO_FONT_HAS_IT)
        render("普通文字")
    assert inner == outer == {NO_FONT_HAS_IT}


def test_rare_names_are_exact_in_the_text_layer_and_embedded_as_subsets():
    data = render(*NAMES)
    layer = text(data)
    for name in NAMES:
        assert name in layer
    fonts = embedded_fonts(data)
    assert any(re.fullmatch(r"/[A-Z]{6}\+WenQuanYiMicroHei-\d+", n) for n in fonts), fonts
    assert any(re.fullmatch(r"/[A-Z]{6}\+HanaMin[AB]", n) for n in fonts), fonts
    for font in fonts.values():
        assert font["/Subtype"] == "/TrueType" and "/FontFile2" in font["/FontDescriptor"]
        assert "/ToUnicode" in font


def test_to_unicode_maps_characters_beyond_the_bmp_to_surrogate_pairs():
    cmap = to_unicode_cmap("AAAAAA+HanaMinB", [0] + [32] * 32 + [0x20BB7, 0x4E00])
    assert "<21> <D842DFB7>" in cmap
    assert "<22> <4E00>" in cmap
    # At most 100 mappings per block, as the PDF reference asks.
    assert all(int(n) <= 100 for n in re.findall(r"(\d+) beginbfchar", cmap))


def test_bidirectional_controls_never_reach_the_pdf():
    data = render("\u202e甲乙丙\u202c、\u2066丁\u2069")
    layer = text(data)
    assert "甲乙丙、丁" in flat(layer)
    assert not set(layer) & printing.BIDI_CONTROLS
    assert printing.strip_bidi_controls("\u202e甲\u202c") == "甲"


def test_widths_come_from_the_face_that_draws_the_character():
    size = 10
    measured = pdfmetrics.stringWidth("李䶮", printing.FONT, size)
    primary = pdfmetrics.getFont(printing.FONT).face
    assert measured == pytest.approx(0.001 * size * (primary.charWidths[ord("李")] + 1000), abs=0.5)
    assert pdfmetrics.stringWidth("\u202e", printing.FONT, size) == 0


def test_a_canvas_string_uses_the_chain_too():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=printing.FONT)
    canvas.setFont(printing.FONT, 12)
    canvas.drawString(72, 700, "承诺人：王𠮷")
    canvas.save()
    assert "承诺人：王𠮷" in text(buffer.getvalue())


def test_fallback_fonts_are_read_only_when_a_character_needs_them():
    # In a fresh process, so that no other test has loaded them already.
    script = """
import io
from reportlab.pdfgen.canvas import Canvas
import printing
from printing.typeface import FALLBACKS

def draw(text):
    canvas = Canvas(io.BytesIO(), initialFontName=printing.FONT)
    canvas.setFont(printing.FONT, 12)
    canvas.drawString(10, 10, text)
    canvas.save()

draw("中共甲镇一村党支部委员会，承诺事项：带头参加义务劳动。ABC 123")
print(FALLBACKS.loaded())
draw("李䶮")
print(FALLBACKS.loaded())
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[False,", "False]", "[True,", "False]"]
