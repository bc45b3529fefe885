"""Excel import and export of organizations and members (django-import-export).

Imports are all rows or none: `import_preview` checks every row, writes nothing and reports every bad row with
its Excel row number, column and a Chinese reason; `import_commit` writes only a clean file, in one
transaction. A file is refused from its size and its row count before any cell is read. Files of more than
IMPORT_SYNC_MAX_ROWS rows are checked and imported as background jobs (see `import_job_start`).

A roster row whose 身份证号 is already on the roster updates that member (MemberResource); its preview lists
every row as 新增, 更新 (with the columns it changes, personal data masked) or 无变化, which is skipped.
"""

from __future__ import annotations

import calendar
import datetime
import io
import logging
import re
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from import_export import fields, instance_loaders, resources, widgets
from openpyxl import Workbook, load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import background
from .audit import PERSONAL_FIELDS
from .errors import DomainError
from .models import Activity, ActivityKind, Member, Organization
from .permissions import OrgAction, may, require
from .selectors import activity_kinds
from .services import activities_insert_checked, activity_problems
from .validators import mask_id_number, mask_phone, normalize_id_number

logger = logging.getLogger(__name__)

MAX_IMPORT_ROWS = 50_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Larger files are checked and imported as background jobs with a progress bar, not within the request.
IMPORT_SYNC_MAX_ROWS = 500
# How many problems a page lists (and a job keeps); the count of all of them is always given.
SHOWN_PROBLEMS = 500
# How many rows of a file the preview lists with what importing each does (新增, 更新, 无变化).
SHOWN_ROWS = 500


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an xlsx, no header row, too many rows)."""


# --- widgets ---------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.Widget):
    def __init__(self, upper: bool = False, **kwargs):
        self.upper = upper
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return text.upper() if self.upper else text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


_WRITTEN_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# What openpyxl hands over for a cell holding an Excel error, or for a date cell whose number lies outside the
# dates Excel can show (it warns and gives "#VALUE!").
_EXCEL_ERRORS = frozenset({"#VALUE!", "#REF!", "#N/A", "#NAME?", "#NUM!", "#DIV/0!", "#NULL!"})


def _why_no_such_day(year: int, month: int, day: int) -> str:
    """Why a date written in a valid form does not exist."""
    if year == 0:
        return "年份不能为0"
    if not 1 <= month <= 12:
        return "月份只能是1至12"
    if day == 0:
        return "没有0日"
    last = calendar.monthrange(year, month)[1]
    if month == 2 and day == 29:
        return f"{year}年不是闰年，2月只有28天"
    return f"{year}年{month}月只有{last}天"


class DateWidget(widgets.Widget):
    """Accepts Excel dates and the ways people type them: 2025-03-15, 2025/3/15, 2025.3.15, 2025年3月15日, 20250315.

    A value written in one of these forms that names no day of the calendar (2010-02-30, 2023-13-01) is reported
    as a date that does not exist, with the reason; anything else that is not a date is reported as a wrong
    format. Excel date cells arrive as datetimes (openpyxl converts them); Excel keeps a day it does not know
    (2010-02-30 typed into a date cell) as text, so it comes through the text path. The one exception, Excel's
    1900-02-29 (serial 60, kept for Lotus 1-2-3), reaches us from openpyxl as 1900-02-28: no roster date is that old.
    """

    FORMAT = "应写成 2025-03-15"

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, (datetime.time, datetime.timedelta)):
            raise ValueError(f"单元格中是时间（{value}），不是日期，{self.FORMAT}。")
        written = _text(value)
        if written in _EXCEL_ERRORS:
            raise ValueError(f"单元格中是 Excel 的错误值“{written}”，不是日期，请改为日期，{self.FORMAT}。")
        text = written.replace(" ", "").replace("年", "-").replace("月", "-").replace("日", "")
        text = text.replace("/", "-").replace(".", "-")
        if text.isdigit() and len(text) == 8:
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        match = _WRITTEN_DATE.fullmatch(text)
        if match is None:
            raise ValueError(f"日期“{written}”格式不正确，{self.FORMAT}。")
        year, month, day = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValueError(f"日期“{written}”不存在：{_why_no_such_day(year, month, day)}。") from None

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m-%d") if value else ""


class ChoiceWidget(widgets.Widget):
    """Maps the Chinese label people write to the stored value."""

    def __init__(self, choices, **kwargs):
        self.by_label = {str(label): value for value, label in choices}
        self.by_value = {value: str(label) for value, label in choices}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        if text in self.by_label:
            return self.by_label[text]
        if text in self.by_value:
            return text
        raise ValueError(f"“{text}”不是有效的选项，可选：{'、'.join(self.by_label)}。")

    def render(self, value, obj=None, **kwargs):
        return self.by_value.get(value, "")


class YesNoWidget(widgets.Widget):
    TRUE = {"是", "√", "✓", "1", "true", "y", "yes"}
    FALSE = {"", "否", "×", "0", "false", "n", "no"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{_text(value)}”无法识别，请填写“是”或“否”。")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class OutsideScope(ValueError):
    """An organization code naming an organization outside the subtree the import is made into."""

    def __init__(self, org: Organization, message: str):
        self.org = org
        super().__init__(message)


class OrganizationCodeWidget(widgets.Widget):
    """An organization by its code, which must lie inside the subtree the import is made into.

    Codes are looked up once and cached; a code created earlier in the same file is found in the database
    because the import runs inside its transaction.
    """

    def __init__(self, scope: Organization | None = None, required: bool = True, **kwargs):
        self.scope = scope
        self.required = required
        self.cache: dict[str, Organization | None] = {}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        if not code:
            if self.required:
                raise ValueError("请填写组织代码。")
            return None
        if code not in self.cache or self.cache[code] is None:
            self.cache[code] = Organization.objects.filter(code=code).first()
        org = self.cache[code]
        if org is None:
            raise ValueError(f"组织代码“{code}”在系统中不存在。")
        if self.scope is not None and not org.path.startswith(self.scope.path):
            raise OutsideScope(org, f"组织“{org.name}”（{code}）不在本次导入的范围（{self.scope.name}）内。")
        if not org.is_active:
            raise ValueError(f"组织“{org.name}”（{code}）已停用。")
        return org

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


# --- resources -------------------------------------------------------------------------------------------


class ScopedResource(resources.ModelResource):
    """Import into the subtree of `scope`, acting as `by`; rows create records, and (for a resource that names
    an `import_id_fields` key, see MemberResource) update the records they match.

    A resource with `use_bulk` is checked and written in two steps: `check` validates every row and keeps the
    new and the changed rows in memory, writing nothing (so it needs no transaction, and the progress it
    reports is seen at once); `write` then inserts and updates them with their history in batches, inside the
    caller's transaction. A resource without it (organizations, whose rows may be the parents of later rows) is
    written row by row.
    """

    required_columns: tuple[str, ...] = ()
    # Whether the preview lists every row with what importing it does (新增, 更新 with its changes, 无变化).
    lists_rows = False

    def __init__(self, *, scope: Organization | None = None, by=None, progress=None, since=None, **kwargs):
        self.scope = scope
        self.by = by
        # Called as progress(rows checked, rows in the file) while the rows are checked.
        self.progress = progress
        # When the file was uploaded: a record changed after it is not updated from the file, whose preview the
        # person saw before that change (see MemberResource.validate_instance).
        self.since = since
        self.total_rows = 0
        self.checked: list = []
        self.checked_updates: list = []
        self.outcomes: Counter = Counter()
        self.rows: list[RowOutcome] = []
        super().__init__(**kwargs)
        for f in self.fields.values():
            if isinstance(f.widget, OrganizationCodeWidget):
                f.widget.scope = scope

    def column_of(self, attribute: str) -> str:
        for f in self.fields.values():
            if f.attribute == attribute:
                return f.column_name
        return attribute

    def before_import(self, dataset, **kwargs):
        headers = [_text(h) for h in dataset.headers or []]
        dataset.headers = headers
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            raise ImportFileError(f"表头缺少必需的列：{'、'.join(missing)}。请使用下载的模板填写。")
        while len(dataset) and all(v in (None, "") for v in dataset[-1]):
            del dataset[-1]
        self.total_rows = len(dataset)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A blank row between data rows is passed over; import-export's own test skips a row that would change
        # nothing in the record it matches, when the resource sets skip_unchanged.
        if all(v in (None, "") for v in row.values()):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_import_row(self, row, row_result, **kwargs):
        if row_result.import_type in ("new", "update", "skip") and not (
            row_result.import_type == "skip" and all(v in (None, "") for v in row.values())
        ):
            self.outcomes[row_result.import_type] += 1
            if self.lists_rows:
                self.rows.append(self.row_outcome(kwargs["row_number"], row, row_result))
        if self.progress is not None:
            self.progress(kwargs["row_number"], self.total_rows)

    def row_outcome(self, row_number: int, row, row_result) -> RowOutcome:
        """What importing a valid row does, as the preview lists it."""
        return RowOutcome(row=row_number + 1, action=row_result.import_type)

    @property
    def checks_then_writes(self) -> bool:
        return bool(self._meta.use_bulk)

    def check(self, dataset):
        """Validate every row and write nothing; returns import-export's result."""
        if self.checks_then_writes:
            # Nothing is saved during the run (bulk_create and bulk_update below only keep the rows), so it runs
            # without the transaction a dry run would open.
            return self.import_data(dataset, dry_run=False, use_transactions=False)
        return self.import_data(dataset, dry_run=True, use_transactions=True)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.checked.extend(self.create_instances)
        self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.checked_updates.extend(self.update_instances)
        self.update_instances.clear()

    def recheck(self) -> list[RowProblem]:
        """Inside the writing transaction: rows that became invalid since `check` (someone else's writes)."""
        return []

    def write(self) -> None:
        """Insert the rows a clean `check` kept, with one history record each; call inside a transaction."""
        size = self._meta.batch_size or 1000
        model = self._meta.model
        for start in range(0, len(self.checked), size):
            bulk_create_with_history(self.checked[start : start + size], model, batch_size=size, default_user=self.by)


