"""Reads of the pledge lifecycle that must stay a fixed number of queries however many rows they show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from organizations.models import Member, Organization
from organizations.permissions import Role, grants_of, prefetch_grants
from printing import by_strokes

from .models import (
    Campaign,
    FulfilmentLog,
    Inspection,
    Pledge,
    PledgeItem,
    SelfCheck,
    Signature,
    first_of_month,
    overdue_q,
    quarter_of,
)
from .permissions import is_reviewer

EVER_SIGNED = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED, Pledge.Status.SUPERSEDED)
PLEDGE_RELATED = ("campaign", "organization", "member__user", "member__organization", "pledger_organization")


@dataclass
class Coverage:
    organizations: int
    organizations_pledged: int
    members: int
    members_pledged: int
    oral: int
    leaders_pledged: int
    # 入党积极分子、非党干部 “也可以参加” (篇一): counted apart, never in the denominator above.
    volunteers: int = 0
    volunteers_pledged: int = 0
    # Members whose signed pledge was signed by hand on paper and recorded by the branch (篇一).
    paper: int = 0

    @property
    def organization_rate(self) -> float | None:
        return self.organizations_pledged / self.organizations if self.organizations else None

    @property
    def member_rate(self) -> float | None:
        return self.members_pledged / self.members if self.members else None


def campaign_coverage(campaign: Campaign, org: Organization) -> Coverage:
    """全覆盖: organizations and members of `org`'s subtree with a signed pledge.

    The members expected to pledge are `Member.objects.obliged()` (party members not exempted); a member who
    pledged both at his branch and at his residence community (篇四) counts once. Activists and non-party
    cadres who volunteered are counted apart.
    """
    base = org if org.path.startswith(campaign.organization.path) else campaign.organization
    orgs = Organization.objects.filter(path__startswith=base.path, is_active=True).exclude(pk=campaign.organization_id)
    signed = Pledge.objects.filter(campaign=campaign, status__in=EVER_SIGNED)
    # Uncorrelated IN (...) lists of the signed pledgers of the same subtree: the database builds each once
    # (through the indexes for a branch, by hashing for a county) instead of probing the pledge table once per
    # member, which on a county also tipped PostgreSQL into compiling the query with JIT.
    signed_orgs = signed.filter(pledger_organization__path__startswith=base.path).values("pledger_organization_id")
    signed_members = signed.filter(member__organization__path__startswith=base.path).values("member_id")
    oral_members = signed_members.filter(form=Pledge.Form.ORAL)
    paper_members = signed_members.filter(form=Pledge.Form.PAPER)
    o = orgs.aggregate(total=Count("id"), pledged=Count("id", filter=Q(pk__in=signed_orgs)))
    # One pass over the active members: the obliged (篇一: party members, not exempted) and the volunteers.
    members = Member.objects.filter(organization__path__startswith=base.path, is_active=True)
    party = Q(political_status__in=Member.PARTY_STATUSES)
    obliged = party & Q(is_exempt=False)
    m = members.aggregate(
        total=Count("id", filter=obliged),
        pledged=Count("id", filter=obliged & Q(pk__in=signed_members)),
        leaders=Count("id", filter=obliged & Q(is_leader=True, pk__in=signed_members)),
        oral=Count("id", filter=obliged & Q(pk__in=oral_members)),
        paper=Count("id", filter=obliged & Q(pk__in=paper_members)),
        volunteers=Count("id", filter=~party),
        volunteers_pledged=Count("id", filter=~party & Q(pk__in=signed_members)),
    )
    return Coverage(
        o["total"],
        o["pledged"],
        m["total"],
        m["pledged"],
        m["oral"],
        m["leaders"],
        m["volunteers"],
        m["volunteers_pledged"],
        m["paper"],
    )


def _in_subtree(org: Organization) -> Q:
    """Pledges made in `org`'s subtree or by an organization of it.

    The subtree's ids are read first (one small indexed query) and passed as lists: the database then reads
    both foreign-key indexes (a bitmap OR) instead of scanning every pledge of the campaign to test a path
    prefix on two joined tables.
    """
    ids = list(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))
    return Q(organization_id__in=ids) | Q(pledger_organization_id__in=ids)


def ledger_items(*, campaign: Campaign, org: Organization, filters: dict | None = None):
    """台帐: every item of the current pledges made in `org`'s subtree, with its pledge, ready to list."""
    filters = filters or {}
    pledges = Pledge.objects.filter(_in_subtree(org), campaign=campaign, is_current=True)
    qs = PledgeItem.objects.filter(pledge__in=pledges).select_related(
        "pledge__member", "pledge__pledger_organization", "pledge__organization", "pledge__campaign"
    )
    state = filters.get("state")
    if state in PledgeItem.State.values:
        qs = qs.filter(state=state)
    if filters.get("overdue"):
        qs = qs.filter(overdue_q())
    if filters.get("needs_help"):
        qs = qs.filter(needs_help=True)
    status = filters.get("status")
    if status in Pledge.Status.values:
        qs = qs.filter(pledge__status=status)
    kind = filters.get("kind")
    if kind == "member":
        qs = qs.filter(pledge__member__isnull=False)
    elif kind == "organization":
        qs = qs.filter(pledge__pledger_organization__isnull=False)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(content__contains=q)
            | Q(pledge__member__name__contains=q)
            | Q(pledge__pledger_organization__name__contains=q)
        )
    return qs.order_by("pledge__organization__path", "pledge_id", "position")


