"""The 统计表 of a snapshot as .xlsx (openpyxl, write-only) and as an A4 PDF (reportlab, with the fonts, styles
and page furniture of the shared `printing` module).

Both read only the stored `Tally` snapshots (this period and the previous one), so the file says exactly what
the dashboard says. Indicator names follow 篇十二 附件2《创先争优活动有关项目统计》 where the two overlap, and
the matching item of that form is given beside them.
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer, TableStyle

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
    escape,
    metadata,
    output,
    paragraph_style,
)

from .models import Tally
from .statistics import INDICATORS, PERCENT, format_value, indicator_table, parse_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "公开承诺工作统计表"
FORM_NOTE = "“对应项目”指篇十二附件2《创先争优活动有关项目统计》中的相应项目。"
DEFINITIONS = (
    "党员承诺覆盖率 = 作出公开承诺（已签约）的党员 ÷ 应作承诺的党员（在册党员减去经批准免于承诺的党员）。",
    "承诺兑现率 = 已兑现销号的事项 ÷ 已签约承诺书中的全部事项；到期事项按期兑现率只计已到完成时限的事项。",
    "满意度取各党组织本期最近一次已结束的群众评议结果，平均满意度为各党组织的平均值。",
    "组织、党员和事项按统计截止日的情况计算；自查、检查、点评、评议、表彰和记实按本期发生的计算。",
)

CHILD_COLUMNS = [
    ("党组织代码", 14),
    ("党组织", 32),
    ("党组织数", 10),
    ("作出承诺的党组织", 16),
    ("应作承诺的党员", 14),
    ("作出承诺的党员", 14),
    ("党员承诺覆盖率", 14),
    ("承诺事项", 10),
    ("已兑现销号", 12),
    ("逾期未销号", 12),
    ("承诺兑现率", 12),
    ("参加评议的党组织", 16),
    ("平均满意度", 12),
    ("满意度低于90%", 14),
]
INDICATOR_COLUMNS = [
    ("类别", 16),
    ("指标", 34),
    ("单位", 8),
    ("本期", 12),
    ("上期", 12),
    ("增减", 16),
    ("对应项目", 12),
]
SERIES_COLUMNS = [("月份", 10), ("已签约事项", 14), ("累计销号", 12), ("当月销号", 12), ("累计兑现率", 14)]

_FILL = PatternFill("solid", fgColor="C00000")
_HEAD_FONT = Font(bold=True, color="FFFFFF")


def _period_text(tally: Tally) -> str:
    p = parse_period(tally.period)
    return f"{p.display}（{p.range_display}）"


def _date_text(iso: str | None) -> str:
    if not iso:
        return ""
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _computed_text(tally: Tally) -> str:
    moment = timezone.localtime(tally.computed_at)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


# --- .xlsx ---------------------------------------------------------------------------------------------


def _header(ws, columns) -> None:
    cells = []
    for index, (title, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = WriteOnlyCell(ws, value=title)
        cell.fill, cell.font = _FILL, _HEAD_FONT
        cell.alignment = Alignment(horizontal="center")
        cells.append(cell)
    ws.freeze_panes = "A2"
    ws.append(cells)


def _number(ws, value, percent: bool):
    """A number cell; rates are stored as fractions shown as percentages, missing values stay empty."""
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    if percent:
        cell.number_format = "0.0%"
    return cell


# The change from the previous period is a number, shown signed: +4, -2, 持平; for rates in percentage points.
CHANGE_FORMAT = '+#,##0;-#,##0;"持平"'
RATE_CHANGE_FORMAT = '+0.0"个百分点";-0.0"个百分点";"持平"'


def _change(ws, is_rate: bool, now, then):
    """The 增减 cell: a real number with a signed format, so that Excel can sum and sort it."""
    if now is None or then is None:
        return "—"
    cell = WriteOnlyCell(ws, value=round((now - then) * 100, 1) if is_rate else now - then)
    cell.number_format = RATE_CHANGE_FORMAT if is_rate else CHANGE_FORMAT
    return cell


def statistics_xlsx(*, tally: Tally, previous: Tally | None = None) -> bytes:
    """统计表 as an .xlsx: the indicators with the previous period, the subordinate organizations, the months."""
    current = tally.indicators
    before = previous.indicators if previous else {}
    wb = Workbook(write_only=True)

    ws = wb.create_sheet("统计表")
    _header(ws, INDICATOR_COLUMNS)
    for indicator in INDICATORS:
        is_rate = indicator.unit == PERCENT
        now, then = current.get(indicator.key), before.get(indicator.key)
        ws.append(
            [
                neutralise(indicator.section),
                neutralise(indicator.label),
                "" if is_rate else indicator.unit,
                _number(ws, now, is_rate),
                _number(ws, then, is_rate),
                _change(ws, is_rate, now, then) if before else "",
                indicator.form_item,
            ]
        )

    ws = wb.create_sheet("下级党组织")
    _header(ws, CHILD_COLUMNS)
    for row in current.get("children") or []:
        ws.append(
            [
                neutralise(row["code"]),
                neutralise(row["name"]),
                row["organizations"],
                row["organizations_pledged"],
                row["members_expected"],
                row["members_pledged"],
                _number(ws, row["coverage"], True),
                row["items"],
                row["items_ticked_off"],
                row["items_overdue"],
                _number(ws, row["fulfilment_rate"], True),
                row["organizations_appraised"],
                _number(ws, row["satisfaction"], True),
                row["organizations_below_threshold"],
            ]
        )

    ws = wb.create_sheet("逐月践诺")
    _header(ws, SERIES_COLUMNS)
    series = current.get("series") or {}
    for month, items, ticked, in_month, rate in zip(
        series.get("months", []),
        series.get("items", []),
        series.get("ticked", []),
        series.get("ticked_in_month", []),
        series.get("rate", []),
        strict=False,
    ):
        ws.append([month, items, ticked, in_month, _number(ws, rate, True)])

    ws = wb.create_sheet("统计说明")
    _header(ws, [("项目", 14), ("内容", 90)])
    org = tally.organization
    for label, value in (
        ("统计范围", f"{org.name}（代码 {org.code}）及其全部下级党组织"),
        ("统计期间", _period_text(tally)),
        ("统计截止", _date_text(current.get("as_of"))),
        ("上期", _period_text(previous) if previous else "—"),
        ("统计时间", _computed_text(tally)),
        *(("口径", text) for text in DEFINITIONS),
        ("说明", FORM_NOTE),
    ):
        ws.append([label, neutralise(value)])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------------------

SUBTITLE = paragraph_style("stats_subtitle", 12, 18, alignment=TA_CENTER)
META = paragraph_style("stats_meta", 9.5, 14)
META_R = paragraph_style("stats_meta_r", 9.5, 14, alignment=TA_RIGHT)
CELL = paragraph_style("stats_cell", 9.5, 13)
CELL_C = paragraph_style("stats_cell_c", 9.5, 13, alignment=TA_CENTER)
SECTION = paragraph_style("stats_section", 11, 16, spaceAfter=1.5 * mm, keepWithNext=1)
NOTE = paragraph_style("stats_note", 8.5, 12.5, textColor=GREY)
INDICATOR_WIDTHS = [w * mm for w in (22, 62, 23, 23, 24, 16)]
CHILD_WIDTHS = [w * mm for w in (10, 53, 20, 15, 17, 17, 19, 19)]


def _table_style(extra=()) -> TableStyle:
    return TableStyle(
        [
            *GRID,
            ("FONTSIZE", (0, 0), (-1, -1), 9.5),
            ("LEADING", (0, 0), (-1, -1), 13),
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


def _indicator_table(current: dict, before: dict | None) -> Table:
    rows = [["类别", "指标", "本期", "上期", "增减", "对应项目"]]
    style = [("ALIGN", (2, 1), (4, -1), "RIGHT"), ("ALIGN", (5, 1), (5, -1), "CENTER")]
    for section in indicator_table(current, before):
        first = len(rows)
        for row in section["rows"]:
            value = row["value"] + (row["unit"] if row["value"] != "—" else "")
            then = row["previous"] + (row["unit"] if row["previous"] != "—" else "")
            rows.append(["", Paragraph(escape(row["label"]), CELL), value, then, row["change"], row["form_item"]])
        rows[first][0] = Paragraph(escape(section["title"]), CELL_C)
        style.append(("SPAN", (0, first), (0, len(rows) - 1)))
        style.append(("LINEABOVE", (0, first), (-1, first), 1.0, GREY))
    return Table(rows, colWidths=INDICATOR_WIDTHS, repeatRows=1, style=_table_style(style))


def _children_table(children: list[dict]) -> Table:
    rows = [["序号", "党组织", "应承诺党员", "已承诺", "覆盖率", "承诺事项", "兑现率", "满意度"]]
    for number, c in enumerate(children, 1):
        rows.append(
            [
                str(number),
                Paragraph(escape(c["name"]), CELL),
                f"{c['members_expected']:,}",
                f"{c['members_pledged']:,}",
                format_value("member_coverage", c["coverage"]),
                f"{c['items']:,}",
                format_value("fulfilment_rate", c["fulfilment_rate"]),
                format_value("satisfaction", c["satisfaction"]),
            ]
        )
    style = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (-1, -1), "RIGHT")]
    return Table(rows, colWidths=CHILD_WIDTHS, repeatRows=1, style=_table_style(style))


def statistics_pdf(*, tally: Tally, previous: Tally | None = None) -> bytes:
    """统计表 on A4 portrait with the embedded font: indicators against the previous period, then the
    subordinate organizations; numbered pages."""
    org = tally.organization
    current = tally.indicators
    before = previous.indicators if previous else None
    period = parse_period(tally.period)

    story = [
        Heading(TITLE, 18, space_after=2 * mm),
        Paragraph(f"{escape(org.name)}\u3000{escape(_period_text(tally))}", SUBTITLE),
        Spacer(1, 3 * mm),
        Table(
            [
                [
                    Paragraph(f"填报单位（盖章）：{escape(org.name)}", META),
                    Paragraph(f"统计截止：{_date_text(current.get('as_of'))}", META_R),
                ]
            ],
            colWidths=[80 * mm, 90 * mm],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            ),
        ),
        Spacer(1, 2 * mm),
        _indicator_table(current, before),
        Spacer(1, 1.5 * mm),
        Paragraph(
            escape(
                (f"上期为{period.previous().display}。" if before else "")
                + f"{FORM_NOTE}本表据{_computed_text(tally)}生成的统计快照填制。"
            ),
            NOTE,
        ),
    ]
    children = current.get("children") or []
    if children:
        story += [Spacer(1, 5 * mm), Paragraph("下级党组织情况", SECTION), _children_table(children)]
    story += [Spacer(1, 4 * mm), Paragraph("口径说明：", NOTE)]
    story += [Paragraph(escape(f"{n}. {text}"), NOTE) for n, text in enumerate(DEFINITIONS, 1)]

    def build(target):
        doc = BaseDocTemplate(
            target,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN - 4 * mm,
            bottomMargin=MARGIN,
            title=metadata(f"{org.name}{period.display}{TITLE}"),
            author=metadata(org.name),
            subject=TITLE,
            creator=CREATOR,
            initialFontName=FONT,
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
        doc.addPageTemplates([PageTemplate(id="statistics", frames=[frame])])
        doc.build(story, canvasmaker=NumberedCanvas)

    return output(build)