def validate_imported_instance(instance, import_errors, exclude: set[str]) -> None:
    """Model validation after the widgets: a column whose cell could not be read keeps only that message."""
    errors = dict(import_errors or {})
    try:
        instance.full_clean(exclude=set(errors) | exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        for key, messages in e.message_dict.items():
            if key not in errors:
                errors[key] = messages
    if errors:
        raise ValidationError(errors)


class OrganizationResource(ScopedResource):
    code = fields.Field(attribute="code", column_name="组织代码", widget=TextWidget(upper=True))
    name = fields.Field(attribute="name", column_name="组织名称", widget=TextWidget())
    parent = fields.Field(attribute="_parent", column_name="上级组织代码", widget=OrganizationCodeWidget())
    level = fields.Field(attribute="level", column_name="组织层级", widget=ChoiceWidget(Organization.Level.choices))
    sector = fields.Field(attribute="sector", column_name="所属领域", widget=ChoiceWidget(Organization.Sector.choices))
    is_window_unit = fields.Field(attribute="is_window_unit", column_name="窗口单位", widget=YesNoWidget())
    supervision_phone = fields.Field(attribute="supervision_phone", column_name="监督电话", widget=TextWidget())
    secretary_name = fields.Field(attribute="secretary_name", column_name="书记姓名", widget=TextWidget())

    required_columns = ("组织代码", "组织名称", "上级组织代码", "组织层级", "所属领域")

    class Meta:
        model = Organization
        fields = (
            "code",
            "name",
            "parent",
            "level",
            "sector",
            "is_window_unit",
            "supervision_phone",
            "secretary_name",
        )
        import_id_fields = ()
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        codes = [_text(v).upper() for v in dataset["组织代码"]]
        self.file_counts = Counter(c for c in codes if c)
        self.first_row = {}
        for i, c in enumerate(codes, 1):
            self.first_row.setdefault(c, i)
        self.existing_codes = set(
            Organization.objects.filter(code__in=list(self.file_counts)).values_list("code", flat=True)
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        code = instance.code
        row_number = kwargs.get("row_number")
        if code and "code" not in errors:
            if code in self.existing_codes:
                errors["code"] = [f"组织代码“{code}”已存在于系统中。"]
            elif self.file_counts.get(code, 0) > 1 and self.first_row[code] != row_number:
                errors["code"] = [f"组织代码“{code}”与第 {self.first_row[code] + 1} 行重复。"]
        parent = getattr(instance, "_parent", None)
        if parent is not None and self.by is not None and not may(self.by, OrgAction.MANAGE_ORG, parent):
            errors["_parent"] = [f"您无权在“{parent.name}”下新建组织。"]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Uniqueness of codes was checked against the file and the database in import_instance; the tree
        # fields are set by treebeard when the row is saved under its parent.
        validate_imported_instance(instance, import_validation_errors, exclude={"path", "depth", "numchild"})

    def do_instance_save(self, instance, is_create):
        instance._history_user = self.by
        parent = Organization.objects.get(pk=instance._parent.pk)
        Organization.objects.add_child(parent, instance=instance)


STALE_UPDATE = "该党员的信息在您上传文件之后被他人修改过，为免覆盖，请重新上传文件，核对变化后再导入。"


class MembersByIdNumber(instance_loaders.CachedInstanceLoader):
    """import-export's CachedInstanceLoader, which reads every member a file names at once instead of with a
    query a row; here in chunks of 900 身份证号 (SQLite refuses a query with more parameters), with the
    organizations that the permission checks and the preview read."""

    def __init__(self, resource, dataset=None):
        instance_loaders.BaseInstanceLoader.__init__(self, resource, dataset)
        self.pk_field = resource.fields["id_number"]
        self.all_instances = {}
        if dataset is None or self.pk_field.column_name not in (dataset.headers or []):
            return
        ids = sorted({normalize_id_number(_text(v)) for v in dataset[self.pk_field.column_name]} - {""})
        for start in range(0, len(ids), 900):
            for member in self.get_queryset().filter(id_number__in=ids[start : start + 900]):
                self.all_instances[member.id_number] = member

    def get_instance(self, row):
        # Each member is handed to one row: a second row with his 身份证号 is a new instance, reported as a
        # duplicate of the first, and cannot change what the first row holds.
        return self.all_instances.pop(self.pk_field.clean(row), None)


@dataclass
class Change:
    """One column an update changes, as the preview shows it."""

    column: str
    old: str
    new: str


def _shown(field, value) -> str:
    if value is None or value == "":
        return "（空）"
    if field.attribute in PERSONAL_FIELDS:
        # Masked as the rest of the preview masks 身份证号 (and the timeline hides personal data).
        if field.attribute == "id_number":
            return mask_id_number(value)
        if field.attribute == "phone":
            return mask_phone(value)
        return f"{value:%Y}-**-**"
    if isinstance(value, Organization):
        return value.name
    return field.widget.render(value)


class MemberDiff(resources.Diff):
    """What a row changes in the member it updates, column by column.

    import-export builds one for every row when skip_diff is off and keeps what `as_html` returns as
    `row_result.diff`; here that is a list of Change rather than HTML, with personal data masked. A new row has
    nothing to compare with, so it is not read at all.
    """

    def __init__(self, resource, instance, new):
        self.new = new
        self.left = [] if new else self._values(resource, instance)
        self.right = []

    def compare_with(self, resource, instance):
        if not self.new and instance is not None:
            self.right = self._values(resource, instance)

    @staticmethod
    def _values(resource, instance) -> list:
        return [(f, f.get_value(instance)) for f in resource.get_import_fields()]

    def as_html(self) -> list[Change]:
        changes = []
        for (f, old), (_, new) in zip(self.left, self.right, strict=False):
            if old == new:
                continue
            before, after = _shown(f, old), _shown(f, new)
            if before == after:
                after += "（隐去的部分有改动）"
            changes.append(Change(f.column_name, before, after))
        return changes


class MemberResource(ScopedResource):
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    gender = fields.Field(attribute="gender", column_name="性别", widget=ChoiceWidget(Member.Gender.choices))
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=DateWidget())
    id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=TextWidget(upper=True))
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=TextWidget())
    political_status = fields.Field(
        attribute="political_status",
        column_name="政治面貌",
        widget=ChoiceWidget(Member.PoliticalStatus.choices),
    )
    join_date = fields.Field(attribute="join_date", column_name="入党时间", widget=DateWidget())
    post = fields.Field(attribute="post", column_name="职务/岗位", widget=TextWidget())
    organization = fields.Field(attribute="organization", column_name="所在党组织代码", widget=OrganizationCodeWidget())
    inflow_organization = fields.Field(
        attribute="inflow_organization",
        column_name="流入地党组织代码",
        widget=OrganizationCodeWidget(required=False),
    )
    residence_organization = fields.Field(
        attribute="residence_organization",
        column_name="居住地社区党组织代码",
        widget=OrganizationCodeWidget(required=False),
    )
    is_leader = fields.Field(attribute="is_leader", column_name="领导干部", widget=YesNoWidget())
    is_village_cadre = fields.Field(attribute="is_village_cadre", column_name="村干部", widget=YesNoWidget())
    is_unposted = fields.Field(attribute="is_unposted", column_name="无职党员", widget=YesNoWidget())
    is_retired = fields.Field(attribute="is_retired", column_name="离退休", widget=YesNoWidget())
    is_sanlao = fields.Field(attribute="is_sanlao", column_name="三老", widget=YesNoWidget())
    is_student = fields.Field(attribute="is_student", column_name="学生", widget=YesNoWidget())
    is_teaching_staff = fields.Field(attribute="is_teaching_staff", column_name="教职工", widget=YesNoWidget())

    required_columns = ("姓名", "性别", "出生日期", "身份证号", "政治面貌", "所在党组织代码")
    lists_rows = True

    class Meta:
        model = Member
        fields = (
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "political_status",
            "join_date",
            "post",
            "organization",
            "inflow_organization",
            "residence_organization",
            *Member.FLAG_FIELDS,
        )
        # A row whose 身份证号 is on the roster updates that member (import-export's "update" import type); a
        # row that would change nothing is skipped and still reported (skip_unchanged and report_skipped, which
        # need the diff, so skip_diff is off). See django-import-export's docs: advanced_usage.html, "Create or
        # update model instances", and api_resources.html, ResourceOptions.
        import_id_fields = ("id_number",)
        instance_loader_class = MembersByIdNumber
        skip_unchanged = True
        report_skipped = True
        skip_diff = False
        clean_model_instances = True
        use_transactions = True
        use_bulk = True
        batch_size = 1000

    @classmethod
    def get_diff_class(cls):
        return MemberDiff

    def get_queryset(self):
        return Member.objects.select_related("organization", "inflow_organization", "residence_organization")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        ids = [normalize_id_number(_text(v)) for v in dataset["身份证号"]]
        self.file_counts = Counter(i for i in ids if i)
        self.first_row = {}
        for n, i in enumerate(ids, 1):
            self.first_row.setdefault(i, n)

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            # The member as the roster has him before this row: his organization decides who may change him,
            # and his version tells whether someone else changed him since (validate_instance, recheck).
            instance._import_from = instance.organization
            instance._import_version = instance.updated_at

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except OutsideScope as e:
            if instance.pk is None:
                raise
            current = getattr(instance, field.attribute)
            if current is None or current.pk != e.org.pk:
                if field.attribute == "organization":
                    raise ValueError(
                        f"不能把该党员转入“{e.org.name}”（{e.org.code}）：该组织不在本次导入的范围"
                        f"（{self.scope.name}）内，只能转入本范围内的党组织。"
                    ) from None
                raise
            if field.attribute == "organization":
                raise ValueError(
                    f"该党员所在的“{e.org.name}”不在本次导入的范围（{self.scope.name}）内，"
                    "请在该组织或其上级组织的导入页面导入。"
                ) from None
            # A 流入地 or 居住地 organization outside the scope that the row leaves as it was stays as it was.

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        id_number = instance.id_number
        row_number = kwargs.get("row_number")
        instance._import_row = row_number
        if id_number and "id_number" not in errors:
            if self.file_counts.get(id_number, 0) > 1 and self.first_row[id_number] != row_number:
                errors["id_number"] = [f"身份证号与第 {self.first_row[id_number] + 1} 行重复。"]
            elif instance.pk is not None and self.by is not None:
                current = instance._import_from
                if not may(self.by, OrgAction.MANAGE_MEMBERS, current):
                    errors["id_number"] = [
                        f"身份证号已存在于系统中：该党员在“{current.name}”，不在您管理的范围内，不能通过导入修改。"
                    ]
        org = instance.organization if instance.organization_id else None
        if org is not None and self.by is not None and not may(self.by, OrgAction.MANAGE_MEMBERS, org):
            errors["organization"] = [f"您无权向“{org.name}”导入党员。"]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Foreign keys come from the cached code widget, so their per-row existence queries are skipped;
        # uniqueness was checked against the file and the database in import_instance.
        errors = dict(import_validation_errors or {})
        if instance.pk is not None and self.since is not None and instance._import_version > self.since:
            errors.setdefault("id_number", []).append(STALE_UPDATE)
        validate_imported_instance(
            instance,
            errors,
            exclude={"organization", "inflow_organization", "residence_organization", "user"},
        )

    def row_outcome(self, row_number: int, row, row_result) -> RowOutcome:
        original = row_result.original
        inactive = original is not None and not original.is_active
        return RowOutcome(
            row=row_number + 1,
            action=row_result.import_type,
            name=_text(row.get("姓名")),
            id_number=mask_id_number(normalize_id_number(_text(row.get("身份证号")))),
            changes=(row_result.diff or []) if row_result.import_type == "update" else [],
            note="该党员目前不在册，导入只更新其信息，不会恢复在册。" if inactive else "",
        )

    def recheck(self) -> list[RowProblem]:
        # The check ran outside this transaction. A member entered meanwhile with the same 身份证号 as a new row
        # is reported like one found by the check (the unique index stops any that come later still); a member
        # to be updated is locked, and refused if someone changed him since he was read.
        column = self.column_of("id_number")
        problems = []
        rows = {m.id_number: m._import_row for m in self.checked}
        ids = list(rows)
        for start in range(0, len(ids), 900):
            taken = Member.objects.filter(id_number__in=ids[start : start + 900]).values_list(
                "id_number", "organization__name"
            )
            problems += [RowProblem(rows[i] + 1, column, f"身份证号已存在于系统中（{name}）。") for i, name in taken]
        updates = {m.pk: m for m in self.checked_updates}
        pks = list(updates)
        for start in range(0, len(pks), 900):
            chunk = pks[start : start + 900]
            versions = dict(Member.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "updated_at"))
            for pk in chunk:
                member = updates[pk]
                if versions.get(pk) != member._import_version:
                    problems.append(RowProblem(member._import_row + 1, column, STALE_UPDATE))
        return sorted(problems, key=lambda p: p.row)

    def write(self) -> None:
        """Insert the new members and update the changed ones, each with its history record."""
        super().write()
        if not self.checked_updates:
            return
        size = self._meta.batch_size or 1000
        now = timezone.now()
        # bulk_update leaves auto_now alone, so the time of the change is set here.
        for member in self.checked_updates:
            member.updated_at = now
        columns = [f.attribute for f in self.get_import_fields() if f.attribute != "id_number"] + ["updated_at"]
        for start in range(0, len(self.checked_updates), size):
            bulk_update_with_history(
                self.checked_updates[start : start + size],
                Member,
                columns,
                batch_size=size,
                default_user=self.by,
                default_date=now,
            )


