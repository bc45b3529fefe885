"""Who reviews which pledge (DESIGN §4 审诺), asked through the services and through the permission module.

Each rule is tested both ways: the right reviewer approves; anyone else is refused and nothing changes.
"""

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import Pledge, Review
from commitments.permissions import is_pledger_side, is_reviewer
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import Role, forget_grants, may
from tests.factories import PASSWORD, UserFactory, grant
from tests.history import transitions

from .conftest import FULL_CHECKS, fresh, name_of, org_item


def _user(world, people, who):
    if who == "member":
        return world.member.user
    if who == "secretary_himself":
        return world.secretary
    if who in ("secretary", "clerk", "committee"):
        return getattr(world, who)
    return getattr(people, who)


def _approve_both_ways(pledge, user, allowed):
    if allowed:
        services.pledge_approve(pledge=pledge, by=user, checks=FULL_CHECKS)
        assert fresh(pledge).status == Pledge.Status.APPROVED
        assert Review.objects.get(pledge=pledge).by == user
        return
    changes = pledge.history.count()
    with pytest.raises(PermissionDenied, match="您不是这份承诺书的审核人"):
        services.pledge_approve(pledge=pledge, by=user, checks=FULL_CHECKS)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED
    assert not Review.objects.filter(pledge=pledge).exists()
    assert pledge.history.count() == changes


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("secretary", True),  # the secretary of the branch the pledge is made in
        ("co_secretary", True),  # any secretary of that branch
        ("town_secretary", True),  # a secretary role on town A holds for its whole subtree
        ("clerk", False),  # a clerk keeps records but does not review
        ("town_clerk", False),
        ("committee", False),  # the superior committee reviews organizations and secretaries, not members
        ("county_committee", False),
        ("sibling_secretary", False),  # the secretary of branch A2
        ("town_b_committee", False),
        ("member", False),  # not his own pledge
        ("outsider", False),
    ],
)
def test_a_members_pledge_is_reviewed_by_the_secretary_where_it_is_made(world, people, pledge_in, who, allowed):
    pledge = pledge_in("submitted")
    _approve_both_ways(pledge, _user(world, people, who), allowed)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("committee", True),  # the committee of the parent organization
        ("town_secretary", True),  # a secretary role on an ancestor
        ("county_committee", True),  # higher up is still above him
        ("secretary_himself", False),  # never his own pledge
        ("co_secretary", False),  # a second secretary of the same branch is not the parent organization
        ("clerk", False),
        ("town_clerk", False),
        ("sibling_secretary", False),
        ("town_b_committee", False),
    ],
)
def test_the_secretarys_own_pledge_goes_to_the_parent_organization(world, people, pledge_in, who, allowed):
    pledge = pledge_in("submitted", member=world.secretary_member, reviewer=world.committee)
    _approve_both_ways(pledge, _user(world, people, who), allowed)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("committee", True),  # the parent organization
        ("town_secretary", True),
        ("county_committee", True),
        ("secretary", False),  # its own officers do not review their own organization's pledge
        ("co_secretary", False),
        ("clerk", False),
        ("town_clerk", False),
        ("sibling_secretary", False),
        ("town_b_committee", False),
        ("member", False),
    ],
)
def test_an_organizations_pledge_is_reviewed_by_its_parent(world, people, org_pledge_in, who, allowed):
    pledge = org_pledge_in("submitted")
    _approve_both_ways(pledge, _user(world, people, who), allowed)


def test_a_committee_does_not_review_the_pledge_of_the_organization_it_sits_on(world, people):
    """Town A's own pledge: the committee granted on town A is its own side; the county reviews it."""
    town = world.tree.town_a
    town_clerk = people.town_clerk
    pledge = services.pledge_create_for_organization(organization=town, by=town_clerk)
    services.pledge_update(pledge=pledge, by=town_clerk, items=[org_item(1, content_area="领导班子好")])
    services.pledge_submit(pledge=pledge, by=town_clerk)
    for user in (world.committee, people.town_secretary, world.secretary):
        with pytest.raises(PermissionDenied):
            services.pledge_approve(pledge=pledge, by=user, checks=FULL_CHECKS)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED
    services.pledge_approve(pledge=pledge, by=people.county_committee, checks=FULL_CHECKS)
    assert fresh(pledge).status == Pledge.Status.APPROVED


def test_returning_follows_the_same_rule(world, people, pledge_in):
    pledge = pledge_in("submitted")
    for user in (world.clerk, world.committee, people.sibling_secretary, world.member.user):
        with pytest.raises(PermissionDenied):
            services.pledge_return(pledge=pledge, by=user, comment="不够具体")
    assert fresh(pledge).status == Pledge.Status.SUBMITTED
    assert not Review.objects.filter(pledge=pledge).exists()
    services.pledge_return(pledge=pledge, by=world.secretary, comment="不够具体")
    assert fresh(pledge).status == Pledge.Status.RETURNED


def test_the_reviewer_of_the_secretarys_pledge_is_also_who_countersigns_it(world, people, pledge_in):
    pledge = pledge_in("pledger_signed", member=world.secretary_member, reviewer=world.committee)
    for user in (world.secretary, people.co_secretary, people.sibling_secretary):
        with pytest.raises(PermissionDenied, match="不能签署"):
            services.pledge_countersign(pledge=pledge, by=user, password=PASSWORD, typed_name=name_of(user))
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert pledge.signatures.count() == 1
    services.pledge_countersign(
        pledge=pledge, by=people.town_secretary, password=PASSWORD, typed_name=name_of(people.town_secretary)
    )
    assert fresh(pledge).status == Pledge.Status.SIGNED


