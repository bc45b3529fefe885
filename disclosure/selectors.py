"""What the public may see: published pledges only, never personal data.

The web board and the printed registers (附件3, 附件4) read the same selectors so that the wall and the web
say the same thing.
"""

from __future__ import annotations

from django.db.models import Q

from commitments.models import Campaign, Pledge, PledgeItem
from commitments.selectors import PUBLIC_STATUSES, member_pledges, organization_pledge, published_pledges
from commitments.services import campaign_for
from organizations.models import Organization

__all__ = ["PUBLIC_STATUSES", "member_pledges", "organization_pledge"]


def public_campaign(org: Organization, campaign_id: int | None = None) -> Campaign | None:
    """The campaign a board shows: the one asked for (if it covers `org`), else the open one."""
    if campaign_id:
        return (
            Campaign.objects.filter(pk=campaign_id, organization__path__in=org.ancestor_paths())
            .select_related("organization")
            .first()
        )
    current = campaign_for(org)
    if current is not None:
        return current
    from .models import BoardSetting

    setting = BoardSetting.objects.filter(organization=org).select_related("pinned_campaign").first()
    if setting is not None and setting.pinned_campaign is not None:
        return setting.pinned_campaign
    return Campaign.objects.filter(organization__path__in=org.ancestor_paths()).order_by("-year", "-id").first()


def campaigns_of(org: Organization) -> list[Campaign]:
    """Every campaign that covered this organization, newest first (the board's history)."""
    return list(Campaign.objects.filter(organization__path__in=org.ancestor_paths()).order_by("-year", "-id"))


def subtree_organization_pledges(org: Organization, campaign: Campaign) -> list[Pledge]:
    """Published pledges of the organization and its subordinate organizations, in tree order (附件3)."""
    return list(
        published_pledges(campaign)
        .filter(pledger_organization__path__startswith=org.path)
        .order_by("pledger_organization__path")
    )


def item_progress(item: PledgeItem) -> str:
    """践诺情况 as the public reads it: 已销号 with its date, 逾期, or 进行中."""
    if item.state == PledgeItem.State.TICKED_OFF:
        return f"已销号（{item.ticked_off_on:%Y年%-m月%-d日}）" if item.ticked_off_on else "已销号"
    if item.is_overdue:
        return "逾期"
    return "进行中"


def evaluation_results(org: Organization) -> dict:
    """Published 评诺 results for the board: appraisals, rankings, bulletins, honour roll, monthly records and
    leader reviews published in writing. A fixed number of queries; names and texts only, no personal data."""
    from evaluations.models import Appraisal, Bulletin, LeaderReview, MonthlyRecord, Ranking
    from evaluations.selectors import honour_roll

    ranking = (
        Ranking.objects.filter(organization=org, is_published=True)
        .order_by("-published_at", "-id")
        .prefetch_related("entries__member", "entries__organization")
        .first()
    )
    latest_month = (
        MonthlyRecord.objects.filter(member__organization=org, is_published=True, member__is_active=True)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    return {
        "appraisals": list(
            Appraisal.objects.filter(organization=org, is_published=True, status=Appraisal.Status.CLOSED).order_by(
                "-held_on"
            )[:4]
        ),
        "ranking": ranking,
        "bulletins": list(Bulletin.objects.filter(organization=org, status=Bulletin.Status.PUBLISHED)[:4]),
        "awards": list(honour_roll(org)[:20]),
        "record_month": latest_month,
        "records": list(
            MonthlyRecord.objects.filter(member__organization=org, is_published=True, month=latest_month)
            .select_related("member")
            .order_by("member__name")[:60]
        )
        if latest_month
        else [],
        "reviews": list(
            LeaderReview.objects.filter(is_published=True)
            .filter(Q(organization=org) | Q(member__organization=org))
            .select_related("member", "organization")
            .order_by("-created_at")[:10]
        ),
    }
