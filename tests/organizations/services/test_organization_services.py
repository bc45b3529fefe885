import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import Role
from organizations.services import (
    organization_create,
    organization_delete,
    organization_move,
    organization_set_active,
    organization_update,
)
from tests.factories import MemberFactory, UserFactory, grant

NEW = {"code": "CA3", "name": "甲镇三村党支部", "level": "branch", "sector": "rural"}


def test_clerk_creates_a_child_in_his_subtree(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.town_a)
    org = organization_create(parent=tree.town_a, by=clerk, **NEW)
    assert org.path.startswith(tree.town_a.path)
    assert org.depth == tree.town_a.depth + 1
    assert org.history.first().history_user == clerk


@pytest.mark.parametrize("target", ["town_b", "county", "other"])
def test_create_outside_the_subtree_is_refused_and_nothing_changes(tree, user_with_role, target):
    clerk = user_with_role(Role.CLERK, tree.town_a)
    before = Organization.objects.count()
    with pytest.raises(PermissionDenied):
        organization_create(parent=getattr(tree, target), by=clerk, **NEW)
    assert Organization.objects.count() == before


def test_duplicate_code_is_a_validation_error(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.town_a)
    with pytest.raises(ValidationError) as exc:
        organization_create(parent=tree.town_a, by=clerk, **{**NEW, "code": "CA1"})
    assert "code" in exc.value.error_dict


def test_only_a_superuser_creates_a_root(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.county)
    with pytest.raises(PermissionDenied):
        organization_create(parent=None, by=committee, **NEW)
    root = organization_create(parent=None, by=UserFactory(is_superuser=True), **NEW)
    assert root.depth == 1


def test_update_records_history(tree, user_with_role):
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    organization_update(organization=tree.branch_a1, by=secretary, supervision_phone="0730-1234567")
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.supervision_phone == "0730-1234567"
    assert tree.branch_a1.history.first().history_user == secretary


def test_update_by_a_sibling_is_refused(tree, user_with_role):
    other = user_with_role(Role.SECRETARY, tree.branch_a2)
    with pytest.raises(PermissionDenied):
        organization_update(organization=tree.branch_a1, by=other, name="改名")
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.name == "甲镇一村党支部"


def test_move_reparents_the_whole_subtree(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.county)
    member = MemberFactory(organization=tree.branch_a1)
    organization_move(organization=tree.town_a, new_parent=tree.town_b, by=committee)
    tree.refresh()
    assert tree.town_a.path.startswith(tree.town_b.path)
    assert tree.branch_a1.path.startswith(tree.town_a.path)
    assert member in tree.town_b.subtree().get(pk=tree.branch_a1.pk).members.all()


def test_cannot_move_under_itself_or_a_descendant(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.county)
    for target in (tree.town_a, tree.branch_a1):
        with pytest.raises(DomainError, match="自己或它的下级"):
            organization_move(organization=tree.town_a, new_parent=target, by=committee)
    tree.town_a.refresh_from_db()
    assert tree.town_a.depth == 2


def test_move_needs_rights_on_both_ends(tree, user_with_role):
    committee_a = user_with_role(Role.COMMITTEE, tree.town_a)
    with pytest.raises(PermissionDenied):
        organization_move(organization=tree.branch_a1, new_parent=tree.town_b, by=committee_a)
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.path.startswith(tree.town_a.path)


def test_cannot_move_the_node_of_ones_own_grant(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    grant(committee, Role.COMMITTEE, tree.town_b)
    with pytest.raises(PermissionDenied, match="本身"):
        organization_move(organization=tree.town_a, new_parent=tree.town_b, by=committee)
    tree.town_a.refresh_from_db()
    assert tree.town_a.depth == 2


def test_deactivate_keeps_members_and_refuses_with_active_children(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.county)
    member = MemberFactory(organization=tree.branch_a1)
    with pytest.raises(DomainError, match="下级组织"):
        organization_set_active(organization=tree.town_a, active=False, by=committee)
    organization_set_active(organization=tree.branch_a1, active=False, by=committee)
    member.refresh_from_db()
    assert member.organization_id == tree.branch_a1.pk
    assert not Organization.objects.get(pk=tree.branch_a1.pk).is_active


def test_delete_only_when_empty(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.county)
    MemberFactory(organization=tree.branch_a1)
    with pytest.raises(DomainError, match="只能停用"):
        organization_delete(organization=tree.branch_a1, by=committee)
    with pytest.raises(DomainError, match="下级组织"):
        organization_delete(organization=tree.town_b, by=committee)
    organization_delete(organization=tree.branch_a2, by=committee)
    assert not Organization.objects.filter(code="CA2").exists()
    tree.town_a.refresh_from_db()
    assert tree.town_a.numchild == 1
