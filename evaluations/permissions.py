"""Who may do what in 评诺 and statistics: registered with the permission module of organizations.

领导点评 of a member is his branch secretary's; of an organization, its appraisal, the approval of its
rectification and of awards belong to a committee above it; rankings to the ranking organization; monthly
records to the member himself.
"""

from __future__ import annotations

from enum import StrEnum

from commitments.permissions import is_reviewer, pledge_of
from organizations.models import Member
from organizations.permissions import (
    ALL_ROLES,
    BRANCH_ROLES,
    Role,
    Rule,
    holds,
    holds_role_anywhere,
    own_member,
    register_actions,
)


class EvaluationAction(StrEnum):
    # On an organization, by role on its subtree.
    VIEW_STATISTICS = "view_statistics"
    MANAGE_BULLETIN = "manage_bulletin"
    NOMINATE_AWARD = "nominate_award"
    FILE_RECTIFICATION = "file_rectification"
    # Decided by the rules below.
    REVIEW_MEMBER = "review_member"
    REVIEW_ORGANIZATION = "review_organization"
    MANAGE_APPRAISAL = "manage_appraisal"
    APPROVE_RECTIFICATION = "approve_rectification"
    APPROVE_AWARD = "approve_award"
    RANK_MEMBERS = "rank_members"
    RANK_ORGANIZATIONS = "rank_organizations"
    WRITE_MONTHLY_RECORD = "write_monthly_record"
    COMMENT_MONTHLY_RECORD = "comment_monthly_record"
    GRADE_PLEDGE = "grade_pledge"
    PUBLISH_REVIEW = "publish_review"
    KEEP_CONTACT_POINTS = "keep_contact_points"


def _by_branch_secretary(user, action, obj) -> bool:
    """On a member (not oneself) or on an organization: its branch secretary."""
    if isinstance(obj, Member) and obj.user_id == user.pk:
        return False
    org = obj.organization if isinstance(obj, Member) else obj
    return holds(user, org, {Role.SECRETARY})


def _by_committee_above(user, action, org) -> bool:
    return holds(user, org, {Role.COMMITTEE}, strict=True)


def is_leader(user) -> bool:
    """处级以上 / 县级党员领导干部 for 联系点 (篇四, 篇六, 篇十二): a member marked 领导干部, or a committee officer."""
    if not user.is_authenticated:
        return False
    member = own_member(user)
    return (member is not None and member.is_leader) or holds_role_anywhere(user, {Role.COMMITTEE})


def _by_leader(user, action, obj) -> bool:
    return is_leader(user)


def _by_committee_above_or_contact_leader(user, action, org) -> bool:
    """篇六 “县级党员领导干部重点点评联系点和分管单位党组织”: the committee above, or a leader whose 联系点 it is."""
    if _by_committee_above(user, action, org):
        return True
    from .models import ContactPoint

    return user.is_authenticated and ContactPoint.objects.filter(leader_id=user.pk, organization=org).exists()


def _by_committee(user, action, org) -> bool:
    return holds(user, org, {Role.COMMITTEE})


def _by_the_member(user, action, obj) -> bool:
    return isinstance(obj, Member) and obj.user_id == user.pk


def _by_author_or_reviewing_officer(user, action, review) -> bool:
    """A 领导点评 is shown on the board (or withdrawn) by its author or by whoever may review its subject."""
    if review.reviewer_id == user.pk:
        return True
    if review.member_id:
        return _by_branch_secretary(user, action, review.member)
    return _by_committee_above(user, action, review.organization)


def _by_reviewer(user, action, obj) -> bool:
    return is_reviewer(user, pledge_of(obj))


register_actions(
    EvaluationAction,
    {
        EvaluationAction.VIEW_STATISTICS: Rule("您无权查看该党组织的统计。", ALL_ROLES),
        EvaluationAction.MANAGE_BULLETIN: Rule("您无权编辑该党组织的通报。", ALL_ROLES),
        EvaluationAction.NOMINATE_AWARD: Rule("您无权以该党组织名义推荐表彰。", ALL_ROLES),
        EvaluationAction.FILE_RECTIFICATION: Rule("只有本组织的书记或党务干事可以报送整改报告。", BRANCH_ROLES),
        EvaluationAction.REVIEW_MEMBER: Rule("只有党员所在支部的书记可以点评党员。", check=_by_branch_secretary),
        EvaluationAction.REVIEW_ORGANIZATION: Rule(
            "只有上级党委或以该党组织为联系点的领导可以点评党组织。", check=_by_committee_above_or_contact_leader
        ),
        EvaluationAction.MANAGE_APPRAISAL: Rule("只有上级党委可以组织群众评议。", check=_by_committee_above),
        EvaluationAction.APPROVE_RECTIFICATION: Rule("只有上级党委可以审批整改报告。", check=_by_committee_above),
        EvaluationAction.APPROVE_AWARD: Rule("只有上级党委可以审批表彰。", check=_by_committee_above),
        EvaluationAction.RANK_MEMBERS: Rule("只有本支部书记可以对党员进行排名。", check=_by_branch_secretary),
        EvaluationAction.RANK_ORGANIZATIONS: Rule("只有上级党委可以对下级党组织进行排名。", check=_by_committee),
        EvaluationAction.WRITE_MONTHLY_RECORD: Rule(
            "只有党员本人可以填写每月记实。", check=_by_the_member, personal=True
        ),
        EvaluationAction.COMMENT_MONTHLY_RECORD: Rule(
            "只有所在支部的书记可以点评每月记实。", check=_by_branch_secretary
        ),
        EvaluationAction.GRADE_PLEDGE: Rule("只有审核这份承诺书的一方可以评定一诺一评等次。", check=_by_reviewer),
        EvaluationAction.KEEP_CONTACT_POINTS: Rule(
            "只有处级以上（县级）领导干部或上级党委成员可以登记联系点。", check=_by_leader, personal=True
        ),
        EvaluationAction.PUBLISH_REVIEW: Rule(
            "只有点评人或有权点评的书记、上级党委可以公开这条点评。", check=_by_author_or_reviewing_officer
        ),
    },
)
