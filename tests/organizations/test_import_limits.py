"""Imports too large are refused from their size and row count before any cell is read; a sheet's declared size
neither hides rows nor lets a stray far cell make a huge import."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.models import Job
from organizations.models import Member
from organizations.permissions import Role
from organizations.resources import MAX_IMPORT_ROWS, import_commit, import_preview
from tests.xlsx import MEMBER_HEADERS, inline_row, members_xlsx, with_rows_xml, xlsx


@pytest.fixture
def clerk(tree, user_with_role):
    return user_with_role(Role.CLERK, tree.town_a)


def _unparseable_row(number: int) -> bytes:
    # A number cell holding text: the count only sees a row with a value, openpyxl fails on it.
    return b'<row r="%d"><c r="A%d"><v>not-a-number</v></c></row>' % (number, number)


def over_limit_xlsx() -> bytes:
    """MAX_IMPORT_ROWS + 1 data rows, one of which cannot be parsed."""
    rows = [inline_row(n, [f"导入{n}"]) for n in range(2, MAX_IMPORT_ROWS + 3)]
    rows[100] = _unparseable_row(102)
    return with_rows_xml(xlsx(MEMBER_HEADERS, []), b"".join(rows))


def upload(client, org_code, content, kind="members"):
    return client.post(
        reverse("organizations:import", args=[org_code, kind]), {"file": SimpleUploadedFile("名册.xlsx", content)}
    )


def kept_uploads(settings):
    return list((Path(settings.MEDIA_ROOT) / "imports").glob("*.xlsx"))


# --- refused before reading --------------------------------------------------------------------------------


def test_a_file_over_the_row_limit_is_refused_before_any_cell_is_read(tree, clerk):
    # The unparseable row shows the order: read first, the file would be refused as unreadable instead.
    small = with_rows_xml(xlsx(MEMBER_HEADERS, []), inline_row(2, ["张三"]) + _unparseable_row(3))
    assert "无法读取" in import_preview(kind="members", content=small, scope=tree.town_a, by=clerk).file_errors[0]

    checked = []
    report = import_preview(
        kind="members", content=over_limit_xlsx(), scope=tree.town_a, by=clerk, progress=lambda *a: checked.append(a)
    )
    assert not report.ok and len(report.file_errors) == 1
    message = report.file_errors[0]
    assert f"文件有 {MAX_IMPORT_ROWS + 1} 行数据" in message and f"最多导入的 {MAX_IMPORT_ROWS} 行" in message
    assert checked == []
    report = import_commit(kind="members", content=over_limit_xlsx(), scope=tree.town_a, by=clerk)
    assert not report.ok and f"{MAX_IMPORT_ROWS + 1}" in report.file_errors[0]
    assert not Member.objects.exists()


def test_the_upload_page_refuses_an_over_limit_file_without_a_job(client, tree, clerk, settings):
    client.force_login(clerk)
    response = upload(client, "CA1", over_limit_xlsx())
    page = response.content.decode()
    assert response.status_code == 200 and f"文件有 {MAX_IMPORT_ROWS + 1} 行数据" in page
    assert not Job.objects.exists() and not kept_uploads(settings)


def test_a_file_over_the_size_limit_is_refused(tree, clerk, settings):
    content = members_xlsx("CA1", count=2) + b"\0" * (20 * 1024 * 1024)
    report = import_preview(kind="members", content=content, scope=tree.town_a, by=clerk)
    assert report.file_errors == ["文件不能超过 20 MB。"]


def test_rows_far_apart_are_refused_at_the_limit_while_reading(tree, clerk):
    # Two rows with values, but the second lies beyond the limit: the count lets it through, reading stops.
    content = with_rows_xml(members_xlsx("CA1", count=1), inline_row(MAX_IMPORT_ROWS + 5, ["张三"]))
    report = import_preview(kind="members", content=content, scope=tree.town_a, by=clerk)
    assert f"第 {MAX_IMPORT_ROWS + 5} 行仍有内容" in report.file_errors[0]


def test_a_wrong_declared_size_does_not_hide_rows(tree, clerk):
    content = with_rows_xml(members_xlsx("CA1", count=5), b"", dimension="A1:B2")
    report = import_preview(kind="members", content=content, scope=tree.town_a, by=clerk)
    assert report.ok and report.total == 5
