"""Every action on statistics forms: define a form, issue it to a subtree, fill it, submit, return, accept.

Each action is atomic, takes the acting user as `by=`, checks permission through organizations' `require()` or
the transition's permission, and writes history (simple-history, stamped by `take`/`stamp`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluations.statistics import parse_period
from organizations.audit import stamp
from organizations.errors import DomainError
from organizations.models import Organization, User
from organizations.permissions import require
from organizations.transitions import take

from .models import ReportBlank, ReportIssue, ReportItem, ReportSubmission, ReportTemplate
from .permissions import ReportAction
from .sources import parse_source

MAX_ENTERED_NUMBER = 10**9
MAX_ENTERED_TEXT = 500


def template_build_items(template: ReportTemplate) -> None:
    """(Re)build the items and blanks of `template` from its text (the text was checked by the caller)."""
    items = parse_source(template.source)
    template.items.all().delete()
    for position, parsed in enumerate(items, 1):
        item = ReportItem.objects.create(template=template, position=position, text=parsed.text)
        ReportBlank.objects.bulk_create(
            ReportBlank(
                item=item,
                key=f"{position}-{n}",
                position=n,
                source=blank.source,
                indicator=blank.indicator,
                label=blank.label,
                value_type=blank.value_type,
            )
            for n, blank in enumerate(parsed.blanks, 1)
        )


def _check_template_fields(*, code: str, name: str, source: str, instance: ReportTemplate | None = None) -> None:
    if not name.strip():
        raise DomainError("请填写统计表名称。")
    clash = ReportTemplate.objects.filter(code=code)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise DomainError(f"代码“{code}”已被其他统计表使用，请换一个。")
    parse_source(source)  # raises with the lines that are wrong


@transaction.atomic
def template_create(
    *, organization: Organization, code: str, name: str, source: str, description: str = "", by: User
) -> ReportTemplate:
    """A committee defines a form of its own, seen and issued in its subtree."""
    require(by, ReportAction.MANAGE_TEMPLATES, organization)
    code = code.strip().lower()
    _check_template_fields(code=code, name=name, source=source)
    template = ReportTemplate(
        code=code,
        name=name.strip(),
        description=description.strip(),
        source=source.strip(),
        organization=organization,
        created_by=by,
    )
    stamp(template, by, "制定统计表")
    try:
        template.save()
    except IntegrityError:
        raise DomainError(f"代码“{code}”已被其他统计表使用，请换一个。") from None
    template_build_items(template)
    return template


@transaction.atomic
def template_update(
    *, template: ReportTemplate, name: str, source: str, description: str = "", by: User
) -> ReportTemplate:
    """Change a form not yet issued; a form that was issued is kept as it was (copy it to change it)."""
    template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_built_in or template.organization is None:
        raise DomainError("内置统计表不能修改，可以复制后再修改。")
    require(by, ReportAction.MANAGE_TEMPLATES, template.organization)
    if template.issues.exists():
        raise DomainError("这张统计表已经下发，不能再修改；如需调整，请复制一份新的统计表。")
    _check_template_fields(code=template.code, name=name, source=source, instance=template)
    template.name, template.source, template.description = name.strip(), source.strip(), description.strip()
    stamp(template, by)
    template.save()
    template_build_items(template)
    return template


@transaction.atomic
def report_issue(
    *,
    template: ReportTemplate,
    organization: Organization,
    period: str,
    due_on: datetime.date,
    note: str = "",
    by: User,
) -> ReportIssue:
    """Issue `template` for `period` to every active organization of `organization`'s subtree (itself included,
    for what it enters at its own level)."""
    require(by, ReportAction.ISSUE_REPORT, organization)
    if template.organization is not None and not organization.path.startswith(template.organization.path):
        raise DomainError("只能下发本级或上级制定的统计表。")
    label = parse_period(period).label
    if due_on < timezone.localdate():
        raise DomainError("报送截止日期不能早于今天。")
    if ReportIssue.objects.filter(template=template, organization=organization, period=label).exists():
        raise DomainError(f"“{template.name}”（{label}）已经下发过，不能重复下发。")
    issue = ReportIssue(
        template=template, organization=organization, period=label, due_on=due_on, note=note.strip(), issued_by=by
    )
    stamp(issue, by, "下发统计表")
    issue.save()
    orgs = Organization.objects.filter(path__startswith=organization.path, is_active=True).order_by("path")
    ReportSubmission.objects.bulk_create(
        (ReportSubmission(issue=issue, organization_id=pk) for pk in orgs.values_list("pk", flat=True).iterator()),
        batch_size=1000,
    )
    return issue


def _clean_value(blank: ReportBlank, raw) -> object:
    text = str(raw if raw is not None else "").strip()
    if text == "":
        return None
    if blank.value_type == ReportBlank.ValueType.TEXT:
        if len(text) > MAX_ENTERED_TEXT:
            raise DomainError(f"“{blank.label}”不能超过 {MAX_ENTERED_TEXT} 个字。")
        return text
    text = text.replace(",", "").replace("，", "")
    if blank.value_type == ReportBlank.ValueType.AMOUNT:
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"“{blank.label}”应填写金额（元），如 1200 或 1200.50。") from None
        if value < 0 or value >= MAX_ENTERED_NUMBER or value != value.quantize(Decimal("0.01")):
            raise DomainError(f"“{blank.label}”应为不小于 0、最多两位小数的金额。")
        return str(value.quantize(Decimal("0.01")))
    if not text.isdigit():
        raise DomainError(f"“{blank.label}”应填写不小于 0 的整数。")
    value = int(text)
    if value >= MAX_ENTERED_NUMBER:
        raise DomainError(f"“{blank.label}”的数字过大。")
    return value


def entered_blanks(template: ReportTemplate) -> list[ReportBlank]:
    return list(
        ReportBlank.objects.filter(item__template=template, source=ReportBlank.Source.ENTERED)
        .select_related("item")
        .order_by("item__position", "position")
    )


@transaction.atomic
def submission_save(*, submission: ReportSubmission, values: dict, by: User) -> ReportSubmission:
    """Keep what the organization entered at its own level (本级); every error names its blank."""
    submission = (
        ReportSubmission.objects.select_for_update()
        .select_related("issue__template", "organization")
        .get(pk=submission.pk)
    )
    require(by, ReportAction.FILL_REPORT, submission)
    if submission.status not in (ReportSubmission.Status.PENDING, ReportSubmission.Status.RETURNED):
        raise DomainError(f"统计表{submission.get_status_display()}，不能再修改。")
    entered, errors = {}, []
    for blank in entered_blanks(submission.issue.template):
        try:
            value = _clean_value(blank, values.get(blank.key))
        except DomainError as exc:
            errors.append(str(exc))
            continue
        if value is not None:
            entered[blank.key] = value
    if errors:
        raise DomainError("\n".join(errors))
    submission.entered = entered
    submission.updated_by, submission.updated_at = by, timezone.now()
    stamp(submission, by)
    submission.save()
    return submission


@transaction.atomic
def submission_submit(
    *, submission: ReportSubmission, by: User, today: datetime.date | None = None
) -> ReportSubmission:
    """Submit upward, keeping the computed values of the subtree as they stood at this moment."""
    from .selectors import filled_form

    submission = (
        ReportSubmission.objects.select_for_update()
        .select_related("issue__template", "organization")
        .get(pk=submission.pk)
    )
    form = filled_form(
        template=submission.issue.template,
        organization=submission.organization,
        period=submission.issue.period,
        issue=submission.issue,
        today=today,
    )
    submission.computed = {b.key: _jsonable(b.raw) for item in form.items for b in item.blanks if b.computed}
    take(submission, "submit", by)
    submission.save()
    return submission


def _jsonable(value):
    """Amounts are kept as text ("1700.50"), exactly as counted."""
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def submission_return(*, submission: ReportSubmission, comment: str, by: User) -> ReportSubmission:
    """Return a submitted form for correction, saying what to correct."""
    if not comment.strip():
        raise DomainError("退回时请写明需要修改的内容。")
    submission = ReportSubmission.objects.select_for_update().get(pk=submission.pk)
    submission.comment = comment.strip()
    take(submission, "send_back", by, comment=comment.strip())
    submission.save()
    return submission


@transaction.atomic
def submission_accept(*, submission: ReportSubmission, by: User, comment: str = "") -> ReportSubmission:
    submission = ReportSubmission.objects.select_for_update().get(pk=submission.pk)
    submission.comment = comment.strip()
    take(submission, "accept", by, comment=comment.strip())
    submission.save()
    return submission