def unsigned_members(*, campaign: Campaign, org: Organization):
    """未签约: the members of `org`'s subtree expected to pledge (应作承诺, 篇一) without a signed pledge in
    `campaign`, each with the status of his current pledge there (None: not even drafted), in one query."""
    signed = Pledge.objects.filter(campaign=campaign, status__in=EVER_SIGNED).exclude(member=None).values("member_id")
    current = Pledge.objects.filter(campaign=campaign, is_current=True, member=OuterRef("pk")).order_by("-id")
    return (
        Member.objects.obliged()
        .filter(organization__path__startswith=org.path)
        .exclude(pk__in=signed)
        .select_related("organization")
        .annotate(pledge_id=Subquery(current.values("pk")[:1]), pledge_status=Subquery(current.values("status")[:1]))
        .order_by("organization__path", "name", "id")
    )


def unsigned_organizations(*, campaign: Campaign, org: Organization):
    """The organizations of `org`'s subtree (below the campaign's own) without a signed pledge of their own."""
    signed = Pledge.objects.filter(campaign=campaign, status__in=EVER_SIGNED).exclude(pledger_organization=None)
    return (
        Organization.objects.filter(path__startswith=org.path, is_active=True)
        .exclude(pk=campaign.organization_id)
        .exclude(pk__in=signed.values("pledger_organization_id"))
        .order_by("path")
    )


def late_signed_count(*, campaign: Campaign, org: Organization) -> int:
    """逾期签约: current first versions of `org`'s subtree signed after the signing deadline (a version made
    by 变更承诺 is signed when the change is made, which is never late: see Pledge.signed_late)."""
    return Pledge.objects.filter(
        _in_subtree(org),
        campaign=campaign,
        is_current=True,
        previous__isnull=True,
        signed_at__gte=campaign.late_after(),
    ).count()


def ledger_pledges(*, campaign: Campaign, org: Organization):
    return (
        Pledge.objects.filter(_in_subtree(org), campaign=campaign, is_current=True)
        .select_related(*PLEDGE_RELATED)
        .annotate(
            item_count=Count("items", distinct=True),
            ticked=Count("items", filter=Q(items__state=PledgeItem.State.TICKED_OFF), distinct=True),
            overdue=Count("items", filter=overdue_q("items__"), distinct=True),
        )
        .order_by("organization__path", "member__name", "id")
    )


