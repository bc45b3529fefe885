"""Reads of statistics forms: a form filled for an organization's subtree, the roll-up by subordinate
organization, the progress of an issued form, the forms and submissions a user sees.

Entered values add up over the subtree: an organization's form shows what it entered at its own level plus what
the organizations below it have submitted (or had accepted); organizations that have not submitted yet are named.
Computed values are counted live over the whole subtree (reporting.indicators). Everything here reads in a fixed
number of queries, whatever the size of the subtree.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from evaluations.statistics import Period, parse_period
from organizations.models import Organization

from .indicators import compute_values
from .models import ReportBlank, ReportIssue, ReportSubmission, ReportTemplate

REPORTED = (ReportSubmission.Status.SUBMITTED, ReportSubmission.Status.ACCEPTED)
NAMES_LISTED = 30  # organizations named as not yet reported; the rest are counted
TEXTS_LISTED = 20
PLACEHOLDER_RE = re.compile(r"\{(\d+)\}")
UNREPORTED_MARK = "※"


@dataclass
class FilledBlank:
    key: str
    label: str
    value_type: str
    computed: bool
    indicator: str
    raw: object = None  # int, Decimal/str amount, float ratio, list of names, str
    own: object = None  # what the organization itself entered (entered blanks)
    partial: bool = False  # some organizations below have not reported: the value leaves them out

    @property
    def number(self) -> str:
        """The number of the item the blank belongs to."""
        return self.key.split("-")[0]

    @property
    def text(self) -> str:
        return format_blank(self.value_type, self.raw, computed=self.computed) + (
            UNREPORTED_MARK if self.partial else ""
        )


@dataclass
class FilledItem:
    number: int
    text: str
    blanks: list[FilledBlank]

    def segments(self) -> list:
        """The sentence cut into plain text and blanks, in order."""
        out, last = [], 0
        for match in PLACEHOLDER_RE.finditer(self.text):
            out.append(self.text[last : match.start()])
            out.append(self.blanks[int(match.group(1)) - 1])
            last = match.end()
        out.append(self.text[last:])
        return [s for s in out if s != ""]

    @property
    def sentence(self) -> str:
        return "".join(s if isinstance(s, str) else s.text for s in self.segments())


@dataclass
class FilledForm:
    template: ReportTemplate
    organization: Organization
    period: Period
    issue: ReportIssue | None
    items: list[FilledItem]
    submission: ReportSubmission | None = None
    not_reported: list[str] = field(default_factory=list)  # names, at most NAMES_LISTED
    not_reported_count: int = 0
    reported_count: int = 0
    expected_count: int = 0
    as_of: datetime.date | None = None

    @property
    def has_entered(self) -> bool:
        return any(not b.computed for item in self.items for b in item.blanks)

    @property
    def note(self) -> str:
        """What the reader must know about the entered figures."""
        if self.issue is None:
            return "本表未下发填报，需由各组织填报的空格标为“未报”。" if self.has_entered else ""
        if not self.has_entered or not self.not_reported_count:
            return ""
        names = "、".join(self.not_reported)
        more = f"等 {self.not_reported_count} 个组织" if self.not_reported_count > len(self.not_reported) else ""
        return f"{UNREPORTED_MARK} 尚未上报：{names}{more}。带{UNREPORTED_MARK}的填报数字不含其数据。"


def format_blank(value_type: str, raw, *, computed: bool = False) -> str:
    """A value as written into its blank: 未报 for an entered value nobody reported, — for a computed one that
    cannot be given (a ratio of nothing, or an indicator not broken down by subordinate organization)."""
    if raw is None or raw == "":
        return "—" if computed or value_type == ReportBlank.ValueType.PERCENT else "未报"
    if value_type == ReportBlank.ValueType.PERCENT:
        return f"{float(raw) * 100:.1f}%"
    if value_type == ReportBlank.ValueType.AMOUNT:
        value = Decimal(str(raw))
        return f"{value:.2f}".rstrip("0").rstrip(".") if value == value.to_integral() else f"{value:.2f}"
    if isinstance(raw, list):
        if not raw:
            return "无"
        shown = "、".join(str(x) for x in raw[:TEXTS_LISTED])
        return shown + (f"等{len(raw)}项" if len(raw) > TEXTS_LISTED else "")
    return str(raw)


def _add(acc, value, value_type):
    if value is None:
        return acc
    if value_type == ReportBlank.ValueType.TEXT:
        acc = acc or []
        if value not in acc:
            acc.append(value)
        return acc
    if value_type == ReportBlank.ValueType.AMOUNT:
        return (acc or Decimal("0")) + Decimal(str(value))
    return (acc or 0) + int(value)


def template_blanks(template: ReportTemplate):
    """The items of `template` with their blanks (two queries)."""
    return list(template.items.prefetch_related("blanks").order_by("position"))


def nearest_issue(template: ReportTemplate, organization: Organization, period: str) -> ReportIssue | None:
    """The issue of `template` for `period` covering `organization`: issued by it or the nearest above it."""
    paths = [
        organization.path[:i] for i in range(Organization.steplen, len(organization.path) + 1, Organization.steplen)
    ]
    return (
        ReportIssue.objects.filter(template=template, period=period, organization__path__in=paths)
        .select_related("organization")
        .order_by("-organization__depth")
        .first()
    )


def _submissions(issue: ReportIssue, organization: Organization):
    return (
        ReportSubmission.objects.filter(issue=issue, organization__path__startswith=organization.path)
        .order_by("organization__path")
        .values_list("pk", "organization_id", "organization__path", "organization__name", "status", "entered")
    )


def filled_form(
    *,
    template: ReportTemplate,
    organization: Organization,
    period: str | Period,
    issue: ReportIssue | None = None,
    children: list[Organization] | None = None,
    today: datetime.date | None = None,
) -> FilledForm:
    """`template` filled for `organization`'s subtree over `period`; with `issue`, entered values from the
    submissions of the subtree. With `children`, also fills `FilledForm.by_child` (see `rollup_table`)."""
    p = period if isinstance(period, Period) else parse_period(period)
    items = template_blanks(template)
    blanks = [b for item in items for b in item.blanks.all()]
    codes = {b.indicator for b in blanks if b.source == ReportBlank.Source.COMPUTED}
    values = compute_values(organization, p, codes, today=today)

    form = FilledForm(template, organization, p, issue, [], as_of=min(p.end, today or datetime.date.max))
    entered: dict[str, object] = {}
    if issue is not None:
        for pk, org_id, _path, name, status, values_entered in _submissions(issue, organization):
            own = org_id == organization.pk
            form.expected_count += 0 if own else 1
            if own:
                form.submission = ReportSubmission.objects.select_related("issue__template", "organization").get(pk=pk)
            if own or status in REPORTED:
                form.reported_count += 0 if own else 1
                for blank in blanks:
                    if blank.source == ReportBlank.Source.ENTERED:
                        entered[blank.key] = _add(
                            entered.get(blank.key), (values_entered or {}).get(blank.key), blank.value_type
                        )
            else:
                form.not_reported_count += 1
                if len(form.not_reported) < NAMES_LISTED:
                    form.not_reported.append(name)

    own_values = form.submission.entered if form.submission else {}
    for item in items:
        filled = []
        for blank in item.blanks.all():
            computed = blank.source == ReportBlank.Source.COMPUTED
            raw = values.total.get(blank.indicator) if computed else entered.get(blank.key)
            filled.append(
                FilledBlank(
                    key=blank.key,
                    label=blank.label,
                    value_type=blank.value_type,
                    computed=computed,
                    indicator=blank.indicator,
                    raw=raw,
                    own=None if computed else own_values.get(blank.key),
                    partial=not computed and form.not_reported_count > 0,
                )
            )
        form.items.append(FilledItem(item.position, item.text, filled))
    return form


@dataclass
class RollupRow:
    organization: Organization
    values: dict[str, str]  # blank key → text
    reported: int  # organizations of the child's subtree that reported (or the child alone)
    expected: int


def rollup_table(form: FilledForm, *, today: datetime.date | None = None) -> tuple[list[FilledBlank], list[RollupRow]]:
    """One row per direct subordinate organization of the form's organization, one column per blank (text
    blanks and the subordinate's own entered words are listed, numbers summed): four to six more queries."""
    org = form.organization
    children = list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, is_active=True).order_by("path")
    )
    columns = [b for item in form.items for b in item.blanks]
    codes = {b.indicator for b in columns if b.computed}
    values = compute_values(org, form.period, codes, children=children, today=today)
    entered: dict[int, dict[str, object]] = {c.pk: {} for c in children}
    counts = {c.pk: [0, 0] for c in children}
    by_prefix = {c.path: c for c in children}
    size = len(org.path) + Organization.steplen
    if form.issue is not None:
        for _pk, _org_id, path, _name, status, values_entered in _submissions(form.issue, org):
            child = by_prefix.get(path[:size])
            if child is None:
                continue
            counts[child.pk][1] += 1
            if status in REPORTED:
                counts[child.pk][0] += 1
                for b in columns:
                    if not b.computed:
                        entered[child.pk][b.key] = _add(
                            entered[child.pk].get(b.key), (values_entered or {}).get(b.key), b.value_type
                        )
    rows = []
    for child in children:
        texts = {}
        for b in columns:
            raw = values.by_child[child.pk].get(b.indicator) if b.computed else entered[child.pk].get(b.key)
            texts[b.key] = format_blank(b.value_type, raw, computed=b.computed)
        reported, expected = counts[child.pk]
        rows.append(RollupRow(child, texts, reported, expected))
    return columns, rows


