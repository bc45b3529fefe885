"""Pages of statistics forms: an organization's forms (to fill, issued, defined), filling one in, the progress
and roll-up of an issued form, defining a form, and the PDF/xlsx of any of them."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from evaluations.statistics import parse_period, period_containing
from organizations.audit import timeline
from organizations.errors import DomainError
from organizations.permissions import may, org_get_for_user_or_404, require
from organizations.selectors import ancestors_of, organization_from_request
from organizations.transitions import available

from . import selectors, services
from .exports import XLSX, report_pdf, report_xlsx
from .forms import IssueForm, ReturnForm, TemplateForm
from .indicators import catalogue
from .models import ReportIssue, ReportSubmission, ReportTemplate
from .permissions import ReportAction

STATUS_TABS = [("", "全部")] + list(ReportSubmission.Status.choices)


def _download(data: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


def _report_file(form, fmt: str) -> HttpResponse:
    """A filled form with its table by subordinate organization, as PDF (shown) or xlsx (downloaded)."""
    table = selectors.rollup_table(form)
    name = f"{form.organization.name}{form.period.display}{form.template.name}"
    if fmt == "pdf":
        return _download(report_pdf(form, table), f"{name}.pdf", "application/pdf", inline=True)
    return _download(report_xlsx(form, table), f"{name}.xlsx", XLSX)


def _submission_or_404(user, pk) -> ReportSubmission:
    submission = (
        ReportSubmission.objects.select_related("issue__template", "issue__organization", "organization", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if submission is None or not (
        may(user, ReportAction.FILL_REPORT, submission) or may(user, ReportAction.CHECK_REPORT, submission)
    ):
        raise Http404("没有找到这份统计表。")
    return submission


def _issue_or_404(user, pk) -> ReportIssue:
    issue = ReportIssue.objects.select_related("template", "organization", "issued_by").filter(pk=pk).first()
    if issue is None or not may(user, ReportAction.VIEW_REPORT, issue.organization):
        raise Http404("没有找到这次下发。")
    return issue


@login_required
def report_index(request, code):
    """统计报表 of an organization: the forms it has to fill, those it issued, the forms it may issue."""
    user = request.user
    org = org_get_for_user_or_404(user, code, ReportAction.VIEW_REPORT)
    to_fill = Paginator(selectors.submissions_of(org), 10).get_page(request.GET.get("page"))
    can_issue = may(user, ReportAction.ISSUE_REPORT, org)
    can_define = may(user, ReportAction.MANAGE_TEMPLATES, org)
    templates = selectors.templates_for(org)
    issued = list(ReportIssue.objects.filter(organization=org).select_related("template").order_by("-issued_at")[:20])
    progress = {i.pk: selectors.issue_progress(i) for i in issued}
    form = None
    if can_issue:
        default_period = period_containing(timezone.localdate(), "year").label
        form = IssueForm(
            templates=templates,
            initial={"period": default_period, "due_on": timezone.localdate() + timezone.timedelta(days=14)},
        )
    return render(
        request,
        "reporting/index.html",
        {
            "org": org,
            "ancestors": ancestors_of(org),
            "page": to_fill,
            "issued": [(i, progress[i.pk]) for i in issued],
            "templates": templates,
            "can_issue": can_issue,
            "can_define": can_define,
            "form": form,
        },
    )


@login_required
@require_POST
def report_issue(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, ReportAction.ISSUE_REPORT)
    form = IssueForm(request.POST, templates=selectors.templates_for(org))
    if form.is_valid():
        try:
            issue = services.report_issue(
                template=form.cleaned_data["template"],
                organization=org,
                period=form.cleaned_data["period"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                by=user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            count = issue.submissions.count()
            messages.success(request, f"已向本级和下级共 {count} 个党组织下发“{issue.template.name}”。")
            return redirect("reporting:issue", pk=issue.pk)
    return render(
        request,
        "reporting/issue_form.html",
        {"org": org, "ancestors": ancestors_of(org), "form": form},
        status=400,
    )


@login_required
def issue_detail(request, pk):
    """The progress of an issued form (who has submitted) and its roll-up over the issuer's subtree."""
    user = request.user
    issue = _issue_or_404(user, pk)
    status = request.GET.get("status", "")
    if status not in dict(STATUS_TABS):
        status = ""
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.issue_submissions(issue, status=status, q=q), 25).get_page(request.GET.get("page"))
    form = selectors.filled_form(
        template=issue.template, organization=issue.organization, period=issue.period, issue=issue
    )
    columns, rows = selectors.rollup_table(form)
    return render(
        request,
        "reporting/issue_detail.html",
        {
            "org": issue.organization,
            "ancestors": ancestors_of(issue.organization),
            "issue": issue,
            "progress": selectors.issue_progress(issue),
            "tabs": STATUS_TABS,
            "status": status,
            "q": q,
            "page": page,
            "qs": "&".join(f"{k}={quote(v)}" for k, v in (("status", status), ("q", q)) if v),
            "form": form,
            "columns": columns,
            "rows": rows,
            "can_check": may(user, ReportAction.ISSUE_REPORT, issue.organization),
        },
    )


