import pytest
from django.core.exceptions import PermissionDenied

from organizations.errors import DomainError
from organizations.models import Exemption
from organizations.permissions import Role
from organizations.selectors import subtree_counts
from organizations.services import exemption_decide, exemption_propose, exemption_revoke
from tests.factories import MemberFactory


@pytest.fixture
def old_member(tree):
    return MemberFactory(organization=tree.branch_a1, name="李老伯")


def propose(user, member):
    return exemption_propose(member=member, by=user, reason="age", explanation="年逾八旬，行动不便。")


def test_branch_proposes_and_superior_approves(tree, user_with_role, old_member):
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    MemberFactory(organization=tree.branch_a1)
    assert subtree_counts(tree.branch_a1).pledge_base == 2
    exemption = propose(secretary, old_member)
    assert exemption.status == Exemption.Status.PENDING
    exemption_decide(exemption=exemption, by=committee, approve=True)
    old_member.refresh_from_db()
    assert old_member.is_exempt
    exemption.refresh_from_db()
    assert exemption.decided_by == committee and exemption.decided_at
    # Exempt members leave the coverage denominator.
    counts = subtree_counts(tree.town_a)
    assert (counts.members, counts.exempt, counts.pledge_base) == (2, 1, 1)


def test_rejection_needs_a_comment_and_keeps_the_member_pledging(tree, user_with_role, old_member):
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    exemption = propose(secretary, old_member)
    with pytest.raises(DomainError):
        exemption_decide(exemption=exemption, by=committee, approve=False)
    exemption_decide(exemption=exemption, by=committee, approve=False, comment="身体尚可，可作口头承诺。")
    old_member.refresh_from_db()
    assert not old_member.is_exempt


@pytest.mark.parametrize(
    ("role", "node"), [(Role.SECRETARY, "branch_a1"), (Role.COMMITTEE, "town_b"), (Role.CLERK, "town_a")]
)
def test_only_the_superior_committee_decides(tree, user_with_role, old_member, role, node):
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    exemption = propose(secretary, old_member)
    with pytest.raises(PermissionDenied):
        exemption_decide(exemption=exemption, by=user_with_role(role, getattr(tree, node)), approve=True)
    exemption.refresh_from_db()
    old_member.refresh_from_db()
    assert exemption.status == Exemption.Status.PENDING and not old_member.is_exempt


def test_committee_cannot_propose_and_only_one_pending(tree, user_with_role, old_member):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    with pytest.raises(PermissionDenied):
        propose(committee, old_member)
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    propose(clerk, old_member)
    with pytest.raises(DomainError, match="待审批"):
        propose(clerk, old_member)
    assert Exemption.objects.count() == 1


def test_decided_twice_is_refused(tree, user_with_role, old_member):
    exemption = propose(user_with_role(Role.CLERK, tree.branch_a1), old_member)
    committee = user_with_role(Role.COMMITTEE, tree.county)
    exemption_decide(exemption=exemption, by=committee, approve=True)
    with pytest.raises(DomainError, match="审批过"):
        exemption_decide(exemption=exemption, by=committee, approve=False, comment="改主意")


def test_revoke_returns_the_member_to_coverage(tree, user_with_role, old_member):
    exemption = propose(user_with_role(Role.CLERK, tree.branch_a1), old_member)
    committee = user_with_role(Role.COMMITTEE, tree.county)
    exemption_decide(exemption=exemption, by=committee, approve=True)
    exemption_revoke(exemption=exemption, by=committee, comment="身体已康复。")
    old_member.refresh_from_db()
    assert not old_member.is_exempt
