"""Pages of 领导点评: the secretary's branch page (members and this quarter's coverage), a committee's page
(roll-up over subordinate organizations), the review form, the history, and the member's own reviews."""

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

from commitments.models import quarter_of
from commitments.services import campaign_for
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import (
    OrgAction,
    may,
    member_get_for_user_or_404,
    org_get_for_user_or_404,
    own_member,
)
from organizations.redirects import redirect_back
from organizations.selectors import ancestors_of, default_organization

from .. import selectors
from ..forms import LeaderReviewForm
from ..models import LeaderReview
from ..permissions import EvaluationAction, is_leader
from ..services import reviews as services

PAGE_SIZE = 50
Kind = LeaderReview.Kind


def _quarter_from(request) -> tuple[int, int]:
    value = (request.GET.get("period") or "").strip().upper()
    try:
        selectors.period_start(Kind.QUARTERLY, value)
    except DomainError:
        return quarter_of(timezone.localdate())
    return int(value[:4]), int(value[-1])


def _recent_quarters(count: int = 6) -> list[tuple[str, str]]:
    year, quarter = quarter_of(timezone.localdate())
    out = []
    for _ in range(count):
        period = selectors.quarter_period(year, quarter)
        out.append((period, selectors.period_label(period)))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return out


def _labelled(reviews):
    """Reviews with the Chinese name of their period (2025Q3 → 2025年第三季度) for the cards."""
    for r in reviews:
        r.period_label = selectors.period_label(r.period)
    return reviews


def _first_org(user) -> Organization | None:
    return default_organization(user)


@login_required
def review_index(request):
    """Where 领导点评 starts for this person: his organization's page, or his own reviews."""
    org = _first_org(request.user)
    if org is not None:
        return redirect("evaluations:review_org", code=org.code)
    return redirect("evaluations:review_mine")


@login_required
def review_org(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "view_ledger")
    year, quarter = _quarter_from(request)
    coverage = selectors.review_coverage(org=org, year=year, quarter=quarter)
    context = {
        "org": org,
        "ancestors": ancestors_of(org),
        "coverage": coverage,
        "quarters": _recent_quarters(),
        "may_review_org": may(user, EvaluationAction.REVIEW_ORGANIZATION, org),
        "own_reviews": _labelled(list(selectors.reviews_of(organization=org)[:5])),
        "contact_leaders": list(selectors.contact_leaders_of(org)),
        "may_keep_contact_points": is_leader(user),
    }
    if coverage.is_rollup:
        for child in coverage.children:
            child.may_review = may(user, EvaluationAction.REVIEW_ORGANIZATION, child)
    else:
        rows = selectors.branch_review_members(org=org, period=coverage.period)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for m in page.object_list:
            m.organization = org
            m.may_review = may(user, EvaluationAction.REVIEW_MEMBER, m)
        context |= {"page": page, "qs": f"period={coverage.period}"}
    return render(request, "evaluations/review_org.html", context)


def _form_page(request, *, member=None, organization=None):
    user = request.user
    subject_org = member.organization if member is not None else organization
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.QUARTERLY
    campaign = campaign_for(subject_org)
    # The period offered is that of a day inside the campaign (issue 13 §8): today while it runs, else its last day.
    day = selectors.day_in_campaign(campaign or selectors.latest_campaign_of(subject_org))
    initial = {"kind": kind, "period": request.GET.get("period") or selectors.current_period(kind, day)}
    form = LeaderReviewForm(request.POST or None, initial=initial, member=member is not None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.leader_review_create(
                by=user, member=member, organization=organization, **form.service_kwargs()
            )
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            name = member.name if member is not None else organization.name
            messages.success(
                request, f"已点评{name}（{selectors.period_label(review.period)}{review.get_kind_display()}）。"
            )
            back = subject_org if member is not None else Organization.objects.get_parent(organization) or organization
            target = reverse("evaluations:review_org", args=[back.code])
            if review.kind == Kind.QUARTERLY:
                target += f"?period={review.period}"
            return redirect(target)
    subject = member if member is not None else organization
    recent = selectors.reviews_of(member=member, organization=organization)[:5]
    progress = (
        selectors.pledge_progress(campaign=campaign, member=member, organization=organization) if campaign else None
    )
    return render(
        request,
        "evaluations/review_form.html",
        {
            "form": form,
            "subject": subject,
            "member": member,
            "organization": organization,
            "org": subject_org,
            "ancestors": ancestors_of(subject_org),
            "recent": _labelled(list(recent)),
            "campaign": campaign,
            "progress": progress,
            "current_periods": {k: selectors.current_period(k, day) for k in Kind.values},
        },
    )


@login_required
def review_member_new(request, pk):
    member = member_get_for_user_or_404(request.user, pk, "review_member")
    return _form_page(request, member=member)


@login_required
def review_org_new(request, code):
    user = request.user
    organization = Organization.objects.filter(code=code).first()
    if organization is None or not may(user, OrgAction.VIEW_ORG, organization):
        raise Http404("没有找到该党组织。")
    if not may(user, EvaluationAction.REVIEW_ORGANIZATION, organization):
        raise PermissionDenied("只有上级党委可以点评党组织。")
    return _form_page(request, organization=organization)


@login_required
def review_history(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "view_ledger")
    page = Paginator(selectors.reviews_in(org), 30).get_page(request.GET.get("page"))
    for r in _labelled(page.object_list):
        r.may_publish = may(user, EvaluationAction.PUBLISH_REVIEW, r)
    return render(
        request,
        "evaluations/review_history.html",
        {"org": org, "ancestors": ancestors_of(org), "page": page, "qs": ""},
    )


@login_required
@require_POST
def review_publish(request, pk):
    review = get_object_or_404(LeaderReview.objects.select_related("member__organization", "organization"), pk=pk)
    subject_org = review.member.organization if review.member_id else review.organization
    if not may(request.user, OrgAction.VIEW_ORG, subject_org):
        raise Http404
    publish = request.POST.get("publish") == "1"
    try:
        services.leader_review_publish(review=review, by=request.user, publish=publish)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "点评已在公开栏公布。" if publish else "点评已从公开栏撤下。")
    return redirect_back(request, reverse("evaluations:review_history", args=[subject_org.code]))


@login_required
def review_mine(request):
    """The member's own reviews, published or not: the subject always sees what was said of him."""
    member = own_member(request.user)
    page = None
    if member is not None:
        qs = selectors.reviews_of(member=member)
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
        _labelled(page.object_list)
    return render(request, "evaluations/review_mine.html", {"member": member, "page": page, "qs": ""})
