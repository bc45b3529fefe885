"""Reads over the organization tree and the roster that must stay one query however large the subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from .models import Member, Organization, OrganizationUserObjectPermission
from .permissions import CODENAME_ROLES, OrgAction, grants_of, members_for, org_get_for_user_or_404, own_member


@dataclass
class SubtreeCounts:
    organizations: int
    branches: int
    members: int
    exempt: int
    floating: int

    @property
    def pledge_base(self) -> int:
        """Members who are expected to pledge (the coverage denominator)."""
        return self.members - self.exempt


def subtree_counts(org: Organization) -> SubtreeCounts:
    """Counts of the subtree under `org` with two aggregate queries."""
    o = Organization.objects.filter(path__startswith=org.path, is_active=True).aggregate(
        organizations=Count("id"), branches=Count("id", filter=Q(level=Organization.Level.BRANCH))
    )
    m = Member.objects.filter(organization__path__startswith=org.path, is_active=True).aggregate(
        members=Count("id"),
        exempt=Count("id", filter=Q(is_exempt=True)),
        floating=Count("id", filter=Q(inflow_organization__isnull=False)),
    )
    return SubtreeCounts(**o, **m)


def children_with_counts(org: Organization) -> list[Organization]:
    """The direct children of `org`, each annotated with member counts of its whole subtree.

    One query for the children and one grouped query over members by the children's path prefix.
    """
    children = list(Organization.objects.get_children(org))
    if not children:
        return children
    prefix_len = len(org.path) + Organization.steplen
    rows = (
        Member.objects.filter(organization__path__startswith=org.path, is_active=True)
        .exclude(organization_id=org.pk)
        .annotate(prefix=Substr("organization__path", 1, prefix_len))
        .order_by()
        .values("prefix")
        .annotate(members=Count("id"), exempt=Count("id", filter=Q(is_exempt=True)))
    )
    by_prefix = {r["prefix"]: r for r in rows}
    org_rows = (
        Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth, is_active=True)
        .annotate(prefix=Substr("path", 1, prefix_len))
        .order_by()  # treebeard orders by path, which would otherwise join the GROUP BY
        .values("prefix")
        .annotate(n=Count("id"))
    )
    orgs_by_prefix = {r["prefix"]: r["n"] for r in org_rows}
    for child in children:
        row = by_prefix.get(child.path, {})
        child.member_count = row.get("members", 0)
        child.exempt_count = row.get("exempt", 0)
        child.org_count = orgs_by_prefix.get(child.path, 0)
    return children


def member_list(*, user, organization: Organization | None = None):
    """Members the user may see, optionally restricted to one subtree, ready for a list page."""
    qs = members_for(user, OrgAction.VIEW_MEMBER).select_related("organization", "inflow_organization")
    if organization is not None:
        qs = qs.filter(
            Q(organization__path__startswith=organization.path)
            | Q(inflow_organization__path__startswith=organization.path)
        )
    return qs.order_by("organization__path", "name", "id")


def role_grants_in(org: Organization):
    """Role grants on `org` and everything below it, for the role management page."""
    return (
        OrganizationUserObjectPermission.objects.filter(
            content_object__path__startswith=org.path, permission__codename__in=CODENAME_ROLES.keys()
        )
        .select_related("user", "permission", "content_object", "granted_by")
        .order_by("content_object__path", "permission__codename", "user__username")
    )


def ancestors_of(org: Organization) -> list[Organization]:
    """Ancestors from the root down, one query."""
    paths = org.ancestor_paths()[:-1]
    return list(Organization.objects.filter(path__in=paths).order_by("depth")) if paths else []


def default_organization(user, *, role=None, own_branch: bool = False) -> Organization | None:
    """Where a page opened without `?org=` starts for this user: the organization of his top-most role grant
    (of `role`, if given); for a superuser without such grants the first active top-level organization; with
    `own_branch`, a plain member's own organization. None when there is none (the page then says why)."""
    if user is None or not user.is_authenticated:
        return None
    grants = [g for g in grants_of(user) if role is None or g.role == role]
    if grants:
        top = min(grants, key=lambda g: (len(g.path), g.path))
        return Organization.objects.filter(pk=top.organization_id).first()
    if user.is_superuser:
        return Organization.objects.get_root_nodes().filter(is_active=True).first()
    if own_branch:
        member = own_member(user)
        return member.organization if member is not None else None
    return None


def organization_from_request(
    request, action: str, *, none_message: str = "您没有可查看的党组织。", own_branch: bool = False
) -> Organization:
    """The organization a page works on: `?org=CODE` (checked for `action`), else the user's default
    organization; PermissionDenied with `none_message` when he has none."""
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    if code:
        return org_get_for_user_or_404(request.user, code, action)
    org = default_organization(request.user, own_branch=own_branch)
    if org is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(none_message)
    return org
