"""Anything derived from dates is right when a page is read, with no scheduled job (issue 13 §3).

Under `make run` there is no Celery beat: the public board, the ledger and the statistics must still agree on
which items are overdue the day after their deadline — the board once said “进行中” while the dashboard
counted the same items as 逾期.
"""

import datetime

from django.urls import reverse

from commitments.models import PledgeItem
from evaluations.statistics import compute_indicators


def test_board_ledger_and_statistics_agree_on_overdue_items_without_the_job(client, world, published, time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")
    pledge = published()  # three items due 2025-06-30
    assert {i.deadline for i in pledge.items.all()} == {datetime.date(2025, 6, 30)}
    board_url = reverse("disclosure:board", args=[world.tree.branch_a1.code])

    page = client.get(board_url).content.decode()
    assert page.count("item-overdue") == 0 and "进行中" in page

    time_machine.move_to("2025-07-01T08:00:00+08:00")  # the morning after, before any job has run
    assert not PledgeItem.objects.filter(overdue_notified=True).exists()
    page = client.get(board_url).content.decode()
    assert page.count("item-overdue") == 3
    stats = compute_indicators(world.tree.county, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert stats["items_overdue"] == 3
    client.force_login(world.secretary)
    ledger = client.get(reverse("commitments:ledger"), {"org": world.tree.branch_a1.code, "overdue": "1"})
    assert len(ledger.context["page"].object_list) == 3
