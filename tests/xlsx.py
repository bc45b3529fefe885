"""Build .xlsx files for import tests."""

import datetime
import io
import re
import zipfile

from openpyxl import Workbook

from .factories import make_id_number

MEMBER_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "联系电话",
    "政治面貌",
    "入党时间",
    "职务/岗位",
    "所在党组织代码",
    "领导干部",
]


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def member_row(org_code, n=0, **overrides):
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 10000)
    row = {
        "姓名": f"导入{n}",
        "性别": "男",
        "出生日期": birth,
        "身份证号": make_id_number(birth, male=True),
        "联系电话": "13912345678",
        "政治面貌": "正式党员",
        "入党时间": "2001-07-01",
        "职务/岗位": "村民小组长",
        "所在党组织代码": org_code,
        "领导干部": "否",
    }
    row.update(overrides)
    return [row[h] for h in MEMBER_HEADERS]


def members_xlsx(org_code, count=3, bad=None) -> bytes:
    """`bad` maps a 0-based data row index to overrides for that row."""
    bad = bad or {}
    return xlsx(MEMBER_HEADERS, [member_row(org_code, n, **bad.get(n, {})) for n in range(count)])


def inline_row(number: int, values) -> bytes:
    """The sheet XML of Excel row `number` holding `values` as inline strings from column A on."""
    cells = b"".join(
        b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + i).encode(), number, str(v).encode())
        for i, v in enumerate(values)
    )
    return b'<row r="%d">%s</row>' % (number, cells)


def with_rows_xml(content: bytes, rows_xml: bytes, dimension: str | None = None) -> bytes:
    """`content` (from `xlsx`) with `rows_xml` added at the end of its sheet's rows, and optionally another
    declared dimension: very large or odd sheets in a fraction of the time openpyxl takes to write them."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows_xml + b"</sheetData>")
                if dimension is not None:
                    data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="%s"' % dimension.encode(), data)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
