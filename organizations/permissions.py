"""The one place that decides access.

A role (党务干事, 书记, 上级党委) is granted to a user on an organization as a django-guardian object
permission and holds for that organization's whole subtree. Whether it holds on some object is answered by
comparing materialized tree paths: the user's grants are loaded once per request (one query) and cached on
the user object. Grants are never copied down the tree.

Every view and service asks `may(user, action, obj)` or `require(...)`, and lists start from
`orgs_for(user, action)` / `members_for(user, action)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from operator import or_

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
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

ALL_ROLES = frozenset({Role.CLERK, Role.SECRETARY, Role.COMMITTEE})
BRANCH_ROLES = frozenset({Role.CLERK, Role.SECRETARY})
_ALL = ALL_ROLES
_BRANCH = BRANCH_ROLES


# --- the registry of actions ------------------------------------------------------------------------------
#
# Every app names its actions in a StrEnum and registers a Rule for each (in its permissions module, imported by
# its AppConfig.ready()). Rules for another app's objects are registered by that app: organizations knows
# nothing of pledges or appraisals. An action nobody registered raises UnknownAction instead of silently denying.


class UnknownAction(LookupError):
    """`may()` was asked about an action that no app registered (a typo, or an app not installed)."""


@dataclass(frozen=True)
class Rule:
    """How one action is decided.

    - `roles`: the roles that allow it on the subtree of the organization they are granted on;
    - `check`: instead of the role table, a function (user, action, obj) -> bool;
    - `personal`: only the person himself acts; not even a superuser does it on his behalf;
    - `member_org` / `member_self`: a plain member may also take it on his own organizations / his own record.
    """

    refusal: str
    roles: frozenset = frozenset()
    check: Callable | None = None
    personal: bool = False
    member_org: bool = False
    member_self: bool = False


_RULES: dict[str, Rule] = {}
# model → policy(user, action, obj) -> bool: every action on such an object is decided by its app's policy.
_POLICIES: dict[type, Callable] = {}


def register_actions(actions: type[StrEnum], rules: Mapping[StrEnum, Rule]) -> None:
    """Register a Rule for every member of `actions` (all of them, and only them)."""
    missing = [a for a in actions if a not in rules]
    extra = [a for a in rules if a not in set(actions)]
    if missing or extra:
        raise ImproperlyConfigured(f"register_actions({actions.__name__}): missing {missing}, extra {extra}")
    for action in actions:
        known = _RULES.get(action.value)
        if known is not None and known != rules[action]:
            raise ImproperlyConfigured(f"action {action.value!r} registered twice")
        _RULES[action.value] = rules[action]


def register_policy(model: type, policy: Callable) -> None:
    """Let `policy(user, action, obj)` decide every action on instances of `model` (Wagtail's permission
    policies, in small)."""
    _POLICIES[model] = policy


def rule_for(action: str) -> Rule:
    """The registered rule of `action` (a StrEnum member or its value); UnknownAction if there is none."""
    try:
        return _RULES[str(action)]
    except KeyError:
        raise UnknownAction(f"unknown action {str(action)!r}; register it in its app's permissions module") from None


def registered_actions() -> list[str]:
    return sorted(_RULES)


def refusal(action: str) -> str:
    """The Chinese message shown when `action` is refused."""
    return rule_for(action).refusal


def _policy_for(obj) -> Callable | None:
    if not _POLICIES:
        return None
    for cls in type(obj).__mro__:
        policy = _POLICIES.get(cls)
        if policy is not None:
            return policy
    return None


class OrgAction(StrEnum):
    """What one does on the organization tree and the roster."""

    VIEW_ORG = "view_org"
    MANAGE_ORG = "manage_org"
    VIEW_MEMBERS = "view_members"
    VIEW_MEMBER = "view_member"
    MANAGE_MEMBERS = "manage_members"
    VIEW_PERSONAL_DATA = "view_personal_data"
    EXPORT_ROSTER = "export_roster"
    PROPOSE_EXEMPTION = "propose_exemption"
    DECIDE_EXEMPTION = "decide_exemption"
    GRANT_ROLES = "grant_roles"
    VIEW_ACTIVITIES = "view_activities"
    RECORD_ACTIVITY = "record_activity"


def _view_member(user, action, obj) -> bool:
    # Seeing a member's record is part of keeping or reading the roster of one of his organizations.
    return may(user, OrgAction.VIEW_MEMBERS, obj)


# The branch (clerk, secretary) keeps the roster and sees personal data; the committee reads the roster with
# 身份证号 and phone masked, keeps the organization tree and decides exemptions.
register_actions(
    OrgAction,
    {
        OrgAction.VIEW_ORG: Rule("您无权查看该党组织。", _ALL, member_org=True),
        OrgAction.MANAGE_ORG: Rule("您无权维护该党组织的信息。", _ALL),
        OrgAction.VIEW_MEMBERS: Rule("您无权查看该党组织的党员名册。", _ALL, member_org=True),
        OrgAction.VIEW_MEMBER: Rule("您无权查看该党员的信息。", _ALL, check=_view_member, member_self=True),
        OrgAction.MANAGE_MEMBERS: Rule("您无权维护该党员的信息。", _BRANCH),
        OrgAction.VIEW_PERSONAL_DATA: Rule("您无权查看该党员的个人信息。", _BRANCH, member_self=True),
        OrgAction.EXPORT_ROSTER: Rule("您无权导出该党组织的名册。", _ALL),
        OrgAction.PROPOSE_EXEMPTION: Rule("只有本支部的书记或党务干事可以提出免于承诺。", _BRANCH),
        OrgAction.DECIDE_EXEMPTION: Rule("只有上级党委可以审批免于承诺。", frozenset({Role.COMMITTEE})),
        OrgAction.GRANT_ROLES: Rule("您无权在该党组织授予或撤销角色。", frozenset({Role.SECRETARY, Role.COMMITTEE})),
        # 日常活动记实: the branch (secretary, clerk) and the committees above record what an organization did;
        # its members read it.
        OrgAction.VIEW_ACTIVITIES: Rule("您无权查看该党组织的活动记实。", _ALL, member_org=True),
        OrgAction.RECORD_ACTIVITY: Rule("只有本党组织的书记、党务干事或上级党委可以记录和修改活动记实。", _ALL),
    },
)

# Which roles a holder of a role may grant to others (never a higher one than his own).
GRANTABLE_ROLES: dict[Role, frozenset[Role]] = {
    Role.COMMITTEE: frozenset({Role.COMMITTEE, Role.SECRETARY, Role.CLERK}),
    Role.SECRETARY: frozenset({Role.SECRETARY, Role.CLERK}),
    Role.CLERK: frozenset(),
}


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
    rule = rule_for(action)
    if not _is_usable(user):
        return False
    if user.is_superuser and not rule.personal:
        return True
    if rule.check is not None:
        return rule.check(user, str(action), obj)
    policy = _policy_for(obj)
    if policy is not None:
        return policy(user, str(action), obj)
    from .models import Member

    orgs = _orgs_of(obj, str(action))
    for org in orgs:
        for grant in grants_of(user):
            if grant.role in rule.roles and org.path.startswith(grant.path):
                return True
    member = own_member(user)
    if member is None:
        return False
    if isinstance(obj, Member) and obj.pk == member.pk and rule.member_self:
        return True
    if rule.member_org:
        own_org_ids = {member.organization_id, member.inflow_organization_id, member.residence_organization_id}
        return any(org.pk in own_org_ids for org in orgs)
    return False


def require(user, action: str, obj) -> None:
    """Raise PermissionDenied (with a Chinese message) unless `may(user, action, obj)`."""
    if not may(user, action, obj):
        raise PermissionDenied(refusal(action))


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
    rule = rule_for("view_members" if action == "view_member" else action)
    if user.is_superuser:
        return Organization.objects.all()
    q = _path_q([g.path for g in grants_of(user) if g.role in rule.roles], "path")
    member = own_member(user)
    if member is not None and rule.member_org:
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
    own_rule = rule_for(action)
    roles = rule_for("view_members" if action == "view_member" else action).roles
    if user.is_superuser:
        return Member.objects.all()
    paths = [g.path for g in grants_of(user) if g.role in roles]
    q = _path_q(paths, "organization__path")
    if action.startswith("view") and paths:
        q = q | _path_q(paths, "inflow_organization__path") | _path_q(paths, "residence_organization__path")
    member = own_member(user)
    if member is not None:
        if own_rule.member_self:
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


# --- building blocks for the rules of other apps ----------------------------------------------------------


def holds(user, org, roles, *, strict: bool = False) -> bool:
    """Does the user hold one of `roles` on `org` (or, with strict, only on a proper ancestor of it)?"""
    return any(
        g.role in roles and org.path.startswith(g.path) and (not strict or len(g.path) < len(org.path))
        for g in grants_of(user)
    )


def holds_exactly(user, org, roles) -> bool:
    """Does the user hold one of `roles` granted on `org` itself?"""
    return any(g.role in roles and g.organization_id == org.pk for g in grants_of(user))


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


# --- decisions about the tree and roles that are not "an action on an object" ----------------------------


def may_create_root_organization(user) -> bool:
    """Only a superuser creates a top-level organization (every other one is created under its parent)."""
    return _is_usable(user) and user.is_superuser


def manages_from_above(user, org) -> bool:
    """Does the user manage organizations on a proper ancestor of `org` (so moving, deactivating or deleting
    `org` does not take it out of his own reach)?"""
    if not _is_usable(user):
        return False
    return user.is_superuser or holds(user, org, rule_for(OrgAction.MANAGE_ORG).roles, strict=True)


def grantable_roles(by, organization) -> list[Role]:
    """The roles `by` may grant or revoke on `organization` (never a higher one than his own there)."""
    if not _is_usable(by):
        return []
    if by.is_superuser:
        return list(Role)
    if not may(by, OrgAction.GRANT_ROLES, organization):
        return []
    allowed: set[Role] = set()
    for role in roles_on(by, organization):
        allowed |= GRANTABLE_ROLES[role]
    return [r for r in Role if r in allowed]


def may_revoke_own_role(user) -> bool:
    """A role holder cannot revoke his own role (a superuser can)."""
    return _is_usable(user) and user.is_superuser


def may_decide_own_proposal(user) -> bool:
    """Whoever proposed an exemption does not decide it (a superuser may)."""
    return _is_usable(user) and user.is_superuser


def holds_role_anywhere(user, roles=ALL_ROLES) -> bool:
    """Does the user hold one of `roles` somewhere (a superuser counts as holding every role)?"""
    return has_any_role(user, roles)


def may_use_admin(user) -> bool:
    """The Django admin (后台管理) is for staff accounts."""
    return _is_usable(user) and user.is_staff


def below_grants_q(user, role: Role, field: str, *, strict: bool = True) -> Q | None:
    """A Q selecting rows whose organization (`field`, an Organization lookup) lies under one of the user's
    grants of `role` (strictly under with strict); Q() for a superuser; None when he holds no such grant."""
    if not _is_usable(user):
        return None
    if user.is_superuser:
        return Q()
    prefix = f"{field}__" if field else ""
    q = None
    for g in grants_of(user):
        if g.role != role:
            continue
        part = Q(**{f"{prefix}path__startswith": g.path})
        if strict:
            part &= ~Q(**{f"{prefix}pk": g.organization_id})
        q = part if q is None else q | part
    return q
