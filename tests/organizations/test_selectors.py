from organizations.selectors import children_with_counts, subtree_counts
from tests.factories import MemberFactory


def test_children_with_counts_rolls_up_whole_subtrees(tree):
    MemberFactory(organization=tree.branch_a1)
    MemberFactory(organization=tree.branch_a2, is_exempt=True)
    MemberFactory(organization=tree.town_a)
    MemberFactory(organization=tree.branch_b1)
    children = {c.code: c for c in children_with_counts(tree.county)}
    assert (children["CA"].org_count, children["CA"].member_count, children["CA"].exempt_count) == (3, 3, 1)
    assert (children["CB"].org_count, children["CB"].member_count) == (2, 1)


def test_subtree_counts(tree):
    MemberFactory(organization=tree.branch_a1)
    MemberFactory(organization=tree.branch_a1, is_exempt=True)
    MemberFactory(organization=tree.branch_b1, inflow_organization=tree.branch_a1)
    counts = subtree_counts(tree.town_a)
    assert (counts.organizations, counts.branches, counts.members, counts.exempt, counts.pledge_base) == (3, 2, 2, 1, 1)
    assert subtree_counts(tree.county).floating == 1
