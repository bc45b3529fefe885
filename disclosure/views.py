"""Public boards (no login) with public supervision, and for staff: the supervision inbox, printing and jobs."""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commitments.models import Campaign, Pledge
from commitments.permissions import PledgeAction
from commitments.selectors import campaign_coverage
from organizations.errors import DomainError
from organizations.models import FormerCode, Organization
from organizations.permissions import OrgAction, grants_of, may, org_get_for_user_or_404
from organizations.selectors import organization_from_request

from . import jobs, selectors, services
from .forms import AnswerForm, SupervisionForm, SupervisionLogForm, TrackForm
from .models import Job, SupervisionReport
from .permissions import DisclosureAction
from .qr import board_url, qr_svg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client_address(request) -> str:
    from organizations.requests import client_ip

    return client_ip(request)  # the visitor's address, also behind nginx (the same as django-axes uses)


class _Moved(Exception):
    """The code is a former one: answer with a permanent redirect to the same page under the current code."""

    def __init__(self, org: Organization):
        self.org = org


class _Closed(Exception):
    """The organization was deactivated (perhaps merged into another): answer with a notice, not a 404."""

    def __init__(self, org: Organization):
        self.org = org


def _public_org(code: str) -> Organization:
    """The active organization with this code; raises _Moved for a former code and _Closed for an inactive one.

    Boards and QR codes printed on paper carry the code they were printed with, so no code that ever had a
    board may stop answering.
    """
    org = Organization.objects.filter(code=code).first()
    if org is None:
        former = FormerCode.objects.filter(code=code).select_related("organization").first()
        if former is None:
            raise Http404("没有找到这个党组织的公开栏。")
        raise _Moved(former.organization)
    if not org.is_active:
        raise _Closed(org)
    return org


def public_board(view):
    """Serve `view(request, code)` for current codes; redirect former codes; explain closed boards."""

    @functools.wraps(view)
    def wrapper(request, code, *args, **kwargs):
        try:
            return view(request, code, *args, **kwargs)
        except _Moved as moved:
            target = reverse(request.resolver_match.view_name, args=[moved.org.code])
            if request.META.get("QUERY_STRING"):
                target += "?" + request.META["QUERY_STRING"]
            return HttpResponsePermanentRedirect(target)
        except _Closed as closed:
            return _closed_board(request, closed.org)

    return wrapper


def _closed_board(request, org: Organization):
    successor, seen = org.merged_into, {org.pk}
    while successor is not None and not successor.is_active and successor.pk not in seen:
        seen.add(successor.pk)
        successor = successor.merged_into
    parent = next(
        (
            a
            for a in reversed(list(Organization.objects.filter(path__in=org.ancestor_paths()[:-1]).order_by("depth")))
            if a.is_active
        ),
        None,
    )
    context = {
        "org": org,
        "successor": successor if successor is not None and successor.is_active else None,
        "parent": parent,
        "published": Pledge.objects.filter(
            Q(organization=org) | Q(pledger_organization=org), status__in=("published", "completed")
        ).count(),
    }
    return render(request, "disclosure/board_closed.html", context)


def _board_items(org_pledge, member_pledges):
    pledges = ([org_pledge] if org_pledge else []) + list(member_pledges)
    return [item for p in pledges for item in p.items.all()]


@public_board
def board(request, code):
    org = _public_org(code)
    campaign_id = request.GET.get("campaign")
    campaign = selectors.public_campaign(org, int(campaign_id) if campaign_id and campaign_id.isdigit() else None)
    org_pledge = selectors.organization_pledge(org, campaign) if campaign else None
    member_pledges = selectors.member_pledges(org, campaign) if campaign else []
    items = _board_items(org_pledge, member_pledges)
    form = SupervisionForm(items=items)
    shown_pledges = selectors.board_member_pledges(org, campaign) if campaign else []
    setting = selectors.board_setting(org)
    show_results = setting.results_shown(campaign)
    if show_results:
        # 一诺一评 (篇六): each member's appraisal result next to his pledge's grade.
        appraisals = selectors.member_appraisals(campaign, {p.member_id for p in shown_pledges})
        for pledge in shown_pledges:
            pledge.appraisal = appraisals.get((pledge.member_id, pledge.organization_id))
    answered = (
        SupervisionReport.objects.filter(organization=org, answered_at__isnull=False)
        .select_related("item__pledge__member", "item__pledge__pledger_organization")
        .order_by("-answered_at")[:20]
    )
    children = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, is_active=True).order_by(
        "path"
    )
    parent = Organization.objects.get_parent(org)
    url = board_url(org)
    context = {
        "org": org,
        "campaign": campaign,
        "campaigns": selectors.campaigns_of(org),
        "org_pledge": org_pledge,
        "member_pledges": shown_pledges,
        "members_shown": len({p.member_id for p in shown_pledges}),
        "show_results": show_results,
        "results_later": campaign is not None and setting.show_results == setting.Results.AUTO and not show_results,
        "coverage": campaign_coverage(campaign, org) if campaign else None,
        "answered": answered,
        "form": form,
        "children": children,
        "parent": parent if parent and parent.is_active else None,
        "board_url": url,
        "qr": qr_svg(url),
        "results": selectors.evaluation_results(org),
    }
    return render(request, "disclosure/board.html", context)