def issue_progress(issue: ReportIssue) -> dict[str, int]:
    """How many submissions are in each state (one query)."""
    counts = dict(ReportSubmission.objects.filter(issue=issue).order_by().values_list("status").annotate(n=Count("id")))
    result = {s.value: counts.get(s.value, 0) for s in ReportSubmission.Status}
    result["total"] = sum(counts.values())
    return result


def issue_submissions(issue: ReportIssue, *, status: str = "", q: str = ""):
    qs = ReportSubmission.objects.filter(issue=issue).select_related("organization", "updated_by")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__code__icontains=q))
    return qs.order_by("organization__path")


def templates_for(organization: Organization):
    """Built-in forms and those defined by `organization` or the committees above it."""
    paths = [
        organization.path[:i] for i in range(Organization.steplen, len(organization.path) + 1, Organization.steplen)
    ]
    return ReportTemplate.objects.filter(Q(organization__isnull=True) | Q(organization__path__in=paths)).order_by(
        "-is_built_in", "name", "id"
    )


def submissions_of(organization: Organization):
    """The forms `organization` has to fill, newest issue first."""
    return (
        ReportSubmission.objects.filter(organization=organization)
        .select_related("issue__template", "issue__organization", "organization")
        .order_by("-issue__issued_at", "organization__path")
    )