def test_a_member_pledging_in_his_inflow_branch_is_reviewed_there(world, people):
    member = people.sibling_member
    member.inflow_organization = world.tree.branch_b1
    member.save()
    b1_secretary = UserFactory(username="b1_sec")
    grant(b1_secretary, Role.SECRETARY, world.tree.branch_b1)
    pledge = services.pledge_create_for_member(member=member, organization=world.tree.branch_b1, by=member.user)
    services.pledge_update(pledge=pledge, by=member.user, items=[org_item(1, content_area="服务农民群众")])
    services.pledge_submit(pledge=pledge, by=member.user)
    # His home branch's secretary does not review a pledge made elsewhere.
    with pytest.raises(PermissionDenied):
        services.pledge_approve(pledge=pledge, by=people.sibling_secretary, checks=FULL_CHECKS)
    services.pledge_approve(pledge=pledge, by=b1_secretary, checks=FULL_CHECKS)
    assert fresh(pledge).status == Pledge.Status.APPROVED


def test_pledger_side_and_reviewer_never_coincide(world, people, pledge_in, org_pledge_in, oral_pledge_in):
    """For written pledges nobody is both sides; for an oral one the branch enters it and its secretary reviews."""
    users = [world.member.user, world.secretary, world.clerk, world.committee, *vars(people).values()]
    users = [u for u in users if hasattr(u, "check_password")]
    for pledge in (
        pledge_in("submitted"),
        pledge_in("submitted", member=world.secretary_member, reviewer=world.committee),
        org_pledge_in("submitted"),
    ):
        for user in users:
            if user.is_superuser:
                continue
            assert not (is_pledger_side(user, pledge) and is_reviewer(user, pledge)), (user, pledge)
    oral = oral_pledge_in("submitted")
    assert is_pledger_side(world.clerk, oral) and not is_reviewer(world.clerk, oral)


def test_roles_are_read_from_the_tree_not_copied(world, people, pledge_in):
    """A secretary granted on a new parent of the branch reviews at once; revoking takes it away."""
    pledge = pledge_in("submitted")
    newcomer = UserFactory(username="newcomer")
    assert not is_reviewer(newcomer, pledge)
    perm = grant(newcomer, Role.SECRETARY, world.tree.town_a)
    forget_grants(newcomer)
    assert is_reviewer(newcomer, pledge) and may(newcomer, "review_pledge", pledge)
    perm.delete()
    forget_grants(newcomer)
    assert not may(newcomer, "review_pledge", pledge)


def test_a_role_on_an_inactive_organization_does_not_count(world, people, pledge_in):
    pledge = pledge_in("submitted")
    Organization.objects.filter(pk=world.tree.town_a.pk).update(is_active=False)
    forget_grants(people.town_secretary)
    with pytest.raises(PermissionDenied):
        services.pledge_approve(pledge=pledge, by=people.town_secretary, checks=FULL_CHECKS)
    assert fresh(pledge).status == Pledge.Status.SUBMITTED


@pytest.mark.parametrize("who", ["secretary", "committee", "clerk", "sibling_secretary", "outsider"])
def test_only_the_pledger_submits_a_members_pledge(world, people, pledge_in, who):
    pledge = pledge_in("draft")
    with pytest.raises(PermissionDenied, match="只有承诺方可以提交承诺书"):
        services.pledge_submit(pledge=pledge, by=_user(world, people, who))
    assert fresh(pledge).status == Pledge.Status.DRAFT
    assert transitions(pledge) == []


@pytest.mark.parametrize(("who", "allowed"), [("clerk", True), ("secretary", True), ("committee", False)])
def test_an_organizations_pledge_is_submitted_by_its_own_officers(world, org_pledge_in, who, allowed):
    pledge = org_pledge_in("draft")
    user = getattr(world, who)
    if allowed:
        services.pledge_submit(pledge=pledge, by=user)
        assert fresh(pledge).status == Pledge.Status.SUBMITTED
    else:
        with pytest.raises(PermissionDenied):
            services.pledge_submit(pledge=pledge, by=user)
        assert fresh(pledge).status == Pledge.Status.DRAFT


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("clerk", True), ("secretary", True), ("committee", False), ("town_clerk", False), ("sibling_secretary", False)],
)
def test_only_its_own_officers_draft_an_organizations_pledge(world, people, who, allowed):
    user = _user(world, people, who)
    if allowed:
        pledge = services.pledge_create_for_organization(organization=world.tree.branch_a1, by=user)
        assert pledge.pledger_organization == world.tree.branch_a1 and pledge.status == Pledge.Status.DRAFT
    else:
        with pytest.raises(PermissionDenied, match="只有本组织的书记或党务干事可以起草组织承诺书"):
            services.pledge_create_for_organization(organization=world.tree.branch_a1, by=user)
        assert not Pledge.objects.filter(pledger_organization=world.tree.branch_a1).exists()


def test_an_organization_has_one_current_pledge_per_campaign(world):
    services.pledge_create_for_organization(organization=world.tree.branch_a1, by=world.clerk)
    with pytest.raises(DomainError, match="已有本批次的组织承诺书"):
        services.pledge_create_for_organization(organization=world.tree.branch_a1, by=world.secretary)
    assert Pledge.objects.filter(pledger_organization=world.tree.branch_a1).count() == 1