@login_required
def issue_export(request, pk, fmt):
    issue = _issue_or_404(request.user, pk)
    form = selectors.filled_form(
        template=issue.template, organization=issue.organization, period=issue.period, issue=issue
    )
    return _report_file(form, fmt)


@login_required
def submission_detail(request, pk):
    """One organization's form: the sentences filled for its subtree, its own entries, submit; for the issuing
    committee, return or accept."""
    user = request.user
    submission = _submission_or_404(user, pk)
    issue = submission.issue
    form = selectors.filled_form(
        template=issue.template, organization=submission.organization, period=issue.period, issue=issue
    )
    errors, posted = [], None
    if request.method == "POST":
        posted = {key[2:]: value for key, value in request.POST.items() if key.startswith("b-")}
        try:
            services.submission_save(submission=submission, values=posted, by=user)
            if request.POST.get("then") == "submit":
                services.submission_submit(submission=submission, by=user)
                messages.success(request, "已上报，等待上级审核。")
            else:
                messages.success(request, "已保存。")
            return redirect("reporting:submission", pk=submission.pk)
        except DomainError as exc:
            errors = str(exc).splitlines()
    can_fill = may(user, ReportAction.FILL_REPORT, submission) and submission.status in (
        ReportSubmission.Status.PENDING,
        ReportSubmission.Status.RETURNED,
    )
    moves = available(submission, user)
    if posted is not None:  # keep what was typed, errors and all
        for item in form.items:
            for b in item.blanks:
                if not b.computed:
                    b.own = posted.get(b.key, "")
    return render(
        request,
        "reporting/submission.html",
        {
            "org": submission.organization,
            "ancestors": ancestors_of(submission.organization),
            "submission": submission,
            "issue": issue,
            "form": form,
            "errors": errors,
            "can_fill": can_fill,
            "can_check": "accept" in moves or "send_back" in moves,
            "return_form": ReturnForm(),
            "timeline": timeline(submission, user),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def submission_check(request, pk):
    user = request.user
    submission = _submission_or_404(user, pk)
    require(user, ReportAction.CHECK_REPORT, submission)
    try:
        if request.POST.get("decision") == "return":
            services.submission_return(submission=submission, comment=request.POST.get("comment", ""), by=user)
            messages.success(request, f"已退回{submission.organization.name}修改。")
        else:
            services.submission_accept(submission=submission, by=user, comment=request.POST.get("comment", ""))
            messages.success(request, f"{submission.organization.name}的统计表已审核通过。")
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("reporting:submission", pk=submission.pk)


@login_required
def submission_export(request, pk, fmt):
    submission = _submission_or_404(request.user, pk)
    issue = submission.issue
    form = selectors.filled_form(
        template=issue.template, organization=submission.organization, period=issue.period, issue=issue
    )
    return _report_file(form, fmt)


def _template_or_404(user, pk, org) -> ReportTemplate:
    template = selectors.templates_for(org).filter(pk=pk).first()
    if template is None:
        raise Http404("没有找到这张统计表。")
    return template


@login_required
def template_detail(request, pk):
    """A form filled live for the organization (?org=) and a period of one's choice, with its downloads; the
    entered blanks come from the form issued for that period, if any."""
    user = request.user
    org = organization_from_request(request, ReportAction.VIEW_REPORT, none_message="您无权查看统计表。")
    template = _template_or_404(user, pk, org)
    raw_period = request.GET.get("period") or period_containing(timezone.localdate(), "year").label
    try:
        period = parse_period(raw_period)
    except DomainError as exc:
        messages.error(request, str(exc))
        period = period_containing(timezone.localdate(), "year")
    issue = selectors.nearest_issue(template, org, period.label)
    form = selectors.filled_form(template=template, organization=org, period=period, issue=issue)
    fmt = request.GET.get("format")
    if fmt in ("pdf", "xlsx"):
        return _report_file(form, fmt)
    return render(
        request,
        "reporting/template_detail.html",
        {
            "org": org,
            "ancestors": ancestors_of(org),
            "template": template,
            "form": form,
            "period": period,
            "can_edit": not template.is_built_in
            and template.organization_id == org.pk
            and may(user, ReportAction.MANAGE_TEMPLATES, org)
            and not template.issues.exists(),
        },
    )


@login_required
def template_edit(request, code=None, pk=None):
    """Define a form (or change one not yet issued): the text, checked line by line, beside the indicators."""
    user = request.user
    if pk is None:
        org = org_get_for_user_or_404(user, code, ReportAction.MANAGE_TEMPLATES)
        template = None
    else:
        template = ReportTemplate.objects.select_related("organization").filter(pk=pk, is_built_in=False).first()
        if (
            template is None
            or template.organization is None
            or not may(user, ReportAction.VIEW_REPORT, template.organization)
        ):
            raise Http404("没有找到这张统计表。")
        org = template.organization
        require(user, ReportAction.MANAGE_TEMPLATES, org)
    copy_of = None
    if template is None and request.GET.get("copy"):
        copy_of = selectors.templates_for(org).filter(pk=request.GET["copy"]).first()
    if request.method == "POST":
        form = TemplateForm(request.POST, editing=template is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if template is None:
                    template = services.template_create(
                        organization=org,
                        code=data["code"],
                        name=data["name"],
                        description=data["description"],
                        source=data["source"],
                        by=user,
                    )
                    messages.success(request, f"已制定统计表“{template.name}”。")
                else:
                    services.template_update(
                        template=template,
                        name=data["name"],
                        description=data["description"],
                        source=data["source"],
                        by=user,
                    )
                    messages.success(request, "已保存修改。")
                return redirect(f"{reverse('reporting:template', args=[template.pk])}?org={org.code}")
            except DomainError as exc:
                for line in str(exc).splitlines():
                    form.add_error("source" if line.startswith("第") else None, line)
    elif template is not None:
        form = TemplateForm(
            initial={
                "code": template.code,
                "name": template.name,
                "description": template.description,
                "source": template.source,
            },
            editing=True,
        )
    elif copy_of is not None:
        form = TemplateForm(
            initial={"name": f"{copy_of.name}（副本）", "description": copy_of.description, "source": copy_of.source}
        )
    else:
        form = TemplateForm()
    groups: dict[str, list] = {}
    for info in catalogue():
        groups.setdefault(info.group, []).append(info)
    return render(
        request,
        "reporting/template_form.html",
        {
            "org": org,
            "ancestors": ancestors_of(org),
            "template": template,
            "form": form,
            "groups": groups,
        },
        status=400 if request.method == "POST" else 200,
    )
