"""The 台帐 of a subtree as .xlsx: pledges, items with states and 销号 dates, overdue items.

Written with openpyxl's write-only mode so that a county's ledger streams row by row to the file.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from commitments.models import Campaign, PledgeItem
from commitments.selectors import ledger_items, ledger_pledges
from organizations.models import Organization
from organizations.resources import neutralise

from .selectors import item_progress

PLEDGE_COLUMNS = [
    ("所在党组织", 30),
    ("承诺方", 16),
    ("类别", 8),
    ("职务", 16),
    ("承诺形式", 10),
    ("版本", 6),
    ("状态", 14),
    ("事项数", 8),
    ("已销号", 8),
    ("逾期", 6),
    ("签约日期", 14),
    ("公示日期", 14),
]
ITEM_COLUMNS = [
    ("所在党组织", 30),
    ("承诺方", 16),
    ("序号", 6),
    ("承诺方面", 18),
    ("承诺事项", 50),
    ("践诺措施", 40),
    ("完成时限", 14),
    ("责任人", 12),
    ("量化承诺", 30),
    ("完成值", 10),
    ("践诺情况", 18),
    ("销号日期", 14),
    ("需帮扶", 8),
]
_FILL = PatternFill("solid", fgColor="C00000")
_FONT = Font(bold=True, color="FFFFFF")


def _date(value):
    """2025-03-15; a moment (signed, published) is dated by the site's time zone, as it is printed elsewhere."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localdate(value)
    return value.strftime("%Y-%m-%d")


def _header(ws, columns):
    """Chinese headers, column widths and a frozen header row (set before any row is written)."""
    cells = []
    for index, (title, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = WriteOnlyCell(ws, value=title)
        cell.fill, cell.font = _FILL, _FONT
        cell.alignment = Alignment(horizontal="center")
        cells.append(cell)
    ws.freeze_panes = "A2"
    ws.append(cells)


def _row(values):
    return [neutralise(v) for v in values]


def write_ledger(stream, *, org: Organization, campaign: Campaign, progress=None) -> int:
    """Write the ledger to a binary stream; returns the number of item rows. `progress(done)` is called now
    and then for the job page."""
    wb = Workbook(write_only=True)
    pledges_ws = wb.create_sheet("承诺书")
    items_ws = wb.create_sheet("承诺事项")
    overdue_ws = wb.create_sheet("逾期事项")
    _header(pledges_ws, PLEDGE_COLUMNS)
    _header(items_ws, ITEM_COLUMNS)
    _header(overdue_ws, ITEM_COLUMNS)

    for p in ledger_pledges(campaign=campaign, org=org).iterator(chunk_size=2000):
        pledges_ws.append(
            _row(
                [
                    p.organization.name,
                    p.pledger_name,
                    "党员" if p.member_id else "党组织",
                    p.member.post if p.member_id else p.pledger_organization.get_level_display(),
                    p.get_form_display(),
                    p.revision,
                    p.get_status_display(),
                    p.item_count,
                    p.ticked,
                    p.overdue,
                    _date(p.signed_at),
                    _date(p.published_at),
                ]
            )
        )
    count = 0
    items = ledger_items(campaign=campaign, org=org).iterator(chunk_size=2000)
    for item in items:
        pledge = item.pledge
        row = _row(
            [
                pledge.organization.name,
                pledge.pledger_name,
                item.position,
                item.content_area,
                item.content,
                item.measures,
                _date(item.deadline),
                item.responsible_person,
                item.quantified_text(),
                "" if item.achieved_value is None else float(item.achieved_value),
                item_progress(item),
                _date(item.ticked_off_on),
                "是" if item.needs_help else "",
            ]
        )
        items_ws.append(row)
        if item.is_overdue:
            overdue_ws.append(row)
        count += 1
        if progress and count % 2000 == 0:
            progress(count)
    wb.save(stream)
    return count


def ledger_size(*, org: Organization, campaign: Campaign) -> int:
    """How many item rows the ledger of `org` would have (large ones go through the job system)."""
    return PledgeItem.objects.filter(
        pledge__campaign=campaign, pledge__is_current=True, pledge__organization__path__startswith=org.path
    ).count()
