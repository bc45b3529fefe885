"""Pages of 组织评选: the honour roll, nominations waiting for the superior's decision, one's own nominations,
and the nomination form with candidates proposed from the data."""

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

from commitments.models import Campaign
from organizations.audit import timelines
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import OrgAction, may, org_get_for_user_or_404
from organizations.redirects import redirect_back
from organizations.selectors import ancestors_of, default_organization
from organizations.transitions import available

from .. import selectors
from ..forms import NominationForm
from ..models import Award
from ..permissions import EvaluationAction
from ..selectors import campaign_of_year
from ..services import awards as services

TABS = {"roll": "光荣榜", "pending": "待审批", "mine": "推荐记录"}


def _scope_org(request) -> Organization | None:
    code = request.GET.get("org")
    if code:
        return org_get_for_user_or_404(request.user, code, OrgAction.VIEW_ORG)
    return default_organization(request.user, own_branch=True)


@login_required
def award_index(request):
    user = request.user
    org = _scope_org(request)
    if org is None:
        raise PermissionDenied("您的账号没有关联党组织。")
    can_decide = selectors.may_decide_any(user)
    can_nominate = may(user, EvaluationAction.NOMINATE_AWARD, org)
    tab = request.GET.get("tab", "roll")
    if tab == "pending" and can_decide:
        qs = selectors.awards_to_decide(user)
    elif tab == "mine" and can_nominate:
        qs = selectors.nominations_by(org)
    else:
        tab = "roll"
        qs = selectors.honour_roll(org)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    if tab != "roll":  # the honour roll shows the awards, the other tabs how each was handled
        histories = timelines(page.object_list, user)
        for award in page.object_list:
            award.transitions = available(award, user)
            award.timeline = histories.get(award.pk, [])
    tabs = [(key, label) for key, label in TABS.items() if key == "roll" or (key == "pending" and can_decide)]
    if can_nominate:
        tabs.append(("mine", TABS["mine"]))
    return render(
        request,
        "evaluations/award_index.html",
        {
            "org": org,
            "tab": tab,
            "tabs": tabs,
            "page": page,
            "qs": f"tab={tab}&org={org.code}",
            "can_nominate": can_nominate,
            "pending_count": selectors.awards_to_decide(user).count() if can_decide else 0,
        },
    )


@login_required
def award_nominate(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "nominate_award")
    today = timezone.localdate()
    raw_year = request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() else today.year
    campaign = campaign_of_year(org, year) or (
        Campaign.objects.filter(organization__path__in=org.ancestor_paths()).order_by("-year", "-id").first()
    )
    initial = {"year": year, "occasion": "七一", "kind": request.GET.get("kind") or Award.Kind.STAR_MEMBER}
    for key in ("member", "organization", "citation"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = NominationForm(request.POST or None, initial=initial, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        is_member_kind = data["kind"] in services.MEMBER_KINDS
        try:
            award = services.award_nominate(
                kind=data["kind"],
                year=data["year"],
                occasion=data["occasion"],
                member=data["member"] if is_member_kind else None,
                organization=None if is_member_kind else data["organization"],
                nominating_organization=org,
                citation=data["citation"],
                by=user,
            )
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已推荐{award}，等待上级党委审批。")
            return redirect(reverse("evaluations:award_index") + f"?tab=mine&org={org.code}")
    candidates = selectors.award_candidates(org=org, campaign=campaign, year=year) if campaign else None
    return render(
        request,
        "evaluations/award_nominate.html",
        {
            "org": org,
            "ancestors": ancestors_of(org),
            "form": form,
            "campaign": campaign,
            "candidates": candidates,
            "year": year,
            "member_kinds": sorted(services.MEMBER_KINDS),
        },
    )


@login_required
@require_POST
def award_decide(request, pk):
    award = get_object_or_404(Award.objects.select_related("nominated_by_organization"), pk=pk)
    if not may(request.user, OrgAction.VIEW_ORG, award.nominated_by_organization):
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        award = services.award_decide(
            award=award, by=request.user, approve=approve, comment=request.POST.get("comment", "")
        )
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"{award}：{award.get_status_display()}。")
    return redirect_back(request, reverse("evaluations:award_index") + "?tab=pending")
