"""A filled statistics form as an A4 PDF laid out as its sentences with the blanks filled in (underlined), and as
.xlsx; both with the table by subordinate organization. The PDF uses the shared printing module (embedded fonts
with fallback, headings, numbered pages)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate, Spacer, TableStyle

from organizations.resources import neutralise
from printing import (
    CREATOR,
    FONT,
    GREY,
    GRID,
    LIGHT,
    MARGIN,
    Heading,
    NumberedCanvas,
    Paragraph,
    Table,
    date_text,
    escape,
    metadata,
    output,
    paragraph_style,
)

from .models import ReportBlank
from .selectors import UNREPORTED_MARK, FilledBlank, FilledForm, RollupRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUBTITLE = paragraph_style("report_subtitle", 11, 16, alignment=1, textColor=GREY)
META = paragraph_style("report_meta", 10, 14)
ITEM = paragraph_style("report_item", 11, 19, spaceAfter=1.8 * mm)
NOTE = paragraph_style("report_note", 9, 13, textColor=GREY)
SECTION = paragraph_style("report_section", 11, 16, spaceAfter=1.5 * mm, keepWithNext=1)
CELL = paragraph_style("report_cell", 8.5, 11.5)
CELL_R = paragraph_style("report_cell_r", 8.5, 11.5, alignment=2)
COLUMNS_PER_TABLE = 6  # subordinate organizations side by side on a landscape page


def _blank_markup(blank: FilledBlank) -> str:
    # Underlined like a filled-in blank, with a thin space either side so it reads as a field.
    return f"\u2009<u>\u2002{escape(blank.text)}\u2002</u>\u2009"


def _item_markup(item) -> str:
    parts = [escape(s) if isinstance(s, str) else _blank_markup(s) for s in item.segments()]
    return f"{item.number}. " + "".join(parts)


def _period_line(form: FilledForm) -> str:
    p = form.period
    return f"统计期间：{p.display}（{date_text(p.start)}至{date_text(p.end)}）"


def report_pdf(form: FilledForm, table: tuple[list[FilledBlank], list[RollupRow]] | None = None) -> bytes:
    """The form on A4 portrait as its sentences, then (landscape) the table by subordinate organization."""
    org = form.organization
    story = [
        Heading(form.template.name, 18, space_after=2 * mm),
        Paragraph(escape(f"{org.name}\u3000{form.period.display}"), SUBTITLE),
        Spacer(1, 4 * mm),
        Paragraph(escape(f"填报单位：{org.name}"), META),
        Paragraph(escape(_period_line(form)), META),
    ]
    if form.issue is not None:
        issue = form.issue
        story.append(
            Paragraph(
                escape(
                    f"下发单位：{issue.organization.name}\u3000报送截止：{date_text(issue.due_on)}\u3000"
                    f"下级上报：{form.reported_count}/{form.expected_count}"
                ),
                META,
            )
        )
    story.append(Spacer(1, 4 * mm))
    story += [Paragraph(_item_markup(item), ITEM) for item in form.items]
    if form.note:
        story += [Spacer(1, 2 * mm), Paragraph(escape(form.note), NOTE)]
    story.append(
        Paragraph(
            escape(
                "下划线处为统计或填报的数字：系统统计的按统计截止日的数据计算，填报的为本级和下级已上报数之和；"
                "“—”表示无法计算或不分下级统计。"
            ),
            NOTE,
        )
    )

    columns, rows = table if table else ([], [])
    if rows:
        story += [NextPageTemplate("landscape"), PageBreak(), Paragraph("下级党组织情况", SECTION)]
        for start in range(0, len(rows), COLUMNS_PER_TABLE):
            chunk = rows[start : start + COLUMNS_PER_TABLE]
            story += [_rollup_table(columns, chunk), Spacer(1, 4 * mm)]

    def build(target):
        doc = BaseDocTemplate(
            target,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN - 4 * mm,
            bottomMargin=MARGIN,
            title=metadata(f"{org.name}{form.period.display}{form.template.name}"),
            author=metadata(org.name),
            subject=metadata(form.template.name),
            creator=CREATOR,
            initialFontName=FONT,
        )
        portrait = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0)
        wide, high = landscape(A4)
        land = Frame(MARGIN - 6 * mm, MARGIN, wide - 2 * (MARGIN - 6 * mm), high - 2 * MARGIN + 4 * mm, 0, 0, 0, 0)
        doc.addPageTemplates(
            [
                PageTemplate(id="portrait", frames=[portrait], pagesize=A4),
                PageTemplate(id="landscape", frames=[land], pagesize=landscape(A4)),
            ]
        )
        doc.build(story, canvasmaker=NumberedCanvas)

    return output(build)


def _rollup_table(columns: list[FilledBlank], rows: list[RollupRow]) -> Table:
    head = [Paragraph("项目", CELL)] + [Paragraph(escape(r.organization.name), CELL) for r in rows]
    body = [head]
    for blank in columns:
        body.append(
            [Paragraph(escape(f"{blank.number}. {blank.label}"), CELL)]
            + [Paragraph(escape(r.values[blank.key]), CELL_R) for r in rows]
        )
    if any(r.expected for r in rows):
        body.append(
            [Paragraph("已上报/应上报", CELL)] + [Paragraph(f"{r.reported}/{r.expected}", CELL_R) for r in rows]
        )
    label_width = 70 * mm
    rest = (landscape(A4)[0] - 2 * (MARGIN - 6 * mm) - label_width) / COLUMNS_PER_TABLE
    return Table(
        body,
        colWidths=[label_width] + [rest] * len(rows),
        repeatRows=1,
        style=TableStyle(
            [
                *GRID,
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


# --- xlsx ---------------------------------------------------------------------------------------------------

_FILL = PatternFill("solid", fgColor="C00000")
_HEAD = Font(bold=True, color="FFFFFF")


def _cell_value(blank: FilledBlank, raw):
    """A number as a number (so the sheet adds up), words as words."""
    if raw is None or raw == "":
        return "未报" if blank.value_type != ReportBlank.ValueType.PERCENT else None
    if blank.value_type == ReportBlank.ValueType.AMOUNT:
        return float(Decimal(str(raw)))
    if blank.value_type == ReportBlank.ValueType.PERCENT:
        return float(raw)
    if isinstance(raw, list):
        return neutralise("、".join(str(x) for x in raw)) or "无"
    if isinstance(raw, str):
        return neutralise(raw)
    return raw


def report_xlsx(form: FilledForm, table: tuple[list[FilledBlank], list[RollupRow]] | None = None) -> bytes:
    """Three sheets: 统计表 (the sentences filled in), 数据 (one row per blank, numbers as numbers) and
    下级党组织 (one row per subordinate organization, one column per blank)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    ws.append([form.template.name])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([neutralise(f"填报单位：{form.organization.name}")])
    ws.append([_period_line(form)])
    ws.append([])
    for item in form.items:
        ws.append([item.number, neutralise(item.sentence)])
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    if form.note:
        ws.append([])
        ws.append(["", neutralise(form.note)])
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 110

    data = wb.create_sheet("数据")
    data.append(["项目", "空格", "说明", "来源", "指标代码", "数值"])
    for col, width in enumerate((6, 6, 36, 10, 34, 18), 1):
        data.column_dimensions[get_column_letter(col)].width = width
        cell = data.cell(row=1, column=col)
        cell.fill, cell.font = _FILL, _HEAD
    for item in form.items:
        for blank in item.blanks:
            value = _cell_value(blank, blank.raw)
            data.append(
                [
                    item.number,
                    int(blank.key.split("-")[1]),
                    blank.label,
                    "系统统计" if blank.computed else ("组织填报" + (UNREPORTED_MARK if blank.partial else "")),
                    blank.indicator,
                    value,
                ]
            )
            if blank.value_type == ReportBlank.ValueType.PERCENT and value is not None:
                data.cell(row=data.max_row, column=6).number_format = "0.0%"

    columns, rows = table if table else ([], [])
    if rows:
        sheet = wb.create_sheet("下级党组织")
        titles = [("党组织代码", 14), ("党组织", 30)] + [(f"{b.number}. {b.label}", 16) for b in columns]
        if form.issue is not None:
            titles += [("已上报", 8), ("应上报", 8)]
        sheet.append([t for t, _ in titles])
        for col, (_, width) in enumerate(titles, 1):
            cell = sheet.cell(row=1, column=col)
            cell.fill, cell.font = _FILL, _HEAD
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.freeze_panes = "C2"
        for row in rows:
            line = [row.organization.code, neutralise(row.organization.name)]
            for b in columns:
                line.append(_sheet_number(b, row.values[b.key]))
            if form.issue is not None:
                line += [row.reported, row.expected]
            sheet.append(line)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_number(blank: FilledBlank, text: str):
    """The table's cells are formatted texts; numbers go back to numbers for the sheet."""
    if blank.value_type in (ReportBlank.ValueType.COUNT, ReportBlank.ValueType.AMOUNT):
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    if blank.value_type == ReportBlank.ValueType.PERCENT and text.endswith("%"):
        return text
    return neutralise(text)
