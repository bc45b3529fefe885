"""Printable PDFs of the notice board (DESIGN §5): 承诺书 in triplicate and the two registers.

附件1 创先争优活动党员承诺书 and 附件2 创先争优活动党组织承诺书 come as one PDF with three copies (审定方备案,
承诺方留存, 公开栏公示); 附件3 党组织开展创先争优活动承诺登记（公示）表 and 附件4 党员承诺事项登记（公示）表 are landscape tables
read from the same selectors as the web board, so that the wall and the web say the same thing.

Personal data never reaches a PDF: no 身份证号 and no phone anywhere; the public copy shows of a member only
name, post and organization. Fonts, line breaking, styles and page furniture come from `printing`, which embeds
its fonts as subsets so that every printer prints the same characters, rare ones included.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache, partial
from typing import BinaryIO

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from PIL import Image as PILImage
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from commitments.models import Campaign, Pledge, PledgeItem, Review, Signature
from organizations.models import Member, Organization
from printing import (
    BARE,
    CREATOR,
    FONT,
    FONT_PATH,
    GREY,
    GRID,
    INK,
    LIGHT,
    MARGIN,
    RULE,
    Heading,
    NumberedCanvas,
    Paragraph,
    Picture,
    Table,
    date_text,
    escape,
    fit_text,
    metadata,
    month_text,
    output,
    paragraph,
    paragraph_style,
)

from .qr import board_url, qr_png
from .selectors import item_progress, member_pledges, subtree_organization_pledges

__all__ = ["FONT", "FONT_PATH", "INK", "MARGIN"]  # re-exported for callers that measure against raw reportlab

COPY_LABELS = ("审定方备案", "承诺方留存", "公开栏公示")
PUBLIC_COPY = "公开栏公示"
# The titles as the source documents print them; a campaign with other wording changes them here.
MEMBER_TITLE = "创先争优活动党员承诺书"
ORGANIZATION_TITLE = "创先争优活动党组织承诺书"
ORGANIZATION_REGISTER_TITLE = "党组织开展创先争优活动承诺登记（公示）表"
MEMBER_REGISTER_TITLE = "党员承诺事项登记（公示）表"
REGISTER_COLUMNS = ("序号", "名称/姓名", "职务", "承诺事项", "完成时限", "责任人", "践诺情况", "备注")
EMPTY_REGISTER = "暂无已公示的承诺"
TRIPLICATE_NOTE = "本承诺书一式三份，审定方备案一份，承诺方留存一份，公开栏公示一份。"


# --- text helpers ---------------------------------------------------------------------------------------


BODY = paragraph_style("body", 10.5, alignment=TA_JUSTIFY)
INTRO = paragraph_style("intro", 10.5, 17, firstLineIndent=21, alignment=TA_JUSTIFY)
CELL = paragraph_style("cell", 10, 14)
CELL_C = paragraph_style("cell_c", 10, 14, alignment=TA_CENTER)
CELL_NOTE = paragraph_style("cell_note", 8.5, 12, textColor=GREY)
LABEL_C = paragraph_style("label_c", 10.5, 14, alignment=TA_CENTER)
SIGN_LABEL = paragraph_style("sign_label", 10.5, 16)
SIGN_NAME = paragraph_style("sign_name", 16, 22)
SIGN_DATE = paragraph_style("sign_date", 10.5, 16, alignment=TA_RIGHT)
SMALL_GREY = paragraph_style("small_grey", 8, 11, textColor=GREY)
SUBTITLE = paragraph_style("subtitle", 12, 18, alignment=TA_CENTER)
REG_CELL = paragraph_style("reg_cell", 9, 12.5)
REG_CELL_C = paragraph_style("reg_cell_c", 9, 12.5, alignment=TA_CENTER)
REG_PROGRESS = paragraph_style("reg_progress", 8.5, 12, alignment=TA_CENTER)
REG_NOTE = paragraph_style("reg_note", 8, 11, textColor=GREY)
META = paragraph_style("meta", 9.5, 14)
META_C = paragraph_style("meta_c", 9.5, 14, alignment=TA_CENTER)
META_R = paragraph_style("meta_r", 9.5, 14, alignment=TA_RIGHT)

_date = date_text


def _p(text, text_style: ParagraphStyle = CELL) -> Paragraph:
    return paragraph(text, text_style)


def _fits(text: str, width: float, size: float, padding: float = 4) -> bool:
    return "\n" not in text and pdfmetrics.stringWidth(text, FONT, size) <= width - 2 * padding - 2


# Paragraphs collapse ordinary and ideographic spaces; no-break spaces keep room for handwriting.
GAP = "\xa0" * 4  # about one Chinese character
BLANK_DATE = f"{GAP * 4}年{GAP * 2}月{GAP * 2}日"


@lru_cache(maxsize=64)
def _qr_reader(url: str) -> ImageReader:
    # One board's code is printed on many documents of a batch; make and decode it once.
    return ImageReader(PILImage.open(io.BytesIO(qr_png(url))).convert("L"))


def _signature_reader(signature: Signature) -> ImageReader | None:
    """The drawn signature flattened onto white paper, read once per document."""
    if not signature.image:
        return None
    try:
        with signature.image.open("rb") as handle:
            data = handle.read()
        with PILImage.open(io.BytesIO(data)) as img:
            img = img.convert("RGBA")
            paper = PILImage.new("RGBA", img.size, (255, 255, 255, 255))
            flat = PILImage.alpha_composite(paper, img).convert("L")
    except (OSError, ValueError):
        return None  # a missing or damaged file prints the typed name instead of failing the whole batch
    return ImageReader(flat)


# --- 附件1 / 附件2: the pledge in triplicate ------------------------------------------------------------


def pledge_pdf(pledge: Pledge, out: BinaryIO | None = None) -> bytes | None:
    """附件1 (a member's pledge) or 附件2 (an organization's pledge): three identical copies, each starting on
    a new page and marked at the top right. Returns the PDF bytes, or writes them to `out` and returns None.
    """
    prefetch_related_objects(
        [pledge],
        Prefetch("items", queryset=PledgeItem.objects.order_by("position")),
        "signatures",
        Prefetch("reviews", queryset=Review.objects.filter(decision=Review.Decision.APPROVE).select_related("by")),
    )
    content = _PledgeContent(pledge)
    annex = "附件1" if pledge.is_member_pledge else "附件2"

    def build(target):
        doc = BaseDocTemplate(
            target,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN,
            title=metadata(f"{content.title}（{pledge.pledger_name}）"),
            author=metadata(pledge.organization.name),
            subject=metadata(pledge.campaign.name),
            creator=CREATOR,
            initialFontName=FONT,  # so that no unembedded Helvetica is referenced by the page preamble
        )
        frame_args = (doc.leftMargin, doc.bottomMargin, doc.width, doc.height)
        first_pages: dict[str, int] = {}
        doc.addPageTemplates(
            [
                PageTemplate(
                    id=label,
                    frames=[Frame(*frame_args, id=label, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)],
                    onPage=partial(
                        _draw_pledge_page,
                        annex=annex,
                        label=label,
                        first_pages=first_pages,
                        running_title=f"{content.title}（{pledge.pledger_name}）",
                    ),
                )
                for label in COPY_LABELS
            ]
        )
        story = []
        for index, label in enumerate(COPY_LABELS):
            if index:
                story += [NextPageTemplate(label), PageBreak()]
            story += content.copy(public=label == PUBLIC_COPY)
        try:
            doc.build(story)
        except LayoutError:
            if content.split_rows:
                raise
            # An item longer than a page: lay the copies out again with rows free to break across pages.
            content.split_rows = True
            target.seek(0)
            target.truncate()
            build(target)

    return output(build, out)


def _draw_pledge_page(canvas: Canvas, doc, *, annex: str, label: str, first_pages: dict, running_title: str) -> None:
    page = canvas.getPageNumber()
    continued = first_pages.setdefault(label, page) != page
    width, height = doc.pagesize
    top = height - MARGIN + 2 * mm
    canvas.saveState()
    canvas.setFont(FONT, 12)
    canvas.drawString(MARGIN, top, annex)
    text = label + ("（续页）" if continued else "")
    canvas.setFont(FONT, 11)
    box_width = pdfmetrics.stringWidth(text, FONT, 11) + 6 * mm
    x = width - MARGIN - box_width
    canvas.setLineWidth(0.9)
    canvas.rect(x, top - 2.2 * mm, box_width, 7.5 * mm)
    canvas.drawString(x + 3 * mm, top, text)
    if continued:
        # A continuation page may be pinned up on its own: say whose pledge it continues.
        canvas.setFont(FONT, 10)
        room = width - 2 * (MARGIN + box_width + 3 * mm)
        canvas.drawCentredString(width / 2, top, fit_text(running_title, room, 10))
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(width / 2, MARGIN - 8 * mm, TRIPLICATE_NOTE)
    canvas.restoreState()


class _PledgeContent:
    """Everything one copy shows, read from the database once and laid out three times."""

    def __init__(self, pledge: Pledge):
        self.pledge = pledge
        self._split_rows = False
        self.is_member = pledge.is_member_pledge
        self.title = MEMBER_TITLE if self.is_member else ORGANIZATION_TITLE
        self._shared = None
        self._particulars_for: dict[bool, Table] = {}
        self.items = list(pledge.items.all())
        signatures = {s.role: s for s in pledge.signatures.all()}
        self.pledger_signature = signatures.get(Signature.Role.PLEDGER)
        self.reviewer_signature = signatures.get(Signature.Role.REVIEWER)
        self.pledger_image = self.pledger_signature and _signature_reader(self.pledger_signature)
        self.reviewer_image = self.reviewer_signature and _signature_reader(self.reviewer_signature)
        approvals = sorted(pledge.reviews.all(), key=lambda r: (r.at, r.pk))
        self.review = approvals[-1] if approvals else None
        if self.is_member:
            self.reviewing_org = pledge.organization
        else:
            org = pledge.pledger_organization
            parent_path = org.ancestor_paths()[-2:-1]
            self.reviewing_org = Organization.objects.filter(path__in=parent_path).first() if parent_path else None
            self.member_count = Member.objects.filter(
                organization__path__startswith=org.path,
                is_active=True,
                political_status__in=(Member.PoliticalStatus.FULL, Member.PoliticalStatus.PROBATIONARY),
            ).count()

    @property
    def split_rows(self) -> bool:
        """Whether a table row may break across pages (only when one is taller than a page)."""
        return self._split_rows

    @split_rows.setter
    def split_rows(self, value: bool) -> None:
        self._split_rows = value
        self._shared = None
        self._particulars_for = {}

    # -- one copy --

    def copy(self, *, public: bool) -> list:
        if self._shared is None or self.split_rows:
            # What every copy shows alike is laid out from the same flowables, unless rows must break across
            # pages: a table split over pages is then cut anew for each copy.
            self._shared = (
                Heading(self.title, 20, space_after=4 * mm),
                Paragraph(self._intro(), INTRO),
                self._items_table(),
                [self._review_box(), Spacer(1, 4 * mm), self._signature_table()],
            )
        heading, intro, items, closing = self._shared
        if public:
            closing = [*closing, Spacer(1, 4 * mm), self._supervision()]
        if public not in self._particulars_for:
            self._particulars_for[public] = self._particulars(public)
        return [
            heading,
            self._particulars_for[public],
            Spacer(1, 4 * mm),
            intro,
            Spacer(1, 2.5 * mm),
            items,
            Spacer(1, 4 * mm),
            KeepTogether(closing),
        ]

    def _supervision(self) -> Table:
        """On the copy pinned on the notice board: the supervision phone and the board's QR code."""
        board = self.pledge.organization
        phone = board.supervision_phone or "—"
        text = [
            _p(f"欢迎党员群众监督。监督电话：{phone}", SIGN_LABEL),
            _p("扫描右侧二维码，可在手机上查看公开栏、践诺进展并提出意见建议。", SMALL_GREY),
        ]
        qr = Picture(_qr_reader(board_url(board)), 20 * mm, 20 * mm, align="RIGHT")
        return Table(
            [[text, qr]],
            colWidths=[146 * mm, 24 * mm],
            style=TableStyle([*BARE, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
        )

    def _intro(self) -> str:
        if self.is_member:
            return (
                "本人自愿参加创先争优活动，结合岗位职责和群众意愿，郑重作出以下公开承诺，"
                "自觉接受党组织和群众监督，做到言必行、行必果。"
            )
        return (
            "本党组织围绕中心工作和群众需求，郑重作出以下公开承诺，自觉接受上级党组织和党员群众监督，"
            "做到诺必践、践必果。"
        )

    def _particulars(self, public: bool) -> Table:
        pledge = self.pledge
        if self.is_member:
            member = pledge.member
            name = ("姓名", member.name, False)
            form = ("承诺形式", pledge.get_form_display(), False)
            if public:
                # The copy on the notice board names the member, his post and his branch, and no more: no
                # birth date, gender, political status or date of joining.
                pairs = [name, form]
            else:
                pairs = [
                    name,
                    ("性别", member.get_gender_display(), False),
                    ("出生年月", month_text(member.birth_date), False),
                    ("入党时间", month_text(member.join_date), False),
                    ("政治面貌", member.get_political_status_display(), False),
                    form,
                ]
            pairs += [
                ("所在党支部", pledge.organization.name, True),
                ("承诺批次", pledge.campaign.name, True),
                ("职务/岗位", member.post or "—", True),
            ]
        else:
            org = pledge.pledger_organization
            pairs = [
                ("名称", org.name, True),
                ("书记", org.secretary_name or "—", False),
                ("党员人数", f"{self.member_count}名", False),
                ("组织层级", org.get_level_display(), False),
                ("所属领域", org.get_sector_display(), False),
                ("上级党组织", self.reviewing_org.name if self.reviewing_org else "—", True),
                ("承诺批次", pledge.campaign.name, True),
            ]
        return _pair_grid(pairs)

    def _items_table(self) -> Table:
        member = self.is_member
        if member:
            header = ["序号", "承诺事项", "践诺措施", "完成时限"]
            widths = [12 * mm, 72 * mm, 56 * mm, 30 * mm]
        else:
            header = ["序号", "承诺事项", "践诺措施", "责任人", "完成时限"]
            widths = [12 * mm, 60 * mm, 48 * mm, 20 * mm, 30 * mm]
        rows = [header]
        for item in self.items:
            content = [
                Paragraph(f'<font color="#555555">【{escape(item.content_area)}】</font>{escape(item.content)}', CELL)
            ]
            if item.is_quantified:
                content.append(_p("量化目标：" + item.quantified_text(), CELL_NOTE))
            row = [str(item.position), content, _p(item.measures or "—")]
            if not member:
                who = item.responsible_person
                row.append(who if _fits(who, widths[3], 10) else _p(who, CELL_C))
            deadline = _date(item.deadline)
            row.append(deadline if _fits(deadline, widths[-1], 10) else _p(deadline, CELL_C))
            rows.append(row)
        if not self.items:
            rows.append([_p("（无承诺事项）", CELL_C)] + [""] * (len(header) - 1))
        style = [
            *GRID,
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("FONTSIZE", (0, 0), (-1, 0), 10.5),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("VALIGN", (1, 1), (2, -1), "TOP"),
        ]
        if not self.items:
            style.append(("SPAN", (0, 1), (-1, 1)))
        if self.split_rows:
            rows, style = _breakable_rows(rows, style)
        return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style), splitInRow=int(self.split_rows))

    def _review_box(self) -> Table:
        review = self.review
        if review:
            checks = set(review.passed_checks())
            marks = ("\xa0" * 6).join(("√" if label in checks else "□") + label for _, label in Review.CHECKS)
            body = []
            if review.comment:
                body.append(_p(review.comment, BODY))
            body.append(_p("审核要点：" + marks, BODY))
            reviewer = review.by.get_full_name() if review.by_id else ""
            body.append(_p(f"审核人：{reviewer}{GAP * 3}审定日期：{_date(review.at)}", SIGN_DATE))
        else:
            # Room for a handwritten opinion.
            body = [Spacer(1, 22 * mm), _p(f"审核人（签字）：{GAP * 10}{BLANK_DATE}", SIGN_DATE)]
        table = Table(
            [[Paragraph("审定<br/>意见", LABEL_C), body]],
            colWidths=[24 * mm, 146 * mm],
            style=TableStyle(
                [
                    *GRID,
                    ("BACKGROUND", (0, 0), (0, 0), LIGHT),
                    ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
                    ("VALIGN", (1, 0), (1, 0), "TOP"),
                    ("TOPPADDING", (1, 0), (1, 0), 5),
                    ("BOTTOMPADDING", (1, 0), (1, 0), 6),
                ]
            ),
        )
        return table

    def _signature_table(self) -> Table:
        pledge = self.pledge
        if self.is_member:
            left_head = [_p("承诺人（签字）：", SIGN_LABEL)]
            right_head = [
                _p(f"审定方（盖章）：{pledge.organization.name}", SIGN_LABEL),
                _p("负责人（签字）：", SIGN_LABEL),
            ]
        else:
            left_head = [
                _p(f"承诺党组织（盖章）：{pledge.pledger_organization.name}", SIGN_LABEL),
                _p("书记（签字）：", SIGN_LABEL),
            ]
            org_name = self.reviewing_org.name if self.reviewing_org else ""
            right_head = [_p(f"审定党组织（盖章）：{org_name}", SIGN_LABEL), _p("负责人（签字）：", SIGN_LABEL)]
        if self.is_member and pledge.is_oral:
            left = [
                _p(f"承诺人：{pledge.member.name}（口头承诺）", SIGN_LABEL),
                _p("见证人：", SIGN_LABEL),
                _p(pledge.witness_name or "", SIGN_NAME),
                _p(_date(pledge.signed_at) or BLANK_DATE, SIGN_DATE),
            ]
        else:
            left = left_head + self._signed(self.pledger_signature, self.pledger_image)
        right = right_head + self._signed(self.reviewer_signature, self.reviewer_image)
        return Table(
            [[left, right]],
            colWidths=[85 * mm, 85 * mm],
            style=TableStyle(
                [
                    *GRID,
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ]
            ),
        )

    @staticmethod
    def _signed(signature: Signature | None, image: ImageReader | None) -> list:
        if signature is None:
            return [Spacer(1, 16 * mm), _p(BLANK_DATE, SIGN_DATE)]
        if image is not None:
            mark = Picture(image, 45 * mm, 14 * mm, align="CENTER")
        else:
            mark = _p(signature.signer_name, SIGN_NAME)
        return [
            mark,
            _p(f"（{signature.get_method_display()}，网上签署）", SMALL_GREY),
            _p(_date(signature.signed_at), SIGN_DATE),
        ]


