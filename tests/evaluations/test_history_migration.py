"""The data migration of evaluations: the rankings' adjustment logs and the stamps of appraisals, rectifications,
awards and bulletins become history records (the functions the migration calls, run on today's models)."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from evaluations.models import Award, Bulletin, RankingEntry
from evaluations.services.rankings import adjustment_log, ranking_compute
from organizations.models import User
from tests.evaluations import conftest_stats
from tests.evaluations.conftest_appraisals import *  # noqa: F403
from tests.evaluations.conftest_stats import TODAY
from tests.history import changes

migration = importlib.import_module("evaluations.migrations.0003_history_from_logs_and_stamps")

pytestmark = pytest.mark.django_db
stats_world = conftest_stats.stats_world


def test_adjustment_logs_become_history_records(stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.town_a, level="organizations", period="2025-B4", by=w.town_committee, today=TODAY
    )
    entry = ranking.entries.get(organization=w.tree.branch_a2)
    at = datetime.datetime(2025, 9, 3, 2, 0, tzinfo=datetime.UTC)
    log = [
        {
            "at": at.isoformat(),
            "by": w.town_committee.pk,
            "by_name": "甲镇党委",
            "from": "0.00",
            "to": "5.00",
            "reason": "抗洪加分。",
        },
        {
            "at": (at + datetime.timedelta(hours=1)).isoformat(),
            "by": w.town_committee.pk,
            "by_name": "甲镇党委",
            "from": "5.00",
            "to": "3.00",
            "reason": "复核减分。",
        },
    ]
    RankingEntry.objects.filter(pk=entry.pk).update(
        components={**entry.components, "log": log}, adjustment=Decimal("3.00"), adjustment_reason="复核减分。"
    )
    assert migration.logs_to_history(RankingEntry, RankingEntry.history.model, User) == 2
    entry.refresh_from_db()
    assert "log" not in entry.components and entry.components["parts"]
    shown = adjustment_log(ranking, list(ranking.entries.select_related("member", "organization")))
    assert [(r.at, r.by, r.before, r.after, r.reason) for r in shown] == [
        (
            at + datetime.timedelta(hours=1),
            w.town_committee.get_full_name(),
            Decimal("5.00"),
            Decimal("3.00"),
            "复核减分。",
        ),
        (at, w.town_committee.get_full_name(), Decimal("0.00"), Decimal("5.00"), "抗洪加分。"),
    ]
    # Going back rebuilds the log.
    migration.history_to_logs(RankingEntry, RankingEntry.history.model)
    entry.refresh_from_db()
    assert [(r["from"], r["to"], r["reason"]) for r in entry.components["log"]] == [
        ("0.00", "5.00", "抗洪加分。"),
        ("5.00", "3.00", "复核减分。"),
    ]


def test_evaluations_without_history_get_it_from_their_own_dates(world):
    decided = datetime.datetime(2025, 6, 30, 2, 0, tzinfo=datetime.UTC)
    award = Award.objects.create(
        kind="star_member",
        year=2025,
        member=world.member,
        nominated_by_organization=world.tree.branch_a1,
        citation="按期兑现。",
        status=Award.Status.REJECTED,
        nominated_by=world.secretary,
        decided_by=world.committee,
        decided_at=decided,
        decision_comment="事迹不具体。",
        created_at=decided - datetime.timedelta(days=5),
    )
    bulletin = Bulletin.objects.create(
        organization=world.tree.branch_a1, year=2025, quarter=1, title="通报", body="正文", created_by=world.secretary
    )
    Award.history.all().delete()  # made before there was any history
    Bulletin.history.all().delete()
    assert migration.stamps_to_history(apps, "Award") == 2
    assert migration.stamps_to_history(apps, "Bulletin") == 1
    assert migration.stamps_to_history(apps, "Award") == 0  # once
    assert [(c.label, c.before, c.after, c.by, c.comment) for c in changes(award)] == [
        ("推荐", None, "nominated", world.secretary.username, ""),
        ("不予批准", "nominated", "rejected", world.committee.username, "事迹不具体。"),
    ]
    assert [(c.label, c.after) for c in changes(bulletin)] == [("根据数据起草", "draft")]
