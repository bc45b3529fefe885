"""Importing a roster of 20,000 members from Excel (DESIGN §9: ≤ 60 s), the way a branch clerk does it:
the preview (a dry run reporting every bad row) and then the import itself, into a throwaway branch, inside
a transaction that is rolled back so that the database is left as it was."""

from __future__ import annotations

import datetime
import io
import time

from django.db import transaction
from openpyxl import Workbook

from organizations.models import Member, Organization, User
from organizations.validators import id_number_check_code

HEADERS = [
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
AREA = "110101"  # not an area code of the demo data, so no 身份证号 clashes with the roster already there
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建国",
    "海燕",
]


class _Rollback(Exception):
    pass


def id_number(birth: datetime.date, serial: int) -> str:
    first = f"{AREA}{birth:%Y%m%d}{serial % 1000:03d}"
    return first + id_number_check_code(first)


def roster_xlsx(org_code: str, count: int) -> bytes:
    """An .xlsx as the import template has it, `count` valid members with distinct 身份证号."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员名册")
    ws.append(HEADERS)
    start = datetime.date(1950, 1, 1)
    for n in range(count):
        # A distinct (birth date, serial) per row: 1,000 serials per day.
        birth = start + datetime.timedelta(days=n // 1000)
        serial = n % 1000
        male = serial % 2 == 1
        ws.append(
            [
                SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)],
                "男" if male else "女",
                birth,
                id_number(birth, serial),
                f"139{n:08d}",
                "正式党员",
                "2001-07-01",
                "村民小组长",
                org_code,
                "是" if n % 25 == 0 else "否",
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def measure_import(parent: Organization, count: int = 20_000) -> dict:
    """Preview and import `count` members into a new branch under `parent` (as its clerk), then roll back."""
    from organizations.permissions import Role
    from organizations.resources import import_commit, import_preview
    from organizations.services import organization_create, role_grant

    result: dict = {"members": count}
    started = time.perf_counter()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    try:
        with transaction.atomic():
            branch = organization_create(
                parent=parent,
                by=admin,
                name="性能测试临时党支部",
                code="BENCH" + str(int(time.time()))[-7:],
                level=Organization.Level.BRANCH,
                sector=parent.sector,
            )
            clerk = User.objects.create_user(username=f"bench_clerk_{branch.code}", password=None)
            role_grant(user=clerk, role=Role.CLERK, organization=branch, by=admin)
            content = roster_xlsx(branch.code, count)
            result["xlsx_bytes"] = len(content)
            result["generate_s"] = round(time.perf_counter() - started, 2)

            t = time.perf_counter()
            preview = import_preview(kind="members", content=content, scope=branch, by=clerk)
            result["preview_s"] = round(time.perf_counter() - t, 2)
            result["preview_ok"] = preview.ok
            result["problems"] = [f"第{p.row}行 {p.column}：{p.message}" for p in preview.problems[:5]]

            t = time.perf_counter()
            report = import_commit(kind="members", content=content, scope=branch, by=clerk)
            result["import_s"] = round(time.perf_counter() - t, 2)
            result["import_ok"] = report.ok
            result["imported"] = Member.objects.filter(organization=branch).count()
            raise _Rollback
    except _Rollback:
        pass
    result["total_s"] = round(result.get("preview_s", 0) + result.get("import_s", 0), 2)
    return result
