"""Who may do what with campaigns, opinions and pledges: registered with the permission module of organizations.

Every action of the pledge lifecycle is a `PledgeAction`; the rules for pledges and the objects hanging from them
(items, fulfilment logs, attachments, self-checks, inspections) are one policy, registered for those models.
"""

from __future__ import annotations

from enum import StrEnum

from organizations.permissions import (
    ALL_ROLES,
    BRANCH_ROLES,
    Role,
    Rule,
    holds,
    holds_exactly,
    own_member,
    register_actions,
    register_policy,
)


class PledgeAction(StrEnum):
    # On an organization.
    OPEN_CAMPAIGN = "open_campaign"
    MANAGE_OPINIONS = "manage_opinions"
    ENTER_ORAL_PLEDGE = "enter_oral_pledge"
    ENTER_PAPER_PLEDGE = "enter_paper_pledge"
    VIEW_LEDGER = "view_ledger"
    CREATE_ORG_PLEDGE = "create_org_pledge"
    # On a pledge (or its items, logs, attachments, self-checks, inspections).
    VIEW_PLEDGE = "view_pledge"
    EDIT_PLEDGE = "edit_pledge"
    SUBMIT_PLEDGE = "submit_pledge"
    REVIEW_PLEDGE = "review_pledge"
    SIGN_PLEDGE = "sign_pledge"
    COUNTERSIGN_PLEDGE = "countersign_pledge"
    PUBLISH_PLEDGE = "publish_pledge"
    AMEND_PLEDGE = "amend_pledge"
    FULFIL_PLEDGE = "fulfil_pledge"
    CONFIRM_TICK_OFF = "confirm_tick_off"
    INSPECT_PLEDGE = "inspect_pledge"
    VIEW_PAPER_SCAN = "view_paper_scan"


def pledge_of(obj):
    """The pledge an object of the pledge lifecycle belongs to."""
    from .models import Attachment, FulfilmentLog, Inspection, Pledge, PledgeItem, SelfCheck

    if isinstance(obj, Pledge):
        return obj
    if isinstance(obj, (PledgeItem, Inspection)):
        return obj.pledge
    if isinstance(obj, (FulfilmentLog, SelfCheck)):
        return obj.item.pledge
    if isinstance(obj, Attachment):
        return obj.log.item.pledge
    raise TypeError(type(obj).__name__)


def is_pledger_side(user, pledge) -> bool:
    """The member himself; for an oral or paper pledge the branch entering it; for an organization its own
    officers."""
    if pledge.member_id:
        if pledge.form in ("oral", "paper"):
            return holds(user, pledge.organization, BRANCH_ROLES)
        return pledge.member.user_id == user.pk
    return holds_exactly(user, pledge.pledger_organization, BRANCH_ROLES)


def pledger_is_secretary_there(pledge) -> bool:
    """Is the pledging member himself the secretary of the organization his pledge is made in?"""
    if not pledge.member_id or not pledge.member.user_id:
        return False
    return holds_exactly(pledge.member.user, pledge.organization, {Role.SECRETARY})


def is_reviewer(user, pledge) -> bool:
    """审诺 and 定诺 for the reviewing side.

    A member's pledge is reviewed by the secretary of the organization it is made in, or by the parent
    organization when the member is that secretary; an organization's pledge by its parent organization.
    """
    if pledge.member_id:
        if pledge.member.user_id == user.pk:
            return False
        if pledger_is_secretary_there(pledge):
            return holds(user, pledge.organization, {Role.SECRETARY, Role.COMMITTEE}, strict=True)
        return holds(user, pledge.organization, {Role.SECRETARY})
    if holds_exactly(user, pledge.pledger_organization, BRANCH_ROLES):
        return False
    return holds(user, pledge.pledger_organization, {Role.SECRETARY, Role.COMMITTEE}, strict=True)


