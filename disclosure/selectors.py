"""What the public may see: published pledges only, never personal data.

The web board and the printed registers (附件3, 附件4) read the same selectors so that the wall and the web
say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from commitments.models import Campaign, Pledge, PledgeItem
from commitments.selectors import PUBLIC_STATUSES, member_pledges, organization_pledge, published_pledges
from commitments.services import campaign_for
from organizations.models import Organization
from printing import by_strokes

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
            Appraisal.objects.filter(organization=org, is_published=True, status=Appraisal.Status.CLOSED)
            .select_related("campaign")  # its 意见较大 threshold, read when the result failed
            .order_by("-held_on")[:4]
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


def board_setting(org: Organization):
    """The organization's board setting, or the defaults (unsaved) when it never changed them."""
    from .models import BoardSetting

    return BoardSetting.objects.filter(organization=org).first() or BoardSetting(organization=org)


@dataclass
class MemberAppraisal:
    """How the masses judged one member's pledge across the closed, published appraisals of a campaign."""

    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0
    satisfaction: Decimal | None = None

    @property
    def total(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def satisfaction_text(self) -> str:
        from evaluations.selectors import satisfaction_text

        return satisfaction_text(self.satisfaction)


def member_appraisals(campaign: Campaign, member_ids) -> dict[tuple[int, int], MemberAppraisal]:
    """一诺一评 on the board (篇六): per member and place of pledging (his branch, his residence community), the
    满意/基本满意/不满意 given to his pledge of `campaign` in closed and published appraisals — every revision of
    it, ballots and paper tallies together — weighted as the campaign says. Two queries."""
    from evaluations.models import Appraisal, Ballot, PaperTally
    from evaluations.selectors import campaign_weights, satisfaction_of

    ids = list(member_ids)
    if not ids:
        return {}
    scope = Q(
        appraisal__status=Appraisal.Status.CLOSED,
        appraisal__is_published=True,
        pledge__campaign=campaign,
        pledge__member_id__in=ids,
    )
    results: dict[tuple[int, int], MemberAppraisal] = {}
    field = {
        Ballot.Choice.SATISFIED: "satisfied",
        Ballot.Choice.BASICALLY: "basically",
        Ballot.Choice.UNSATISFIED: "unsatisfied",
    }
    key = ("pledge__member_id", "pledge__organization_id")
    for member_id, place_id, choice, n in (
        Ballot.objects.filter(scope).values_list(*key, "choice").annotate(n=Count("id")).order_by()
    ):
        result = results.setdefault((member_id, place_id), MemberAppraisal())
        setattr(result, field[choice], getattr(result, field[choice]) + n)
    for row in (
        PaperTally.objects.filter(scope)
        .values(*key)
        .annotate(s=Sum("satisfied"), b=Sum("basically_satisfied"), u=Sum("unsatisfied"))
        .order_by()
    ):
        result = results.setdefault((row[key[0]], row[key[1]]), MemberAppraisal())
        result.satisfied += row["s"] or 0
        result.basically += row["b"] or 0
        result.unsatisfied += row["u"] or 0
    weights = campaign_weights(campaign)
    for result in results.values():
        result.satisfaction = satisfaction_of(
            result.satisfied, result.basically, result.unsatisfied, result.total, weights
        )
    return results


def residence_pledges(org: Organization, campaign: Campaign) -> list[Pledge]:
    """在职党员到社区报到 (篇四): the published pledges the members of `org` made elsewhere — at the residence
    community they report to. They show on their own branch's board too, marked with the community's name."""
    pledges = by_strokes(
        published_pledges(campaign).filter(member__organization=org).exclude(organization=org),
        name=lambda pledge: pledge.member.name,
        tie=lambda pledge: pledge.member_id,
    )
    for pledge in pledges:
        pledge.made_elsewhere = True
    return pledges


def board_member_pledges(org: Organization, campaign: Campaign) -> list[Pledge]:
    """The members' pledges on a board: those made here, each followed by the same member's pledge at his
    residence community; then the residence pledges of members who made none here."""
    here = member_pledges(org, campaign)
    elsewhere = residence_pledges(org, campaign)
    if not elsewhere:
        return here
    place = {p.member_id: index for index, p in enumerate(here)}
    keyed = [((place.get(p.member_id, len(here)), 0, index), p) for index, p in enumerate(here)]
    keyed += [((place.get(p.member_id, len(here)), 1, index), p) for index, p in enumerate(elsewhere)]
    return [p for _, p in sorted(keyed, key=lambda pair: pair[0])]
