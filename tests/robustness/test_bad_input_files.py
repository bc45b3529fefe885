"""Excel imports and uploads under bad input: random sheets (hypothesis), malformed files, a zip bomb and files
whose content is not what their name says. Imports are all rows or none; refusals are in Chinese."""

import datetime
import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl import Workbook

from commitments.models import Attachment, FulfilmentLog, Opinion
from organizations.models import Member
from organizations.resources import import_commit, import_preview, read_xlsx
from tests.commitments.samples import docx_bytes, image_bytes, plain_zip_bytes, xlsx_bytes
from tests.xlsx import MEMBER_HEADERS, member_row, members_xlsx, xlsx

from .strategies import FAST, cell_junk, cell_text, has_chinese, rolled_back

pytestmark = pytest.mark.django_db

OPINION_HEADERS = ["征集日期", "征集渠道", "提出人群", "意见建议"]


def _sheet(draw, headers, valid_row):
    """A sheet of mostly valid rows, some cells junk, sometimes a repeated row, a blank row or odd headers."""
    heads = draw(
        st.one_of(
            st.just(headers),
            st.just(headers),
            st.just(headers[::-1]),
            st.just(headers[:-2]),
            st.lists(st.one_of(cell_text, cell_junk), max_size=6),
        )
    )
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        row = dict(zip(headers, valid_row(draw), strict=True))
        broken = draw(st.one_of(st.just([]), st.just([]), st.lists(st.sampled_from(headers), max_size=3, unique=True)))
        for name in broken:
            row[name] = draw(cell_junk)
        rows.append([row.get(h) if isinstance(h, str) else None for h in heads])
    if rows and draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), draw(st.sampled_from([list(rows[0]), [None] * len(heads)])))
    extra = draw(st.lists(cell_junk, max_size=2))
    return heads, [r + extra for r in rows]


@st.composite
def member_sheets(draw):
    return _sheet(draw, MEMBER_HEADERS, lambda d: member_row("CA1", d(st.integers(0, 20_000))))


@st.composite
def opinion_sheets(draw):
    def valid_row(d):
        return [
            d(st.sampled_from([datetime.date(2025, 3, 1), "2025-03-02", "2025年3月3日"])),
            d(st.sampled_from(["座谈会", "意见箱", "网上"])),
            d(st.sampled_from(["群众", "党员"])),
            d(st.sampled_from(["村口路灯坏了，请修理。", "希望多组织党员志愿服务。"])),
        ]

    return _sheet(draw, OPINION_HEADERS, valid_row)


def _check_all_or_nothing(kind, sheet, scope, by, model):
    content = xlsx(*sheet)
    before = model.objects.count(), model.history.count()
    preview = import_preview(kind=kind, content=content, scope=scope, by=by)
    assert (model.objects.count(), model.history.count()) == before, "the preview wrote rows"
    committed = import_commit(kind=kind, content=content, scope=scope, by=by)
    after = model.objects.count(), model.history.count()
    assert committed.ok == preview.ok
    event("imported" if committed.ok else "refused")
    if committed.ok:
        added = after[0] - before[0]
        assert 0 < added <= committed.total and after[1] - before[1] == added
        for obj in model.objects.order_by("-pk")[:added]:
            obj.full_clean(validate_unique=False)
    else:
        assert after == before, "a refused import wrote rows"
        messages = [p.message for r in (preview, committed) for p in r.problems] + preview.file_errors
        assert messages and all(has_chinese(m) for m in messages), messages
        assert all(p.row >= 2 for p in committed.problems)


@FAST
@given(sheet=member_sheets())
def test_member_import_is_all_rows_or_none(world, sheet):
    with rolled_back():
        _check_all_or_nothing("members", sheet, world.tree.branch_a1, world.secretary, Member)


@FAST
@given(sheet=opinion_sheets())
def test_opinion_import_is_all_rows_or_none(world, sheet):
    with rolled_back():
        _check_all_or_nothing("opinions", sheet, world.tree.branch_a1, world.clerk, Opinion)