class RosterExportResource(MemberResource):
    """The roster as .xlsx; 身份证号 and phone stay masked unless the user may see them."""

    exempt = fields.Field(attribute="is_exempt", column_name="免于承诺", widget=YesNoWidget(), readonly=True)

    class Meta(MemberResource.Meta):
        fields = (*MemberResource.Meta.fields, "exempt")

    def __init__(self, *, user, **kwargs):
        self.user = user
        super().__init__(**kwargs)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if field.attribute in ("id_number", "phone") and not may(self.user, OrgAction.VIEW_PERSONAL_DATA, instance):
            return mask_id_number(value) if field.attribute == "id_number" else mask_phone(value)
        return value


# --- 日常活动记实 -------------------------------------------------------------------------------------------


class ActivityKindWidget(widgets.Widget):
    """An activity kind by its name (as the template's drop-down offers it) or its code; kinds are read once."""

    def __init__(self, **kwargs):
        self._kinds: dict[str, ActivityKind] | None = None
        super().__init__(**kwargs)

    def kinds(self) -> dict[str, ActivityKind]:
        if self._kinds is None:
            kinds = list(ActivityKind.objects.order_by("position", "id"))
            self._kinds = {k.code: k for k in kinds} | {k.name: k for k in kinds}
        return self._kinds

    def options(self) -> list[str]:
        return [k.name for k in activity_kinds()]

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            raise ValueError("请填写活动类别。")
        kind = self.kinds().get(text)
        if kind is None:
            raise ValueError(f"“{text}”不是有效的活动类别，可选：{'、'.join(self.options())}。")
        if not kind.is_active:
            raise ValueError(f"活动类别“{kind.name}”已停用，请改选其他类别。")
        return kind

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class CountWidget(widgets.Widget):
    """A whole number of people or things; blank is `blank` (None: not recorded)."""

    def __init__(self, blank=None, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace(",", "").replace("，", "")
        if not text:
            return self.blank
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"“{text}”不是整数。") from None
        if number < 0:
            raise ValueError("不能为负数。")
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class AmountWidget(widgets.Widget):
    """An amount in yuan, at most two decimals; blank is not recorded."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace(",", "").replace("，", "").removesuffix("元").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text}”不是有效的金额，请填写数字（单位：元）。") from None
        if amount < 0:
            raise ValueError("金额不能为负数。")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("金额最多保留两位小数。")
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:f}"


_ID_SEPARATORS = re.compile(r"[、,，;；\s]+")


class IdNumberListWidget(widgets.Widget):
    """身份证号 separated by 、 or a comma (or a semicolon, or spaces), normalized; duplicates kept once."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        numbers = [normalize_id_number(p) for p in _ID_SEPARATORS.split(text) if p.strip()]
        return list(dict.fromkeys(numbers))

    def render(self, value, obj=None, **kwargs):
        return "、".join(value or [])


