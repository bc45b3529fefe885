"""逾期签约 is about the first signing: a version made later by 变更承诺 is signed when the change is made."""

import datetime
from zoneinfo import ZoneInfo

from commitments import selectors, services
from commitments.models import Pledge

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_changed_pledge_signed_after_the_deadline_is_not_late(world, pledge_in, time_machine):
    time_machine.move_to(datetime.datetime(2025, 3, 20, 10, tzinfo=SHANGHAI))  # before the 3-31 deadline
    first = pledge_in("signed")
    assert not first.signed_late
    time_machine.move_to(datetime.datetime(2025, 6, 1, 10, tzinfo=SHANGHAI))
    second = services.pledge_amend(pledge=first, by=world.member.user, reason="岗位调整，变更承诺事项。")
    Pledge.objects.filter(pk=second.pk).update(status=Pledge.Status.SIGNED, signed_at=datetime.datetime.now(SHANGHAI))
    second = Pledge.objects.select_related("campaign").get(pk=second.pk)
    assert second.is_current and not second.signed_late
    assert selectors.late_signed_count(campaign=world.campaign, org=world.tree.branch_a1) == 0
