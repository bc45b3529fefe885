"""The one place that decides access.

A role (党务干事, 书记, 上级党委) is granted to a user on an organization as a django-guardian object
permission and holds for that organization's whole subtree. Whether it holds on some object is answered by
comparing materialized tree paths: the user's grants are loaded once per request (one query) and cached on
the user object. Grants are never copied down the tree.

Every view and service asks `may(user, action, obj)` or `require(...)`, and lists start from
`orgs_for(user, action)` / `members_for(user, action)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404


class Role(models.TextChoices):
    CLERK = "clerk", "党务干事"
    SECRETARY = "secretary", "书记"
    COMMITTEE = "committee", "上级党委"


ROLE_CODENAMES = {
    Role.CLERK: "role_clerk",
    Role.SECRETARY: "role_secretary",
    Role.COMMITTEE: "role_committee",
}
CODENAME_ROLES = {v: k for k, v in ROLE_CODENAMES.items()}

_ALL = frozenset({Role.CLERK, Role.SECRETARY, Role.COMMITTEE})
_BRANCH = frozenset({Role.CLERK, Role.SECRETARY})

# action → roles that allow it on the subtree of the organization the role is granted on.
# The branch (clerk, secretary) keeps the roster and sees personal data; the committee reads the roster
# with 身份证号 and phone masked, keeps the organization tree and decides exemptions.
ACTIONS: dict[str, frozenset[Role]] = {
    "view_org": _ALL,
    "manage_org": _ALL,
    "view_members": _ALL,
    "manage_members": _BRANCH,
    "view_personal_data": _BRANCH,
    "export_roster": _ALL,
    "propose_exemption": frozenset({Role.CLERK, Role.SECRETARY}),
    "decide_exemption": frozenset({Role.COMMITTEE}),
    "grant_roles": frozenset({Role.SECRETARY, Role.COMMITTEE}),
    # The pledge lifecycle (commitments), on an organization.
    "open_campaign": frozenset({Role.COMMITTEE}),
    "manage_opinions": _ALL,
    "enter_oral_pledge": _BRANCH,
    "view_ledger": _ALL,
    # 评诺 and statistics (evaluations), on an organization.
    "view_statistics": _ALL,
    "manage_bulletin": _ALL,
    "nominate_award": _ALL,
    "file_rectification": _BRANCH,
}

# What a member may do through his own linked account, on his own organizations and his own record.
MEMBER_ORG_ACTIONS = frozenset({"view_org", "view_members"})
MEMBER_SELF_ACTIONS = frozenset({"view_member", "view_personal_data"})

# Which roles a holder of a role may grant to others (never a higher one than his own).
GRANTABLE_ROLES: dict[Role, frozenset[Role]] = {
    Role.COMMITTEE: frozenset({Role.COMMITTEE, Role.SECRETARY, Role.CLERK}),
    Role.SECRETARY: frozenset({Role.SECRETARY, Role.CLERK}),
    Role.CLERK: frozenset(),
}

REFUSAL_MESSAGES = {
    "view_org": "您无权查看该党组织。",
    "manage_org": "您无权维护该党组织的信息。",
    "view_members": "您无权查看该党组织的党员名册。",
    "view_member": "您无权查看该党员的信息。",
    "manage_members": "您无权维护该党员的信息。",
    "view_personal_data": "您无权查看该党员的个人信息。",
    "export_roster": "您无权导出该党组织的名册。",
    "propose_exemption": "只有本支部的书记或党务干事可以提出免于承诺。",
    "decide_exemption": "只有上级党委可以审批免于承诺。",
    "grant_roles": "您无权在该党组织授予或撤销角色。",
    "open_campaign": "只有上级党委可以开启承诺批次。",
    "manage_opinions": "您无权维护该党组织的群众意见。",
    "enter_oral_pledge": "只有本支部的书记或党务干事可以代录口头承诺。",
    "view_ledger": "您无权查看该党组织的承诺台帐。",
    "create_org_pledge": "只有本组织的书记或党务干事可以起草组织承诺书。",
    "view_pledge": "您无权查看这份承诺书。",
    "edit_pledge": "只有承诺方可以修改承诺书。",
    "submit_pledge": "只有承诺方可以提交承诺书。",
    "review_pledge": "您不是这份承诺书的审核人。",
    "sign_pledge": "只有承诺人本人可以签署承诺书。",
    "countersign_pledge": "您不是这份承诺书的审定方，不能签署。",
    "publish_pledge": "您无权公示这份承诺书。",
    "amend_pledge": "只有承诺方可以申请变更承诺。",
    "fulfil_pledge": "只有承诺方可以记录践诺情况、申请销号和自查。",
    "confirm_tick_off": "只有审核这份承诺书的书记或上级党委可以确认销号。",
    "inspect_pledge": "只有审核这份承诺书的一方可以进行季度检查。",
    "view_statistics": "您无权查看该党组织的统计。",
    "manage_bulletin": "您无权编辑该党组织的通报。",
    "nominate_award": "您无权以该党组织名义推荐表彰。",
    "file_rectification": "只有本组织的书记或党务干事可以报送整改报告。",
    "review_member": "只有党员所在支部的书记可以点评党员。",
    "review_organization": "只有上级党委可以点评党组织。",
    "manage_appraisal": "只有上级党委可以组织群众评议。",
    "approve_rectification": "只有上级党委可以审批整改报告。",
    "approve_award": "只有上级党委可以审批表彰。",
    "rank_members": "只有本支部书记可以对党员进行排名。",
    "rank_organizations": "只有上级党委可以对下级党组织进行排名。",
    "write_monthly_record": "只有党员本人可以填写每月记实。",
    "comment_monthly_record": "只有所在支部的书记可以点评每月记实。",
    "grade_pledge": "只有审核这份承诺书的一方可以评定一诺一评等次。",
}

# Evaluation rules that are not "a role on the subtree" (see may_evaluate below).
EVALUATION_ACTIONS = frozenset(
    {
        "review_member",
        "review_organization",
        "manage_appraisal",
        "approve_rectification",
        "approve_award",
        "rank_members",
        "rank_organizations",
        "write_monthly_record",
        "comment_monthly_record",
    }
)

# Acts that only the person himself (or the named officer) performs; not even an administrator does them
# on someone's behalf.
PERSONAL_ACTIONS = frozenset({"sign_pledge", "countersign_pledge", "write_monthly_record"})

PLEDGE_ACTIONS = frozenset(
    {
        "view_pledge",
        "edit_pledge",
        "submit_pledge",
        "review_pledge",
        "sign_pledge",
        "countersign_pledge",
        "publish_pledge",
        "amend_pledge",
        "fulfil_pledge",
        "confirm_tick_off",
        "inspect_pledge",
    }
)
_PLEDGE_MODELS = frozenset({"Pledge", "PledgeItem", "FulfilmentLog", "Attachment", "SelfCheck", "Inspection"})


@dataclass(frozen=True)
class Grant:
    role: Role
    path: str
    organization_id: int


def grants_of(user) -> list[Grant]:
    """The user's role grants, loaded with one query and cached on the user object for this request."""
    cached = getattr(user, "_org_grants", None)
    if cached is not None:
        return cached
    from .models import OrganizationUserObjectPermission

    rows = (
        OrganizationUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename__in=CODENAME_ROLES.keys(), content_object__is_active=True
        )
        .values_list("permission__codename", "content_object__path", "content_object_id")
        .order_by("content_object__path")
    )
    grants = [Grant(CODENAME_ROLES[codename], path, org_id) for codename, path, org_id in rows]
    user._org_grants = grants
    return grants


