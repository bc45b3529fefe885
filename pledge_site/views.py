"""Pages that combine several apps: the home page (dashboard of each role), an organization's page and a
member's page (the record from organizations, the pledges from commitments).

They sit here, on top of the apps, so that no app imports one above it. The organization and member pages keep
their names in the `organizations` namespace (see urls.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from commitments import selectors as pledge_selectors
from commitments.models import Pledge
from commitments.permissions import PledgeAction
from commitments.services import campaign_for
from organizations.audit import timeline
from organizations.models import Exemption, Organization
from organizations.permissions import (
    OrgAction,
    Role,
    grants_of,
    holds_role_anywhere,
    may,
    member_get_for_user_or_404,
    org_get_for_user_or_404,
    orgs_for,
    own_member,
    password_reset_refusal,
)
from organizations.selectors import ancestors_of, children_with_counts, member_activities, subtree_counts

# How many of a member's activities his page lists; the rest are a link away.
MEMBER_PAGE_ACTIVITIES = 8

# --- home ------------------------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    grants = grants_of(user)
    orgs = Organization.objects.in_bulk({g.organization_id for g in grants})
    committee_orgs = list(dict.fromkeys(orgs[g.organization_id] for g in grants if g.role == Role.COMMITTEE))
    branch_orgs = list(dict.fromkeys(orgs[g.organization_id] for g in grants if g.role != Role.COMMITTEE))
    branch_cards = [
        (org, subtree_counts(org), sorted({g.role.label for g in grants if g.organization_id == org.pk}))
        for org in branch_orgs
    ]
    committee_cards = [(org, subtree_counts(org), children_with_counts(org)) for org in committee_orgs]
    member = own_member(user)
    context = {
        "branch_cards": branch_cards,
        "committee_cards": committee_cards,
        "member": member,
        "pending_exemptions": Exemption.objects.filter(
            status=Exemption.Status.PENDING, member__organization__in=orgs_for(user, OrgAction.DECIDE_EXEMPTION)
        ).count()
        if holds_role_anywhere(user, {Role.COMMITTEE})
        else 0,
    }
    if user.is_superuser and not grants:
        roots = list(Organization.objects.get_root_nodes())
        context["committee_cards"] = [(org, subtree_counts(org), children_with_counts(org)) for org in roots]
    _add_coverage(context)
    return render(request, "organizations/home.html", context)


def _add_coverage(context) -> None:
    """Coverage of the open campaign on each card (the commitments app answers; this page only shows it)."""
    cards = []
    for org, counts, roles in context["branch_cards"]:
        campaign = campaign_for(org)
        counts.coverage = pledge_selectors.campaign_coverage(campaign, org) if campaign else None
        cards.append((org, counts, roles))
    for org, counts, children in context["committee_cards"]:
        campaign = campaign_for(org)
        counts.coverage = pledge_selectors.campaign_coverage(campaign, org) if campaign else None
        by_child = pledge_selectors.member_coverage_by_child(campaign, org) if campaign else {}
        for child in children:
            child.coverage = by_child.get(child.path, (0, 0))
    context["has_campaign"] = any(c.coverage for _, c, _ in context["branch_cards"] + context["committee_cards"])


# --- an organization and a member ---------------------------------------------------------------------


@login_required
def organization_detail(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code)
    children = children_with_counts(org)
    context = {
        "org": org,
        "ancestors": [a for a in ancestors_of(org) if may(user, OrgAction.VIEW_ORG, a)],
        "children": children,
        "counts": subtree_counts(org),
        "can_manage": may(user, OrgAction.MANAGE_ORG, org),
        "can_manage_members": may(user, OrgAction.MANAGE_MEMBERS, org),
        "can_view_members": may(user, OrgAction.VIEW_MEMBERS, org),
        "can_grant": may(user, OrgAction.GRANT_ROLES, org),
        "can_export": may(user, OrgAction.EXPORT_ROSTER, org),
        "can_org_pledge": _may_start_org_pledge(user, org),
        "can_ledger": may(user, PledgeAction.VIEW_LEDGER, org),
        "can_view_activities": may(user, OrgAction.VIEW_ACTIVITIES, org),
        "org_pledges": _org_pledges(user, org),
        "timeline": timeline(org, user),
    }
    return render(request, "organizations/organization_detail.html", context)


def _may_start_org_pledge(user, org) -> bool:
    """Offer “起草组织承诺书” only when a campaign is open here and the organization has no pledge in it yet."""
    if not may(user, PledgeAction.CREATE_ORG_PLEDGE, org):
        return False
    campaign = campaign_for(org)
    return bool(
        campaign and not Pledge.objects.filter(campaign=campaign, pledger_organization=org, is_current=True).exists()
    )


def _org_pledges(user, org):
    pledges = Pledge.objects.filter(pledger_organization=org).select_related(
        "campaign", "organization", "pledger_organization"
    )
    return [p for p in pledges if may(user, PledgeAction.VIEW_PLEDGE, p)]


@login_required
def member_detail(request, pk):
    user = request.user
    member = member_get_for_user_or_404(user, pk)
    activities = list(member_activities(member, user)[: MEMBER_PAGE_ACTIVITIES + 1])
    context = {
        "activities": activities[:MEMBER_PAGE_ACTIVITIES],
        "more_activities": len(activities) > MEMBER_PAGE_ACTIVITIES,
        "m": member,
        "may_see_personal": may(user, OrgAction.VIEW_PERSONAL_DATA, member),
        "can_manage": may(user, OrgAction.MANAGE_MEMBERS, member),
        "can_reset_password": bool(member.user_id) and password_reset_refusal(user, member.user, member) is None,
        "last_reset": member.user.password_resets.select_related("by").first() if member.user_id else None,
        "can_propose_exemption": may(user, OrgAction.PROPOSE_EXEMPTION, member.organization) and not member.is_exempt,
        "exemptions": member.exemptions.select_related("proposed_by", "decided_by"),
        "timeline": timeline(member, user) if may(user, OrgAction.MANAGE_MEMBERS, member) else None,
        "can_enter_oral": any(
            may(user, PledgeAction.ENTER_ORAL_PLEDGE, o)
            for o in (member.organization, member.inflow_organization, member.residence_organization)
            if o is not None
        ),
        "pledges": [
            p
            for p in member.pledges.select_related("campaign", "organization", "member__user", "pledger_organization")
            if may(user, PledgeAction.VIEW_PLEDGE, p)
        ],
    }
    return render(request, "organizations/member_detail.html", context)