class ActivityResource(ScopedResource):
    """活动记实 in bulk: one activity a row, checked by the same rules as the form (`activity_problems`), with the
    members who took part named by 身份证号 from the roster of the row's organization."""

    organization = fields.Field(attribute="organization", column_name="党组织代码", widget=OrganizationCodeWidget())
    kind = fields.Field(attribute="kind", column_name="活动类别", widget=ActivityKindWidget())
    held_on = fields.Field(attribute="held_on", column_name="活动日期", widget=DateWidget())
    title = fields.Field(attribute="title", column_name="活动名称", widget=TextWidget())
    description = fields.Field(attribute="description", column_name="活动情况", widget=TextWidget())
    participants_count = fields.Field(
        attribute="participants_count", column_name="参加人次", widget=CountWidget(blank=0)
    )
    participant_numbers = fields.Field(
        attribute="participant_numbers", column_name="参加党员身份证号", widget=IdNumberListWidget()
    )
    quantity = fields.Field(attribute="quantity", column_name="数量", widget=CountWidget())
    amount = fields.Field(attribute="amount", column_name="金额", widget=AmountWidget())
    beneficiaries = fields.Field(attribute="beneficiaries", column_name="受益对象人数", widget=CountWidget())

    required_columns = ("党组织代码", "活动类别", "活动日期", "活动名称", "参加人次")
    column_notes = {
        "党组织代码": "须为本次导入范围内的党组织代码",
        "活动类别": "从下拉列表中选择，如理论学习、党课、结对帮扶",
        "活动日期": "写成 2025-03-15，不能晚于今天",
        "活动名称": "不超过100个字",
        "参加人次": "参加活动的总人次（含群众），不少于所列参加党员的人数；空白视为0",
        "参加党员身份证号": "选填；多人用顿号“、”或逗号分隔，须为该党组织及其下级组织名册中的人员",
        "数量": "只有宣传板块、办实事好事、联系点等类别填写（如制作宣传板块的块数）",
        "金额": "只有结对帮扶、爱心捐助填写，单位：元",
        "受益对象人数": "只有结对帮扶（帮扶困难群众）、就业帮扶填写",
    }

    class Meta:
        model = Activity
        fields = (
            "organization",
            "kind",
            "held_on",
            "title",
            "description",
            "participants_count",
            "participant_numbers",
            "quantity",
            "amount",
            "beneficiaries",
        )
        import_id_fields = ()
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True
        use_transactions = True
        use_bulk = True
        batch_size = 1000

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.today = timezone.localdate()
        numbers = set()
        if "参加党员身份证号" in dataset.headers:
            widget = IdNumberListWidget()
            for value in dataset["参加党员身份证号"]:
                numbers.update(widget.clean(value))
        # 身份证号 → (member id, name, organization path, inflow organization path), active members only.
        self.people: dict[str, tuple] = {}
        numbers = sorted(numbers)
        for start in range(0, len(numbers), 900):
            self.people.update(
                (row[0], row[1:])
                for row in Member.objects.filter(id_number__in=numbers[start : start + 900], is_active=True)
                .order_by("id")
                .values_list("id_number", "pk", "name", "organization__path", "inflow_organization__path")
            )
        # Activities already recorded with a title of this file: a file imported twice is refused.
        titles = sorted({_text(v) for v in dataset["活动名称"] if _text(v)})
        self.existing: set[tuple] = set()
        for start in range(0, len(titles), 900):
            self.existing.update(
                Activity.objects.filter(
                    organization__path__startswith=self.scope.path if self.scope else "",
                    title__in=titles[start : start + 900],
                ).values_list("organization_id", "held_on", "title")
            )
        self.seen: dict[tuple, int] = {}

    def init_instance(self, row=None):
        return Activity(recorded_by=self.by, participants_count=0)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        row_number = kwargs.get("row_number")
        org = instance.organization if instance.organization_id else None
        if org is not None and self.by is not None and not may(self.by, OrgAction.RECORD_ACTIVITY, org):
            errors.setdefault("organization", []).append(f"您无权为“{org.name}”记录活动。")
        instance._participant_ids = []
        numbers = getattr(instance, "participant_numbers", None) or []
        if org is not None and "participant_numbers" not in errors:
            unknown, outside = [], []
            for number in numbers:
                person = self.people.get(number)
                if person is None:
                    unknown.append(mask_id_number(number))
                elif person[2].startswith(org.path) or (person[3] or "").startswith(org.path):
                    instance._participant_ids.append(person[0])
                else:
                    outside.append(f"{person[1]}（{mask_id_number(number)}）")
            if unknown:
                errors.setdefault("participant_numbers", []).append(
                    f"身份证号 {'、'.join(unknown)} 在系统中没有在册的党员。"
                )
            if outside:
                errors.setdefault("participant_numbers", []).append(
                    f"{'、'.join(outside)}不在“{org.name}”及其下级组织的党员名册中。"
                )
        for key, messages in activity_problems(instance, chosen=len(numbers), today=self.today).items():
            if key not in errors:
                errors[key] = messages
        key = (instance.organization_id, instance.held_on, (instance.title or "").strip())
        if instance.organization_id and instance.held_on and key[2] and "title" not in errors:
            if key in self.existing:
                errors["title"] = ["该党组织在这一天已有同名的活动记实，可能是重复导入。"]
            elif key in self.seen:
                errors["title"] = [f"与第 {self.seen[key] + 1} 行是同一党组织、同一天的同名活动。"]
            else:
                self.seen[key] = row_number
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        validate_imported_instance(instance, import_validation_errors, exclude={"organization", "kind", "recorded_by"})

    def write(self) -> None:
        rows = [(a, a._participant_ids) for a in self.checked]
        activities_insert_checked(rows, by=self.by, batch_size=self._meta.batch_size or 1000)


