"""Pages of 日常记实: the member writes his own monthly record; the secretary sees who is missing and comments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commitments.models import first_of_month
from commitments.permissions import PledgeAction
from organizations.errors import DomainError
from organizations.permissions import may, org_get_for_user_or_404, own_member
from organizations.redirects import redirect_back
from organizations.selectors import ancestors_of

from .. import selectors
from ..forms import CommentForm, MonthlyRecordForm
from ..models import MonthlyRecord
from ..permissions import EvaluationAction
from ..services import records as services

MISSING_SHOWN = 200


@login_required
def record_mine(request):
    member = own_member(request.user)
    if member is None:
        return render(request, "evaluations/record_mine.html", {"member": None})
    months = selectors.recent_months()
    chosen = selectors.parse_month(request.POST.get("month") or request.GET.get("month")) or months[0]
    existing = MonthlyRecord.objects.filter(member=member, month=first_of_month(chosen)).first()
    initial = {"month": f"{chosen:%Y-%m}"}
    if existing is not None:
        initial |= {"text": existing.text, "is_published": existing.is_published}
    form = MonthlyRecordForm(request.POST or None, initial=initial, months=months)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.monthly_record_save(
                member=member,
                by=request.user,
                month=selectors.parse_month(data["month"]),
                text=data["text"],
                is_published=data["is_published"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已保存{selectors.month_label(record.month)}的记实。")
            return redirect("evaluations:record_mine")
    page = Paginator(selectors.records_of(member), 12).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluations/record_mine.html",
        {
            "member": member,
            "form": form,
            "existing": existing,
            "chosen": chosen,
            "page": page,
            "qs": "",
        },
    )


@login_required
def record_org(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "view_ledger")
    this_month = first_of_month(timezone.localdate())
    month = selectors.parse_month(request.GET.get("month")) or this_month
    if month > this_month:
        month = this_month
    due, done = selectors.record_counts(org=org, month=month)
    missing = list(selectors.missing_records(org=org, month=month)[:MISSING_SHOWN])
    page = Paginator(selectors.records_in(org=org, month=month), 30).get_page(request.GET.get("page"))
    for r in page.object_list:
        r.may_comment = may(user, EvaluationAction.COMMENT_MONTHLY_RECORD, r.member)
    return render(
        request,
        "evaluations/record_org.html",
        {
            "org": org,
            "ancestors": ancestors_of(org),
            "month": month,
            "months": selectors.recent_months(count=12),
            "due": due,
            "done": done,
            "missing": missing,
            "missing_more": max(due - done - len(missing), 0),
            "missing_without_account": any(m.user_id is None for m in missing),
            "page": page,
            "qs": f"month={month:%Y-%m}",
        },
    )


@login_required
@require_POST
def record_comment(request, pk):
    record = get_object_or_404(MonthlyRecord.objects.select_related("member__organization"), pk=pk)
    if not may(request.user, PledgeAction.VIEW_LEDGER, record.member.organization):
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.monthly_record_comment(record=record, by=request.user, comment=form.cleaned_data["comment"])
        except (DomainError, PermissionDenied) as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"已点评{record.member.name}{selectors.month_label(record.month)}的记实。")
    else:
        messages.error(request, "请填写点评内容（不超过 500 字）。")
    return redirect_back(request, reverse("evaluations:record_org", args=[record.member.organization.code]))
