"""Starting a pledge: where a member may pledge, who drafts it, and oral pledges entered by the branch."""

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import Campaign, Notification, Pledge, Signature
from organizations.errors import DomainError
from organizations.models import Member
from tests.factories import PASSWORD, MemberFactory, UserFactory

from ..conftest import FULL_CHECKS, fresh, item


def test_a_member_drafts_his_own_written_pledge(world):
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    assert (pledge.status, pledge.form, pledge.revision, pledge.is_current) == ("draft", "written", 1, True)
    assert pledge.campaign == world.campaign and pledge.created_by == world.member.user


def test_nobody_else_drafts_a_written_pledge_for_him(world, people):
    for user in (world.secretary, world.clerk, people.outsider):
        with pytest.raises(PermissionDenied, match="书面承诺须由党员本人起草"):
            services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a1, by=user)
    assert not Pledge.objects.filter(member=world.member).exists()


def test_one_current_pledge_per_member_per_place(world):
    services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a1, by=world.member.user)
    with pytest.raises(DomainError, match="王党员在“甲镇一村党支部”已有本批次的承诺书"):
        services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a1, by=world.member.user)
    assert Pledge.objects.filter(member=world.member).count() == 1


def test_a_working_member_also_pledges_in_his_residential_community(world):
    member = world.member
    member.residence_organization = world.tree.branch_b1
    member.save()
    home = services.pledge_create_for_member(member=member, organization=world.tree.branch_a1, by=member.user)
    community = services.pledge_create_for_member(member=member, organization=world.tree.branch_b1, by=member.user)
    assert {home.organization, community.organization} == {world.tree.branch_a1, world.tree.branch_b1}


def test_not_in_an_organization_he_does_not_belong_to(world):
    with pytest.raises(DomainError, match="只能在本人所在支部、流入地支部或居住地社区作出"):
        services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a2, by=world.member.user)
    assert not Pledge.objects.exists()


def test_exempt_and_former_members_do_not_pledge(world):
    Member.objects.filter(pk=world.member.pk).update(is_exempt=True)
    with pytest.raises(DomainError, match="免于承诺"):
        services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a1, by=world.member.user)
    Member.objects.filter(pk=world.member.pk).update(is_exempt=False, is_active=False)
    with pytest.raises(DomainError, match="已不在册"):
        services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a1, by=world.member.user)
    assert not Pledge.objects.exists()


def test_no_pledge_without_an_open_campaign(world):
    services.campaign_close(campaign=world.campaign, by=world.campaign.opened_by)
    with pytest.raises(DomainError, match="目前没有进行中的承诺批次"):
        services.pledge_create_for_member(member=world.member, organization=world.tree.branch_a1, by=world.member.user)
    with pytest.raises(DomainError, match="目前没有进行中的承诺批次"):
        services.pledge_create_for_organization(organization=world.tree.branch_a1, by=world.clerk)
    assert not Pledge.objects.exists()


def test_the_pledge_joins_the_nearest_open_campaign(world):
    services.campaign_close(campaign=world.campaign, by=world.campaign.opened_by)
    town = services.campaign_open(
        organization=world.tree.town_a,
        by=world.committee,
        name="甲镇2025年度公开承诺",
        year=2025,
        starts_on=world.campaign.starts_on,
        sign_deadline=world.campaign.sign_deadline,
        ends_on=world.campaign.ends_on,
    )
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    assert pledge.campaign == town


# --- oral pledges ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "secretary"])
def test_the_branch_enters_an_oral_pledge_with_a_witness(world, oral_member, who):
    by = getattr(world, who)
    pledge = services.pledge_create_for_member(
        member=oral_member, organization=world.tree.branch_a1, by=by, form="oral", witness_name=" 周见证 "
    )
    assert pledge.is_oral and pledge.witness_name == "周见证" and pledge.created_by == by