@require_http_methods(["GET", "POST"])
@public_board
def supervise(request, code):
    """我要监督: the form on a page of its own (an address to hand out), and where the form of the board posts."""
    org = _public_org(code)
    campaign = selectors.public_campaign(org)
    org_pledge = selectors.organization_pledge(org, campaign) if campaign else None
    member_pledges = selectors.member_pledges(org, campaign) if campaign else []
    items = _board_items(org_pledge, member_pledges)
    if request.method == "GET":
        return render(request, "disclosure/supervise_form.html", {"org": org, "form": SupervisionForm(items=items)})
    form = SupervisionForm(request.POST, items=items)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("website"):
            # The hidden field was filled in: a bot. Answer as if accepted, keep nothing.
            return render(request, "disclosure/thanks.html", {"org": org, "report": None})
        item = next((i for i in items if i.pk == data.get("item")), None)
        try:
            report = services.supervision_submit(
                organization=org,
                text=data["text"],
                address=_client_address(request),
                kind=data["kind"],
                item=item,
                name=data["name"],
                phone=data["phone"],
            )
        except services.RateLimited as e:
            return render(request, "disclosure/thanks.html", {"org": org, "error": str(e)}, status=429)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            return render(request, "disclosure/thanks.html", {"org": org, "report": report})
    return render(request, "disclosure/supervise_form.html", {"org": org, "form": form}, status=400)


def track(request):
    form = TrackForm(request.GET or None)
    report = None
    if form.is_valid():
        report = (
            SupervisionReport.objects.filter(tracking_number=form.cleaned_data["number"].strip().upper())
            .select_related("organization", "item__pledge__member", "item__pledge__pledger_organization")
            .first()
        )
        if report is None:
            form.add_error("number", "没有找到这个查询编号，请核对后再试。")
    return render(request, "disclosure/track.html", {"form": form, "report": report})


def board_search(request):
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        results = Organization.objects.filter(is_active=True).filter(Q(name__contains=query) | Q(code__iexact=query))
        page = Paginator(results.order_by("path"), 30).get_page(request.GET.get("page"))
    roots = Organization.objects.filter(depth=1, is_active=True).order_by("path")
    return render(
        request, "disclosure/search.html", {"query": query, "page": page, "roots": roots, "qs": f"q={quote(query)}"}
    )


@public_board
def board_qr(request, code):
    from .qr import qr_png

    org = _public_org(code)
    return HttpResponse(qr_png(board_url(org)), content_type="image/png")


# --- staff: the supervision inbox ------------------------------------------------------------------------


