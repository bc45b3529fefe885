"""Pages of 联系点: a leader's own contact points (add, give up, record a visit); the contact leaders of an
organization are shown on its 领导点评 page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from organizations.errors import DomainError

from .. import selectors
from ..forms import ContactPointForm, ContactVisitForm
from ..models import ContactPoint
from ..permissions import is_leader
from ..services import contact_points as services


def _require_leader(user) -> None:
    if not is_leader(user):
        raise PermissionDenied("只有处级以上（县级）领导干部或上级党委成员可以登记联系点。")


@login_required
def contact_point_mine(request):
    user = request.user
    _require_leader(user)
    today = timezone.localdate()
    form = ContactPointForm(request.POST or None, initial={"since": today})
    if request.method == "POST" and form.is_valid():
        try:
            point = services.contact_point_add(by=user, **form.cleaned_data)
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已将“{point.organization.name}”登记为您的联系点。")
            return redirect("evaluations:contact_points")
    points = list(selectors.contact_points_of(user))
    return render(
        request,
        "evaluations/contact_points.html",
        {"form": form, "points": points, "visit_form": ContactVisitForm(initial={"visited_on": today})},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def contact_point_remove(request, pk):
    point = get_object_or_404(ContactPoint.objects.select_related("organization"), pk=pk, leader=request.user)
    try:
        services.contact_point_remove(by=request.user, contact_point=point)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已取消联系点“{point.organization.name}”。")
    return redirect("evaluations:contact_points")


@login_required
@require_POST
def contact_visit_add(request, pk):
    point = get_object_or_404(ContactPoint.objects.select_related("organization"), pk=pk, leader=request.user)
    form = ContactVisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            services.contact_visit_add(by=request.user, contact_point=point, **form.cleaned_data)
        except (DomainError, PermissionDenied) as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"已登记对“{point.organization.name}”的走访。")
    return redirect("evaluations:contact_points")