_LABEL_WIDTH = 24 * mm
_VALUE_WIDTH = 61 * mm
_WIDE_VALUE_WIDTH = _LABEL_WIDTH + 2 * _VALUE_WIDTH


def _pair_grid(pairs: list[tuple[str, str, bool]]) -> Table:
    """Label/value pairs two to a row, in a bordered grid; wide values take a whole row."""
    rows, spans = [], []
    pending = None
    for label, value, wide in pairs:
        value = str(value)
        wide = wide or not _fits(value, _VALUE_WIDTH, 10.5)
        cell = (label, value if _fits(value, _WIDE_VALUE_WIDTH, 10.5) else _p(value, BODY))
        if wide:
            if pending:
                rows.append([*pending, "", ""])
                spans.append(len(rows) - 1)
                pending = None
            rows.append([*cell, "", ""])
            spans.append(len(rows) - 1)
        elif pending:
            rows.append([*pending, *cell])
            pending = None
        else:
            pending = cell
    if pending:
        rows.append([*pending, "", ""])
        spans.append(len(rows) - 1)
    style = [
        *GRID,
        ("BACKGROUND", (0, 0), (0, -1), LIGHT),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("ALIGN", (2, 0), (2, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 6.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6.5),
    ]
    style += [("SPAN", (1, r), (3, r)) for r in spans]
    style += [("BACKGROUND", (2, r), (2, r), LIGHT) for r in range(len(rows)) if r not in spans]
    return Table(rows, colWidths=[_LABEL_WIDTH, _VALUE_WIDTH, _LABEL_WIDTH, _VALUE_WIDTH], style=TableStyle(style))


# --- 附件3 / 附件4: the registers -----------------------------------------------------------------------

# 序号, 名称/姓名, 职务, 承诺事项, 完成时限, 责任人, 践诺情况, 备注 on 257 mm of landscape A4: organizations have
# long names and short levels, members short names and long posts.
ORGANIZATION_REGISTER_WIDTHS = [w * mm for w in (9, 32, 15, 75, 27, 20, 32, 47)]
MEMBER_REGISTER_WIDTHS = [w * mm for w in (9, 18, 28, 82, 27, 13, 32, 48)]
_PAD = 3
_REG_HEAD_HEIGHT = 13 + 2 * _PAD + 2


def organization_register_pdf(org: Organization, campaign: Campaign, out: BinaryIO | None = None) -> bytes | None:
    """附件3: the published pledges of `org` and its subordinate organizations, one row per item."""
    pledges = subtree_organization_pledges(org, campaign)
    blocks = [
        _RegisterBlock(
            name=p.pledger_organization.name,
            post=p.pledger_organization.get_level_display(),
            pledge=p,
            responsible=None,
        )
        for p in pledges
    ]
    return _register_pdf(
        org, campaign, "附件3", ORGANIZATION_REGISTER_TITLE, blocks, "个党组织", ORGANIZATION_REGISTER_WIDTHS, out
    )


def member_register_pdf(org: Organization, campaign: Campaign, out: BinaryIO | None = None) -> bytes | None:
    """附件4: the published pledges of the members of `org`, one row per item."""
    pledges = member_pledges(org, campaign)
    blocks = [_RegisterBlock(name=p.member.name, post=p.member.post, pledge=p, responsible="本人") for p in pledges]
    return _register_pdf(org, campaign, "附件4", MEMBER_REGISTER_TITLE, blocks, "名党员", MEMBER_REGISTER_WIDTHS, out)


class _RegisterBlock:
    """One pledger's rows of a register."""

    def __init__(self, *, name: str, post: str, pledge: Pledge, responsible: str | None):
        self.name = name
        self.post = post or ""
        self.items = list(pledge.items.all())
        self.is_oral = pledge.is_oral
        self.responsible = responsible

    def cells(self, item: PledgeItem) -> tuple[str, str, str, str, str]:
        """(承诺事项, 完成时限, 责任人, 践诺情况, 备注) as plain text; 备注 has one line per remark."""
        notes = []
        if self.is_oral:
            notes.append("口头承诺")
        if item.needs_help:
            notes.append("需帮扶" + (f"：{item.help_note}" if item.help_note else ""))
        if item.is_quantified:
            notes += ["量化目标", item.quantified_text()]
        responsible = item.responsible_person or self.responsible or ""
        content = f"{item.position}．{item.content}"
        # "已销号（2025年9月15日）" reads best broken before its date.
        progress = item_progress(item).replace("（", "\n（", 1)
        return content, _date(item.deadline), responsible, progress, "\n".join(notes)


class _RegCell:
    """A register cell: plain text when it fits on one line (cheap to lay out again on every page the
    table is split over), a wrapping paragraph otherwise; with a generous estimate of its height, used to
    decide where a pledger too long for one page must be cut."""

    def __init__(self, text: str, width: float, style: ParagraphStyle):
        self.text = text or ""
        self.style = style
        size = style.fontSize
        usable = width - 2 * _PAD - 2
        parts = self.text.split("\n")
        widths = [pdfmetrics.stringWidth(part, FONT, size) for part in parts]
        self.fits = all(w <= usable for w in widths)
        # Wrapped CJK lines break at any character; a line may end up to one character short.
        lines = sum(max(1, math.ceil(w / max(usable - size, size))) for w in widths)
        self.height = (len(parts) if self.fits else lines) * style.leading

    def flowable(self):
        return self.text if self.fits else _p(self.text, self.style)


def _register_pdf(org, campaign, annex, title, blocks, unit, widths, out):
    printed_on = timezone.localdate()
    phone = org.supervision_phone or "—"
    url = board_url(org)
    page_size = landscape(A4)
    frame_height = page_size[1] - 2 * MARGIN - 6 * mm

    def story(split_all: bool) -> list:
        flow = [
            _register_title_block(org, campaign, annex, title, phone, printed_on, url, sum(widths)),
            Spacer(1, 3 * mm),
            _register_table(blocks, widths, frame_height, split_all),
        ]
        items = sum(len(b.items) for b in blocks)
        if blocks:
            ticked = sum(1 for b in blocks for i in b.items if i.state == PledgeItem.State.TICKED_OFF)
            flow += [
                Spacer(1, 2 * mm),
                _p(f"合计：{len(blocks)}{unit}，承诺事项 {items} 项，已销号 {ticked} 项。", META),
            ]
        return flow

    def build(target, split_all: bool = False):
        doc = BaseDocTemplate(
            target,
            pagesize=page_size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=metadata(f"{org.name}{title}"),
            author=metadata(org.name),
            subject=metadata(campaign.name),
            creator=CREATOR,
            initialFontName=FONT,  # so that no unembedded Helvetica is referenced by the page preamble
        )
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            doc.height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates(
            [
                PageTemplate(
                    id="register",
                    frames=[frame],
                    onPage=partial(_draw_register_page, phone=phone, printed_on=printed_on, org=org),
                )
            ]
        )
        try:
            doc.build(story(split_all), canvasmaker=NumberedCanvas)
        except LayoutError:
            if split_all:
                raise
            # A pledger that still does not fit on a page after the estimate: let every row break freely.
            target.seek(0)
            target.truncate()
            build(target, split_all=True)

    return output(build, out)


def _register_title_block(org, campaign, annex, title, phone, printed_on, url, total: float) -> Table:
    qr = [
        Picture(_qr_reader(url), 25 * mm, 25 * mm, align="CENTER"),
        Paragraph("扫码查看公开栏", paragraph_style("qr_caption", 7.5, 10, alignment=TA_CENTER, textColor=GREY)),
    ]
    centre = [
        Heading(title, 20, space_after=2 * mm),
        Paragraph(f"{escape(org.name)}{GAP}{escape(campaign.name)}", SUBTITLE),
    ]
    left = [Paragraph(annex, paragraph_style("annex", 12, 16))]
    meta = [
        _p(f"填报单位（盖章）：{org.name}", META),
        _p(f"监督电话：{phone}", META_C),
        _p(f"打印日期：{_date(printed_on)}", META_R),
    ]
    side = 34 * mm
    top = Table(
        [[left, centre, qr]],
        colWidths=[side, total - 2 * side, side],
        style=TableStyle([*BARE, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("VALIGN", (0, 0), (0, 0), "TOP")]),
    )
    bottom = Table(
        [meta],
        colWidths=[total / 3] * 3,
        style=TableStyle(BARE),
    )
    return Table(
        [[top], [bottom]],
        colWidths=[total],
        style=TableStyle(BARE),
    )


def _register_table(blocks: list[_RegisterBlock], widths: list[float], frame_height: float, split_all: bool) -> Table:
    """One table with the header repeated on every page; a pledger's rows are kept on one page by spanning
    his 序号, 名称 and 职务 cells over them (a table never breaks inside a span). A pledger too long for a
    page is cut into parts that each fit, the later parts marked （续）."""
    rows = [list(REGISTER_COLUMNS)]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1.1, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, 0), 1.0, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("ALIGN", (3, 1), (3, -1), "LEFT"),
        ("ALIGN", (7, 1), (7, -1), "LEFT"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("LEADING", (0, 0), (-1, -1), 12.5),
        ("TEXTCOLOR", (7, 1), (7, -1), GREY),
        ("FONTSIZE", (7, 1), (7, -1), 8),
        ("LEADING", (7, 1), (7, -1), 11),
        ("FONTSIZE", (6, 1), (6, -1), 8.5),
        ("LEADING", (6, 1), (6, -1), 12),
        ("FONTSIZE", (0, 0), (-1, 0), 9.5),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), _PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD),
    ]
    if not blocks:
        rows.append([Paragraph(EMPTY_REGISTER, paragraph_style("empty", 11, 16, alignment=TA_CENTER))] + [""] * 7)
        style += [
            ("SPAN", (0, 1), (-1, 1)),
            ("TOPPADDING", (0, 1), (-1, 1), 12),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 12),
        ]
        return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))

    limit = frame_height - _REG_HEAD_HEIGHT - 6
    w = widths
    for number, block in enumerate(blocks, 1):
        name = _RegCell(block.name, w[1], REG_CELL_C)
        post = _RegCell(block.post, w[2], REG_CELL_C)
        parts, part, used = [], [], 0.0
        for item in block.items:
            content, deadline, responsible, progress, notes = block.cells(item)
            cells = [
                _RegCell(content, w[3], REG_CELL),
                _RegCell(deadline, w[4], REG_CELL_C),
                _RegCell(responsible, w[5], REG_CELL_C),
                _RegCell(progress, w[6], REG_PROGRESS),
                _RegCell(notes, w[7], REG_NOTE),
            ]
            # 序号, 名称 and 职务 span the pledger's rows, so only the item's own cells set its height.
            height = max(c.height for c in cells) + 2 * _PAD
            if part and (split_all or used + height > limit):
                parts.append(part)
                part, used = [], 0.0
            part.append(cells)
            used += height
        if part or not block.items:
            parts.append(part)
        for index, part in enumerate(parts):
            start = len(rows)
            first_name = name if not index else _RegCell(block.name + "（续）", w[1], REG_CELL_C)
            lead = [str(number), first_name.flowable(), post.flowable()]
            if not part:
                rows.append([*lead, "—", "", "", "", ""])
            for offset, cells in enumerate(part):
                rows.append([*(lead if offset == 0 else ("", "", "")), *(c.flowable() for c in cells)])
            end = len(rows) - 1
            if end > start:
                style += [("SPAN", (c, start), (c, end)) for c in range(3)]
            if start > 1:
                style.append(("LINEABOVE", (0, start), (-1, start), 0.9, RULE))  # one pledger from the next
    # Laid out again with every row on its own, an item taller than a page may break inside its row too.
    if split_all:
        rows, style = _breakable_rows(rows, style)
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style), splitInRow=int(split_all))


