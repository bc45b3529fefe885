"""The quarterly 践诺情况通报 as an A4 PDF for the notice board: organization, title, date and the body as
edited, set like an official notice (centred title, indented paragraphs, section headings, the issuing
organization and date at the end). Fonts, styles and page furniture come from the shared `printing` module.
"""

from __future__ import annotations

import re
from functools import partial
from typing import BinaryIO

from django.utils import timezone
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Spacer

from printing import (
    CREATOR,
    FONT,
    GREY,
    MARGIN,
    Heading,
    NumberedCanvas,
    Paragraph,
    date_text,
    escape,
    fit_text,
    metadata,
    output,
    paragraph_style,
)

from .models import Bulletin

BODY = paragraph_style("bulletin_body", 12, 20, firstLineIndent=24, alignment=TA_JUSTIFY, spaceAfter=2)
SALUTATION = paragraph_style("bulletin_salutation", 12, 20, spaceAfter=2)
SIGNATURE = paragraph_style("bulletin_signature", 12, 20, alignment=TA_RIGHT)
TITLE_WRAPPED = paragraph_style("bulletin_title", 16, 24, alignment=TA_CENTER)
META = paragraph_style("bulletin_meta", 10.5, 16, alignment=TA_CENTER, textColor=GREY)
DRAFT_MARK = "草稿（未发布）"

# A section heading is a line such as “一、承诺覆盖情况”; a salutation ends with a full-width colon.
_SECTION_RE = re.compile(r"^[一二三四五六七八九十]+、")


def body_blocks(body: str) -> list[str]:
    text = body.replace("\r\n", "\n").strip()
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def _section_heading(text: str) -> Heading:
    """A section heading (“一、承诺覆盖情况”) in faux bold, as notices set it in a heavier face."""
    heading = Heading(text, 12, space_after=3, centred=False)
    heading.spaceBefore = 6
    heading.keepWithNext = 1  # never the last line of a page
    return heading


def is_section_heading(block: str) -> bool:
    return bool(_SECTION_RE.match(block)) and "\n" not in block and len(block) <= 30


def _title(title: str, width: float) -> list:
    """The title in faux bold on one line when it fits (18 pt, else 15 pt), otherwise wrapped and centred."""
    for size in (18, 15):
        if pdfmetrics.stringWidth(title, FONT, size) <= width:
            return [Heading(title, size, space_after=2 * mm)]
    return [Paragraph(escape(title), TITLE_WRAPPED), Spacer(1, 2 * mm)]


def _story(bulletin: Bulletin, width: float) -> list:
    org = bulletin.organization
    when = bulletin.published_at or bulletin.created_at
    story = [
        *_title(bulletin.title, width),
        Paragraph(escape(f"{org.name}　{date_text(when)}"), META),
        Spacer(1, 6 * mm),
    ]
    blocks = body_blocks(bulletin.body)
    # The closing block (issuing organization and date, one per line) is set flush right.
    closing = blocks.pop() if blocks and blocks[-1].count("\n") >= 1 and len(blocks[-1]) <= 80 else None
    for index, block in enumerate(blocks):
        if is_section_heading(block):
            story.append(_section_heading(block))
        elif index == 0 and block.endswith("：") and len(block) <= 30:
            story.append(Paragraph(escape(block), SALUTATION))
        else:
            for line in block.split("\n"):
                story.append(Paragraph(escape(line), BODY))
    if closing:
        story.append(Spacer(1, 8 * mm))
        story.append(KeepTogether([Paragraph(escape(line), SIGNATURE) for line in closing.split("\n")]))
    return story


def _draw_page(canvas: Canvas, doc, *, bulletin: Bulletin) -> None:
    width, height = doc.pagesize
    canvas.saveState()
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.4)
    y = MARGIN - 2 * mm
    canvas.line(MARGIN, y + 4 * mm, width - MARGIN, y + 4 * mm)
    canvas.drawString(MARGIN, y, fit_text(bulletin.organization.name, width / 2 - MARGIN - 22 * mm, 8.5))
    canvas.drawRightString(width - MARGIN, y, f"打印日期：{date_text(timezone.localdate())}")
    if bulletin.status != Bulletin.Status.PUBLISHED:
        canvas.setFont(FONT, 10)
        canvas.drawRightString(width - MARGIN, height - MARGIN + 6 * mm, DRAFT_MARK)
    canvas.restoreState()


def bulletin_pdf(bulletin: Bulletin, out: BinaryIO | None = None) -> bytes | None:
    """The 通报 on A4 with page numbers; returns the bytes, or writes them to `out` and returns None."""

    def build(target):
        doc = BaseDocTemplate(
            target,
            pagesize=A4,
            leftMargin=MARGIN + 5 * mm,
            rightMargin=MARGIN + 5 * mm,
            topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN + 6 * mm,
            title=metadata(bulletin.title),
            author=metadata(bulletin.organization.name),
            subject="践诺情况通报",
            creator=CREATOR,
            initialFontName=FONT,
        )
        frame = Frame(
            doc.leftMargin, doc.bottomMargin, doc.width, doc.height, leftPadding=0, rightPadding=0, topPadding=0
        )
        doc.addPageTemplates(
            [PageTemplate(id="bulletin", frames=[frame], onPage=partial(_draw_page, bulletin=bulletin))]
        )
        doc.build(_story(bulletin, doc.width), canvasmaker=NumberedCanvas)

    return output(build, out)