def test_an_oral_pledge_needs_a_witness(world, oral_member):
    with pytest.raises(DomainError, match="口头承诺须填写见证人"):
        services.pledge_create_for_member(
            member=oral_member, organization=world.tree.branch_a1, by=world.clerk, form="oral", witness_name="  "
        )
    assert not Pledge.objects.filter(member=oral_member).exists()


@pytest.mark.parametrize("who", ["committee", "sibling_clerk", "member", "town_b_committee"])
def test_only_the_branch_enters_an_oral_pledge(world, people, oral_member, who):
    by = world.member.user if who == "member" else getattr(world if who == "committee" else people, who)
    with pytest.raises(PermissionDenied, match="只有本支部的书记或党务干事可以代录口头承诺"):
        services.pledge_create_for_member(
            member=oral_member, organization=world.tree.branch_a1, by=by, form="oral", witness_name="周见证"
        )
    assert not Pledge.objects.filter(member=oral_member).exists()


def test_oral_pledge_is_countersigned_right_after_approval(world, oral_pledge_in, run_on_commit):
    pledge = oral_pledge_in("submitted")
    run_on_commit(services.pledge_approve, pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    # The reviewer is told to sign at once; there is no member signature to wait for.
    assert Notification.objects.filter(recipient=world.secretary, kind="to_sign").count() == 1
    services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.SIGNED
    assert list(pledge.signatures.values_list("role", flat=True)) == [Signature.Role.REVIEWER]
    assert pledge.signatures.get().text_sha256 == pledge.text_sha256()
    assert '"witness":"周见证"' in pledge.canonical_text()


@pytest.mark.parametrize("who", ["clerk", "secretary", "oral_member"])
def test_an_oral_pledge_has_no_member_e_signature(world, oral_member, oral_pledge_in, who):
    pledge = oral_pledge_in("approved")
    if who == "oral_member":
        # Give the old member an account: he still does not e-sign an oral pledge.
        oral_member.user = UserFactory(username="sun")
        oral_member.save()
        by = oral_member.user
    else:
        by = getattr(world, who)
    with pytest.raises((DomainError, PermissionDenied)):
        services.pledge_sign(pledge=pledge, by=by, password=PASSWORD, typed_name=oral_member.name)
    assert not Signature.objects.filter(pledge=pledge).exists()
    assert fresh(pledge).status == Pledge.Status.APPROVED


def test_the_branch_keeps_an_oral_pledge_and_the_member_does_not(world, oral_member, oral_pledge_in):
    oral_member.user = UserFactory(username="sun")
    oral_member.save()
    pledge = oral_pledge_in("draft")
    with pytest.raises(PermissionDenied):
        services.pledge_update(pledge=pledge, by=oral_member.user, items=[item(1)])
    services.pledge_update(pledge=pledge, by=world.secretary, items=None, witness_name="吴见证")
    assert fresh(pledge).witness_name == "吴见证"
    with pytest.raises(DomainError, match="口头承诺须填写见证人"):
        services.pledge_update(pledge=pledge, by=world.clerk, items=None, witness_name=" ")
    assert fresh(pledge).witness_name == "吴见证"


def test_an_oral_pledge_is_fulfilled_by_the_branch(world, oral_pledge_in):
    pledge = oral_pledge_in("published")
    it = pledge.items.get()
    services.item_request_tick_off(item=it, by=world.clerk, note="已帮助完成。")
    services.item_confirm_tick_off(item=it, by=world.secretary)
    assert fresh(pledge).status == Pledge.Status.COMPLETED


def test_a_member_without_an_account_cannot_write_a_pledge(world):
    member = MemberFactory(organization=world.tree.branch_a1)
    with pytest.raises(PermissionDenied):
        services.pledge_create_for_member(member=member, organization=world.tree.branch_a1, by=world.clerk)
    assert not Pledge.objects.filter(member=member).exists()
    assert Campaign.objects.count() == 1


def test_creating_a_member_pledge_locks_only_the_member(world, monkeypatch):
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    assert fresh(pledge).status == Pledge.Status.DRAFT