# --- the import workflow ---------------------------------------------------------------------------------

# What can be imported from Excel. Apps above register their own kinds (commitments: 群众意见建议) in their
# AppConfig.ready() with register_import_kind, so this module never names them.
RESOURCES = {"members": MemberResource, "organizations": OrganizationResource, "activities": ActivityResource}
KIND_LABELS = {"members": "党员名册", "organizations": "党组织", "activities": "活动记实"}
KIND_UNITS = {"members": "名党员", "organizations": "个党组织", "activities": "条活动记实"}
# The permission the importing user needs on the organization the file is imported into.
KIND_ACTIONS = {
    "members": OrgAction.MANAGE_MEMBERS,
    "organizations": OrgAction.MANAGE_ORG,
    "activities": OrgAction.RECORD_ACTIVITY,
}


def register_import_kind(kind: str, *, resource, label: str, unit: str, action: str) -> None:
    """Make `kind` importable into an organization by whoever may take `action` there."""
    RESOURCES[kind] = resource
    KIND_LABELS[kind] = label
    KIND_UNITS[kind] = unit
    KIND_ACTIONS[kind] = action
    # A large file of this kind is checked and imported as a background job like the kinds of this app.
    _register_jobs_of(kind)


def resource_class(kind: str):
    return RESOURCES[kind]


