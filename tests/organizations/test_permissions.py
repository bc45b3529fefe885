"""The permission matrix: every role × every action × every relation to the node the role is held on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.permissions import Role, may, members_for, orgs_for
from tests.factories import MemberFactory, UserFactory

ACTIONS = [
    "view_org",
    "manage_org",
    "view_members",
    "manage_members",
    "view_personal_data",
    "export_roster",
    "propose_exemption",
    "decide_exemption",
    "grant_roles",
]

# Written out by hand, not derived from the permission module, so that a change there must be deliberate.
EXPECTED = {
    Role.CLERK: {
        "view_org",
        "manage_org",
        "view_members",
        "manage_members",
        "view_personal_data",
        "export_roster",
        "propose_exemption",
    },
    Role.SECRETARY: {
        "view_org",
        "manage_org",
        "view_members",
        "manage_members",
        "view_personal_data",
        "export_roster",
        "propose_exemption",
        "grant_roles",
    },
    Role.COMMITTEE: {"view_org", "manage_org", "view_members", "export_roster", "decide_exemption", "grant_roles"},
}

# The role is granted on town_a; each relation names a node relative to it.
RELATIONS = {
    "own": "town_a",
    "descendant": "branch_a1",
    "sibling": "town_b",
    "sibling_descendant": "branch_b1",
    "ancestor": "county",
    "unrelated": "other",
}
INSIDE = {"own", "descendant"}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_role_on_organization(tree, user_with_role, role, relation):
    user = user_with_role(role, tree.town_a)
    target = getattr(tree, RELATIONS[relation])
    for action in ACTIONS:
        expected = relation in INSIDE and action in EXPECTED[role]
        assert may(user, action, target) is expected, (role, relation, action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_role_on_member(tree, user_with_role, role, relation):
    user = user_with_role(role, tree.town_a)
    member = MemberFactory(organization=getattr(tree, RELATIONS[relation]))
    inside = relation in INSIDE
    assert may(user, "view_member", member) is inside
    assert may(user, "view_personal_data", member) is (inside and "view_personal_data" in EXPECTED[role])
    assert may(user, "manage_members", member) is (inside and "manage_members" in EXPECTED[role])


@pytest.mark.parametrize("relation", list(RELATIONS))
def test_member_reads_only_his_own_organization(tree, member_user, relation):
    me = member_user(tree.branch_a1)
    target = getattr(tree, RELATIONS[relation] if relation != "own" else "branch_a1")
    own = target.pk == tree.branch_a1.pk
    assert may(me.user, "view_org", target) is own
    assert may(me.user, "view_members", target) is own
    for action in ("manage_org", "manage_members", "export_roster", "propose_exemption", "grant_roles"):
        assert may(me.user, action, target) is False


def test_member_sees_own_personal_data_but_only_masked_for_others(tree, member_user):
    me = member_user(tree.branch_a1)
    colleague = MemberFactory(organization=tree.branch_a1)
    assert may(me.user, "view_personal_data", me)
    assert may(me.user, "view_member", colleague)
    assert not may(me.user, "view_personal_data", colleague)
    stranger = MemberFactory(organization=tree.branch_b1)
    assert not may(me.user, "view_member", stranger)


def test_floating_member_is_visible_to_the_inflow_branch(tree, user_with_role):
    secretary_b1 = user_with_role(Role.SECRETARY, tree.branch_b1)
    floating = MemberFactory(organization=tree.branch_a1, inflow_organization=tree.branch_b1)
    assert may(secretary_b1, "view_member", floating)
    # The home branch keeps the record.
    assert not may(secretary_b1, "manage_members", floating)
    assert floating in members_for(secretary_b1)


def test_anonymous_and_inactive_users_may_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert not may(AnonymousUser(), "view_org", tree.county)
    inactive = UserFactory(is_active=False)
    assert not may(inactive, "view_org", tree.county)
    assert orgs_for(AnonymousUser(), "view_org").count() == 0


def test_superuser_may_everything(tree):
    admin = UserFactory(is_superuser=True)
    assert all(may(admin, a, tree.other) for a in ACTIONS)


def test_orgs_for_matches_may(tree, user_with_role):
    user = user_with_role(Role.CLERK, tree.town_a)
    codes = set(orgs_for(user, "manage_org").values_list("code", flat=True))
    assert codes == {"CA", "CA1", "CA2"}
    assert set(orgs_for(user, "decide_exemption")) == set()


def test_grants_in_a_deactivated_organization_do_not_hold(tree, user_with_role):
    user = user_with_role(Role.SECRETARY, tree.branch_a1)
    tree.branch_a1.is_active = False
    tree.branch_a1.save()
    user = type(user).objects.get(pk=user.pk)
    assert not may(user, "view_org", tree.branch_a1)


def test_grants_are_loaded_once_per_request(tree, user_with_role):
    user = user_with_role(Role.CLERK, tree.town_a)
    members = [MemberFactory(organization=tree.branch_a1) for _ in range(5)]
    with CaptureQueriesContext(connection) as ctx:
        for m in members:
            assert may(user, "view_personal_data", m)
    assert len(ctx.captured_queries) == 1


def test_subtree_is_one_query(tree):
    with CaptureQueriesContext(connection) as ctx:
        codes = sorted(tree.town_a.subtree().values_list("code", flat=True))
    assert codes == ["CA", "CA1", "CA2"]
    assert len(ctx.captured_queries) == 1
    assert "LIKE" in ctx.captured_queries[0]["sql"].upper()
