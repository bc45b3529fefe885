"""一诺一评: the reviewer's list of the campaign's pledges with the proposed grade and its reasoning, and the
confirmation of the final grade."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commitments.models import Campaign, Pledge
from commitments.permissions import PledgeAction
from commitments.selectors import _candidates, _reviewable
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import grants_of, may
from organizations.redirects import redirect_back

from .. import selectors
from ..services import grading as services

PAGE_SIZE = 30


def _campaigns_for(user):
    """Campaigns covering an organization the user holds a reviewing role in (or all, for a superuser)."""
    if user.is_superuser:
        return Campaign.objects.all().select_related("organization")
    paths: set[str] = set()
    below = Q(pk__in=[])
    for g in grants_of(user):
        step = Organization.steplen
        paths |= {g.path[: step * i] for i in range(1, len(g.path) // step + 1)}
        below |= Q(organization__path__startswith=g.path)
    return Campaign.objects.filter(Q(organization__path__in=paths) | below).select_related("organization")


@login_required
def grade_index(request):
    user = request.user
    campaigns = list(_campaigns_for(user).order_by("-year", "-id"))
    if not campaigns:
        return render(request, "evaluations/grade_index.html", {"campaign": None, "campaigns": []})
    wanted = request.GET.get("campaign")
    campaign = next((c for c in campaigns if str(c.pk) == wanted), campaigns[0])
    pledges = _reviewable(
        user,
        _candidates(user, services.GRADABLE)
        .filter(campaign=campaign)
        .order_by("final_grade", "organization__path", "member__name", "id"),
    )
    page = Paginator(pledges, PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = selectors.proposals_for(page.object_list)
    for p in page.object_list:
        p.proposal = proposals[p.pk]
    graded = sum(1 for p in pledges if p.final_grade)
    return render(
        request,
        "evaluations/grade_index.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "page": page,
            "qs": f"campaign={campaign.pk}",
            "open": selectors.grading_open(campaign),
            "grades": selectors.FINAL_GRADES,
            "total": len(pledges),
            "graded": graded,
        },
    )


@login_required
@require_POST
def grade_confirm(request, pk):
    pledge = Pledge.objects.select_related("campaign", "organization", "member", "pledger_organization").filter(pk=pk)
    pledge = pledge.first()
    if pledge is None or not may(request.user, PledgeAction.VIEW_PLEDGE, pledge):
        raise Http404("没有找到这份承诺书。")
    grade = request.POST.get("grade", "")
    try:
        pledge = services.pledge_grade_confirm(pledge=pledge, by=request.user, grade=grade)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已将{pledge.pledger_name}的承诺评为“{pledge.final_grade}”。")
    return redirect_back(request, reverse("evaluations:grade_index") + f"?campaign={pledge.campaign_id}")
