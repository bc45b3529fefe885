"""组织评选 (DESIGN §6, 篇六 “着力抓好组织评选”): an organization nominates members or organizations of its
subtree for 践诺明星党员、先进基层党组织、优秀共产党员、优秀党务工作者 on an occasion such as 七一; a committee
above the nominating organization approves or rejects; approved awards go on the boards' honour roll. The
nomination page proposes candidates from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from commitments.models import Campaign, Pledge, PledgeItem
from commitments.notifications import notify
from commitments.selectors import EVER_SIGNED
from organizations.errors import DomainError
from organizations.models import Member, Organization, User
from organizations.permissions import Role, below_grants_q, holds_role_anywhere, require

from ..models import Appraisal, Award

MEMBER_KINDS = frozenset({Award.Kind.STAR_MEMBER, Award.Kind.EXCELLENT_MEMBER, Award.Kind.EXCELLENT_WORKER})
ORGANIZATION_KINDS = frozenset({Award.Kind.ADVANCED_ORGANIZATION})
OCCASIONS = ("七一", "年度", "国庆", "五四", "三八", "五一")

# Thresholds of the proposed candidates.
STAR_SATISFACTION = Decimal("0.95")
ORGANIZATION_SATISFACTION = Decimal("0.90")

NOTIFY_NOMINATED = "award_nominated"
NOTIFY_DECIDED = "award_decided"


def _recipient_name(award: Award) -> str:
    return award.member.name if award.member_id else award.organization.name


@transaction.atomic
def award_nominate(
    *,
    kind: str,
    year: int,
    occasion: str,
    member: Member | None = None,
    organization: Organization | None = None,
    nominating_organization: Organization,
    citation: str,
    by: User,
) -> Award:
    """Nominate one member or one organization of the nominating organization's subtree."""
    nominating_organization = Organization.objects.select_for_update().get(pk=nominating_organization.pk)
    require(by, "nominate_award", nominating_organization)
    if kind not in Award.Kind.values:
        raise DomainError("请选择表彰类别。")
    label = Award.Kind(kind).label
    if kind in MEMBER_KINDS:
        if member is None or organization is not None:
            raise DomainError(f"“{label}”须推荐一名党员。")
        member = Member.objects.select_related("organization").get(pk=member.pk)
        if not member.is_active:
            raise DomainError(f"{member.name}已不在册。")
        if not member.organization.path.startswith(nominating_organization.path):
            raise DomainError(f"{member.name}不是“{nominating_organization.name}”的党员，不能由本单位推荐。")
    else:
        if organization is None or member is not None:
            raise DomainError(f"“{label}”须推荐一个党组织。")
        organization = Organization.objects.get(pk=organization.pk)
        if not organization.path.startswith(nominating_organization.path):
            raise DomainError(f"“{organization.name}”不在“{nominating_organization.name}”的范围内，不能由本单位推荐。")
    today = timezone.localdate()
    if not 2000 <= int(year) <= today.year + 1:
        raise DomainError("表彰年度不对。")
    occasion = (occasion or "").strip()
    if not occasion:
        raise DomainError("请填写表彰时机，如“七一”。")
    if len(occasion) > 30:
        raise DomainError("表彰时机不能超过 30 字。")
    citation = (citation or "").strip()
    if not citation:
        raise DomainError("请填写主要事迹。")
    if len(citation) > 2000:
        raise DomainError("主要事迹不能超过 2000 字。")
    recipient = {"member": member} if member is not None else {"organization": organization}
    duplicate = Award.objects.filter(kind=kind, year=year, occasion=occasion, **recipient).exclude(
        status=Award.Status.REJECTED
    )
    if duplicate.exists():
        who = member.name if member is not None else organization.name
        raise DomainError(f"{who}已被推荐为{year}年{occasion}“{label}”，不能重复推荐。")
    award = Award.objects.create(
        kind=kind,
        year=year,
        occasion=occasion,
        nominated_by_organization=nominating_organization,
        citation=citation,
        nominated_by=by,
        **recipient,
    )
    notify(
        approvers_of(nominating_organization),
        kind=NOTIFY_NOMINATED,
        text=f"{nominating_organization.name}推荐{_recipient_name(award)}为{year}年{occasion}“{label}”，请审批。",
        url=reverse("evaluations:award_index") + "?tab=pending",
        key=f"award_nominated:{award.pk}",
    )
    return award