def _pledge_may(user, action: str, pledge) -> bool:
    if action == PledgeAction.VIEW_PAPER_SCAN:
        # The signed page carries a handwritten signature: the two sides, the member himself and the officers of
        # the organization see it; other members and the public never do.
        if is_pledger_side(user, pledge) or is_reviewer(user, pledge) or holds(user, pledge.organization, ALL_ROLES):
            return True
        return bool(pledge.member_id and pledge.member.user_id == user.pk)
    if action == PledgeAction.VIEW_PLEDGE:
        if is_pledger_side(user, pledge) or is_reviewer(user, pledge):
            return True
        if pledge.member_id and pledge.member.user_id == user.pk:
            return True  # his own pledge, even one the branch entered for him
        if holds(user, pledge.organization, ALL_ROLES):
            return True
        if pledge.pledger_organization_id and holds(user, pledge.pledger_organization, ALL_ROLES):
            return True
        from .selectors import PUBLIC_STATUSES

        member = own_member(user)
        public = pledge.status in PUBLIC_STATUSES
        return bool(public and member and member.organization_id == pledge.organization_id)
    if action in (
        PledgeAction.EDIT_PLEDGE,
        PledgeAction.SUBMIT_PLEDGE,
        PledgeAction.AMEND_PLEDGE,
        PledgeAction.FULFIL_PLEDGE,
    ):
        return is_pledger_side(user, pledge)
    if action == PledgeAction.SIGN_PLEDGE:
        if pledge.member_id:
            if pledge.form == "paper":
                # The member signed on paper; an officer of the branch records that signature and its scan.
                return holds(user, pledge.organization, BRANCH_ROLES) and pledge.member.user_id != user.pk
            return pledge.form == "written" and pledge.member.user_id == user.pk
        return holds_exactly(user, pledge.pledger_organization, {Role.SECRETARY})
    if action in (
        PledgeAction.REVIEW_PLEDGE,
        PledgeAction.COUNTERSIGN_PLEDGE,
        PledgeAction.CONFIRM_TICK_OFF,
        PledgeAction.INSPECT_PLEDGE,
    ):
        return is_reviewer(user, pledge)
    if action == PledgeAction.PUBLISH_PLEDGE:
        return holds(user, pledge.organization, BRANCH_ROLES) or is_reviewer(user, pledge)
    return False


def pledge_policy(user, action: str, obj) -> bool:
    """Every action on a pledge or an object of its lifecycle; actions of other kinds are refused."""
    return _pledge_may(user, action, pledge_of(obj))


def _create_org_pledge(user, action, org) -> bool:
    return holds_exactly(user, org, BRANCH_ROLES)


register_actions(
    PledgeAction,
    {
        PledgeAction.OPEN_CAMPAIGN: Rule("只有上级党委可以开启承诺批次。", frozenset({Role.COMMITTEE})),
        PledgeAction.MANAGE_OPINIONS: Rule("您无权维护该党组织的群众意见。", ALL_ROLES),
        PledgeAction.ENTER_ORAL_PLEDGE: Rule("只有本支部的书记或党务干事可以代录口头承诺。", BRANCH_ROLES),
        PledgeAction.ENTER_PAPER_PLEDGE: Rule("只有本支部的书记或党务干事可以代录党员纸质签字的承诺书。", BRANCH_ROLES),
        PledgeAction.VIEW_LEDGER: Rule("您无权查看该党组织的承诺台帐。", ALL_ROLES),
        PledgeAction.CREATE_ORG_PLEDGE: Rule(
            "只有本组织的书记或党务干事可以起草组织承诺书。", check=_create_org_pledge
        ),
        PledgeAction.VIEW_PLEDGE: Rule("您无权查看这份承诺书。"),
        PledgeAction.EDIT_PLEDGE: Rule("只有承诺方可以修改承诺书。"),
        PledgeAction.SUBMIT_PLEDGE: Rule("只有承诺方可以提交承诺书。"),
        PledgeAction.REVIEW_PLEDGE: Rule("您不是这份承诺书的审核人。"),
        PledgeAction.SIGN_PLEDGE: Rule(
            "只有承诺人本人可以签署承诺书；纸质签字的承诺书由本支部书记或党务干事登记。", personal=True
        ),
        PledgeAction.COUNTERSIGN_PLEDGE: Rule("您不是这份承诺书的审定方，不能签署。", personal=True),
        PledgeAction.PUBLISH_PLEDGE: Rule("您无权公示这份承诺书。"),
        PledgeAction.AMEND_PLEDGE: Rule("只有承诺方可以申请变更承诺。"),
        PledgeAction.FULFIL_PLEDGE: Rule("只有承诺方可以记录践诺情况、申请销号和自查。"),
        PledgeAction.CONFIRM_TICK_OFF: Rule("只有审核这份承诺书的书记或上级党委可以确认销号。"),
        PledgeAction.INSPECT_PLEDGE: Rule("只有审核这份承诺书的一方可以进行季度检查。"),
        PledgeAction.VIEW_PAPER_SCAN: Rule("您无权查看这份承诺书的纸质签字扫描件。"),
    },
)


def register_policies() -> None:
    """One policy decides every action on a pledge and the objects hanging from it (called by the app's ready();
    the models import this module for their transitions' permissions, so it does not import them at the top)."""
    from .models import Attachment, FulfilmentLog, Inspection, Pledge, PledgeItem, SelfCheck

    for model in (Pledge, PledgeItem, FulfilmentLog, Attachment, SelfCheck, Inspection):
        register_policy(model, pledge_policy)
