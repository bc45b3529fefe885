"""定诺 by the reviewing side, and 亮诺 (publishing), by hand or automatically on signature."""

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import Campaign, Notification, Pledge, PledgeItem, Signature
from organizations.errors import DomainError
from tests.factories import PASSWORD
from tests.history import transitions

from ..conftest import fresh, name_of
from ..samples import signature_png


def _countersign(pledge, user, **kwargs):
    kwargs.setdefault("password", PASSWORD)
    if "image_png" not in kwargs:
        kwargs.setdefault("typed_name", name_of(user))
    return services.pledge_countersign(pledge=pledge, by=user, **kwargs)


def test_both_sides_sign_the_same_text(world, pledge_in):
    pledge = pledge_in("pledger_signed", n=3)
    _countersign(pledge, world.secretary)
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.SIGNED and pledge.signed_at
    sigs = {s.role: s for s in pledge.signatures.all()}
    assert set(sigs) == {"pledger", "reviewer"}
    assert sigs["reviewer"].signer == world.secretary and sigs["reviewer"].signer_name == "李书记"
    assert sigs["pledger"].text_sha256 == sigs["reviewer"].text_sha256 == pledge.text_sha256()


def test_the_reviewer_may_draw_his_signature(world, pledge_in):
    pledge = pledge_in("pledger_signed")
    _countersign(pledge, world.secretary, image_png=signature_png())
    assert pledge.signatures.get(role="reviewer").method == Signature.Method.DRAWN


def test_countersigning_before_the_pledger_signed_is_refused(world, pledge_in):
    pledge = pledge_in("approved")
    with pytest.raises(DomainError, match="承诺人还没有签署，审定方暂不能签署"):
        _countersign(pledge, world.secretary)
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert not pledge.signatures.exists()


def test_a_wrong_password_countersigns_nothing(world, pledge_in):
    pledge = pledge_in("pledger_signed")
    with pytest.raises(DomainError, match="密码不正确"):
        _countersign(pledge, world.secretary, password="nope")
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert list(pledge.signatures.values_list("role", flat=True)) == ["pledger"]


def test_the_reviewer_types_his_own_name(world, pledge_in):
    pledge = pledge_in("pledger_signed")
    with pytest.raises(DomainError, match="输入的姓名须与登记的姓名“李书记”一致"):
        _countersign(pledge, world.secretary, typed_name="王党员")
    assert fresh(pledge).status == Pledge.Status.APPROVED


@pytest.mark.parametrize("who", ["clerk", "committee", "member", "sibling_secretary"])
def test_only_the_reviewer_countersigns(world, people, pledge_in, who):
    pledge = pledge_in("pledger_signed")
    user = {"clerk": world.clerk, "committee": world.committee, "member": world.member.user}.get(who) or getattr(
        people, who
    )
    with pytest.raises(PermissionDenied, match="您不是这份承诺书的审定方，不能签署"):
        _countersign(pledge, user)
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert pledge.signatures.count() == 1


def test_text_changed_behind_the_pledgers_back_cannot_be_countersigned(world, pledge_in):
    """The reviewer's signature is refused when the items no longer hash to what the pledger signed."""
    pledge = pledge_in("pledger_signed")
    PledgeItem.objects.filter(pledge=pledge).update(content="被人偷偷改过的承诺")
    with pytest.raises(DomainError, match="承诺书内容与承诺人签署时不一致"):
        _countersign(pledge, world.secretary)
    assert fresh(pledge).status == Pledge.Status.APPROVED
    assert pledge.signatures.count() == 1


def test_an_organizations_pledge_is_countersigned_by_the_parent(world, org_pledge_in):
    pledge = org_pledge_in("pledger_signed")
    with pytest.raises(PermissionDenied):
        _countersign(pledge, world.secretary)
    _countersign(pledge, world.committee)
    assert fresh(pledge).status == Pledge.Status.SIGNED


def test_auto_publish_publishes_on_countersign(world, pledge_in, run_on_commit):
    Campaign.objects.filter(pk=world.campaign.pk).update(auto_publish=True)
    pledge = pledge_in("pledger_signed")
    run_on_commit(_countersign, pledge, world.secretary)
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.PUBLISHED
    assert pledge.published_by == world.secretary and pledge.published_at
    assert [c.after for c in transitions(pledge)][-2:] == [
        "signed",
        "published",
    ]
    kinds = set(Notification.objects.filter(recipient=world.member.user).values_list("kind", flat=True))
    assert {"signed", "published"} <= kinds


def test_without_auto_publish_the_pledge_waits_signed(world, pledge_in):
    pledge = pledge_in("pledger_signed")
    _countersign(pledge, world.secretary)
    assert fresh(pledge).status == Pledge.Status.SIGNED and fresh(pledge).published_by is None


# --- publishing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "secretary", "co_secretary", "town_clerk"])
def test_the_branch_or_the_reviewer_publishes(world, people, pledge_in, who):
    pledge = pledge_in("signed")
    user = getattr(world, who, None) or getattr(people, who)
    services.pledge_publish(pledge=pledge, by=user)
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.PUBLISHED and pledge.published_by == user


@pytest.mark.parametrize("who", ["member", "committee", "sibling_secretary", "sibling_clerk", "outsider"])
def test_others_do_not_publish(world, people, pledge_in, who):
    pledge = pledge_in("signed")
    user = {"member": world.member.user, "committee": world.committee}.get(who) or getattr(people, who)
    with pytest.raises(PermissionDenied, match="您无权公示这份承诺书"):
        services.pledge_publish(pledge=pledge, by=user)
    pledge = fresh(pledge)
    assert pledge.status == Pledge.Status.SIGNED and pledge.published_by is None and pledge.published_at is None


def test_the_committee_publishes_the_secretarys_pledge_it_reviewed(world, pledge_in):
    pledge = pledge_in("signed", member=world.secretary_member, reviewer=world.committee)
    services.pledge_publish(pledge=pledge, by=world.committee)
    assert fresh(pledge).status == Pledge.Status.PUBLISHED