def forget_grants(user) -> None:
    """Drop the per-request cache, e.g. after a grant or revoke on this same user object."""
    if hasattr(user, "_org_grants"):
        del user._org_grants
    if hasattr(user, "_own_member"):
        del user._own_member


def own_member(user):
    """The Member linked to this account, or None (cached on the user object)."""
    if not hasattr(user, "_own_member"):
        from .models import Member

        user._own_member = (
            Member.objects.filter(user_id=user.pk, is_active=True)
            .select_related("organization", "inflow_organization", "residence_organization")
            .first()
        )
    return user._own_member


def roles_on(user, org) -> set[Role]:
    """Roles the user holds on `org`, directly or through an ancestor."""
    if not _is_usable(user):
        return set()
    return {g.role for g in grants_of(user) if org.path.startswith(g.path)}


def has_any_role(user, roles=_ALL) -> bool:
    return _is_usable(user) and (user.is_superuser or any(g.role in roles for g in grants_of(user)))


def _is_usable(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _orgs_of(obj, action: str) -> list:
    """The organizations whose subtree decides access to `obj` for `action`."""
    from .models import Exemption, Member, Organization

    if isinstance(obj, Organization):
        return [obj]
    if isinstance(obj, Exemption):
        obj = obj.member
    if isinstance(obj, Member):
        orgs = [obj.organization]
        if action.startswith("view"):
            # A floating member takes part in his inflow branch; a working member reports to his community.
            orgs += [o for o in (obj.inflow_organization, obj.residence_organization) if o is not None]
        return orgs
    org = getattr(obj, "organization", None)
    if org is not None:
        return [org]
    raise TypeError(f"may(): no organization for {type(obj).__name__}")


def may(user, action: str, obj) -> bool:
    """May `user` take `action` on `obj` (an Organization, a Member, or anything with `.organization`)?"""
    if not _is_usable(user):
        return False
    if user.is_superuser and action not in PERSONAL_ACTIONS:
        return True
    from .models import Member

    if action == "view_member":
        # Seeing a member's record is part of keeping or reading the roster of one of his organizations.
        return may(user, "view_members", obj)
    if action == "grade_pledge":
        return is_reviewer(user, _pledge_of(obj))
    if type(obj).__name__ in _PLEDGE_MODELS:
        return _pledge_may(user, action, _pledge_of(obj))
    if action in EVALUATION_ACTIONS:
        return _evaluation_may(user, action, obj)
    if action == "create_org_pledge":
        return _holds_exactly(user, obj, {Role.CLERK, Role.SECRETARY})
    roles = ACTIONS.get(action, frozenset())
    orgs = _orgs_of(obj, action)
    grants = grants_of(user)
    for org in orgs:
        for grant in grants:
            if grant.role in roles and org.path.startswith(grant.path):
                return True
    member = own_member(user)
    if member is None:
        return False
    if isinstance(obj, Member) and obj.pk == member.pk and action in MEMBER_SELF_ACTIONS:
        return True
    if action in MEMBER_ORG_ACTIONS:
        own_org_ids = {member.organization_id, member.inflow_organization_id, member.residence_organization_id}
        return any(org.pk in own_org_ids for org in orgs)
    return False


def require(user, action: str, obj) -> None:
    """Raise PermissionDenied (with a Chinese message) unless `may(user, action, obj)`."""
    if not may(user, action, obj):
        raise PermissionDenied(REFUSAL_MESSAGES.get(action, "您无权执行此操作。"))


def may_view_member(user, member) -> bool:
    return may(user, "view_member", member)


def _path_q(paths: list[str], field: str) -> Q | None:
    # Nested grants collapse into their top-most path, keeping the OR short.
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    if not kept:
        return None
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in kept))