def _breakable_rows(rows: list[list], style: list) -> tuple[list[list], list]:
    """Rows that reportlab can cut inside: it splits a cell only when its flowables come as a list (a lone
    flowable would be dropped from the part that goes on) and, for a cell of several, when it is top-aligned."""
    rows = [rows[0]] + [[[cell] if isinstance(cell, Flowable) else cell for cell in row] for row in rows[1:]]
    return rows, [*style, ("VALIGN", (0, 1), (-1, -1), "TOP")]


def _draw_register_page(canvas: Canvas, doc, *, phone: str, printed_on, org: Organization) -> None:
    width, _ = doc.pagesize
    y = MARGIN - 2 * mm
    canvas.saveState()
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, y + 4 * mm, width - MARGIN, y + 4 * mm)
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(GREY)
    # The left part stays clear of the page number in the middle; the full name is in the title block.
    contact = f"　监督电话：{phone}"
    room = width / 2 - MARGIN - 18 * mm - pdfmetrics.stringWidth(contact, FONT, 8.5)
    canvas.drawString(MARGIN, y, fit_text(org.name, room, 8.5) + contact)
    canvas.drawRightString(width - MARGIN, y, f"打印日期：{_date(printed_on)}")
    canvas.restoreState()


# --- 窗口单位: 三亮 cards (篇五) ----------------------------------------------------------------------------