# --- malformed files and a zip bomb ----------------------------------------------------------------------


def _zip_bomb(megabytes: int = 200) -> bytes:
    """A valid-looking .xlsx whose sheet inflates to `megabytes` MB of rows (about 0.3% of that on disk)."""
    wb = Workbook()
    wb.active.append(MEMBER_HEADERS)
    source = io.BytesIO()
    wb.save(source)
    src = zipfile.ZipFile(source)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, data)
                continue
            data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:J1048576"', data)
            head, tail = data.split(b"</sheetData>")
            rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
            with archive.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                for _ in range(megabytes * 1024 * 1024 // len(rows)):
                    sheet.write(rows)
                sheet.write(b"</sheetData>" + tail)
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb():
    return _zip_bomb()


def test_a_zip_bomb_is_refused_without_inflating_it(world, zip_bomb):
    assert len(zip_bomb) < 1024 * 1024
    tracemalloc.start()
    started = time.monotonic()
    report = import_preview(kind="members", content=zip_bomb, scope=world.tree.branch_a1, by=world.secretary)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok and "异常庞大" in report.file_errors[0]
    assert elapsed < 2 and peak < 20 * 1024 * 1024, (elapsed, peak)


def test_a_zip_bomb_through_the_upload_page(client, world, zip_bomb):
    client.force_login(world.secretary)
    upload = SimpleUploadedFile("名册.xlsx", zip_bomb, content_type="application/vnd.ms-excel")
    started = time.monotonic()
    response = client.post(reverse("organizations:import", args=["CA1", "members"]), {"file": upload})
    assert time.monotonic() - started < 3
    assert response.status_code == 200 and "异常庞大" in response.content.decode()
    assert not Member.objects.exclude(pk__in=[world.member.pk, world.secretary_member.pk]).exists()


def test_a_legitimate_large_roster_passes_the_bomb_check():
    # 5,000 rows inflate to about 3 MB at a ratio near 13 (the benchmark imports 20,000 rows of the same kind).
    content = members_xlsx("CA1", count=5_000)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size / sheet.compress_size < 30
    assert len(read_xlsx(content)) == 5_000


def _truncated_xlsx():
    content = members_xlsx("CA1", count=5)
    return content[: len(content) // 2]


def _not_a_zip_but_pk():
    return b"PK\x03\x04" + b"\x00garbage" * 100


def _zip_without_a_sheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='x' r:id='rId9'/></sheets></workbook>")
    return buffer.getvalue()


def _bad_xml_sheet():
    content = members_xlsx("CA1", count=2)
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"<<<&&&"
            archive.writestr(info, data)
    return out.getvalue()


def _empty_sheet():
    return xlsx([], [])


@pytest.mark.parametrize(
    "make, message",
    [
        (_truncated_xlsx, "无法读取该文件"),
        (_not_a_zip_but_pk, "无法读取该文件"),
        (_zip_without_a_sheet, "无法读取该文件"),
        (_bad_xml_sheet, "无法读取该文件"),
        (_empty_sheet, "无法读取该文件"),
        (lambda: xlsx(["姓名", "性别"], [["张三", "男"]]), "缺少必需的列"),
        (lambda: xlsx(MEMBER_HEADERS, []), "没有数据行"),
    ],
)
def test_malformed_xlsx_is_refused_in_chinese(client, world, settings, make, message):
    client.force_login(world.secretary)
    upload = SimpleUploadedFile("名册.xlsx", make())
    response = client.post(reverse("organizations:import", args=["CA1", "members"]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and message in page, page[-3000:]
    assert Member.objects.count() == 2
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.xlsx"))


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("名册.csv", b"\xe5\xa7\x93\xe5\x90\x8d,\n", "请上传 .xlsx 格式"),
        ("名册.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "请上传 .xlsx 格式"),
        ("名册.xlsx", b"%PDF-1.4\n%%EOF", "不是有效的 Excel"),
        ("名册.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "不是有效的 Excel"),
        ("名册.xlsx", b"<html><script>alert(1)</script></html>", "不是有效的 Excel"),
        ("名册.xlsx", b"", "所提交的是空文件"),
    ],
)
def test_wrong_content_types_for_imports(client, world, name, content, message):
    client.force_login(world.secretary)
    upload = SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument")
    response = client.post(reverse("organizations:import", args=["CA1", "members"]), {"file": upload})
    assert response.status_code == 200 and message in response.content.decode()
    assert Member.objects.count() == 2


def test_an_import_over_20_mb_is_refused_before_it_is_read(client, world, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    reads = []
    original = TemporaryUploadedFile.read

    def counting_read(self, *args):
        data = original(self, *args)
        reads.append(len(data))
        return data

    monkeypatch.setattr(TemporaryUploadedFile, "read", counting_read, raising=False)
    client.force_login(world.secretary)
    big = SimpleUploadedFile("名册.xlsx", b"PK\x03\x04" + b"\x00" * (21 * 1024 * 1024))
    response = client.post(reverse("organizations:import", args=["CA1", "members"]), {"file": big})
    assert response.status_code == 200 and "不能超过 20 MB" in response.content.decode()
    # Django spooled the upload to a temporary file; nothing but the size was looked at.
    assert sum(reads) == 0


# --- fulfilment attachments ------------------------------------------------------------------------------


def _svg_with_script():
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _exe():
    return b"MZ\x90\x00" + b"\x00" * 200


def _docx_bomb():
    """A .docx-looking zip whose document inflates to 300 MB: stored as it is, never unpacked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as doc:
            chunk = b" " * (1024 * 1024)
            for _ in range(300):
                doc.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("照片.jpg", _exe(), "类型不支持"),
        ("照片.png", _svg_with_script(), "类型不支持"),
        ("照片.jpg", b"\xff\xd8\xff" + b"not really a jpeg", "已损坏"),
        ("说明.docx", plain_zip_bytes(), "类型不支持"),
        ("说明.html", b"<html><script>alert(1)</script></html>", "类型不支持"),
        ("空文件.pdf", b"", "所提交的是空文件"),
        ("大照片.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1), "超过 10 MB"),
    ],
)
def test_wrong_attachments_are_refused_and_nothing_is_kept(client, world, published, settings, name, content, message):
    item = published().items.first()
    client.force_login(world.member.user)
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post(
        reverse("commitments:item_log", args=[item.pk]),
        {"happened_on": "2025-05-01", "text": "完成了一部分", "files": [upload]},
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page, page[-2000:]
    assert not FulfilmentLog.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_attachments_are_named_by_their_content(client, world, published):
    item = published().items.first()
    client.force_login(world.member.user)
    files = [
        SimpleUploadedFile("其实是PDF.docx", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", content_type="application/msword"),
        SimpleUploadedFile("照片.jpg", image_bytes("PNG"), content_type="image/jpeg"),
        SimpleUploadedFile("报告.docx", docx_bytes(), content_type="application/octet-stream"),
        SimpleUploadedFile("表格.xlsx", xlsx_bytes(), content_type="text/plain"),
    ]
    response = client.post(
        reverse("commitments:item_log", args=[item.pk]),
        {"happened_on": "2025-05-01", "text": "完成了一部分", "files": files},
    )
    assert response.status_code == 302
    assert set(Attachment.objects.values_list("original_name", flat=True)) == {
        "其实是PDF.pdf",
        "照片.png",
        "报告.docx",
        "表格.xlsx",
    }


def test_a_docx_zip_bomb_is_stored_without_being_unpacked(client, world, published):
    item = published().items.first()
    client.force_login(world.member.user)
    bomb = _docx_bomb()
    tracemalloc.start()
    started = time.monotonic()
    response = client.post(
        reverse("commitments:item_log", args=[item.pk]),
        {"happened_on": "2025-05-01", "text": "完成", "files": [SimpleUploadedFile("说明.docx", bomb)]},
    )
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 302 and Attachment.objects.get().size == len(bomb)
    assert elapsed < 3 and peak < 30 * 1024 * 1024, (elapsed, peak)
