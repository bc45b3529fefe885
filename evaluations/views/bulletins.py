"""Pages of the quarterly 践诺情况通报: the list with a draft-from-data form, the text, editing, publishing
and the printable PDF."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from organizations.audit import timeline
from organizations.errors import DomainError
from organizations.permissions import OrgAction, may, org_get_for_user_or_404
from organizations.selectors import ancestors_of
from organizations.transitions import available

from .. import selectors
from ..bulletin_pdf import body_blocks, is_section_heading
from ..bulletin_pdf import bulletin_pdf as render_pdf
from ..forms import BulletinForm, DraftForm
from ..models import Bulletin
from ..permissions import EvaluationAction
from ..services import bulletins as services


def _bulletin_or_404(user, pk, *, manage: bool = False) -> Bulletin:
    bulletin = Bulletin.objects.select_related("organization", "created_by").filter(pk=pk).first()
    if bulletin is None:
        raise Http404("没有找到这份通报。")
    org = bulletin.organization
    if may(user, EvaluationAction.MANAGE_BULLETIN, org):
        return bulletin
    if manage:
        if may(user, OrgAction.VIEW_ORG, org):
            raise PermissionDenied("您无权编辑该党组织的通报。")
        raise Http404("没有找到这份通报。")
    if bulletin.status == Bulletin.Status.PUBLISHED and may(user, OrgAction.VIEW_ORG, org):
        return bulletin
    raise Http404("没有找到这份通报。")


@login_required
def bulletin_index(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "view_org")
    can_manage = may(user, EvaluationAction.MANAGE_BULLETIN, org)
    qs = selectors.bulletins_of(org)
    if not can_manage:
        qs = qs.filter(status=Bulletin.Status.PUBLISHED)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    year, quarter = selectors.default_quarter()
    return render(
        request,
        "evaluations/bulletin_index.html",
        {
            "org": org,
            "ancestors": ancestors_of(org),
            "page": page,
            "qs": "",
            "can_manage": can_manage,
            "form": DraftForm(initial={"year": year, "quarter": quarter}) if can_manage else None,
        },
    )


@login_required
@require_POST
def bulletin_draft(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "manage_bulletin")
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择年度和季度。")
        return redirect("evaluations:bulletin_index", code=org.code)
    try:
        bulletin = services.bulletin_draft(organization=org, by=user, **form.cleaned_data)
    except DomainError as e:
        messages.error(request, str(e))
        return redirect("evaluations:bulletin_index", code=org.code)
    messages.success(request, "已根据数据起草通报，请核对、修改后发布。")
    return redirect("evaluations:bulletin_edit", pk=bulletin.pk)


@login_required
def bulletin_detail(request, pk):
    bulletin = _bulletin_or_404(request.user, pk)
    org = bulletin.organization
    return render(
        request,
        "evaluations/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "org": org,
            "ancestors": ancestors_of(org),
            "can_manage": may(request.user, EvaluationAction.MANAGE_BULLETIN, org),
            "can_publish": "publish" in available(bulletin, request.user),
            "paragraphs": [(p, is_section_heading(p)) for p in body_blocks(bulletin.body)],
            "timeline": timeline(bulletin, request.user),
        },
    )


@login_required
def bulletin_edit(request, pk):
    bulletin = _bulletin_or_404(request.user, pk, manage=True)
    if bulletin.status != Bulletin.Status.DRAFT:
        messages.error(request, "通报已经发布，不能再修改。")
        return redirect("evaluations:bulletin_detail", pk=bulletin.pk)
    form = BulletinForm(request.POST or None, initial={"title": bulletin.title, "body": bulletin.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_update(bulletin=bulletin, by=request.user, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "通报已保存。")
            return redirect("evaluations:bulletin_detail", pk=bulletin.pk)
    org = bulletin.organization
    return render(
        request,
        "evaluations/bulletin_edit.html",
        {"bulletin": bulletin, "form": form, "org": org, "ancestors": ancestors_of(org)},
    )


@login_required
@require_POST
def bulletin_redraft(request, pk):
    bulletin = _bulletin_or_404(request.user, pk, manage=True)
    try:
        services.bulletin_draft(
            organization=bulletin.organization,
            year=bulletin.year,
            quarter=bulletin.quarter,
            by=request.user,
            replace=True,
        )
    except DomainError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "已按最新数据重新起草，原来的修改已被替换。")
    return redirect("evaluations:bulletin_edit", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_publish(request, pk):
    bulletin = _bulletin_or_404(request.user, pk, manage=True)
    try:
        services.bulletin_publish(bulletin=bulletin, by=request.user)
    except DomainError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "通报已发布到公开栏。")
    return redirect("evaluations:bulletin_detail", pk=bulletin.pk)


def bulletin_pdf(request, pk):
    """A published 通报 is public like the board it hangs on; a draft only for those who edit it."""
    bulletin = Bulletin.objects.select_related("organization").filter(pk=pk).first()
    if bulletin is None:
        raise Http404("没有找到这份通报。")
    if bulletin.status != Bulletin.Status.PUBLISHED and not may(
        request.user, EvaluationAction.MANAGE_BULLETIN, bulletin.organization
    ):
        raise Http404("没有找到这份通报。")
    response = HttpResponse(render_pdf(bulletin), content_type="application/pdf")
    filename = f"{bulletin.title}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response