def orgs_for(user, action: str):
    """A queryset of the organizations on which `user` may take `action`."""
    from .models import Organization

    if not _is_usable(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    roles = ACTIONS.get("view_members" if action == "view_member" else action, frozenset())
    q = _path_q([g.path for g in grants_of(user) if g.role in roles], "path")
    member = own_member(user)
    if member is not None and action in MEMBER_ORG_ACTIONS:
        own = Q(
            pk__in=[
                pk
                for pk in (member.organization_id, member.inflow_organization_id, member.residence_organization_id)
                if pk
            ]
        )
        q = own if q is None else q | own
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


def members_for(user, action: str = "view_member"):
    """A queryset of the members on whom `user` may take `action`."""
    from .models import Member

    if not _is_usable(user):
        return Member.objects.none()
    if user.is_superuser:
        return Member.objects.all()
    role_action = "view_members" if action == "view_member" else action
    roles = ACTIONS.get(role_action, frozenset())
    paths = [g.path for g in grants_of(user) if g.role in roles]
    q = _path_q(paths, "organization__path")
    if action.startswith("view") and paths:
        q = q | _path_q(paths, "inflow_organization__path") | _path_q(paths, "residence_organization__path")
    member = own_member(user)
    if member is not None:
        if action in MEMBER_SELF_ACTIONS:
            q = Q(pk=member.pk) if q is None else q | Q(pk=member.pk)
        if action == "view_member":
            own_ids = [
                pk
                for pk in (member.organization_id, member.inflow_organization_id, member.residence_organization_id)
                if pk
            ]
            own = (
                Q(organization_id__in=own_ids)
                | Q(inflow_organization_id__in=own_ids)
                | Q(residence_organization_id__in=own_ids)
            )
            q = own if q is None else q | own
    if q is None:
        return Member.objects.none()
    return Member.objects.filter(q)


def org_get_for_user_or_404(user, code: str, action: str = "view_org"):
    """The organization with this code if the user may see it; 404 alike for absent and not visible.

    When the user may see it but not take `action`, the refusal is a 403 with a Chinese message.
    """
    from .models import Organization

    org = Organization.objects.filter(code=code).first()
    if org is None or not may(user, "view_org", org):
        raise Http404("没有找到该党组织。")
    require(user, action, org)
    return org


def member_get_for_user_or_404(user, pk: int, action: str = "view_member"):
    from .models import Member

    member = (
        Member.objects.select_related("organization", "inflow_organization", "residence_organization", "user")
        .filter(pk=pk)
        .first()
    )
    if member is None or not may(user, "view_member", member):
        raise Http404("没有找到该党员。")
    require(user, action, member)
    return member


# --- password resets --------------------------------------------------------------------------------------

# Roles from lowest to highest. Resetting someone's password gives the resetter his account for as long as it
# takes him to notice, so it is allowed only from strictly above (DESIGN §10: nobody can obtain the password of
# an account holding a role at or above his own).
ROLE_RANK = {Role.CLERK: 1, Role.SECRETARY: 2, Role.COMMITTEE: 3}


def _all_grants_of(user) -> list[Grant]:
    """Every role grant of `user`, on active and inactive organizations alike (an inactive one can come back)."""
    from .models import OrganizationUserObjectPermission

    rows = OrganizationUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename__in=CODENAME_ROLES.keys()
    ).values_list("permission__codename", "content_object__path", "content_object_id")
    return [Grant(CODENAME_ROLES[codename], path, org_id) for codename, path, org_id in rows]


