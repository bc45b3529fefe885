import pytest
from django.core.exceptions import PermissionDenied

from organizations.errors import DomainError
from organizations.models import OrganizationUserObjectPermission
from organizations.permissions import Role, may
from organizations.services import grantable_roles, role_grant, role_revoke
from tests.factories import UserFactory


def test_secretary_grants_a_clerk_in_his_subtree(tree, user_with_role):
    secretary = user_with_role(Role.SECRETARY, tree.town_a)
    clerk = UserFactory()
    role_grant(user=clerk, role=Role.CLERK, organization=tree.branch_a1, by=secretary)
    assert may(clerk, "manage_members", tree.branch_a1)
    assert not may(clerk, "manage_members", tree.branch_a2)
    grant = OrganizationUserObjectPermission.objects.get(user=clerk)
    assert grant.granted_by == secretary


def test_secretary_cannot_grant_committee(tree, user_with_role):
    secretary = user_with_role(Role.SECRETARY, tree.town_a)
    assert Role.COMMITTEE not in grantable_roles(secretary, tree.town_a)
    with pytest.raises(PermissionDenied):
        role_grant(user=UserFactory(), role=Role.COMMITTEE, organization=tree.branch_a1, by=secretary)
    assert OrganizationUserObjectPermission.objects.count() == 1


@pytest.mark.parametrize("target", ["town_b", "county", "other"])
def test_granting_outside_the_subtree_is_refused(tree, user_with_role, target):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    with pytest.raises(PermissionDenied):
        role_grant(user=UserFactory(), role=Role.CLERK, organization=getattr(tree, target), by=committee)
    assert OrganizationUserObjectPermission.objects.count() == 1


def test_clerk_cannot_grant(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.town_a)
    with pytest.raises(PermissionDenied):
        role_grant(user=UserFactory(), role=Role.CLERK, organization=tree.branch_a1, by=clerk)


def test_duplicate_grant_is_refused(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    user = UserFactory()
    role_grant(user=user, role=Role.CLERK, organization=tree.branch_a1, by=committee)
    with pytest.raises(DomainError, match="已在"):
        role_grant(user=user, role=Role.CLERK, organization=tree.branch_a1, by=committee)


def test_revoke_takes_the_rights_away_and_is_logged(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    user = UserFactory()
    grant = role_grant(user=user, role=Role.SECRETARY, organization=tree.branch_a1, by=committee)
    role_revoke(grant=grant, by=committee)
    user = type(user).objects.get(pk=user.pk)
    assert not may(user, "view_org", tree.branch_a1)
    assert grant.history.filter(history_type="-").get().history_user == committee


def test_revoke_outside_the_subtree_is_refused(tree, user_with_role):
    committee_b = user_with_role(Role.COMMITTEE, tree.town_b)
    secretary_a = user_with_role(Role.SECRETARY, tree.branch_a1)
    grant = OrganizationUserObjectPermission.objects.get(user=secretary_a)
    with pytest.raises(PermissionDenied):
        role_revoke(grant=grant, by=committee_b)
    assert OrganizationUserObjectPermission.objects.filter(pk=grant.pk).exists()


def test_cannot_revoke_own_role(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    grant = OrganizationUserObjectPermission.objects.get(user=committee)
    with pytest.raises(DomainError):
        role_revoke(grant=grant, by=committee)
