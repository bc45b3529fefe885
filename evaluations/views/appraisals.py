"""Pages of 群众评议 and 整改: sessions and rectifications for committees and branches, and the public ballot.

Staff pages find their object through the permission module and call one service each; domain refusals become
Chinese messages. The ballot pages need no login: a valid one-time code is the only key, and they show only
what the public board shows.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commitments import selectors as board
from commitments.models import Pledge
from commitments.permissions import PledgeAction
from commitments.services import campaign_for
from organizations.audit import timeline
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import Role, below_grants_q, may, orgs_for
from organizations.selectors import organization_from_request
from organizations.transitions import available

from .. import selectors
from ..forms import (
    AppraisalForm,
    AttendanceForm,
    BallotForm,
    CodesForm,
    PaperTallyForm,
    RectificationDecisionForm,
    RectificationDoneForm,
    RectificationReportForm,
    ReportForm,
)
from ..models import Appraisal, BallotCode, PaperTally, Rectification, participant_minimum
from ..permissions import EvaluationAction
from ..selectors import BallotRefused, appraisal_title, satisfaction_text
from ..services import appraisals as services

PAGE_SIZE = 30


# --- helpers ----------------------------------------------------------------------------------------------


def _fail(request, error) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, "；".join(error.messages))
    else:
        messages.error(request, str(error))


def _add_errors(form: forms.Form, error) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error))


def _scope_org(request, action: str = "view_ledger") -> Organization:
    """The organization whose subtree a list shows: ?org=CODE, else the user's first grant."""
    return organization_from_request(request, action)


def _scope_choices(user, org: Organization):
    """Organizations offered in the scope filter: the upper levels the user sees, plus the current one."""
    return orgs_for(user, PledgeAction.VIEW_LEDGER).filter(is_active=True).exclude(
        level=Organization.Level.BRANCH
    ).order_by("path") | Organization.objects.filter(pk=org.pk)


def appraisable_orgs(user):
    """Organizations on which `user` may hold an appraisal: those strictly below a committee grant."""
    q = below_grants_q(user, Role.COMMITTEE, "")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q, is_active=True).order_by("path")


def _appraisal_or_404(user, pk) -> Appraisal:
    appraisal = (
        Appraisal.objects.select_related("organization", "campaign", "rectification", "created_by")
        .filter(pk=pk)
        .first()
    )
    if appraisal is None or not may(user, PledgeAction.VIEW_LEDGER, appraisal.organization):
        raise Http404("没有找到该群众评议。")
    return appraisal


def _rectification_or_404(user, pk) -> Rectification:
    rectification = (
        Rectification.objects.select_related(
            "organization", "member", "appraisal", "leader_review", "pledge", "approved_by"
        )
        .filter(pk=pk)
        .first()
    )
    if rectification is None or not may(user, PledgeAction.VIEW_LEDGER, rectification.organization):
        raise Http404("没有找到该整改。")
    return rectification


def _published_member_pledges(org: Organization, campaign) -> list[Pledge]:
    return board.member_pledges(org, campaign) if campaign else []


def _questions(org: Organization, campaign, asked: set[int]) -> list[Pledge]:
    """The session's members asked about one by one, among the pledges the board shows (as the ballot page
    lists them), without their items."""
    if not campaign or not asked:
        return []
    return list(
        Pledge.objects.filter(
            pk__in=asked,
            campaign=campaign,
            organization=org,
            member__isnull=False,
            is_current=True,
            status__in=board.PUBLIC_STATUSES,
        )
        .select_related("member")
        .order_by("member__name", "member_id")
    )


# --- sessions ---------------------------------------------------------------------------------------------