WINDOW_CARD_TITLE = "党员窗口服务承诺卡"
# Areas that describe the duties of the post rather than a promise beyond them (爱岗敬业, 认真履职, 提供优质服务…).
DUTY_AREA_MARKERS = ("岗", "职", "优质服务", "服务效能", "服务行为", "服务水平")
CARD_NAME = paragraph_style("card_name", 22, 28)
CARD_LABEL = paragraph_style("card_label", 11, 15, textColor=INK)
CARD_TEXT = paragraph_style("card_text", 9.5, 13.5)
CARD_SMALL = paragraph_style("card_small", 8, 11, textColor=GREY)


def _is_duty_area(area: str) -> bool:
    return any(marker in (area or "") for marker in DUTY_AREA_MARKERS)


def window_members(org: Organization, campaign: Campaign) -> list[tuple[Member, Pledge | None]]:
    """The party members at the window unit, in the official order of names, each with his published pledge
    made there (None before it is published). Two queries and the pledges' items."""
    from printing import by_strokes

    members = by_strokes(
        Member.objects.filter(organization=org, is_active=True, political_status__in=Member.PARTY_STATUSES),
        name=lambda m: m.name,
        tie=lambda m: m.pk,
    )
    pledges = {p.member_id: p for p in member_pledges(org, campaign)}
    return [(m, pledges.get(m.pk)) for m in members]


