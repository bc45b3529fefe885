"""下一步: the one line on every page of a pledge that says who acts next and by when (issue 14 §6).

`pledge_next_step(pledge, user)` reads the pledge's state, its signatures and its items and names the side that
acts next — "您" when that is the person looking at the page — with the date that binds it: the campaign's
signing deadline until both sides have signed, the nearest deadline of an open item while the pledge is carried
out. It decides nothing: the buttons still come from the transitions the user may take.

`inspection_this_quarter` answers whether this quarter's 季度检查 of a pledge is recorded, so the page offers it
only once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format

from organizations.models import Organization
from organizations.permissions import may

from .models import Inspection, Pledge, PledgeItem, Signature, quarter_of
from .permissions import PledgeAction, pledger_is_secretary_there


@dataclass(frozen=True)
class NextStep:
    """One sentence: `text` says who acts next (and by when); `urgent` when a date that binds it has passed."""

    text: str
    urgent: bool = False
    label: str = "下一步"

    def __str__(self) -> str:
        return f"{self.label}：{self.text}"


def day(value: datetime.date) -> str:
    """2025年3月15日."""
    return date_format(value, "Y年n月j日")


def reviewer_name(pledge: Pledge) -> str:
    """Who reviews and countersigns: the secretary where a member pledges, the superior committee when that member
    is the secretary himself, and for an organization's pledge (commitments.permissions.is_reviewer)."""
    if pledge.member_id and not pledger_is_secretary_there(pledge):
        return "支部书记" if pledge.organization.level == Organization.Level.BRANCH else "党组织书记"
    return "上级党委"


def _sign_deadline(pledge: Pledge, today: datetime.date) -> tuple[str, bool]:
    if pledge.previous_id:
        # A revision made by 变更承诺 is signed when the change is made; the campaign's deadline does not bind it.
        return "", False
    deadline = pledge.campaign.sign_deadline
    if deadline < today:
        return f"（签约截止日 {day(deadline)} 已过，请尽快办理）", True
    return f"（签约截止 {day(deadline)}）", False


def _published_after(pledge: Pledge) -> str:
    return "，签字后自动在公开栏公示" if pledge.campaign.auto_publish else "，之后在公开栏公示"


def pledge_next_step(
    pledge: Pledge,
    user=None,
    *,
    items: list[PledgeItem] | None = None,
    signatures: list[Signature] | None = None,
    today: datetime.date | None = None,
) -> NextStep:
    """The 下一步 line of `pledge` as `user` reads it. `items` and `signatures` may be given to save queries."""
    today = today or timezone.localdate()
    status = pledge.status
    S = Pledge.Status

    def acts(action: PledgeAction) -> bool:
        return user is not None and may(user, action, pledge)

    if not pledge.is_current or status == S.SUPERSEDED:
        return NextStep("无需办理。这是已变更的历史版本，请按当前版本办理。")
    if pledge.campaign.has_ended(today) and status in (S.DRAFT, S.RETURNED, S.SUBMITTED, S.APPROVED):
        return NextStep(f"无法继续办理：承诺批次已于 {day(pledge.campaign.ends_on)} 结束。", urgent=True)

    if status in (S.DRAFT, S.RETURNED):
        by_branch = pledge.entered_by_branch
        if acts(PledgeAction.SUBMIT_PLEDGE):
            who = "您"
        elif by_branch:
            who = "支部"
        else:
            who = pledge.pledger_name
        if status == S.RETURNED:
            what = "按审核意见修改承诺事项后重新提交审核"
        elif by_branch:
            what = f"照{pledge.member.name}的{'口头' if pledge.is_oral else '纸质'}承诺录入承诺事项后提交{reviewer_name(pledge)}审核"
        else:
            what = f"填写完承诺事项后提交{reviewer_name(pledge)}审核"
        deadline, late = _sign_deadline(pledge, today)
        return NextStep(f"{'' if who == '您' else '等待'}{who}{what}{deadline}", urgent=late)

    if status == S.SUBMITTED:
        deadline, late = _sign_deadline(pledge, today)
        if acts(PledgeAction.REVIEW_PLEDGE):
            return NextStep(f"请您审核这份承诺书{deadline}", urgent=late)
        return NextStep(f"等待{reviewer_name(pledge)}审核{deadline}", urgent=late)

    if status == S.APPROVED:
        return _approved(pledge, acts, signatures, today)

    if status == S.SIGNED:
        if acts(PledgeAction.PUBLISH_PLEDGE):
            return NextStep("请在公开栏公示这份承诺书，公示后按期践诺")
        return NextStep("等待党组织在公开栏公示，之后按期践诺")

    if status == S.PUBLISHED:
        return _fulfilment(pledge, acts, items, today)

    # 已兑现
    if pledge.final_grade:
        return NextStep(f"无需办理。全部事项已兑现销号，一诺一评等次为“{pledge.final_grade}”。")
    return NextStep("全部事项已兑现销号，年终由党组织进行一诺一评")