@login_required
def appraisal_index(request):
    user = request.user
    org = _scope_org(request)
    filters = {k: request.GET.get(k, "").strip() for k in ("year", "half", "status", "result", "q")}
    qs = selectors.appraisals_in(org=org, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    status_labels = dict(Rectification.Status.choices)
    for a in page.object_list:
        a.title = appraisal_title(a)
        a.participants = a.valid_ballots if a.status == Appraisal.Status.CLOSED else a.code_ballots + a.paper_valid
        a.satisfaction_text = satisfaction_text(a.satisfaction)
        a.opened_rectification_label = status_labels.get(a.opened_rectification_status, "")
    query = {k: v for k, v in filters.items() if v} | {"org": org.code}
    years = selectors.appraisal_years(org)
    return render(
        request,
        "evaluations/appraisal_list.html",
        {
            "org": org,
            "page": page,
            "filters": filters,
            "qs": urlencode(query),
            "orgs": _scope_choices(user, org),
            "years": years,
            "statuses": Appraisal.Status.choices,
            "can_open": appraisable_orgs(user).filter(path__startswith=org.path).exists(),
        },
    )


@login_required
def appraisal_open(request):
    user = request.user
    rectification = None
    raw_rect = request.GET.get("rectification") or request.POST.get("rectification")
    if raw_rect:
        rectification = _rectification_or_404(user, int(raw_rect) if raw_rect.isdigit() else 0)
        org = rectification.organization
        if not may(user, EvaluationAction.MANAGE_APPRAISAL, org):
            raise PermissionDenied("只有上级党委可以组织群众评议。")
        if rectification.status != Rectification.Status.DONE:
            messages.error(request, "整改完成后才能组织再次评议。")
            return redirect("evaluations:rectification_detail", pk=rectification.pk)
    else:
        choices = appraisable_orgs(user)
        code = request.GET.get("org") or request.POST.get("org")
        org = choices.filter(code=code).first() if code else None
        if org is None:
            if code:
                messages.error(request, "只能为所属的下级党组织组织群众评议。")
            options = list(choices[:2000])
            if not options:
                raise PermissionDenied("只有上级党委可以组织群众评议。")
            return render(request, "evaluations/appraisal_pick.html", {"options": options})
    campaign = campaign_for(org)
    day = selectors.day_in_campaign(campaign or selectors.latest_campaign_of(org))
    minimum = participant_minimum(org)
    pledges = _published_member_pledges(org, campaign)
    window = org.is_window_unit and rectification is None and request.GET.get("kind") == Appraisal.Kind.WINDOW
    initial = {
        "kind": Appraisal.Kind.WINDOW if window else Appraisal.Kind.HALF_YEARLY,
        "year": day.year,
        "half": 1 if day.month <= 6 else 2,
        "held_on": day,
        "planned_superior_leaders": 0,
        "planned_own_leaders": 0,
        "planned_deputies": 0,
        "planned_cadres": 0,
        "planned_masses": 0 if window else minimum,
        "planned_service_users": minimum if window else 0,
    }
    if rectification is not None:
        initial["report_text"] = ""
    form = AppraisalForm(
        request.POST or None,
        initial=initial,
        member_pledges=pledges,
        window_unit=org.is_window_unit and rectification is None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            appraisal = services.appraisal_open(organization=org, by=user, rectification=rectification, **data)
        except (ValidationError, DomainError, PermissionDenied) as e:
            _add_errors(form, e)
        else:
            messages.success(request, f"已开始{org.name}{appraisal_title(appraisal)}。请生成票码并打印票码条。")
            return redirect("evaluations:appraisal_detail", pk=appraisal.pk)
    return render(
        request,
        "evaluations/appraisal_form.html",
        {
            "org": org,
            "form": form,
            "campaign": campaign,
            "minimum": minimum,
            "rectification": rectification,
            "weights": selectors.weights_text(selectors.campaign_weights(campaign)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def appraisal_detail(request, pk):
    user = request.user
    appraisal = _appraisal_or_404(user, pk)
    org = appraisal.organization
    can_manage = may(user, EvaluationAction.MANAGE_APPRAISAL, org)
    tally = selectors.appraisal_tally(appraisal, with_reasons=True)
    opened = Rectification.objects.filter(appraisal=appraisal).first()
    suggested = max(tally.minimum - tally.codes_total, 10) if tally.codes_total < tally.minimum else 10
    is_open = appraisal.status == Appraisal.Status.OPEN
    weights = appraisal.weights_used or selectors.campaign_weights(appraisal.campaign)
    attendance_form = report_form = None
    if can_manage and is_open:
        attendance_form = AttendanceForm(
            initial={f"attended_{n}": getattr(appraisal, f"attended_{n}") for n, _ in Appraisal.GROUPS}
        )
        report_form = ReportForm(initial={"report_text": appraisal.report_text})
    return render(
        request,
        "evaluations/appraisal_detail.html",
        {
            "appraisal": appraisal,
            "org": org,
            "title": appraisal_title(appraisal),
            "tally": tally,
            "groups": appraisal.participant_rows(),
            "attendance_form": attendance_form,
            "report_form": report_form,
            "weights": selectors.weights_text(weights),
            "threshold": satisfaction_text(appraisal.unsatisfied_threshold),
            "reasons": appraisal.rectification_reasons(),
            "can_manage": can_manage,
            "is_open": is_open,
            "codes_form": CodesForm(initial={"count": min(suggested, services.MAX_CODES_PER_BATCH)}),
            "opened_rectification": opened,
            "satisfaction": satisfaction_text(appraisal.satisfaction),
            "board_url": reverse("disclosure:board", args=[org.code]),
            "can_close": "close" in available(appraisal, user),
            "timeline": timeline(appraisal, user),
        },
    )


@login_required
@require_POST
def appraisal_codes(request, pk):
    appraisal = _appraisal_or_404(request.user, pk)
    form = CodesForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["count"][0])
    else:
        try:
            codes = services.appraisal_generate_codes(
                appraisal=appraisal, by=request.user, count=form.cleaned_data["count"]
            )
        except (DomainError, PermissionDenied) as e:
            _fail(request, e)
        else:
            messages.success(request, f"已生成 {len(codes)} 个票码，请下载票码条打印后裁开，每位参加评议的人一张。")
    return redirect("evaluations:appraisal_detail", pk=appraisal.pk)


@login_required
@require_POST
def appraisal_attendance(request, pk):
    """实到人数 by group (篇六), recorded by the organizer while the session is open."""
    appraisal = _appraisal_or_404(request.user, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            services.appraisal_record_attendance(appraisal=appraisal, by=request.user, **form.cleaned_data)
        except (DomainError, PermissionDenied) as e:
            _fail(request, e)
        else:
            messages.success(request, "已登记各方面实到人数。")
    return redirect(reverse("evaluations:appraisal_detail", args=[appraisal.pk]) + "#participant-groups")


@login_required
@require_POST
def appraisal_report(request, pk):
    """The secretary's 述诺 report, put on record by the organizer (篇六)."""
    appraisal = _appraisal_or_404(request.user, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            services.appraisal_record_report(
                appraisal=appraisal, by=request.user, report_text=form.cleaned_data["report_text"]
            )
        except (DomainError, PermissionDenied) as e:
            _fail(request, e)
        else:
            messages.success(request, "已保存书记报告。")
    return redirect(reverse("evaluations:appraisal_detail", args=[appraisal.pk]) + "#report")


@login_required
def appraisal_missing(request):
    """For a superior: its organizations without an appraisal in a half-year (篇六 “各级党组织每半年要召开一次
    群众评议会议”), newest half-year by default."""
    user = request.user
    org = _scope_org(request)
    today = timezone.localdate()
    year_text, half_text = request.GET.get("year", "").strip(), request.GET.get("half", "").strip()
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else today.year
    half = int(half_text) if half_text in ("1", "2") else (1 if today.month <= 6 else 2)
    qs = selectors.organizations_without_appraisal(org=org, year=year, half=half)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    manageable = set(
        appraisable_orgs(user).filter(pk__in=[o.pk for o in page.object_list]).values_list("pk", flat=True)
    )
    for o in page.object_list:
        o.may_open = o.pk in manageable
        o.minimum = participant_minimum(o)
    return render(
        request,
        "evaluations/appraisal_missing.html",
        {
            "org": org,
            "page": page,
            "year": year,
            "half": half,
            "years": range(today.year, today.year - 4, -1),
            "orgs": _scope_choices(user, org),
            "qs": urlencode({"org": org.code, "year": year, "half": half}),
        },
    )


@login_required
def appraisal_slips(request, pk):
    from ..slips import slips_pdf

    appraisal = _appraisal_or_404(request.user, pk)
    if not may(request.user, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization):
        raise PermissionDenied("只有组织评议的上级党委可以打印票码。")
    codes = list(
        BallotCode.objects.filter(appraisal=appraisal, used_at__isnull=True)
        .order_by("id")
        .values_list("code", flat=True)
    )
    if appraisal.status != Appraisal.Status.OPEN or not codes:
        messages.error(
            request, "没有可打印的未使用票码。" if appraisal.status == Appraisal.Status.OPEN else "评议已结束。"
        )
        return redirect("evaluations:appraisal_detail", pk=appraisal.pk)
    content = slips_pdf(appraisal, codes)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{appraisal.organization.name}{appraisal_title(appraisal)}票码.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def appraisal_tally(request, pk):
    user = request.user
    appraisal = _appraisal_or_404(user, pk)
    if not may(user, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization):
        raise PermissionDenied("只有组织评议的上级党委可以录入纸质测评表。")
    questions = list(appraisal.member_questions.select_related("member").order_by("member__name", "pk"))
    form = PaperTallyForm(request.POST or None, questions=questions, initial={"invalid_forms": 0})
    if request.method == "POST":
        if appraisal.status != Appraisal.Status.OPEN:
            messages.error(request, "该群众评议已经结束，不能再录入纸质测评表。")
            return redirect("evaluations:appraisal_detail", pk=appraisal.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            question = data.pop("question")
            pledge = next((p for p in questions if str(p.pk) == question), None)
            try:
                services.paper_tally_enter(appraisal=appraisal, by=user, pledge=pledge, **data)
            except (DomainError, PermissionDenied) as e:
                _add_errors(form, e)
            else:
                who = f"党员{pledge.member.name}的逐人测评" if pledge else "总体评价"
                messages.success(request, f"已保存{who}的纸质测评表汇总。")
                return redirect("evaluations:appraisal_tally", pk=appraisal.pk)
    tallies = list(
        PaperTally.objects.filter(appraisal=appraisal).select_related("pledge__member", "entered_by").order_by("pk")
    )
    return render(
        request,
        "evaluations/appraisal_tally.html",
        {
            "appraisal": appraisal,
            "title": appraisal_title(appraisal),
            "form": form,
            "tallies": tallies,
            "is_open": appraisal.status == Appraisal.Status.OPEN,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def appraisal_close(request, pk):
    appraisal = _appraisal_or_404(request.user, pk)
    try:
        appraisal = services.appraisal_close(appraisal=appraisal, by=request.user)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    else:
        text = satisfaction_text(appraisal.satisfaction)
        if appraisal.passed:
            messages.success(request, f"评议已结束，满意度 {text}，达到90%。结果已在公开栏公布。")
        else:
            messages.warning(
                request,
                f"评议已结束，{'；'.join(appraisal.rectification_reasons())}。结果已在公开栏公布，"
                + ("整改转回“整改中”，请督促继续整改。" if appraisal.rectification_id else "已自动启动整改。"),
            )
    return redirect("evaluations:appraisal_detail", pk=appraisal.pk)


# --- rectifications ---------------------------------------------------------------------------------------


@login_required
def rectification_index(request):
    user = request.user
    org = _scope_org(request)
    filters = {k: request.GET.get(k, "").strip() for k in ("status", "source", "overdue", "q")}
    counts = selectors.rectification_counts(org)
    today = timezone.localdate()
    qs = selectors.rectifications_in(org=org, filters=filters, today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for r in page.object_list:
        r.is_overdue = bool(r.deadline and r.deadline < today and r.status in selectors.UNFINISHED)
        r.appraisal_text = satisfaction_text(r.appraisal.satisfaction) if r.appraisal_id else ""
    query = {k: v for k, v in filters.items() if v} | {"org": org.code}
    return render(
        request,
        "evaluations/rectification_list.html",
        {
            "org": org,
            "page": page,
            "filters": filters,
            "qs": urlencode(query),
            "orgs": _scope_choices(user, org),
            "statuses": Rectification.Status.choices,
            "sources": Rectification.Source.choices,
            "counts": counts,
        },
    )


def _rectification_context(user, rectification: Rectification, **overrides) -> dict:
    org = rectification.organization
    status = rectification.status
    moves = available(rectification, user)
    can_approve = may(user, EvaluationAction.APPROVE_RECTIFICATION, org)
    follow_ups = list(rectification.follow_up_appraisals.order_by("held_on", "id"))
    for a in follow_ups:
        a.title = appraisal_title(a)
        a.satisfaction_text = satisfaction_text(a.satisfaction)
    report_form = None
    if "submit" in moves:
        report_form = RectificationReportForm(
            initial={
                "problems": rectification.problems,
                "targets": rectification.targets,
                "measures": rectification.measures,
                "deadline": rectification.deadline,
            }
        )
    decision_form = None
    if moves & {"approve", "return_for_changes"}:
        decision_form = RectificationDecisionForm()
    done_form = None
    if "mark_done" in moves:
        done_form = RectificationDoneForm()
    today = timezone.localdate()
    source = rectification.appraisal
    context = {
        "r": rectification,
        "org": org,
        "report_form": report_form,
        "decision_form": decision_form,
        "done_form": done_form,
        "can_reappraise": can_approve
        and status == Rectification.Status.DONE
        and not any(a.status == Appraisal.Status.OPEN for a in follow_ups),
        "follow_ups": follow_ups,
        "source_text": satisfaction_text(source.satisfaction) if source else "",
        "source_title": appraisal_title(source) if source else "",
        "is_overdue": bool(
            rectification.deadline and rectification.deadline < today and status in selectors.UNFINISHED
        ),
        "timeline": timeline(rectification, user),
    }
    context.update(overrides)
    return context


@login_required
def rectification_detail(request, pk):
    rectification = _rectification_or_404(request.user, pk)
    return render(request, "evaluations/rectification_detail.html", _rectification_context(request.user, rectification))


def _detail_with_errors(request, rectification: Rectification, **failed_form):
    """The detail page again, with the form that failed showing its errors and the input kept."""
    context = _rectification_context(request.user, rectification, **failed_form)
    return render(request, "evaluations/rectification_detail.html", context, status=400)


@login_required
@require_POST
def rectification_submit(request, pk):
    user = request.user
    rectification = _rectification_or_404(user, pk)
    form = RectificationReportForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_submit(rectification=rectification, by=user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except (ValidationError, DomainError) as e:
            _add_errors(form, e)
        else:
            messages.success(request, "整改报告已报送上级党组织审批。")
            return redirect("evaluations:rectification_detail", pk=pk)
    if not may(user, EvaluationAction.FILE_RECTIFICATION, rectification.organization):
        raise PermissionDenied("只有本组织的书记或党务干事可以报送整改报告。")
    return _detail_with_errors(request, rectification, report_form=form)


@login_required
@require_POST
def rectification_decide(request, pk):
    user = request.user
    rectification = _rectification_or_404(user, pk)
    form = RectificationDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.rectification_approve(rectification=rectification, by=user, comment=data["comment"])
            else:
                services.rectification_return(rectification=rectification, by=user, comment=data["comment"])
        except PermissionDenied:
            raise
        except DomainError as e:
            _add_errors(form, e)
        else:
            messages.success(
                request, "已同意整改方案，请督促按期整改。" if data["decision"] == "approve" else "已退回修改。"
            )
            return redirect("evaluations:rectification_detail", pk=pk)
    if not may(user, EvaluationAction.APPROVE_RECTIFICATION, rectification.organization):
        raise PermissionDenied("只有上级党委可以审批整改报告。")
    return _detail_with_errors(request, rectification, decision_form=form)


@login_required
@require_POST
def rectification_done(request, pk):
    user = request.user
    rectification = _rectification_or_404(user, pk)
    form = RectificationDoneForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_mark_done(rectification=rectification, by=user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except DomainError as e:
            _add_errors(form, e)
        else:
            messages.success(request, "已报告整改完成，等待上级党组织组织再次评议。")
            return redirect("evaluations:rectification_detail", pk=pk)
    if not may(user, EvaluationAction.FILE_RECTIFICATION, rectification.organization):
        raise PermissionDenied("只有本组织的书记或党务干事可以报告整改完成。")
    return _detail_with_errors(request, rectification, done_form=form)


# --- the public ballot ------------------------------------------------------------------------------------


def _refused(request, error: BallotRefused, *, status: int | None = None):
    appraisal = error.appraisal
    if status is None:
        status = 404 if error.reason == BallotRefused.UNKNOWN else 200
    return render(
        request,
        "evaluations/ballot_refused.html",
        {"error": error, "appraisal": appraisal, "org": appraisal.organization if appraisal else None},
        status=status,
    )


@never_cache
def ballot_entry(request):
    """/pj/: type in the code from the slip (also /pj/?code=…)."""
    raw = request.GET.get("code")
    error = ""
    if raw is not None:
        code = selectors.normalize_code(raw)
        if len(code) == 16:
            return redirect("evaluations:ballot_vote", code=code)
        error = "票码由 16 位字母和数字组成，请核对票码条后重新输入。" if raw.strip() else "请输入票码。"
    return render(
        request, "evaluations/ballot_entry.html", {"error": error, "value": raw or ""}, status=400 if error else 200
    )


@never_cache
def ballot_vote(request, code):
    """/pj/<code>/: the organization's published pledges and the questions; one vote per code."""
    normalized = selectors.normalize_code(code)
    if normalized != code and len(normalized) == 16:
        return redirect("evaluations:ballot_vote", code=normalized)
    try:
        found = selectors.ballot_code_lookup(code)
    except BallotRefused as e:
        return _refused(request, e)
    appraisal = found.appraisal
    org = appraisal.organization
    campaign = appraisal.campaign
    asked = set(appraisal.member_questions.values_list("pk", flat=True))
    form = None
    if request.method == "POST":
        # A vote needs only the questions; the board's pledges and items are read again only to show the
        # form once more when the vote could not be taken.
        form = BallotForm(request.POST, questions=_questions(org, campaign, asked))
        if form.is_valid():
            try:
                services.ballot_cast(code=code, choices=form.choices())
            except BallotRefused as e:
                return _refused(request, e, status=409)
            except DomainError as e:
                form.add_error(None, str(e))
            else:
                return redirect("evaluations:ballot_thanks", code=found.code)
    org_pledge = board.organization_pledge(org, campaign) if campaign else None
    member_pledges = _published_member_pledges(org, campaign)
    if form is None:
        form = BallotForm(questions=[p for p in member_pledges if p.pk in asked])
    members = [(p, form[f"pledge_{p.pk}"] if p.pk in asked else None) for p in member_pledges]
    return render(
        request,
        "evaluations/ballot_vote.html",
        {
            "appraisal": appraisal,
            "title": appraisal_title(appraisal),
            "org": org,
            "campaign": campaign,
            "org_pledge": org_pledge,
            "members": members,
            "has_questions": bool(form.questions),
            "form": form,
            "code": found.code,
            "code_text": selectors.format_code(found.code),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def ballot_thanks(request, code):
    found = (
        BallotCode.objects.select_related("appraisal__organization").filter(code=selectors.normalize_code(code)).first()
    )
    if found is None:
        return _refused(request, BallotRefused(BallotRefused.UNKNOWN))
    if found.used_at is None:
        return redirect("evaluations:ballot_vote", code=found.code)
    appraisal = found.appraisal
    return render(
        request,
        "evaluations/ballot_thanks.html",
        {"appraisal": appraisal, "org": appraisal.organization, "title": appraisal_title(appraisal)},
    )