def status_counts(*, campaign: Campaign, org: Organization) -> dict[str, int]:
    rows = (
        Pledge.objects.filter(_in_subtree(org), campaign=campaign, is_current=True)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    return {r["status"]: r["n"] for r in rows}


def _reviewer_scope(user) -> Q | None:
    """In SQL, a superset of the pledges `is_reviewer` accepts for this user (None: no reviewing role).

    A secretary reviews the members' pledges made in his subtree and the pledges of the organizations below
    it; a committee reviews the pledges of the organizations below it and, of members' pledges, only those of
    members who hold a secretary's role themselves. The conditions are on the pledge's own columns (IN lists
    of organizations and members), so the database narrows first instead of loading every pledge of a county
    committee's subtree for Python to drop.
    """
    from organizations.models import OrganizationUserObjectPermission
    from organizations.permissions import ROLE_CODENAMES

    scope = None
    for g in grants_of(user):
        if g.role not in (Role.SECRETARY, Role.COMMITTEE):
            continue
        subtree = Organization.objects.filter(path__startswith=g.path).values("pk")
        part = Q(pledger_organization_id__in=subtree.exclude(pk=g.organization_id))
        if g.role == Role.SECRETARY:
            part |= Q(member__isnull=False, organization_id__in=subtree)
        else:
            secretaries = OrganizationUserObjectPermission.objects.filter(
                permission__codename=ROLE_CODENAMES[Role.SECRETARY], content_object__path__startswith=g.path
            ).values("user_id")
            part |= Q(
                member_id__in=Member.objects.filter(user_id__in=secretaries).values("pk"), organization_id__in=subtree
            )
        scope = part if scope is None else scope | part
    return scope


def _candidates(user, statuses):
    """Pledges in `statuses` that this user may be the reviewer of (one query; `_reviewable` decides)."""
    if user.is_superuser:
        scope = Q()
    else:
        scope = _reviewer_scope(user)
        if scope is None:
            return Pledge.objects.none()
    return Pledge.objects.filter(scope, status__in=statuses, is_current=True).select_related(*PLEDGE_RELATED)


def _reviewable(user, pledges) -> list[Pledge]:
    pledges = list(pledges)
    prefetch_grants([p.member.user for p in pledges if p.member_id and p.member.user_id])
    return [p for p in pledges if is_reviewer(user, p)]


def review_queue(user) -> list[Pledge]:
    """Submitted pledges this user is the reviewer of, oldest first."""
    return _reviewable(user, _candidates(user, [Pledge.Status.SUBMITTED]).order_by("submitted_at", "id"))


def sign_queue(user) -> list[Pledge]:
    """Approved pledges waiting for this user's signature: as the pledging side, or as the reviewer."""
    pending = []
    own = (
        Pledge.objects.filter(member__user=user, status=Pledge.Status.APPROVED, form=Pledge.Form.WRITTEN)
        .select_related(*PLEDGE_RELATED)
        .exclude(signatures__role="pledger")
    )
    pending += list(own)
    org_ids = [g.organization_id for g in grants_of(user) if g.role == Role.SECRETARY]
    if org_ids:
        pending += list(
            Pledge.objects.filter(pledger_organization_id__in=org_ids, status=Pledge.Status.APPROVED)
            .select_related(*PLEDGE_RELATED)
            .exclude(signatures__role="pledger")
        )
    branch_paths = [g.path for g in grants_of(user) if g.role in (Role.SECRETARY, Role.CLERK)]
    if branch_paths:
        # Paper pledges approved in his branches whose signed page is still to be recorded (篇一 定诺 on paper).
        in_branches = Q()
        for path in branch_paths:
            in_branches |= Q(organization__path__startswith=path)
        paper = (
            Pledge.objects.filter(in_branches, form=Pledge.Form.PAPER, status=Pledge.Status.APPROVED, is_current=True)
            .exclude(member__user=user)
            .exclude(signatures__role="pledger")
            .select_related(*PLEDGE_RELATED)
        )
        pending += [p for p in paper if p not in pending]
    pledger_signed = Exists(Signature.objects.filter(pledge=OuterRef("pk"), role="pledger"))
    waiting = _candidates(user, [Pledge.Status.APPROVED]).filter(Q(form=Pledge.Form.ORAL) | Q(pledger_signed))
    pending += [p for p in _reviewable(user, waiting) if p not in pending]
    return pending


def tick_queue(user) -> list[PledgeItem]:
    requested = Exists(PledgeItem.objects.filter(pledge=OuterRef("pk"), state=PledgeItem.State.TICK_REQUESTED))
    pledges = _reviewable(user, _candidates(user, [Pledge.Status.PUBLISHED]).filter(requested))
    by_id = {p.pk: p for p in pledges}
    items = list(
        with_evidence(
            PledgeItem.objects.filter(pledge_id__in=by_id, state=PledgeItem.State.TICK_REQUESTED).order_by(
                "tick_requested_at"
            )
        )
    )
    for i in items:
        i.pledge = by_id[i.pledge_id]
    return items


def with_evidence(items):
    """Items with their fulfilment logs (newest first, with who wrote them and their attachments): two queries
    for any number of items. `evidence_summary(item)` then reads them without a query."""
    return items.prefetch_related(evidence_prefetch())


def evidence_prefetch() -> Prefetch:
    return Prefetch("logs", queryset=FulfilmentLog.objects.select_related("by").prefetch_related("attachments"))


@dataclass
class Evidence:
    """What a secretary looks at before confirming 销号: the item's logs and their attachments."""

    logs: list
    attachments: int
    # The newest log entry's id: a confirmation carries it back to show that this evidence was on the page.
    mark: int | None

    @property
    def exists(self) -> bool:
        return bool(self.logs)


def evidence_summary(item: PledgeItem) -> Evidence:
    logs = list(item.logs.all())
    return Evidence(
        logs=logs,
        attachments=sum(len(log.attachments.all()) for log in logs),
        mark=max((log.pk for log in logs), default=None),
    )


def evidence_mark(item: PledgeItem) -> int | None:
    """The id of the item's newest log entry as the database has it now (None without any log)."""
    return FulfilmentLog.objects.filter(item=item).order_by("-pk").values_list("pk", flat=True).first()


def my_pledges(member: Member):
    return (
        Pledge.objects.filter(member=member)
        .select_related(*PLEDGE_RELATED)
        .annotate(
            item_count=Count("items", distinct=True),
            ticked=Count("items", filter=Q(items__state=PledgeItem.State.TICKED_OFF), distinct=True),
        )
        .order_by("-campaign__year", "-is_current", "-revision")
    )


def checks_due(*, org: Organization, campaign: Campaign, today: datetime.date | None = None):
    """Pledges under way in `org`'s subtree with whether this month's self-check and this quarter's
    inspection are done (two EXISTS columns, one query)."""
    today = today or timezone.localdate()
    month = first_of_month(today)
    year, quarter = quarter_of(today)
    return (
        Pledge.objects.filter(
            _in_subtree(org),
            campaign=campaign,
            is_current=True,
            status__in=[Pledge.Status.SIGNED, Pledge.Status.PUBLISHED],
        )
        .select_related(*PLEDGE_RELATED)
        .annotate(
            self_checked=Exists(SelfCheck.objects.filter(item__pledge=OuterRef("pk"), month=month)),
            inspected=Exists(Inspection.objects.filter(pledge=OuterRef("pk"), year=year, quarter=quarter)),
        )
        .order_by("self_checked", "inspected", "organization__path", "member__name")
    )


def member_coverage_by_child(campaign: Campaign, org: Organization) -> dict[str, tuple[int, int]]:
    """For each direct child of `org`: (members expected to pledge, members with a signed pledge), one query."""
    from django.db.models.functions import Substr

    prefix_len = len(org.path) + Organization.steplen
    signed = Pledge.objects.filter(campaign=campaign, status__in=EVER_SIGNED, member=OuterRef("pk"))
    rows = (
        Member.objects.obliged()
        .filter(organization__path__startswith=org.path)
        .exclude(organization_id=org.pk)
        .annotate(prefix=Substr("organization__path", 1, prefix_len), signed=Exists(signed))
        .order_by()
        .values("prefix")
        .annotate(total=Count("id"), pledged=Count("id", filter=Q(signed=True)))
    )
    return {r["prefix"]: (r["total"], r["pledged"]) for r in rows}


# --- what the public sees (the boards, the printed registers, the appraisal meeting) ----------------------

# Published, then completed: the only states in which a pledge is shown to the public.
PUBLIC_STATUSES = (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)
_ITEMS = Prefetch("items", queryset=PledgeItem.objects.order_by("position"))


def published_pledges(campaign: Campaign):
    """The current pledges of `campaign` that the public may see, with their items."""
    return (
        Pledge.objects.filter(campaign=campaign, is_current=True, status__in=PUBLIC_STATUSES)
        .select_related("organization", "member", "pledger_organization", "campaign")
        .prefetch_related(_ITEMS)
    )


def organization_pledge(org: Organization, campaign: Campaign) -> Pledge | None:
    """The organization's own published pledge."""
    return published_pledges(campaign).filter(pledger_organization=org).first()


def member_pledges(org: Organization, campaign: Campaign) -> list[Pledge]:
    """Published pledges of members made in this organization, in the official order of names: by the
    strokes of the surname, then of the following characters (附件4 and the board)."""
    pledges = by_strokes(
        Pledge.objects.filter(
            campaign=campaign, is_current=True, status__in=PUBLIC_STATUSES, organization=org, member__isnull=False
        )
        .select_related("member")
        .prefetch_related(_ITEMS),
        name=lambda pledge: pledge.member.name,
        tie=lambda pledge: pledge.member_id,
    )
    for pledge in pledges:
        # Every one is made in `org` for `campaign`: set them rather than join and build them once per row.
        pledge.organization = org
        pledge.campaign = campaign
    return pledges