@login_required
def supervision_inbox(request, code):
    org = org_get_for_user_or_404(request.user, code, "view_ledger")
    can_answer = may(request.user, PledgeAction.MANAGE_OPINIONS, org)
    if request.method == "POST":
        report = get_object_or_404(
            SupervisionReport, pk=request.POST.get("report"), organization__path__startswith=org.path
        )
        action = request.POST.get("action")
        if action in ("release", "discard"):
            try:
                if action == "release":
                    services.supervision_release(report=report, by=request.user)
                    messages.success(request, f"已确认 {report.tracking_number} 为有效留言，请在期限内答复。")
                else:
                    services.supervision_discard(report=report, by=request.user)
                    messages.success(request, f"已将 {report.tracking_number} 作为无效信息作废。")
            except (DomainError, PermissionDenied) as e:
                messages.error(request, str(e))
            return redirect(f"{reverse('disclosure:inbox', args=[org.code])}?status=held")
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.supervision_answer(report=report, by=request.user, answer=form.cleaned_data["answer"])
            except (DomainError, PermissionDenied) as e:
                messages.error(request, str(e))
            else:
                messages.success(request, f"已答复 {report.tracking_number}，问答已在公开栏公布。")
        else:
            messages.error(request, "请填写答复内容。")
        return redirect("disclosure:inbox", code=org.code)
    status = request.GET.get("status", "open")
    qs = SupervisionReport.objects.filter(organization__path__startswith=org.path).select_related(
        "organization", "item__pledge__member", "item__pledge__pledger_organization", "answered_by", "logged_by"
    )
    pending = qs.filter(answered_at__isnull=True, discarded_at__isnull=True)
    if status == "open":
        qs = pending.filter(held_at__isnull=True).order_by("due_on", "id")
    elif status == "overdue":
        qs = pending.filter(held_at__isnull=True, due_on__lt=timezone.localdate()).order_by("due_on", "id")
    elif status == "held":
        qs = pending.filter(held_at__isnull=False).order_by("held_at", "id")
    else:
        qs = qs.order_by("-submitted_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/inbox.html",
        {
            "org": org,
            "page": page,
            "status": status,
            "can_answer": can_answer,
            "qs": f"status={status}",
            "held_count": pending.filter(held_at__isnull=False).count(),
            "can_log": may(request.user, DisclosureAction.LOG_SUPERVISION, org),
        },
    )


