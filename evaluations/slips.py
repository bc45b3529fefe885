"""Code slips of a 群众评议: ten slips per A4 page (two columns, five rows) with dashed cut lines.

Each slip carries the organization, the session, a QR code of the ballot page with its code, the code itself
in large monospace letters for typing it in by hand, and the one-line instruction. The fonts are the ones every
PDF of the project embeds (from `printing`: WenQuanYi Micro Hei with its fallbacks, and its monospace face for
the codes), so the slips print the same on any printer and an organization with a rare character in its name
keeps it. QR codes are drawn as vector squares: sharp at any printer resolution.
"""

from __future__ import annotations

from collections.abc import Sequence

import segno
from django.conf import settings
from django.urls import reverse
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from printing import (
    CREATOR,
    FONT,
    MONO,
    Paragraph,
    escape,
    fit_text,
    metadata,
    output,
    paragraph_style,
    register_mono,
)

from .models import Appraisal
from .selectors import appraisal_title, format_code

COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
MARGIN_X, MARGIN_Y = 10 * mm, 8.5 * mm
PADDING = 4 * mm
QR_SIZE = 31 * mm
INSTRUCTION = "扫码或访问网址输入票码，每个票码只能投一次"
GREY = colors.HexColor("#555555")
CUT = colors.HexColor("#888888")
FOOTER = paragraph_style("slips_footer", 7, 8.5, alignment=TA_CENTER, textColor=GREY, rightIndent=0)


def ballot_url(code: str) -> str:
    """The absolute address a slip's QR code leads to."""
    return settings.PUBLIC_BASE_URL + reverse("evaluations:ballot_vote", args=[code])


def entry_url() -> str:
    """The address to type a code in by hand, without the scheme to keep it short on paper."""
    url = settings.PUBLIC_BASE_URL + reverse("evaluations:ballot")
    return url.split("://", 1)[-1]


def _fit(text: str, font: str, size: float, width: float, smallest: float = 6) -> float:
    """The largest size up to `size` at which `text` fits into `width`."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares, one rectangle per horizontal run of dark modules, with a light border of
    two modules inside the box so that nothing printed nearby disturbs a scanner."""
    qr = segno.make(url, error="m")
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    n = len(rows)
    module = size / n
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(x + start * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _draw_slip(canvas: Canvas, *, x: float, y: float, w: float, h: float, code: str, org: str, title: str, when: str):
    inner = w - 2 * PADDING
    top = y + h - PADDING
    canvas.setFillColor(colors.black)
    size = 10
    canvas.setFont(FONT, size)
    canvas.drawString(x + PADDING, top - size, fit_text(org, inner, size))
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 8.5)
    canvas.drawString(x + PADDING, top - size - 12, fit_text(f"{title} · {when}", inner, 8.5))

    qr_y = y + PADDING + 6 * mm
    _draw_qr(canvas, ballot_url(code), x + PADDING, qr_y, QR_SIZE)

    text_x = x + PADDING + QR_SIZE + 4 * mm
    text_w = x + w - PADDING - text_x
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 8.5)
    canvas.drawString(text_x, qr_y + QR_SIZE - 9, "票码")
    groups = format_code(code).split("-")
    lines = [" ".join(groups[:2]), " ".join(groups[2:])]
    code_size = min(_fit(line, MONO, 19, text_w) for line in lines)
    canvas.setFillColor(colors.black)
    canvas.setFont(MONO, code_size)
    line_y = qr_y + QR_SIZE - 13 - code_size
    for line in lines:
        canvas.drawString(text_x, line_y, line)
        line_y -= code_size * 1.3
    address = entry_url()
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 7.5)
    canvas.drawString(text_x, qr_y + 10, "网址")
    canvas.setFont(MONO, _fit(address, MONO, 8, text_w))
    canvas.drawString(text_x, qr_y + 1, address)

    canvas.setFillColor(colors.black)
    canvas.setFont(FONT, _fit(INSTRUCTION, FONT, 9, inner))
    canvas.drawCentredString(x + w / 2, y + PADDING, INSTRUCTION)


def _draw_cut_lines(canvas: Canvas, page_w: float, page_h: float, slip_w: float, slip_h: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(CUT)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 2)
    for i in range(COLUMNS + 1):
        x = MARGIN_X + i * slip_w
        canvas.line(x, MARGIN_Y, x, page_h - MARGIN_Y)
    for j in range(ROWS + 1):
        y = MARGIN_Y + j * slip_h
        canvas.line(0, y, page_w, y)
    canvas.restoreState()


def slips_pdf(appraisal: Appraisal, codes: Sequence[str]) -> bytes:
    """The slips of `codes` (strings as stored), ten to an A4 page, in the order given."""
    register_mono()  # the monospace face is parsed when the first slips are printed
    page_w, page_h = A4
    slip_w = (page_w - 2 * MARGIN_X) / COLUMNS
    slip_h = (page_h - 2 * MARGIN_Y) / ROWS
    org = appraisal.organization.name
    title = appraisal_title(appraisal)
    when = f"{appraisal.held_on.year}年{appraisal.held_on.month}月{appraisal.held_on.day}日"

    def build(target):
        canvas = Canvas(target, pagesize=A4, initialFontName=FONT, pageCompression=1)
        canvas.setTitle(metadata(f"{org}{title}票码"))
        canvas.setAuthor(metadata(org))
        canvas.setCreator(CREATOR)
        pages = max(1, -(-len(codes) // PER_PAGE))
        for page in range(pages):
            chunk = codes[page * PER_PAGE : (page + 1) * PER_PAGE]
            _draw_cut_lines(canvas, page_w, page_h, slip_w, slip_h)
            for index, code in enumerate(chunk):
                col, row = index % COLUMNS, index // COLUMNS
                x = MARGIN_X + col * slip_w
                y = page_h - MARGIN_Y - (row + 1) * slip_h
                _draw_slip(canvas, x=x, y=y, w=slip_w, h=slip_h, code=code, org=org, title=title, when=when)
            # The footer names the organization in full (a slip may have to shorten it), on two lines if need be.
            footer = Paragraph(
                escape(f"{org}{title}票码　共 {len(codes)} 个　第 {page + 1} 页 共 {pages} 页　沿虚线裁开，每人一张"),
                FOOTER,
            )
            _, height = footer.wrap(page_w - 2 * MARGIN_X, MARGIN_Y)
            footer.drawOn(canvas, MARGIN_X, max(1.5, (MARGIN_Y - height) / 2))
            canvas.showPage()
        canvas.save()

    return output(build)
