"""Page furniture shared by every PDF: colours, paragraph styles, markup escaping, headings, pictures, table
styles, numbered pages and the output helper that builds a document in memory and reports missing glyphs."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import BinaryIO

from django.utils import timezone
from reportlab import platypus, rl_config
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .typeface import FONT, describe_characters, missing_characters, register_fonts, strip_bidi_controls
from .wrap import Paragraph

logger = logging.getLogger("printing")

register_fonts()

# Streams are deflated only, not also ASCII85-encoded: a quarter smaller and faster to write; PDF readers and
# printers have taken binary streams for decades. (A setting of reportlab's, the same for every document.)
rl_config.useA85 = 0

INK = colors.black
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#f0f0f0")
RULE = colors.HexColor("#222222")
MARGIN = 20 * mm
CREATOR = "公开承诺管理系统"


def paragraph_style(name: str, size: float = 10.5, leading: float | None = None, **extra) -> ParagraphStyle:
    """A paragraph style in the embedded font with Chinese line breaking."""
    extra.setdefault("textColor", INK)
    # A closing mark that cannot start a line hangs past the line end; keep room for it inside the cell.
    extra.setdefault("rightIndent", round(size * 0.35, 1))
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading or size * 1.45, wordWrap="CJK", **extra)


def escape(text) -> str:
    """Paragraph markup is XML-like: escape what people typed, keep their line breaks."""
    text = str(text or "")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")


def paragraph(text, text_style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text as people typed it."""
    return Paragraph(escape(text), text_style)


def date_text(value) -> str:
    """2025年3月15日; aware datetimes are shown in the site's time zone."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def month_text(value) -> str:
    return f"{value.year}年{value.month}月" if value else "—"


def metadata(text) -> str:
    """Text for the document information (title, author): no bidirectional controls."""
    return strip_bidi_controls(str(text or ""))


class Heading(Flowable):
    """A title in faux bold (fill and stroke), as forms set their titles in a heavier face; centred, or at the
    left edge for a section heading."""

    def __init__(self, text: str, size: float = 20, space_after: float = 6, *, centred: bool = True):
        super().__init__()
        self.text = text
        self.size = size
        self.spaceAfter = space_after
        self.centred = centred

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.size * 1.5

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(self.size * (0.035 if self.centred else 0.03))
        obj = canvas.beginText()
        obj.setTextRenderMode(2)
        obj.setFont(FONT, self.size)
        if self.centred:
            text_width = canvas.stringWidth(self.text, FONT, self.size)
            obj.setTextOrigin((self.width - text_width) / 2, self.size * 0.4)
        else:
            obj.setTextOrigin(0, self.size * 0.35)
        obj.textOut(self.text)
        canvas.drawText(obj)
        canvas.restoreState()


class Picture(Flowable):
    """An image scaled to fit a box, keeping its proportions (signatures, QR codes)."""

    def __init__(self, reader: ImageReader, max_width: float, max_height: float, align: str = "LEFT"):
        super().__init__()
        self.reader = reader
        w, h = reader.getSize()
        scale = min(max_width / w, max_height / h)
        self.draw_width, self.draw_height = w * scale, h * scale
        self.hAlign = align

    def wrap(self, avail_width, avail_height):
        return self.draw_width, self.draw_height

    def draw(self):
        self.canv.drawImage(self.reader, 0, 0, self.draw_width, self.draw_height)


def fit_text(text: str, width: float, size: float, font: str = FONT) -> str:
    """`text` cut with an ellipsis so that it fits into `width`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class Table(platypus.Table):
    """reportlab's Table, whose report of a row too tall for any page does not itself fail.

    When a table cannot be placed, reportlab names its tallest row in the LayoutError; rows not yet measured
    have no height there, and max() over them raised a TypeError instead, which no caller expects. The forms
    catch LayoutError to lay a table out again with rows free to break across pages."""

    def _culprit(self):
        heights = [h for h in self._rowHeights or () if h is not None]
        return f"tallest cell {max(heights):0.1f} points" if heights else "a row taller than the frame"


# Bordered grid of a form: plain-text cells (short texts that fit on one line) are set like the paragraphs.
GRID = (
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), 10),
    ("LEADING", (0, 0), (-1, -1), 14),
    ("GRID", (0, 0), (-1, -1), 0.6, RULE),
    ("BOX", (0, 0), (-1, -1), 1.2, RULE),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 4),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
)

# A layout table without lines or padding; even an empty cell sets a font, so name the embedded one.
BARE = (
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
)


class NumberedCanvas(Canvas):
    """Holds the pages back until the end so that each can say 第 X 页 共 Y 页 at the foot."""

    page_number_y = MARGIN - 2 * mm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held_pages = []

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 8.5)
            self.setFillColor(GREY)
            self.drawCentredString(self._pagesize[0] / 2, self.page_number_y, f"第 {self._pageNumber} 页 共 {total} 页")
            self.restoreState()
            super().showPage()
        super().save()


def output(build: Callable[[BinaryIO], None], out: BinaryIO | None = None) -> bytes | None:
    """Runs `build` into a buffer and returns the bytes, or writes them to `out` and returns None.

    reportlab assembles the whole file in memory anyway; building into a buffer means a failed layout never
    leaves half a PDF in `out` (an entry of a zip being streamed, say). Characters no font could print are
    logged here, and reported to any enclosing `missing_characters()` block."""
    buffer = io.BytesIO()
    with missing_characters() as missing:
        build(buffer)
    if missing:
        logger.warning("PDF printed %s as 〓: no embedded font has them", describe_characters(missing))
    if out is None:
        return buffer.getvalue()
    out.write(buffer.getbuffer())
    return None