def window_cards_pdf(org: Organization, campaign: Campaign, out: BinaryIO | None = None) -> bytes | None:
    """篇五 三亮 at the service window: a card per party member of the unit — 亮身份 (name, 党员/预备党员, post;
    no ID number, no phone), 亮职责 (the post and the items in areas about its duties), 亮承诺 (the other items),
    the supervision phone and the board's QR code. A5 landscape, one card a page."""
    cards = window_members(org, campaign)
    phone = org.supervision_phone or "—"
    qr = _qr_reader(board_url(org))
    page_size = landscape(A5)
    margin = 10 * mm
    width = page_size[0] - 2 * margin

    def card(member: Member, pledge: Pledge | None) -> list:
        items = list(pledge.items.all()) if pledge else []
        duties = [i for i in items if _is_duty_area(i.content_area)]
        promises = [i for i in items if not _is_duty_area(i.content_area)]
        identity = [
            _p(org.name, CARD_SMALL),
            Paragraph(escape(member.name), CARD_NAME),
            _p(f"{member.get_political_status_display()}　岗位：{member.post or '—'}", CARD_LABEL),
        ]
        code = [Picture(qr, 24 * mm, 24 * mm, align="CENTER"), _p("扫码查看公开栏、提出意见", CARD_SMALL)]
        head = Table(
            [[identity, code]],
            colWidths=[width - 30 * mm, 30 * mm],
            style=TableStyle([*BARE, ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        )
        duty_lines = [f"岗位：{member.post or '—'}"] + [f"{i.content_area}：{i.content}" for i in duties]
        if promises:
            promise_lines = [f"{n}．{i.content}（{_date(i.deadline)}前）" for n, i in enumerate(promises, 1)]
        elif pledge is None:
            promise_lines = ["承诺书公示后补印本卡。"]
        else:
            promise_lines = ["见“亮职责”所列各项。"]
        rows = [
            [_p("亮身份", CARD_LABEL), _p(f"{member.name}，{member.get_political_status_display()}", CARD_TEXT)],
            [_p("亮职责", CARD_LABEL), [_p(line, CARD_TEXT) for line in duty_lines]],
            [_p("亮承诺", CARD_LABEL), [_p(line, CARD_TEXT) for line in promise_lines]],
        ]
        body = Table(
            rows,
            colWidths=[18 * mm, width - 18 * mm],
            style=TableStyle([*GRID, ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        )
        foot = _p(f"欢迎监督　监督电话：{phone}　{campaign.name}", CARD_LABEL)
        return [
            Heading(WINDOW_CARD_TITLE, 15, space_after=2 * mm),
            head,
            Spacer(1, 2 * mm),
            body,
            Spacer(1, 2 * mm),
            foot,
        ]

    def build(target):
        doc = BaseDocTemplate(
            target,
            pagesize=page_size,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin,
            title=metadata(f"{org.name}{WINDOW_CARD_TITLE}"),
            author=metadata(org.name),
            subject=metadata(campaign.name),
            creator=CREATOR,
            initialFontName=FONT,
        )
        frame = Frame(
            margin,
            margin,
            width,
            page_size[1] - 2 * margin,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="card", frames=[frame])])
        story = []
        for index, (member, pledge) in enumerate(cards):
            if index:
                story.append(PageBreak())
            story += card(member, pledge)
        if not story:
            story = [Heading(WINDOW_CARD_TITLE, 15), _p(f"{org.name}暂无在册党员。", CARD_TEXT)]
        doc.build(story)

    return output(build, out)