@login_required
def supervision_log(request, code):
    """登记线下意见: the clerk logs a complaint received by phone, 意见箱, letter or SMS into the inbox."""
    org = org_get_for_user_or_404(request.user, code, "view_ledger")
    if not may(request.user, DisclosureAction.LOG_SUPERVISION, org):
        raise PermissionDenied("您无权为该党组织登记群众意见。")
    receipt = request.GET.get("receipt", "")
    if request.method == "GET" and receipt.isdigit():
        # After logging: the receipt with the tracking number for the complainant, printable, no personal data.
        report = get_object_or_404(
            SupervisionReport.objects.select_related("organization"),
            pk=receipt,
            organization__path__startswith=org.path,
        )
        track_url = settings.PUBLIC_BASE_URL + reverse("disclosure:track")
        return render(
            request, "disclosure/supervision_receipt.html", {"org": org, "report": report, "track_url": track_url}
        )
    campaign = selectors.public_campaign(org)
    org_pledge = selectors.organization_pledge(org, campaign) if campaign else None
    items = _board_items(org_pledge, selectors.member_pledges(org, campaign) if campaign else [])
    form = SupervisionLogForm(request.POST or None, items=items, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.supervision_log(
                organization=org,
                by=request.user,
                channel=data["channel"],
                received_on=data["received_on"],
                text=data["text"],
                kind=data["kind"],
                item=next((i for i in items if i.pk == data.get("item")), None),
                name=data["name"],
                phone=data["phone"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已登记，查询编号 {report.tracking_number}。请把编号告诉反映人。")
            return redirect(f"{reverse('disclosure:log', args=[org.code])}?receipt={report.pk}")
    return render(request, "disclosure/supervision_log.html", {"org": org, "form": form})


# --- staff: printing, ledgers and jobs -------------------------------------------------------------------


def _staff_org(request):
    return organization_from_request(request, PledgeAction.VIEW_LEDGER, none_message="您没有可打印的党组织。")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def print_center(request):
    org = _staff_org(request)
    campaign = selectors.public_campaign(org)
    my_jobs = Job.objects.filter(started_by=request.user).select_related("organization").order_by("-created_at")[:10]
    return render(
        request,
        "disclosure/print_center.html",
        {
            "org": org,
            "campaign": campaign,
            "jobs": my_jobs,
            "kinds": Job.Kind.choices,
            "can_manage_board": may(request.user, OrgAction.MANAGE_ORG, org),
            "orgs": [
                o for o in Organization.objects.filter(pk__in=[g.organization_id for g in grants_of(request.user)])
            ],
        },
    )


@login_required
def board_setting(request, code):
    """公开栏设置: the campaign kept on the board after it ends, and whether 评诺 results are public (篇六)."""
    org = org_get_for_user_or_404(request.user, code, "manage_org")
    campaigns = selectors.campaigns_of(org)
    setting = selectors.board_setting(org)
    if request.method == "POST":
        raw = request.POST.get("campaign", "")
        campaign = Campaign.objects.filter(pk=raw).first() if raw.isdigit() else None
        try:
            services.board_setting_update(
                organization=org, by=request.user, campaign=campaign, show_results=request.POST.get("show_results")
            )
        except (DomainError, PermissionDenied) as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "已保存公开栏的展示设置。")
            return redirect("disclosure:board_setting", code=org.code)
    current = selectors.public_campaign(org)
    return render(
        request,
        "disclosure/board_setting.html",
        {
            "org": org,
            "campaigns": campaigns,
            "setting": setting,
            "choices": setting.Results.choices,
            "current": current,
            "shown_now": setting.results_shown(current),
        },
    )


@login_required
def register_pdf(request, form):
    from . import pdf

    if form not in (3, 4):
        raise Http404
    org = _staff_org(request)
    campaign = selectors.public_campaign(org)
    if campaign is None:
        raise Http404("还没有承诺批次。")
    if form == 3:
        return _pdf_response(pdf.organization_register_pdf(org, campaign), f"附件3_{org.name}党组织承诺登记公示表.pdf")
    return _pdf_response(pdf.member_register_pdf(org, campaign), f"附件4_{org.name}党员承诺事项登记公示表.pdf")


@login_required
def window_cards_pdf(request):
    """篇五 三亮: the 窗口 cards of a window unit's party members, a page each, to post at the service window."""
    from . import pdf

    org = _staff_org(request)
    if not org.is_window_unit:
        raise Http404("只有窗口单位打印窗口服务承诺卡。")
    campaign = selectors.public_campaign(org)
    if campaign is None:
        raise Http404("还没有承诺批次。")
    return _pdf_response(pdf.window_cards_pdf(org, campaign), f"{org.name}党员窗口服务承诺卡.pdf")


@login_required
def pledge_pdf(request, pk):
    from . import pdf

    pledge = get_object_or_404(
        Pledge.objects.select_related("campaign", "organization", "member", "pledger_organization"), pk=pk
    )
    if not may(request.user, PledgeAction.VIEW_PLEDGE, pledge):
        raise Http404
    if pledge.status not in jobs.PRINTABLE and pledge.status != Pledge.Status.SUPERSEDED:
        messages.error(request, "承诺书签约后才能打印。")
        return redirect(pledge)
    kind = "附件1_党员承诺书" if pledge.member_id else "附件2_党组织承诺书"
    return _pdf_response(pdf.pledge_pdf(pledge), f"{kind}_{pledge.pledger_name}.pdf")


@login_required
def ledger_xlsx(request):
    from io import BytesIO

    from .excel import ledger_size, write_ledger

    org = _staff_org(request)
    campaign = selectors.public_campaign(org)
    if campaign is None:
        raise Http404("还没有承诺批次。")
    if ledger_size(org=org, campaign=campaign) > LEDGER_DIRECT_LIMIT:
        job = jobs.job_start(kind=Job.Kind.LEDGER, organization=org, campaign=campaign, by=request.user)
        messages.info(request, "台帐较大，已转为后台生成，完成后可在此下载。")
        return redirect("disclosure:job", pk=job.pk)
    buffer = BytesIO()
    write_ledger(buffer, org=org, campaign=campaign)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"{org.name}承诺台帐{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


LEDGER_DIRECT_LIMIT = 3000


@login_required
@require_POST
def job_start(request):
    org = _staff_org(request)
    campaign = selectors.public_campaign(org)
    if campaign is None:
        messages.error(request, "还没有承诺批次，无法打印。")
        return redirect(f"{reverse('disclosure:print')}?org={org.code}")
    try:
        job = jobs.job_start(kind=request.POST.get("kind", ""), organization=org, campaign=campaign, by=request.user)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
        return redirect(f"{reverse('disclosure:print')}?org={org.code}")
    return redirect("disclosure:job", pk=job.pk)


def _own_job(request, pk) -> Job:
    job = get_object_or_404(Job.objects.select_related("organization", "campaign"), pk=pk)
    if not may(request.user, DisclosureAction.VIEW_JOB, job):
        raise Http404
    return job


@login_required
def job_detail(request, pk):
    job = _own_job(request, pk)
    template = "disclosure/_job_progress.html" if request.htmx else "disclosure/job.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_retry(request, pk):
    job = _own_job(request, pk)
    try:
        jobs.job_retry(job=job, by=request.user)
    except DomainError as e:
        messages.error(request, str(e))
    return redirect("disclosure:job", pk=job.pk)


@login_required
def job_download(request, pk):
    job = _own_job(request, pk)
    if job.state != Job.State.DONE or not job.result:
        raise Http404("结果文件不存在或已过期。")
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