def _approved(pledge: Pledge, acts, signatures, today: datetime.date) -> NextStep:
    """已审定: the pledging side signs first (the member online, the branch records a paper signature, nobody for an
    oral pledge), then the reviewing side countersigns."""
    deadline, late = _sign_deadline(pledge, today)
    if signatures is None:
        pledger_signed = pledge.pledger_has_signed()
    else:
        pledger_signed = any(s.role == Signature.Role.PLEDGER for s in signatures)
    reviewer = "您" if acts(PledgeAction.COUNTERSIGN_PLEDGE) else reviewer_name(pledge)
    then = "之后由您签字确认" if reviewer == "您" else f"之后由{reviewer}签字确认"
    if pledge.is_oral or pledger_signed:
        if pledge.is_oral:
            why = f"口头承诺，见证人{pledge.witness_name}，无需承诺人签名" if pledge.witness_name else "口头承诺"
            why = f"（{why}）"
        else:
            why = ""
        if reviewer == "您":
            return NextStep(f"请您作为审定方签字确认{why}{_published_after(pledge)}{deadline}", urgent=late)
        return NextStep(f"等待{reviewer}签字确认{why}{_published_after(pledge)}{deadline}", urgent=late)
    if pledge.is_paper:
        if acts(PledgeAction.SIGN_PLEDGE):
            return NextStep(f"请登记{pledge.member.name}在纸质承诺书上的签字和扫描件，{then}{deadline}", urgent=late)
        return NextStep(f"等待支部登记{pledge.member.name}的纸质签字，{then}{deadline}", urgent=late)
    if acts(PledgeAction.SIGN_PLEDGE):
        return NextStep(f"请您签署承诺书，{then}{deadline}", urgent=late)
    signer = pledge.member.name if pledge.member_id else f"{pledge.pledger_organization.name}书记"
    return NextStep(f"等待{signer}签署承诺书，{then}{deadline}", urgent=late)


def _fulfilment(pledge: Pledge, acts, items, today: datetime.date) -> NextStep:
    """已公示（践诺中）: carry the items out, check every month, ask for 销号; the reviewing side confirms."""
    items = list(pledge.items.all()) if items is None else items
    requested = [i for i in items if i.state == PledgeItem.State.TICK_REQUESTED]
    open_items = [i for i in items if i.state == PledgeItem.State.IN_PROGRESS]
    if requested and acts(PledgeAction.CONFIRM_TICK_OFF):
        return NextStep(
            f"请您审核 {len(requested)} 项销号申请（{_positions(requested)}），确认兑现或说明不予销号的原因"
        )
    if not open_items:
        if requested:
            return NextStep(f"等待{reviewer_name(pledge)}确认销号（{_positions(requested)}）")
        return NextStep("等待全部事项销号后转为已兑现")
    who = "您" if acts(PledgeAction.FULFIL_PLEDGE) else ("支部" if pledge.entered_by_branch else pledge.pledger_name)
    overdue = [i for i in open_items if i.deadline < today]
    if overdue:
        return NextStep(
            f"{'请您' if who == '您' else who + '须'}抓紧践诺：{_positions(overdue)}已过完成时限（{day(min(i.deadline for i in overdue))}），完成后申请销号",
            urgent=True,
        )
    nearest = min(open_items, key=lambda i: (i.deadline, i.position))
    return NextStep(
        f"{who}按期践诺、每月自查，事项完成后申请销号（最近的完成时限：第{nearest.position}项 {day(nearest.deadline)}）"
    )


def _positions(items) -> str:
    return "、".join(f"第{i.position}项" for i in sorted(items, key=lambda i: i.position))


# Once both sides have signed, the items run against their deadlines (models.IN_FORCE) and have a state worth
# showing; before that every item reads 进行中 by default, which would tell a draft's reader something untrue.
ITEMS_UNDER_WAY = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED, Pledge.Status.SUPERSEDED)


def items_under_way(pledge: Pledge) -> bool:
    """Do the items of `pledge` have a fulfilment state yet (进行中, 申请销号, 已销号, 逾期)?"""
    return pledge.status in ITEMS_UNDER_WAY


def inspection_this_quarter(pledge: Pledge, inspections=None, *, today: datetime.date | None = None):
    """This quarter's 季度检查 of `pledge`, or None. `inspections` (the pledge's, any order) saves a query."""
    year, quarter = quarter_of(today or timezone.localdate())
    if inspections is None:
        return Inspection.objects.filter(pledge=pledge, year=year, quarter=quarter).first()
    return next((i for i in inspections if i.year == year and i.quarter == quarter), None)