@dataclass
class RowProblem:
    row: int  # the Excel row number (the header is row 1)
    column: str
    message: str


@dataclass
class RowOutcome:
    """What importing a valid row does: 新增 ("new"), 更新 ("update", with the columns it changes) or 无变化
    ("skip"), for the resources that list their rows (`ScopedResource.lists_rows`)."""

    row: int  # the Excel row number
    action: str
    name: str = ""
    id_number: str = ""  # masked
    changes: list[Change] = field(default_factory=list)
    note: str = ""

    ACTION_LABELS = {"new": "新增", "update": "更新", "skip": "无变化"}

    @property
    def label(self) -> str:
        return self.ACTION_LABELS.get(self.action, "")

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "action": self.action,
            "label": self.label,
            "name": self.name,
            "id_number": self.id_number,
            "changes": [{"column": c.column, "old": c.old, "new": c.new} for c in self.changes],
            "note": self.note,
        }


@dataclass
class ImportReport:
    total: int = 0
    valid: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    # How many valid rows create a record, update one, or would change nothing and are skipped.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lists_rows: bool = False
    rows: list[RowOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_errors and self.total > 0

    @property
    def has_changes(self) -> bool:
        """Whether importing the file would write anything (a file that only repeats the roster would not)."""
        return self.created + self.updated > 0

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    @property
    def listed_rows(self) -> int:
        return len(self.rows)

    @property
    def shown_rows(self) -> list[RowOutcome]:
        """At most SHOWN_ROWS rows for the page, in the file's order; of a longer file the updates come first,
        since they change what is already on the roster."""
        if len(self.rows) <= SHOWN_ROWS:
            return self.rows
        updates = [r for r in self.rows if r.action == "update"][:SHOWN_ROWS]
        others = [r for r in self.rows if r.action != "update"][: SHOWN_ROWS - len(updates)]
        return sorted(updates + others, key=lambda r: r.row)

    def done_message(self, unit: str) -> str:
        """What the page says once the file is imported."""
        if not self.updated and not self.unchanged:
            return f"已导入 {self.total} {unit}。"
        parts = [f"新增 {self.created} {unit}", f"更新 {self.updated} {unit}"]
        if self.unchanged:
            parts.append(f"另有 {self.unchanged} {unit}的信息没有变化，未改动")
        return "导入完成：" + "，".join(parts) + "。"

    def as_outcome(self, unit: str = "") -> dict:
        """The report as a background job keeps it (JSON), with the problems and rows a page lists."""
        return {
            "ok": self.ok,
            "total": self.total,
            "valid": self.valid,
            "bad_rows": self.bad_rows,
            "problem_count": self.problem_count,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in self.problems[:SHOWN_PROBLEMS]
            ],
            "file_errors": list(self.file_errors),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "has_changes": self.has_changes,
            "lists_rows": self.lists_rows,
            "listed_rows": self.listed_rows,
            "shown_rows": [r.as_dict() for r in self.shown_rows],
            "unit": unit,
            "done_message": self.done_message(unit) if unit else "",
        }


# An .xlsx is a zip. A real roster of MAX_IMPORT_ROWS rows inflates to a few dozen MB at a ratio near 15; a zip
# bomb (a small upload that inflates to gigabytes) is refused from the sizes its directory declares, which
# Python's zipfile enforces while reading, before openpyxl parses anything.
MAX_XLSX_UNCOMPRESSED = 150 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 1000


def _check_xlsx_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ImportFileError("无法读取该文件，请上传用模板填写的 Excel（.xlsx）文件。") from None
    too_big = len(members) > MAX_XLSX_MEMBERS or sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED
    inflated = any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1) for m in members
    )
    if too_big or inflated:
        raise ImportFileError("文件解压后异常庞大，不像是正常填写的 Excel 文件，已拒绝读取。请用下载的模板重新填写。")


UNREADABLE = "无法读取该文件，请上传用模板填写的 Excel（.xlsx）文件。"

# A row element of the sheet XML (any namespace prefix), and a value inside it (<v> or an inline string <is>).
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?row>)", re.S)
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)[\s/>]")
_MAX_ROW_XML = 32 * 1024 * 1024


