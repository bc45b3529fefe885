"""上评下议 services: periods, scores against the data, reproducibility, adjustments, publishing, permissions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from evaluations.models import Ranking, RankingEntry
from evaluations.selectors import parse_ranking_period, ranking_period_choices
from evaluations.services.rankings import (
    DEFAULT_WEIGHTS,
    adjustment_log,
    ranking_adjust,
    ranking_compute,
    ranking_publish,
    score_of,
)
from organizations.errors import DomainError
from tests.evaluations import conftest_stats
from tests.evaluations.conftest_stats import TODAY
from tests.factories import MemberFactory

stats_world = conftest_stats.stats_world

D = datetime.date
ORGS = Ranking.Level.ORGANIZATIONS
MEMBERS = Ranking.Level.MEMBERS


def snapshot(ranking):
    return [
        (e.organization_id, e.member_id, e.components["parts"], e.score, e.adjustment, e.final_score, e.rank)
        for e in RankingEntry.objects.filter(ranking=ranking).order_by("organization_id", "member_id")
    ]


def parts_of(entry) -> dict:
    return {p["key"]: p for p in entry.components["parts"]}


# --- periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, label, start, end, display",
    [
        ("2025-B1", "2025-B1", D(2025, 1, 1), D(2025, 2, 28), "2025年1—2月"),
        ("2025-B4", "2025-B4", D(2025, 7, 1), D(2025, 8, 31), "2025年7—8月"),
        ("2025b6", "2025-B6", D(2025, 11, 1), D(2025, 12, 31), "2025年11—12月"),
        ("2024-B1", "2024-B1", D(2024, 1, 1), D(2024, 2, 29), "2024年1—2月"),
    ],
)
def test_bimonthly_periods_of_organization_rankings(text, label, start, end, display):
    p = parse_ranking_period(ORGS, text)
    assert (p.label, p.start, p.end, p.display) == (label, start, end, display)


@pytest.mark.parametrize(
    "level, text, message",
    [
        (ORGS, "2025-B7", "2025-B4"),
        (ORGS, "2025-07", "每两个月"),
        (ORGS, "2025Q3", "每两个月"),
        (MEMBERS, "2025-B4", "按月"),
        (MEMBERS, "2025Q3", "按月"),
        (MEMBERS, "2025-13", "按月"),
    ],
)
def test_bad_ranking_periods_are_refused_in_chinese(level, text, message):
    with pytest.raises(DomainError, match=message):
        parse_ranking_period(level, text)


def test_period_choices_end_with_the_current_period():
    assert ranking_period_choices(ORGS, D(2025, 9, 15))[:3] == [
        ("2025-B5", "2025年9—10月"),
        ("2025-B4", "2025年7—8月"),
        ("2025-B3", "2025年5—6月"),
    ]
    assert ranking_period_choices(ORGS, D(2025, 1, 5))[1] == ("2024-B6", "2024年11—12月")
    assert ranking_period_choices(MEMBERS, D(2025, 1, 5))[:2] == [("2025-01", "2025年1月"), ("2024-12", "2024年12月")]


# --- computing -----------------------------------------------------------------------------------------


def test_committee_ranks_its_direct_subordinate_organizations_from_the_data(stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY
    )
    entries = {e.organization.code: e for e in ranking.entries.select_related("organization")}
    assert set(entries) == {"CA1", "CA2"}
    a1, a2 = parts_of(entries["CA1"]), parts_of(entries["CA2"])
    # A1 as of 31 August. Items in force due by then or ticked off: leader 6/30 (on time), 8/31 (ticked
    # 5 September: not by then, still counted as due), done 5/31, 7/31 (both on time), oral 7/1 (open),
    # amended 4/30 (on time); its own pledge 6/30 (on time). 5 of 7 on time.
    assert a1["fulfilment"]["inputs"] == {"items_counted": 7, "on_time": 5}
    assert a1["fulfilment"]["value"] == "71.43"
    # A2: the A2 leader's item was ticked off late (5 April for 31 March); A2 ok's is due on 30 September
    # and ticked off on 10 September, after the period: not counted yet.
    assert a2["fulfilment"]["inputs"] == {"items_counted": 1, "on_time": 0}
    # The last quarterly inspection ended by 31 August is 2025Q2: A2 ok passed; A1 done passed.
    assert a1["inspections"]["inputs"] == {"quarter": "2025Q2", "inspected": 1, "passed": 1}
    assert a2["inspections"]["value"] == "100.00"
    # Satisfaction: A1's latest appraisal by 31 August is the one of 10 July (83.33%); A2 has none closed.
    assert a1["satisfaction"]["value"] == "83.33"
    assert a2["satisfaction"]["value"] is None and a2["satisfaction"]["used"] is True
    # Leader grades: A1 好 较好 好 好 = 15 of 16 points; A2 差 一般 = 3 of 8.
    assert a1["leader_grades"]["value"] == "93.75"
    assert a2["leader_grades"]["value"] == "37.50"
    # Monthly records of July and August: A1 has 5 members expected (10 due), 3 written; A2 4 members, none.
    assert a1["monthly_records"]["inputs"] == {"written": 3, "due": 10}
    assert a2["monthly_records"]["value"] == "0.00"
    for entry in entries.values():
        assert entry.score == score_of(entry.components["parts"])
        assert entry.final_score == entry.score
    expected_a1 = (
        Decimal("40") * Decimal("71.43")
        + Decimal("20") * Decimal("100.00")
        + Decimal("20") * Decimal("83.33")
        + Decimal("10") * Decimal("93.75")
        + Decimal("10") * Decimal("30.00")
    ) / 100
    assert entries["CA1"].score == expected_a1.quantize(Decimal("0.01"))
    assert (entries["CA1"].rank, entries["CA2"].rank) == (1, 2)
    assert ranking.weights == DEFAULT_WEIGHTS


def test_a_component_nobody_has_data_for_is_left_out_for_everyone(stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.county, level=ORGS, period="2025-B4", by=w.county_committee, today=TODAY
    )
    entries = list(ranking.entries.all())
    for entry in entries:
        parts = parts_of(entry)
        # Neither town has a review of its own in the last three months.
        assert parts["leader_grades"]["value"] is None and parts["leader_grades"]["used"] is False
        used = [p for p in entry.components["parts"] if p["used"]]
        weight = sum(Decimal(str(p["weight"])) for p in used)
        points = sum(Decimal(str(p["weight"])) * Decimal(p["value"] or 0) for p in used)
        assert entry.score == (points / weight).quantize(Decimal("0.01"))


def test_a_branch_secretary_ranks_the_members_monthly(stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.branch_a1, level=MEMBERS, period="2025-08", by=w.secretary, today=TODAY
    )
    entries = {e.member.name: e for e in ranking.entries.select_related("member")}
    # Active members who are not exempt.
    assert set(entries) == {"甲一领导", "甲一完成", "甲一口头", "甲一变更", "甲一草拟"}
    leader = parts_of(entries["甲一领导"])
    assert leader["monthly_records"]["inputs"] == {"written": 1, "due": 1}
    assert leader["leader_grades"]["value"] == "95.00"  # 好 好 较好 好 好: 19 of 20
    assert leader["fulfilment"]["inputs"] == {"items_counted": 2, "on_time": 1}
    assert parts_of(entries["甲一草拟"])["fulfilment"]["value"] is None  # nothing signed
    assert entries["甲一草拟"].rank == len(entries)
    # Nobody's own pledge was asked about in an appraisal: satisfaction is left out.
    assert leader["satisfaction"]["used"] is False


def test_computing_twice_from_the_same_data_gives_the_same_scores_and_ranks(stats_world):
    w = stats_world
    first = ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY)
    before = snapshot(first)
    second = ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY)
    assert second.pk == first.pk
    assert snapshot(second) == before
    assert Ranking.objects.count() == 1
    members = ranking_compute(
        organization=w.tree.branch_a1, level=MEMBERS, period="2025-07", by=w.secretary, today=TODAY
    )
    members_before = snapshot(members)
    again = ranking_compute(organization=w.tree.branch_a1, level=MEMBERS, period="2025-07", by=w.secretary, today=TODAY)
    assert snapshot(again) == members_before


def test_equal_scores_share_a_rank(tree, stats_world):
    w = stats_world
    for n in range(3):
        MemberFactory(organization=w.tree.branch_a2, name=f"甲二新人{n}")
    ranking = ranking_compute(
        organization=w.tree.branch_a2, level=MEMBERS, period="2025-08", by=_secretary_of_a2(w), today=TODAY
    )
    ranks = sorted(e.rank for e in ranking.entries.all() if e.member.name.startswith("甲二新人"))
    assert len(set(ranks)) == 1
    others = [e.rank for e in ranking.entries.all()]
    assert max(others) <= ranking.entries.count()


def _secretary_of_a2(w):
    from organizations.permissions import Role
    from tests.factories import UserFactory, grant

    user = UserFactory(username="a2_sec_rank")
    grant(user, Role.SECRETARY, w.tree.branch_a2)
    return user


def test_custom_weights_change_the_score(stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.town_a,
        level=ORGS,
        period="2025-B4",
        by=w.town_committee,
        weights={"fulfilment": 100},
        today=TODAY,
    )
    a1 = ranking.entries.get(organization=w.tree.branch_a1)
    assert a1.score == Decimal("71.43")
    assert ranking.weights == {
        "fulfilment": 100,
        "inspections": 0,
        "satisfaction": 0,
        "leader_grades": 0,
        "monthly_records": 0,
    }


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"fulfilment": -1}, "0 到 100"),
        ({"fulfilment": 0, "inspections": 0}, "不能全为 0"),
        ({"speed": 10}, "无法识别"),
        ({"fulfilment": "很多"}, "应为数字"),
    ],
)
def test_bad_weights_are_refused(stats_world, weights, message):
    w = stats_world
    with pytest.raises(DomainError, match=message):
        ranking_compute(
            organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, weights=weights, today=TODAY
        )
    assert not Ranking.objects.exists()


def test_a_period_that_has_not_begun_is_refused(stats_world):
    w = stats_world
    with pytest.raises(DomainError, match="还没有开始"):
        ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B6", by=w.town_committee, today=TODAY)
    assert not Ranking.objects.exists()


def test_an_organization_without_subordinates_cannot_rank_organizations(stats_world):
    w = stats_world
    with pytest.raises(DomainError, match="没有下级党组织"):
        ranking_compute(organization=w.tree.branch_a1, level=ORGS, period="2025-B4", by=w.county_committee, today=TODAY)


# --- adjustments ---------------------------------------------------------------------------------------


def _log(ranking):
    return adjustment_log(ranking, list(ranking.entries.select_related("member", "organization")))


@pytest.fixture
def town_ranking(stats_world):
    w = stats_world
    return ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_adjustment_needs_a_written_reason(stats_world, town_ranking, reason):
    entry = town_ranking.entries.get(organization=stats_world.tree.branch_a2)
    before = snapshot(town_ranking)
    with pytest.raises(DomainError, match="理由"):
        ranking_adjust(entry=entry, by=stats_world.town_committee, adjustment="5", reason=reason)
    assert snapshot(town_ranking) == before
    assert adjustment_log(town_ranking, list(town_ranking.entries.select_related("organization"))) == []


@pytest.mark.parametrize(
    "adjustment, message", [("很多", "数字"), ("101", "-100"), ("-100.5", "-100"), ("NaN", "调整分")]
)
def test_an_adjustment_must_be_a_sensible_number(stats_world, town_ranking, adjustment, message):
    entry = town_ranking.entries.get(organization=stats_world.tree.branch_a2)
    with pytest.raises(DomainError, match=message):
        ranking_adjust(entry=entry, by=stats_world.town_committee, adjustment=adjustment, reason="理由")
    assert RankingEntry.objects.get(pk=entry.pk).adjustment == 0


def test_an_adjustment_is_logged_and_ranks_again(stats_world, town_ranking):
    w = stats_world
    a1 = town_ranking.entries.get(organization=w.tree.branch_a1)
    a2 = town_ranking.entries.get(organization=w.tree.branch_a2)
    assert (a1.rank, a2.rank) == (1, 2)
    gap = a1.final_score - a2.final_score
    adjusted = ranking_adjust(
        entry=a2, by=w.town_committee, adjustment=str(gap + 5), reason="二村抗洪抢险表现突出，经党委会研究加分。"
    )
    assert adjusted.final_score == adjusted.score + gap + 5
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a2.rank, a1.rank) == (1, 2)
    assert a2.adjustment_reason == "二村抗洪抢险表现突出，经党委会研究加分。"
    assert a2.adjusted_by == w.town_committee
    [record] = _log(town_ranking)
    assert record.by == "甲镇党委" and record.subject == a2.organization.name
    assert str(record.before) == "0.00" and record.after == gap + 5
    assert record.reason == "二村抗洪抢险表现突出，经党委会研究加分。"
    assert isinstance(record.at, datetime.datetime)
    [history] = a2.history.exclude(history_change_reason=None)
    assert history.history_user == w.town_committee and history.adjustment == gap + 5
    # A second adjustment replaces the first and is logged after it.
    ranking_adjust(entry=a2, by=w.town_committee, adjustment="0", reason="经复核撤销加分。")
    a2.refresh_from_db()
    assert a2.adjustment == 0 and a2.final_score == a2.score and a2.rank == 2
    assert [(r.reason, r.before, r.after) for r in reversed(_log(town_ranking))] == [
        ("二村抗洪抢险表现突出，经党委会研究加分。", 0, gap + 5),
        ("经复核撤销加分。", gap + 5, 0),
    ]


def test_adjustments_survive_computing_again(stats_world, town_ranking):
    w = stats_world
    a2 = town_ranking.entries.get(organization=w.tree.branch_a2)
    ranking_adjust(entry=a2, by=w.town_committee, adjustment="3.5", reason="帮扶工作加分。")
    ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY)
    again = RankingEntry.objects.get(ranking=town_ranking, organization=w.tree.branch_a2)
    assert again.adjustment == Decimal("3.50")
    assert again.final_score == again.score + Decimal("3.50")
    assert again.adjustment_reason == "帮扶工作加分。"
    assert again.pk == a2.pk  # computed again in place: the entry and its history stay
    assert [r.reason for r in _log(town_ranking)] == ["帮扶工作加分。"]


def test_a_published_ranking_is_neither_adjusted_nor_computed_again(stats_world, town_ranking):
    w = stats_world
    published = ranking_publish(ranking=town_ranking, by=w.town_committee)
    assert published.is_published and published.published_at
    before = snapshot(town_ranking)
    entry = town_ranking.entries.first()
    with pytest.raises(DomainError, match="已经公布"):
        ranking_adjust(entry=entry, by=w.town_committee, adjustment="1", reason="理由")
    with pytest.raises(DomainError, match="已经公布"):
        ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, today=TODAY)
    with pytest.raises(DomainError, match="已经公布"):
        ranking_publish(ranking=town_ranking, by=w.town_committee)
    assert snapshot(town_ranking) == before


# --- permissions ---------------------------------------------------------------------------------------


def test_the_committee_above_may_rank_and_adjust(stats_world):
    w = stats_world
    ranking = ranking_compute(
        organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.county_committee, today=TODAY
    )
    entry = ranking.entries.first()
    ranking_adjust(entry=entry, by=w.county_committee, adjustment="1", reason="县委复核。")
    ranking_publish(ranking=ranking, by=w.county_committee)


@pytest.mark.parametrize("who", ["town_b_committee", "secretary", "member_user", "outsider"])
def test_others_may_not_rank_the_organizations_of_town_a(stats_world, who):
    w = stats_world
    with pytest.raises(PermissionDenied, match="上级党委"):
        ranking_compute(organization=w.tree.town_a, level=ORGS, period="2025-B4", by=getattr(w, who), today=TODAY)
    assert not Ranking.objects.exists()


@pytest.mark.parametrize("who", ["town_committee", "secretary_b1", "member_user", "outsider"])
def test_only_the_branch_secretary_ranks_its_members(stats_world, who):
    w = stats_world
    with pytest.raises(PermissionDenied, match="支部书记"):
        ranking_compute(organization=w.tree.branch_a1, level=MEMBERS, period="2025-08", by=getattr(w, who), today=TODAY)
    assert not Ranking.objects.exists()


@pytest.mark.parametrize("who", ["town_b_committee", "secretary", "outsider"])
def test_others_may_not_adjust_or_publish(stats_world, town_ranking, who):
    w = stats_world
    user = getattr(w, who)
    before = snapshot(town_ranking)
    with pytest.raises(PermissionDenied):
        ranking_adjust(entry=town_ranking.entries.first(), by=user, adjustment="10", reason="想加分")
    with pytest.raises(PermissionDenied):
        ranking_publish(ranking=town_ranking, by=user)
    assert snapshot(town_ranking) == before
    assert not Ranking.objects.get(pk=town_ranking.pk).is_published


# --- the scheduled job ---------------------------------------------------------------------------------


def test_the_scheduled_job_computes_the_periods_just_ended_once(stats_world):
    from evaluations.services.rankings import rankings_compute_due

    w = stats_world
    by_hand = ranking_compute(
        organization=w.tree.town_a, level=ORGS, period="2025-B4", by=w.town_committee, weights={"fulfilment": 1}
    )
    computed = rankings_compute_due(D(2025, 9, 1))
    # Committees over their subordinates: the county and town B (town A's was computed by hand);
    # branches over their members: A1, A2, B1 and the other county's root, which has members and no children.
    assert computed == 2 + 4
    got = set(Ranking.objects.values_list("organization__code", "level", "period"))
    assert got == {
        ("C", ORGS, "2025-B4"),
        ("CA", ORGS, "2025-B4"),
        ("CB", ORGS, "2025-B4"),
        ("CA1", MEMBERS, "2025-08"),
        ("CA2", MEMBERS, "2025-08"),
        ("CB1", MEMBERS, "2025-08"),
        ("X", MEMBERS, "2025-08"),
    }
    assert Ranking.objects.get(pk=by_hand.pk).weights["fulfilment"] == 1  # never overwritten
    assert rankings_compute_due(D(2025, 9, 1)) == 0
    assert rankings_compute_due(D(2025, 10, 1)) == 4  # a new month for the branches; B4 is still the last bimonth
