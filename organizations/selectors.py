"""Reads over the organization tree, the roster and the activity register that must stay one query however large
the subtree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from .models import Activity, ActivityKind, Member, Organization, OrganizationUserObjectPermission
from .permissions import (
    CODENAME_ROLES,
    OrgAction,
    grants_of,
    members_for,
    org_get_for_user_or_404,
    orgs_for,
    own_member,
)


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


# --- 日常活动记实 -------------------------------------------------------------------------------------------


def activity_kinds(*, include=None):
    """The kinds offered when recording an activity: the active ones in their order (and `include`, the kind of
    the activity being edited, even if the county has since retired it)."""
    q = Q(is_active=True)
    if include is not None:
        q |= Q(pk=include.pk if isinstance(include, ActivityKind) else include)
    return ActivityKind.objects.filter(q).order_by("position", "id")


def activity_roster(org: Organization):
    """The members who may be named as participants of an activity of `org`: the active members of it and its
    subtree, floating members also by the organization they take part in (as the roster page lists them)."""
    return Member.objects.filter(
        Q(organization__path__startswith=org.path) | Q(inflow_organization__path__startswith=org.path),
        is_active=True,
    ).order_by("organization__path", "name", "id")


def activities_in(
    org: Organization,
    *,
    subtree: bool = True,
    kind: ActivityKind | str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    query: str = "",
):
    """Activities of `org` (and, with subtree, of every organization under it), optionally of one kind (an
    ActivityKind or its code), held from `start` to `end` inclusive, with `query` in the title; latest first,
    in a total order."""
    qs = Activity.objects.filter(organization__path__startswith=org.path) if subtree else org.activities.all()
    if kind is not None:
        qs = qs.filter(kind__code=kind) if isinstance(kind, str) else qs.filter(kind=kind)
    if start is not None:
        qs = qs.filter(held_on__gte=start)
    if end is not None:
        qs = qs.filter(held_on__lte=end)
    if query.strip():
        qs = qs.filter(title__contains=query.strip())
    return qs.order_by("-held_on", "-id")


def activity_list(queryset):
    """Activities ready for a list page: kind, organization and recorder joined (see `with_counts` for a page)."""
    return queryset.select_related("kind", "organization", "recorded_by")


def with_counts(activities) -> list[Activity]:
    """The activities of one page, each with `attachment_count` and `member_count` (members named), in two
    grouped queries whatever the number of rows."""
    activities = list(activities)
    ids = [a.pk for a in activities]
    attachments = (
        dict(Activity.objects.filter(pk__in=ids).annotate(n=Count("attachments")).values_list("pk", "n")) if ids else {}
    )
    members = (
        dict(
            Activity.participants.through.objects.filter(activity_id__in=ids)
            .order_by()
            .values("activity_id")
            .annotate(n=Count("id"))
            .values_list("activity_id", "n")
        )
        if ids
        else {}
    )
    for a in activities:
        a.attachment_count = attachments.get(a.pk, 0)
        a.member_count = members.get(a.pk, 0)
    return activities


@dataclass
class ActivityTotals:
    activities: int = 0
    participants: int = 0  # 参加人次 (participants_count summed)
    quantity: int = 0
    amount: Decimal = Decimal(0)
    beneficiaries: int = 0


def activity_totals(queryset) -> ActivityTotals:
    """Totals of a filtered list of activities, in one aggregate query."""
    row = queryset.order_by().aggregate(
        activities=Count("id"),
        participants=Sum("participants_count"),
        quantity=Sum("quantity"),
        amount=Sum("amount"),
        beneficiaries=Sum("beneficiaries"),
    )
    return ActivityTotals(**{k: v or (Decimal(0) if k == "amount" else 0) for k, v in row.items()})


@dataclass
class KindSummary:
    """What a subtree did in a period under one kind of activity (the figures 篇十二 附件2 asks for)."""

    code: str
    name: str
    activities: int = 0
    participants: int = 0  # 参加人次 as recorded (members and others)
    members: int = 0  # members named as participants, counted once per activity (党员参加人次)
    distinct_members: int = 0  # different members named (参加党员人数)
    organizations: int = 0  # organizations that held at least one
    quantity: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal(0))
    beneficiaries: int = 0


def activity_summary(
    org: Organization, *, start: datetime.date, end: datetime.date, kinds=None
) -> dict[str, KindSummary]:
    """Per kind code, what `org` and its subtree recorded from `start` to `end` inclusive: two grouped queries,
    whatever the size of the subtree. Kinds with nothing recorded are present with zeros (every active kind,
    or those of `kinds`, codes)."""
    qs = Activity.objects.filter(organization__path__startswith=org.path, held_on__gte=start, held_on__lte=end)
    kind_qs = ActivityKind.objects.order_by("position", "id")
    if kinds is not None:
        kinds = list(kinds)
        qs = qs.filter(kind__code__in=kinds)
        kind_qs = kind_qs.filter(code__in=kinds)
    else:
        kind_qs = kind_qs.filter(is_active=True)
    result = {k.code: KindSummary(k.code, k.name) for k in kind_qs}
    rows = (
        qs.order_by()
        .values("kind__code", "kind__name")
        .annotate(
            activities=Count("id"),
            participants=Sum("participants_count"),
            organizations=Count("organization", distinct=True),
            quantity=Sum("quantity"),
            amount=Sum("amount"),
            beneficiaries=Sum("beneficiaries"),
        )
    )
    for r in rows:
        summary = result.setdefault(r["kind__code"], KindSummary(r["kind__code"], r["kind__name"]))
        summary.activities = r["activities"]
        summary.participants = r["participants"] or 0
        summary.organizations = r["organizations"]
        summary.quantity = r["quantity"] or 0
        summary.amount = r["amount"] or Decimal(0)
        summary.beneficiaries = r["beneficiaries"] or 0
    links = (
        Activity.participants.through.objects.filter(activity__in=qs)
        .order_by()
        .values("activity__kind__code")
        .annotate(members=Count("id"), distinct_members=Count("member", distinct=True))
    )
    for r in links:
        summary = result[r["activity__kind__code"]]
        summary.members = r["members"]
        summary.distinct_members = r["distinct_members"]
    return result


def member_activities(member: Member, user=None):
    """The activities `member` took part in, latest first; with `user`, only those of organizations the user may
    read the register of (a member's page shows no more than its reader may see)."""
    qs = member.activities.select_related("kind", "organization")
    if user is not None:
        qs = qs.filter(organization__in=orgs_for(user, OrgAction.VIEW_ACTIVITIES))
    return qs.order_by("-held_on", "-id")


def participation_counts(org: Organization, *, start: datetime.date, end: datetime.date, kinds=None) -> dict[int, int]:
    """{member id: number of activities of `org`'s subtree he took part in} from `start` to `end` inclusive (one
    grouped query), for rankings and statistics of members' participation."""
    qs = Activity.participants.through.objects.filter(
        activity__organization__path__startswith=org.path,
        activity__held_on__gte=start,
        activity__held_on__lte=end,
    )
    if kinds is not None:
        qs = qs.filter(activity__kind__code__in=list(kinds))
    return dict(qs.order_by().values("member").annotate(n=Count("id")).values_list("member", "n"))