def _sheet_part(content: bytes) -> tuple[zipfile.ZipFile, str]:
    """The open archive and the part name of the sheet an import reads: the active sheet, chosen as openpyxl
    chooses it, from the workbook's small parts only (no shared strings, no cells)."""
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        sheets = [rel for _sheet, rel in reader.parser.find_sheets() if rel.target in reader.valid_files]
        index = reader.wb._active_sheet_index
        rel = sheets[index] if 0 <= index < len(sheets) else None
        if rel is None or "chartsheet" in rel.Type:
            raise ImportFileError(UNREADABLE)
    except BaseException:
        reader.archive.close()
        raise
    return reader.archive, rel.target


def count_import_rows(content: bytes) -> int:
    """How many data rows (rows holding a value, less the header) the file has, counted in the raw sheet XML
    without parsing a cell, so that a file too large is refused at once. Raises ImportFileError for a file
    over MAX_IMPORT_BYTES or MAX_IMPORT_ROWS, or one that is not a readable .xlsx.

    The dimension a sheet declares is not used: writers leave it out or get it wrong either way.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"文件不能超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB。")
    _check_xlsx_zip(content)
    rows = 0
    try:
        archive, part = _sheet_part(content)
        with archive, archive.open(part) as sheet:
            tail = b""
            while chunk := sheet.read(1024 * 1024):
                buffer = tail + chunk
                end = 0
                for match in _ROW.finditer(buffer):
                    if match.group(1) and _VALUE.search(match.group(1)):
                        rows += 1
                    end = match.end()
                tail = buffer[end:]
                start = _ROW_START.search(tail)
                tail = tail[start.start() :] if start else tail[-64:]
                if len(tail) > _MAX_ROW_XML:
                    raise ImportFileError("文件中有一行内容异常庞大，已拒绝读取。请用下载的模板重新填写。")
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(UNREADABLE) from None
    data_rows = max(rows - 1, 0)
    if data_rows > MAX_IMPORT_ROWS:
        raise ImportFileError(
            f"文件有 {data_rows} 行数据，超过一次最多导入的 {MAX_IMPORT_ROWS} 行，未读取其中的内容。"
            "请拆分成几个文件分别导入。"
        )
    return data_rows


def _is_blank(value) -> bool:
    return value is None or value == ""


def read_xlsx(content: bytes) -> tablib.Dataset:
    """The sheet as a dataset: the first row is the header; blank rows between data rows keep their place, so
    that row numbers stay Excel's, and blank rows at the end are dropped. The file is refused from its size
    and row count before any cell is read."""
    count_import_rows(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(UNREADABLE) from None
    try:
        sheet = workbook.active
        sheet.reset_dimensions()  # read the rows that are there, whatever size the sheet declares
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(UNREADABLE)
        headers = list(header)
        while headers and _is_blank(headers[-1]):
            headers.pop()
        if not headers:
            raise ImportFileError("文件第一行应为表头，请使用下载的模板填写。")
        width = len(headers)
        blank_row = (None,) * width
        data: list[tuple] = []
        blanks = 0
        for values in rows:
            if all(_is_blank(v) for v in values):
                blanks += 1
                continue
            if len(data) + blanks + 1 > MAX_IMPORT_ROWS:
                # The count saw few rows with values, but they lie far apart (a stray cell far below).
                raise ImportFileError(
                    f"文件第 {len(data) + blanks + 2} 行仍有内容，超过一次最多导入的 {MAX_IMPORT_ROWS} 行。"
                    "请删除多余的行或拆分文件。"
                )
            data.extend([blank_row] * blanks)
            blanks = 0
            values = values[:width]
            data.append(values + (None,) * (width - len(values)) if len(values) < width else values)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(UNREADABLE) from None
    finally:
        workbook.close()
    return tablib.Dataset(*data, headers=headers)


def _report(resource: ScopedResource, result, total: int) -> ImportReport:
    report = ImportReport(total=total)
    for error in result.base_errors:
        report.file_errors.append(str(error.error))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = "" if attribute == "__all__" else resource.column_of(attribute)
            for message in messages:
                report.problems.append(RowProblem(invalid.number + 1, column, str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(RowProblem(number + 1, "", f"无法导入：{error.error}"))
    report.problems.sort(key=lambda p: p.row)
    report.valid = total - report.bad_rows if not report.file_errors else 0
    report.created = resource.outcomes["new"]
    report.updated = resource.outcomes["update"]
    report.unchanged = resource.outcomes["skip"]
    report.lists_rows = resource.lists_rows
    report.rows = resource.rows
    return report


def import_preview(*, kind: str, content: bytes, scope: Organization, by, progress=None) -> ImportReport:
    """Check every row; nothing is written; every bad row is reported. `progress(done, total)` follows the rows."""
    try:
        dataset = read_xlsx(content)
    except ImportFileError as e:
        return ImportReport(file_errors=[str(e)])
    resource = resource_class(kind)(scope=scope, by=by, progress=progress)
    report = _report(resource, resource.check(dataset), len(dataset))
    if report.total == 0 and not report.file_errors:
        report.file_errors.append("文件中没有数据行。")
    return report


def import_commit(
    *, kind: str, content: bytes, scope: Organization, by, progress=None, on_success=None, since=None
) -> ImportReport:
    """Check every row again and write a clean file in one transaction; if any row fails, nothing is written.
    `on_success(report)` runs inside that transaction once the rows are written. `since` is when the file was
    uploaded (and its preview made): a record someone changed after it is not updated from the file."""
    try:
        dataset = read_xlsx(content)
    except ImportFileError as e:
        return ImportReport(file_errors=[str(e)])
    resource = resource_class(kind)(scope=scope, by=by, progress=progress, since=since)
    if not resource.checks_then_writes:
        with transaction.atomic():
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
            )
            report = _report(resource, result, len(dataset))
            if not report.ok:
                transaction.set_rollback(True)
            elif on_success is not None:
                on_success(report)
        return report
    report = _report(resource, resource.check(dataset), len(dataset))
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            report.problems = resource.recheck()
            if report.problems:
                report.valid = report.total - report.bad_rows
                transaction.set_rollback(True)
                return report
            resource.write()
            if on_success is not None:
                on_success(report)
    except DatabaseError:
        logger.warning("import of %s into %s failed while writing", kind, scope, exc_info=True)
        return ImportReport(
            total=report.total,
            file_errors=["写入数据库时出错，未导入任何数据。请稍后重新上传；如果仍然出错，请联系系统管理员。"],
        )
    return report


# --- uploads waiting for confirmation, and large files as background jobs ---------------------------------


def import_upload_save(content: bytes) -> str:
    """Keep an uploaded file until the person confirms the import (a beat job removes forgotten ones)."""
    token = uuid.uuid4().hex
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{token}.xlsx").write_bytes(content)
    return token


def import_upload_path(token: str) -> Path | None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"


IMPORT_STAGES = {"preview": "导入校验", "commit": "导入"}


def _job_kind(kind: str, stage: str) -> str:
    return f"import_{kind}_{stage}"


def import_job_start(*, kind: str, stage: str, token: str, scope: Organization, by, since=None):
    """Check ("preview") or import ("commit") a kept upload as a background job; returns the job, whose page
    shows the progress and then the report. The caller has checked that `by` may import into `scope`.
    `since`: when the file was uploaded (see import_commit)."""
    params = {"kind": kind, "stage": stage, "token": token}
    if since is not None:
        params["since"] = since.isoformat()
    return background.start_job(kind=_job_kind(kind, stage), organization=scope, by=by, params=params)


def run_import_job(run: background.JobRun, *, stage: str) -> dict:
    kind = run.params.get("kind")
    if kind not in RESOURCES:
        raise DomainError("导入任务的参数不完整，请重新上传文件。")
    require(run.started_by, KIND_ACTIONS[kind], run.organization)
    path = import_upload_path(run.params.get("token", ""))
    if path is None or not path.exists():
        raise DomainError("上传的文件已失效（超过保留时间已清理），请重新上传。")
    content = path.read_bytes()
    if stage == "preview":
        report = import_preview(
            kind=kind, content=content, scope=run.organization, by=run.started_by, progress=run.progress
        )
        if not report.ok or not report.has_changes:
            path.unlink(missing_ok=True)  # nothing to confirm
        return report.as_outcome(unit=KIND_UNITS[kind])
    since = run.params.get("since")
    report = import_commit(
        kind=kind,
        content=content,
        scope=run.organization,
        by=run.started_by,
        progress=run.progress,
        on_success=lambda done: run.finish(done.as_outcome(unit=KIND_UNITS[kind])),
        since=datetime.datetime.fromisoformat(since) if since else None,
    )
    path.unlink(missing_ok=True)
    return report.as_outcome(unit=KIND_UNITS[kind])


def register_import_jobs() -> None:
    """Offer the imports to the job store (organizations.background); called when the app is loaded."""
    for kind in KIND_LABELS:
        _register_jobs_of(kind)


def _register_jobs_of(kind: str) -> None:
    for stage, action in IMPORT_STAGES.items():
        background.register_kind(
            background.JobKind(
                name=_job_kind(kind, stage),
                label=f"{KIND_LABELS[kind]}{action}",
                run=partial(run_import_job, stage=stage),
                outcome_template="organizations/_import_job.html",
            )
        )


# --- templates and exports -------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="C00000")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def _style_sheet(ws, widths: dict[str, int]) -> None:
    for cell in ws[1]:
        cell.fill = _HEADER_FILL
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = widths.get(cell.value, 14)
    ws.freeze_panes = "A2"


def import_template(kind: str) -> bytes:
    """An empty .xlsx with the header row, drop-down lists for choice columns, and a sheet of instructions."""
    resource = resource_class(kind)()
    columns = [f.column_name for f in resource.get_import_fields()]
    wb = Workbook()
    ws = wb.active
    ws.title = KIND_LABELS[kind]
    ws.append(columns)
    _style_sheet(ws, {"身份证号": 22, "组织名称": 30, "职务/岗位": 20, "所属领域": 24})
    for index, f in enumerate(resource.get_import_fields(), 1):
        options = None
        if isinstance(f.widget, ChoiceWidget):
            options = list(f.widget.by_label)
        elif isinstance(f.widget, YesNoWidget):
            options = ["是", "否"]
        elif isinstance(f.widget, ActivityKindWidget):
            options = f.widget.options()
        # Excel keeps a list typed into the rule to 255 characters; a longer one is described on the notes sheet.
        if options and len(",".join(options)) <= 250:
            letter = ws.cell(row=1, column=index).column_letter
            dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            dv.error = "请从下拉列表中选择。"
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{MAX_IMPORT_ROWS + 1}")
    for index, f in enumerate(resource.get_import_fields(), 1):
        if isinstance(f.widget, (DateWidget, TextWidget)):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].number_format = "@"
    help_ws = wb.create_sheet("填写说明")
    help_ws.append(["列名", "是否必填", "说明"])
    notes = {
        "身份证号": "18位，末位可为X，系统按国家标准校验；系统中已有该身份证号的党员，按本行更新其信息",
        "出生日期": "写成 2025-03-15，须与身份证号一致",
        "入党时间": "正式党员、预备党员必填，写成 2025-03-15",
        "所在党组织代码": "须为本次导入范围内已有的组织代码",
        "流入地党组织代码": "流动党员填写流入地党组织代码，其他留空",
        "上级组织代码": "须为本次导入范围内已有的组织，或本文件中前面行的组织",
        **getattr(resource, "column_notes", {}),
    }
    for f in resource.get_import_fields():
        required = "必填" if f.column_name in resource.required_columns else "选填"
        extra = ""
        if isinstance(f.widget, ChoiceWidget):
            extra = "可选：" + "、".join(f.widget.by_label)
        elif isinstance(f.widget, YesNoWidget):
            extra = "填“是”或“否”，空白视为否"
        help_ws.append([f.column_name, required, notes.get(f.column_name, extra)])
    _style_sheet(help_ws, {"说明": 60})
    help_ws.append([])
    help_ws.append(["整个文件全部校验通过后才会导入；有任何一行出错，都不会写入数据。"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def roster_xlsx(*, queryset, user) -> bytes:
    resource = RosterExportResource(user=user)
    dataset = resource.export(queryset)
    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append(dataset.headers)
    for row in dataset:
        ws.append([neutralise(v) for v in row])
    _style_sheet(ws, {"身份证号": 22, "职务/岗位": 20})
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def neutralise(value):
    """Keep text that starts like a formula from being run by Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
