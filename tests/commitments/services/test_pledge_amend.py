"""变更: a signed pledge is never edited; amending keeps it readable and starts a new revision in draft."""

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import LockedError, Opinion, Pledge, PledgeItem, Signature
from organizations.errors import DomainError
from tests.factories import PASSWORD
from tests.history import changes, transitions

from ..conftest import FULL_CHECKS, fresh, item, replacing


def _amend(pledge, user, reason="岗位调整，变更承诺事项。"):
    return services.pledge_amend(pledge=pledge, by=user, reason=reason)


@pytest.mark.parametrize("state", ["signed", "published"])
def test_amending_supersedes_the_old_revision_and_starts_a_new_draft(world, pledge_in, state):
    old = pledge_in(state, n=3)
    old_items = list(old.items.values_list("position", "content", "deadline"))
    old_sha = old.text_sha256()
    new = _amend(old, world.member.user)

    old = fresh(old)
    assert old.status == Pledge.Status.SUPERSEDED and not old.is_current
    # The old revision stays readable as it was signed.
    assert list(old.items.values_list("position", "content", "deadline")) == old_items
    assert set(old.signatures.values_list("role", "text_sha256")) == {("pledger", old_sha), ("reviewer", old_sha)}
    assert old.text_sha256() == old_sha
    change = transitions(old)[-1]
    assert (change.before, change.after, change.comment) == (state, "superseded", "岗位调整，变更承诺事项。")

    new = fresh(new)
    assert (new.status, new.revision, new.is_current, new.previous_id) == ("draft", 2, True, old.pk)
    assert (new.member, new.organization, new.campaign, new.form) == (
        old.member,
        old.organization,
        old.campaign,
        "written",
    )
    assert list(new.items.values_list("position", "content", "deadline")) == old_items
    assert not new.signatures.exists()
    assert old.next_revision == new
    assert str(new) == "王党员的承诺书（第2版）"
    [created] = changes(new)
    assert (created.label, created.comment) == ("由变更生成", "由第1版变更：岗位调整，变更承诺事项。")


def test_the_new_revision_keeps_the_cited_opinions(world, draft, reviewer_for):
    pledge = draft(n=1)  # the first item cites the branch's opinion
    user = world.member.user
    services.pledge_submit(pledge=pledge, by=user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    services.pledge_sign(pledge=pledge, by=user, password=PASSWORD, typed_name="王党员")
    services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    new = _amend(pledge, user)
    assert list(new.items.get().cited_opinions.all()) == [world.opinion]
    assert fresh(world.opinion).status == Opinion.Status.ANSWERED


def test_the_new_revision_goes_through_review_and_signing_again(world, pledge_in):
    old = pledge_in("published", n=1)
    user = world.member.user
    new = _amend(old, user)
    services.pledge_update(pledge=new, by=user, items=replacing(new, [item(1), item(2, content="新增的承诺")]))
    services.pledge_submit(pledge=new, by=user)
    services.pledge_approve(pledge=new, by=world.secretary, checks=FULL_CHECKS)
    services.pledge_sign(pledge=new, by=user, password=PASSWORD, typed_name="王党员")
    services.pledge_countersign(pledge=new, by=world.secretary, password=PASSWORD, typed_name="李书记")
    new = fresh(new)
    assert new.status == Pledge.Status.SIGNED and new.items.count() == 2
    assert new.signatures.get(role="pledger").text_sha256 == new.text_sha256() != old.text_sha256()
    # The old revision still shows its one item and its own signatures.
    assert fresh(old).items.count() == 1 and fresh(old).signatures.count() == 2


def test_the_old_revision_is_locked(world, pledge_in):
    old = pledge_in("superseded")
    it = old.items.get()
    it.content = "回头改旧版"
    with pytest.raises(LockedError):
        it.save()
    with pytest.raises(DomainError, match="不能修改"):
        services.pledge_update(pledge=old, by=world.member.user, items=replacing(old, [item(1)]))


def test_amending_twice_chains_the_revisions(world, pledge_in):
    first = pledge_in("signed")
    user = world.member.user
    second = _amend(first, user)
    services.pledge_submit(pledge=second, by=user)
    services.pledge_approve(pledge=second, by=world.secretary, checks=FULL_CHECKS)
    services.pledge_sign(pledge=second, by=user, password=PASSWORD, typed_name="王党员")
    services.pledge_countersign(pledge=second, by=world.secretary, password=PASSWORD, typed_name="李书记")
    third = _amend(second, user)
    assert (third.revision, third.previous_id, fresh(second).status) == (3, second.pk, "superseded")
    assert Pledge.objects.filter(member=world.member, is_current=True).get() == third


@pytest.mark.parametrize("reason", ["", "   "])
def test_amending_needs_a_reason(world, pledge_in, reason):
    pledge = pledge_in("published")
    with pytest.raises(DomainError, match="请说明变更原因"):
        _amend(pledge, world.member.user, reason=reason)
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.PUBLISHED and pledge.is_current
    assert Pledge.objects.filter(member=world.member).count() == 1


@pytest.mark.parametrize("who", ["secretary", "clerk", "committee"])
def test_only_the_pledger_amends(world, pledge_in, who):
    pledge = pledge_in("published")
    with pytest.raises(PermissionDenied, match="只有承诺方可以申请变更承诺"):
        _amend(pledge, getattr(world, who))
    assert fresh(pledge).status == Pledge.Status.PUBLISHED
    assert Pledge.objects.filter(member=world.member).count() == 1


def test_ticked_off_items_stay_ticked_off_in_the_new_revision(world, pledge_in):
    pledge = pledge_in("published", n=3)
    one, two, three = pledge.items.all()
    user = world.member.user
    services.item_request_tick_off(item=one, by=user, note="完成")
    services.item_confirm_tick_off(item=one, by=world.secretary)
    services.item_request_tick_off(item=two, by=user, note="快完成了")
    new = _amend(pledge, user)
    states = list(new.items.values_list("position", "state", "ticked_off_by"))
    assert states == [
        (1, PledgeItem.State.TICKED_OFF, world.secretary.pk),
        (2, PledgeItem.State.IN_PROGRESS, None),
        (3, PledgeItem.State.IN_PROGRESS, None),
    ]


def test_an_oral_pledge_is_amended_by_the_branch(world, oral_pledge_in):
    pledge = oral_pledge_in("signed")
    with pytest.raises(PermissionDenied):
        _amend(pledge, world.member.user)
    new = _amend(pledge, world.clerk)
    assert new.is_oral and new.witness_name == "周见证" and new.revision == 2
    assert Signature.objects.filter(pledge=pledge).count() == 1


def test_an_organizations_pledge_is_amended_by_its_officers(world, org_pledge_in):
    pledge = org_pledge_in("published")
    with pytest.raises(PermissionDenied):
        _amend(pledge, world.committee)
    new = _amend(pledge, world.clerk)
    assert new.pledger_organization == world.tree.branch_a1 and new.revision == 2 and new.is_current
    assert fresh(pledge).status == Pledge.Status.SUPERSEDED
    assert Pledge.objects.filter(pledger_organization=world.tree.branch_a1, is_current=True).get() == new
