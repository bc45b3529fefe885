import pytest

from commitments import services
from commitments.models import Opinion, Pledge, PledgeItem, Signature
from tests.factories import PASSWORD
from tests.history import transitions

from ..conftest import FULL_CHECKS


@pytest.mark.django_db(transaction=True)
def test_whole_lifecycle(world, draft):
    pledge = draft()
    world.opinion.refresh_from_db()
    assert world.opinion.status == Opinion.Status.ANSWERED
    services.pledge_submit(pledge=pledge, by=world.member.user)
    services.pledge_return(
        pledge=pledge,
        by=world.secretary,
        comment="第二项不够具体",
        item_comments={pledge.items.all()[1].pk: "写明帮助几户"},
    )
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RETURNED
    services.pledge_submit(pledge=pledge, by=world.member.user)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    services.pledge_sign(pledge=pledge, by=world.member.user, password=PASSWORD, typed_name="王党员")
    services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    services.pledge_publish(pledge=pledge, by=world.clerk)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.PUBLISHED
    assert {s.text_sha256 for s in Signature.objects.filter(pledge=pledge)} == {pledge.text_sha256()}
    for it in pledge.items.all():
        services.item_request_tick_off(item=it, by=world.member.user, note="已完成")
        services.item_confirm_tick_off(item=it, by=world.secretary)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.COMPLETED
    assert all(i.state == PledgeItem.State.TICKED_OFF for i in pledge.items.all())
    assert len(transitions(pledge)) >= 8
    assert world.member.user.notifications.exists() and world.secretary.notifications.exists()