def _dominates(mine: Grant, theirs: Grant) -> bool:
    """Is `mine` strictly above `theirs`: over its organization, and either a higher role, or the same or a
    higher role granted on a proper ancestor of its organization?"""
    if not theirs.path.startswith(mine.path):
        return False
    if ROLE_RANK[mine.role] > ROLE_RANK[theirs.role]:
        return True
    return ROLE_RANK[mine.role] == ROLE_RANK[theirs.role] and len(mine.path) < len(theirs.path)


def password_reset_refusal(by, account, member=None) -> str | None:
    """Why `by` may not reset the password of `account` (linked to `member`) from the web, or None if he may.

    Never one's own account (that is what 修改密码 is for), never a superuser or staff account, and otherwise
    only by someone who may keep the member's record and holds a role strictly above every role the account
    holds, over each organization it holds one on.
    """
    from .models import Organization

    if not _is_usable(by):
        return "请先登录。"
    if account.pk == by.pk:
        return "不能在这里重置自己的密码，请使用“修改密码”。"
    if account.is_superuser or account.is_staff:
        return "系统管理员和后台账号的密码不能在网页上重置，请由系统管理员在服务器上处理。"
    if by.is_superuser:
        return None
    theirs = _all_grants_of(account)
    # A plain member's account is kept by his branch; an officer's by whoever stands above all his roles, who
    # must also reach the member record the account belongs to.
    if member is not None and not may(by, "view_members" if theirs else "manage_members", member):
        return "只有党员所在党组织的书记或党务干事（或其上级）可以重置党员的密码。"
    mine = grants_of(by)
    undominated = [g for g in theirs if not any(_dominates(m, g) for m in mine)]
    if undominated:
        g = undominated[0]
        org = Organization.objects.filter(pk=g.organization_id).only("name").first()
        where = org.name if org else "某党组织"
        return (
            f"该账号在{where}担任{g.role.label}，只有角色比它高、或在更上级党组织担任同等以上角色的人才能重置它的密码。"
        )
    return None


def may_reset_password(by, account, member=None) -> bool:
    return password_reset_refusal(by, account, member) is None


# --- pledges ----------------------------------------------------------------------------------------------


def _pledge_of(obj):
    name = type(obj).__name__
    if name == "Pledge":
        return obj
    if name in ("PledgeItem", "Inspection"):
        return obj.pledge
    if name in ("FulfilmentLog", "SelfCheck"):
        return obj.item.pledge
    if name == "Attachment":
        return obj.log.item.pledge
    raise TypeError(name)


def _holds(user, org, roles, *, strict: bool = False) -> bool:
    """Does the user hold one of `roles` on `org` (or, with strict, only on a proper ancestor of it)?"""
    return any(
        g.role in roles and org.path.startswith(g.path) and (not strict or len(g.path) < len(org.path))
        for g in grants_of(user)
    )


def _holds_exactly(user, org, roles) -> bool:
    return any(g.role in roles and g.organization_id == org.pk for g in grants_of(user))