def approvers_of(org: Organization) -> list[int]:
    """Users with the committee role on a proper ancestor of `org` (who may approve its nominations)."""
    from organizations.models import OrganizationUserObjectPermission
    from organizations.permissions import ROLE_CODENAMES

    return list(
        OrganizationUserObjectPermission.objects.filter(
            content_object__path__in=org.ancestor_paths()[:-1],
            permission__codename=ROLE_CODENAMES[Role.COMMITTEE],
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


@transaction.atomic
def award_decide(*, award: Award, by: User, approve: bool, comment: str = "") -> Award:
    """A committee above the nominating organization approves or rejects (rejection needs a reason)."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("nominated_by_organization", "member", "organization")
        .get(pk=award.pk)
    )
    require(by, "approve_award", award.nominated_by_organization)
    if award.status != Award.Status.NOMINATED:
        raise DomainError(f"这项推荐已经{award.get_status_display()}，不能再审批。")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError("不予批准时请填写审批意见。")
    if len(comment) > 500:
        raise DomainError("审批意见不能超过 500 字。")
    award.status = Award.Status.APPROVED if approve else Award.Status.REJECTED
    award.decided_by = by
    award.decided_at = timezone.now()
    award.decision_comment = comment
    award.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    notify(
        [award.nominated_by_id],
        kind=NOTIFY_DECIDED,
        text=f"{award.year}年{award.occasion}“{award.get_kind_display()}”推荐{_recipient_name(award)}："
        f"{award.get_status_display()}。{comment}",
        url=reverse("evaluations:award_index") + "?tab=mine",
        key=f"award_decided:{award.pk}",
    )
    return award


# --- reads -------------------------------------------------------------------------------------------------

AWARD_RELATED = ("member__organization", "organization", "nominated_by_organization", "nominated_by", "decided_by")


def honour_roll(org: Organization):
    """Approved awards of members and organizations in `org`'s subtree (the 光荣榜)."""
    return (
        Award.objects.filter(status=Award.Status.APPROVED)
        .filter(Q(member__organization__path__startswith=org.path) | Q(organization__path__startswith=org.path))
        .select_related(*AWARD_RELATED)
        .order_by("-year", "kind", "-decided_at", "id")
    )


def awards_to_decide(user: User):
    """Nominations waiting for this user's decision: made by organizations strictly below a committee grant."""
    qs = Award.objects.filter(status=Award.Status.NOMINATED).select_related(*AWARD_RELATED)
    scope = below_grants_q(user, Role.COMMITTEE, "nominated_by_organization")
    if scope is None:
        return qs.none()
    return qs.filter(scope).order_by("created_at", "id")


def nominations_by(org: Organization):
    """Nominations made by organizations in `org`'s subtree, newest first."""
    return (
        Award.objects.filter(nominated_by_organization__path__startswith=org.path)
        .select_related(*AWARD_RELATED)
        .order_by("-created_at", "-id")
    )


@dataclass
class Candidates:
    members: list  # Pledge rows with .items_total, .satisfaction, .nominated, .citation
    organizations: list  # Organization rows with .due, .pledged, .items_total, .ticked, .satisfaction


def _latest_satisfaction(org_ref: str, year: int):
    return Subquery(
        Appraisal.objects.filter(
            organization=OuterRef(org_ref), year=year, status=Appraisal.Status.CLOSED, satisfaction__isnull=False
        )
        .order_by("-closed_at", "-id")
        .values("satisfaction")[:1]
    )


class _SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery, without grouping the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _count(qs) -> _SubqueryCount:
    return _SubqueryCount(qs.order_by().values("pk"))


def award_candidates(*, org: Organization, campaign: Campaign, year: int | None = None) -> Candidates:
    """Proposed candidates from the data, one query for members and one for organizations.

    Members (践诺明星党员): a current signed pledge in the campaign made in `org`'s subtree whose every item
    was ticked off on or before its deadline, and, where the organization's latest closed appraisal of the
    campaign's year exists, its satisfaction at least 95%.
    Organizations (先进基层党组织) below `org`: every member expected to pledge has signed, at least 90% of
    the items of the pledges made there are ticked off, and a closed appraisal (if any) reached 90%.
    `year` is the year of the awards: candidates already nominated for it (and not rejected) are flagged.
    """
    year = year or campaign.year
    on_time = Q(items__state=PledgeItem.State.TICKED_OFF, items__ticked_off_on__lte=F("items__deadline"))
    already = Award.objects.filter(member=OuterRef("member_id"), year=year).exclude(status=Award.Status.REJECTED)
    members = list(
        Pledge.objects.filter(
            campaign=campaign,
            is_current=True,
            status__in=EVER_SIGNED,
            member__isnull=False,
            member__is_active=True,
            organization__path__startswith=org.path,
        )
        .annotate(
            items_total=Count("items"),
            items_on_time=Count("items", filter=on_time),
            satisfaction=_latest_satisfaction("organization_id", campaign.year),
            nominated=Exists(already),
        )
        .filter(items_total__gt=0, items_on_time=F("items_total"))
        .filter(Q(satisfaction__isnull=True) | Q(satisfaction__gte=STAR_SATISFACTION))
        .select_related("member__organization", "organization")
        .order_by("organization__path", "member__name")
    )
    for p in members:
        p.citation = f"{campaign.name}中承诺的 {p.items_total} 项事项全部按期兑现销号" + (
            f"，所在党组织群众满意度 {float(p.satisfaction):.1%}" if p.satisfaction is not None else ""
        )
        p.citation += "。"

    signed = Pledge.objects.filter(campaign=campaign, status__in=EVER_SIGNED)
    due = Member.objects.filter(organization__path__startswith=OuterRef("path"), is_active=True, is_exempt=False)
    made_there = PledgeItem.objects.filter(
        pledge__campaign=campaign,
        pledge__is_current=True,
        pledge__status__in=EVER_SIGNED,
        pledge__organization__path__startswith=OuterRef("path"),
    )
    org_already = Award.objects.filter(organization=OuterRef("pk"), year=year).exclude(status=Award.Status.REJECTED)
    organizations = list(
        Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth, is_active=True)
        .annotate(
            due=_count(due),
            pledged=_count(due.filter(Exists(signed.filter(member=OuterRef("pk"))))),
            items_total=_count(made_there),
            ticked=_count(made_there.filter(state=PledgeItem.State.TICKED_OFF)),
            satisfaction=_latest_satisfaction("pk", campaign.year),
            nominated=Exists(org_already),
        )
        .alias(ticked_x10=F("ticked") * 10, total_x9=F("items_total") * 9)
        .filter(due__gt=0, pledged=F("due"), items_total__gt=0, ticked_x10__gte=F("total_x9"))
        .filter(Q(satisfaction__isnull=True) | Q(satisfaction__gte=ORGANIZATION_SATISFACTION))
        .order_by("path")
    )
    for o in organizations:
        o.citation = (
            f"党员承诺全覆盖（{o.pledged}/{o.due}），承诺事项兑现销号 {o.ticked}/{o.items_total} 项"
            + (f"，群众满意度 {float(o.satisfaction):.1%}" if o.satisfaction is not None else "")
            + "。"
        )
    return Candidates(members, organizations)


def may_decide_any(user: User) -> bool:
    return holds_role_anywhere(user, {Role.COMMITTEE})