def is_pledger_side(user, pledge) -> bool:
    """The member himself; for an oral pledge the branch entering it; for an organization its own officers."""
    if pledge.member_id:
        if pledge.form == "oral":
            return _holds(user, pledge.organization, _BRANCH)
        return pledge.member.user_id == user.pk
    return _holds_exactly(user, pledge.pledger_organization, _BRANCH)


def pledger_is_secretary_there(pledge) -> bool:
    """Is the pledging member himself the secretary of the organization his pledge is made in?"""
    if not pledge.member_id or not pledge.member.user_id:
        return False
    return _holds_exactly(pledge.member.user, pledge.organization, {Role.SECRETARY})


def is_reviewer(user, pledge) -> bool:
    """审诺 and 定诺 for the reviewing side.

    A member's pledge is reviewed by the secretary of the organization it is made in, or by the parent
    organization when the member is that secretary; an organization's pledge by its parent organization.
    """
    if pledge.member_id:
        if pledge.member.user_id == user.pk:
            return False
        if pledger_is_secretary_there(pledge):
            return _holds(user, pledge.organization, {Role.SECRETARY, Role.COMMITTEE}, strict=True)
        return _holds(user, pledge.organization, {Role.SECRETARY})
    if _holds_exactly(user, pledge.pledger_organization, _BRANCH):
        return False
    return _holds(user, pledge.pledger_organization, {Role.SECRETARY, Role.COMMITTEE}, strict=True)


def _pledge_may(user, action: str, pledge) -> bool:
    if action not in PLEDGE_ACTIONS:
        return False
    if action == "view_pledge":
        if is_pledger_side(user, pledge) or is_reviewer(user, pledge):
            return True
        if _holds(user, pledge.organization, _ALL):
            return True
        if pledge.pledger_organization_id and _holds(user, pledge.pledger_organization, _ALL):
            return True
        member = own_member(user)
        public = pledge.status in ("published", "completed")
        return bool(public and member and member.organization_id == pledge.organization_id)
    if action in ("edit_pledge", "submit_pledge", "amend_pledge", "fulfil_pledge"):
        return is_pledger_side(user, pledge)
    if action == "sign_pledge":
        if pledge.member_id:
            return pledge.form != "oral" and pledge.member.user_id == user.pk
        return _holds_exactly(user, pledge.pledger_organization, {Role.SECRETARY})
    if action in ("review_pledge", "countersign_pledge", "confirm_tick_off", "inspect_pledge"):
        return is_reviewer(user, pledge)
    if action == "publish_pledge":
        return _holds(user, pledge.organization, _BRANCH) or is_reviewer(user, pledge)
    return False


def prefetch_grants(users) -> None:
    """Load the grants of many users with one query, so that per-object checks over a list stay flat."""
    from .models import OrganizationUserObjectPermission

    pending = {u.pk: u for u in users if u is not None and getattr(u, "_org_grants", None) is None}
    if not pending:
        return
    found: dict[int, list[Grant]] = {pk: [] for pk in pending}
    rows = (
        OrganizationUserObjectPermission.objects.filter(
            user_id__in=list(pending), permission__codename__in=CODENAME_ROLES.keys(), content_object__is_active=True
        )
        .values_list("user_id", "permission__codename", "content_object__path", "content_object_id")
        .order_by("content_object__path")
    )
    for user_id, codename, path, org_id in rows:
        found[user_id].append(Grant(CODENAME_ROLES[codename], path, org_id))
    for pk, user in pending.items():
        user._org_grants = found[pk]


# --- evaluations -----------------------------------------------------------------------------------------


def _evaluation_may(user, action: str, obj) -> bool:
    """领导点评 of a member by his branch secretary; of an organization, its appraisal, rectification approval
    and awards by a committee above it; rankings by the ranking organization; monthly records by the member."""
    from .models import Member

    if action in ("review_member", "comment_monthly_record", "rank_members"):
        org = obj.organization if isinstance(obj, Member) else obj
        if isinstance(obj, Member) and obj.user_id == user.pk:
            return False
        return _holds(user, org, {Role.SECRETARY})
    if action in ("review_organization", "manage_appraisal", "approve_rectification", "approve_award"):
        return _holds(user, obj, {Role.COMMITTEE}, strict=True)
    if action == "rank_organizations":
        return _holds(user, obj, {Role.COMMITTEE})
    if action == "write_monthly_record":
        return isinstance(obj, Member) and obj.user_id == user.pk
    return False
