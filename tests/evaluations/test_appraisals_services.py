"""群众评议 sessions: opening, codes, paper tallies and closing, with the rules of 篇六 (30/20 participants,
satisfaction below 90% → rectification)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import selectors
from evaluations.models import BallotCode, PaperTally, participant_minimum
from organizations.errors import DomainError
from organizations.models import Organization

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import (
    Appraisal,
    Rectification,
    cast,
    counts_of,
    fresh,
    paper,
    sector_org,
    services,
)

# --- opening ----------------------------------------------------------------------------------------------


def test_committee_opens_an_appraisal_in_the_open_campaign(world, open_appraisal, published):
    pledge = published(n=1)
    appraisal = open_appraisal(member_pledges=[pledge])
    assert appraisal.status == Appraisal.Status.OPEN
    assert appraisal.campaign == world.campaign
    assert appraisal.organization == world.tree.branch_a1
    assert appraisal.planned_total == 30
    assert list(appraisal.member_questions.all()) == [pledge]
    assert str(appraisal) == "甲镇一村党支部2025年上半年群众评议"


@pytest.mark.parametrize("who", ["secretary", "clerk", "town_b_committee", "town_secretary", "outsider"])
def test_only_a_committee_above_may_open(world, people, open_appraisal, who):
    user = getattr(people, who, None) or getattr(world, who)
    with pytest.raises(PermissionDenied, match="上级党委"):
        open_appraisal(by=user)
    assert not Appraisal.objects.exists()


def test_a_committee_cannot_appraise_its_own_organization(world, open_appraisal):
    with pytest.raises(PermissionDenied):
        open_appraisal(org=world.tree.town_a, by=world.committee)
    assert not Appraisal.objects.exists()


def test_the_county_committee_may_appraise_a_branch_deep_below(world, people, open_appraisal):
    appraisal = open_appraisal(by=people.county_committee)
    assert appraisal.created_by == people.county_committee


def test_planned_participants_below_the_sector_minimum_are_refused(world, open_appraisal):
    with pytest.raises(DomainError, match="不少于 30 人"):
        open_appraisal(planned_masses=9)
    assert not Appraisal.objects.exists()


def test_one_open_session_per_organization_and_one_regular_session_per_half_year(world, open_appraisal):
    first = open_appraisal()
    with pytest.raises(DomainError, match="正在进行"):
        open_appraisal(half=2)
    cast(first, satisfied=30)
    services.appraisal_close(appraisal=first, by=world.committee)
    with pytest.raises(DomainError, match="上半年已经组织过"):
        open_appraisal()
    assert open_appraisal(half=2).half == 2


def test_field_errors_come_back_per_field(world, open_appraisal):
    with pytest.raises(ValidationError) as info:
        open_appraisal(place="", held_on=None)
    assert {"place", "held_on"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        open_appraisal(year=1999)
    assert "year" in info.value.message_dict
    assert not Appraisal.objects.exists()


def test_member_questions_must_be_published_pledges_made_in_the_organization(
    world, people, open_appraisal, published, pledge_in
):
    draft_pledge = pledge_in("draft", member=world.secretary_member)
    with pytest.raises(DomainError, match="已公示的党员承诺"):
        open_appraisal(member_pledges=[draft_pledge])
    elsewhere = pledge_in("published", member=people.sibling_member, reviewer=people.sibling_secretary)
    with pytest.raises(DomainError, match="已公示的党员承诺"):
        open_appraisal(member_pledges=[elsewhere])
    assert not Appraisal.objects.exists()


# --- codes ------------------------------------------------------------------------------------------------


def test_codes_are_random_unique_and_limited_per_batch(world, open_appraisal):
    appraisal = open_appraisal()
    codes = services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=500)
    values = [c.code for c in codes]
    assert len(set(values)) == 500 and all(len(v) == 16 for v in values)
    assert not set("".join(values)) & set("01IO")  # nothing to misread on a slip
    for count in (0, 501):
        with pytest.raises(DomainError, match="1 到 500"):
            services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=count)
    assert BallotCode.objects.filter(appraisal=appraisal).count() == 500


def test_codes_only_by_the_organizer_side_and_only_while_open(world, open_appraisal):
    appraisal = open_appraisal()
    with pytest.raises(PermissionDenied):
        services.appraisal_generate_codes(appraisal=appraisal, by=world.secretary, count=5)
    assert not BallotCode.objects.exists()
    cast(appraisal, satisfied=30)
    services.appraisal_close(appraisal=appraisal, by=world.committee)
    with pytest.raises(DomainError, match="已经结束"):
        services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=5)
    assert BallotCode.objects.count() == 30


# --- minimum participants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sector, minimum",
    [
        (Organization.Sector.RURAL, 30),
        (Organization.Sector.COMMUNITY, 30),
        (Organization.Sector.GOVERNMENT, 30),
        (Organization.Sector.PUBLIC_INSTITUTION, 30),
        (Organization.Sector.SCHOOL, 30),
        (Organization.Sector.PRIVATE_ENTERPRISE, 20),
        (Organization.Sector.SOCIAL_ORGANIZATION, 20),
    ],
)
def test_closing_needs_the_sector_minimum_of_participants(world, open_appraisal, sector, minimum):
    org = sector_org(world.tree, sector, "S1")
    assert participant_minimum(org) == minimum
    appraisal = open_appraisal(org=org, planned_masses=minimum - 20)
    # Paper forms and code ballots count together; invalid forms do not count.
    paper(appraisal, satisfied=minimum - 3, invalid=5)
    cast(appraisal, satisfied=2)
    with pytest.raises(DomainError, match=f"不少于 {minimum} 人") as info:
        services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert "还差 1 人" in str(info.value)
    assert fresh(appraisal).status == Appraisal.Status.OPEN
    cast(appraisal, basically=1)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.valid_ballots == minimum and closed.invalid_ballots == 5
    assert closed.status == Appraisal.Status.CLOSED


# --- satisfaction -----------------------------------------------------------------------------------------


def test_satisfaction_is_satisfied_plus_basically_over_valid_ballots(world, failed_appraisal):
    a = fresh(failed_appraisal)
    assert (a.satisfied, a.basically_satisfied, a.unsatisfied, a.valid_ballots) == (20, 6, 4, 30)
    assert a.satisfaction == Decimal("0.8666")  # 26 / 30, cut to four decimals
    assert selectors.satisfaction_text(a.satisfaction) == "86.7%"
    assert a.passed is False
    assert a.is_published and a.closed_at is not None


def test_campaign_weights_replace_the_default_formula(world, open_appraisal):
    world.campaign.weight_satisfied = Decimal("1.00")
    world.campaign.weight_basically = Decimal("0.80")
    world.campaign.weight_unsatisfied = Decimal("0.00")
    world.campaign.save()
    appraisal = open_appraisal()
    paper(appraisal, satisfied=20, basically=6, unsatisfied=4)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.8266")  # (20·1 + 6·0.8 + 4·0) / 30 = 24.8 / 30


def test_weights_can_make_a_session_pass_that_the_default_fails(world, open_appraisal):
    world.campaign.weight_unsatisfied = Decimal("0.50")
    world.campaign.unsatisfied_threshold = Decimal("0.20")  # 6 of 30 不满意 is not yet 意见较大
    world.campaign.save()
    appraisal = open_appraisal()
    paper(appraisal, satisfied=24, unsatisfied=6)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.9000") and closed.passed  # (24 + 3) / 30
    assert not Rectification.objects.exists()


def test_satisfaction_of_the_formula_directly():
    assert selectors.satisfaction_of(27, 0, 3, 30) == Decimal("0.9")
    assert selectors.satisfaction_of(1, 1, 1, 3) == Decimal("0.6666")
    assert selectors.satisfaction_of(0, 0, 0, 0) is None
    weights = (Decimal("1"), Decimal("0.5"), Decimal("0"))
    assert selectors.satisfaction_of(10, 10, 0, 20, weights) == Decimal("0.75")


def test_exactly_ninety_percent_passes(world, open_appraisal):
    appraisal = open_appraisal()
    cast(appraisal, satisfied=20, basically=7, unsatisfied=3)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.9000") and closed.passed
    assert selectors.satisfaction_text(closed.satisfaction) == "90.0%"
    assert not Rectification.objects.exists()


def test_just_below_ninety_percent_fails_and_opens_a_rectification(world, open_appraisal):
    appraisal = open_appraisal()
    paper(appraisal, satisfied=8999, unsatisfied=1001)  # 89.99%
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.8999") and closed.passed is False
    assert selectors.satisfaction_text(closed.satisfaction) == "89.99%"  # never shown as 90.0%
    rectification = Rectification.objects.get()
    assert rectification.source == Rectification.Source.APPRAISAL
    assert rectification.appraisal == closed and rectification.organization == world.tree.branch_a1
    assert rectification.status == Rectification.Status.OPEN


def test_a_value_that_would_round_up_to_ninety_percent_still_fails(world, open_appraisal):
    appraisal = open_appraisal()
    paper(appraisal, satisfied=17999, unsatisfied=2001)  # 0.89995
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.8999") and not closed.passed
    assert Rectification.objects.filter(appraisal=closed).count() == 1


def test_closing_is_for_the_organizer_side_and_happens_once(world, open_appraisal):
    appraisal = open_appraisal()
    cast(appraisal, satisfied=30)
    with pytest.raises(PermissionDenied):
        services.appraisal_close(appraisal=appraisal, by=world.secretary)
    assert fresh(appraisal).status == Appraisal.Status.OPEN and fresh(appraisal).satisfaction is None
    services.appraisal_close(appraisal=appraisal, by=world.committee)
    with pytest.raises(DomainError, match="已经结束"):
        services.appraisal_close(appraisal=appraisal, by=world.committee)


# --- paper tallies ----------------------------------------------------------------------------------------


def test_paper_counts_must_add_up_to_the_valid_forms(world, open_appraisal):
    appraisal = open_appraisal()
    with pytest.raises(DomainError, match="之和（29）应等于有效表数（30）"):
        services.paper_tally_enter(
            appraisal=appraisal,
            by=world.committee,
            satisfied=20,
            basically_satisfied=5,
            unsatisfied=4,
            valid_forms=30,
            invalid_forms=2,
        )
    with pytest.raises(DomainError, match="不小于 0 的整数"):
        services.paper_tally_enter(
            appraisal=appraisal,
            by=world.committee,
            satisfied=-1,
            basically_satisfied=0,
            unsatisfied=0,
            valid_forms=-1,
            invalid_forms=0,
        )
    with pytest.raises(DomainError, match="测评表数量"):
        paper(appraisal)
    assert not PaperTally.objects.exists()


def test_entering_the_paper_tally_again_replaces_it(world, open_appraisal):
    appraisal = open_appraisal()
    paper(appraisal, satisfied=10, invalid=1)
    paper(appraisal, satisfied=25, basically=3, unsatisfied=2)
    tally = PaperTally.objects.get()
    assert (tally.satisfied, tally.valid_forms, tally.invalid_forms) == (25, 30, 0)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert counts_of(closed) == {"satisfied": 25, "basically": 3, "unsatisfied": 2, "valid": 30}


def test_paper_tallies_only_by_the_organizer_and_only_while_open(world, open_appraisal):
    appraisal = open_appraisal()
    with pytest.raises(PermissionDenied):
        paper(appraisal, satisfied=30, by=world.clerk)
    assert not PaperTally.objects.exists()
    paper(appraisal, satisfied=30)
    services.appraisal_close(appraisal=appraisal, by=world.committee)
    with pytest.raises(DomainError, match="已经结束"):
        paper(appraisal, satisfied=31)
    assert PaperTally.objects.get().valid_forms == 30


def test_member_questions_add_code_ballots_and_paper_forms(world, open_appraisal, published):
    pledge = published(n=1)
    other = published(world.secretary_member, n=1)
    appraisal = open_appraisal(member_pledges=[pledge])
    cast(appraisal, satisfied=3, pledges={pledge.pk: "unsatisfied"})
    cast(appraisal, satisfied=2, pledges={pledge.pk: "satisfied"})
    paper(appraisal, satisfied=4, basically=1, pledge=pledge)
    with pytest.raises(DomainError, match="不在本次逐人测评之列"):
        paper(appraisal, satisfied=4, pledge=other)
    tally = selectors.appraisal_tally(appraisal)
    (member,) = tally.members
    assert (member.satisfied, member.basically, member.unsatisfied, member.valid) == (6, 1, 3, 10)
    assert member.satisfaction == Decimal("0.7") and member.passed is False
    assert tally.overall.valid == 5 and tally.participants == 5 and tally.missing == 25


def test_rejected_actions_on_a_closed_session_change_nothing(world, failed_appraisal):
    before = counts_of(failed_appraisal)
    with pytest.raises(DomainError):
        paper(failed_appraisal, satisfied=100)
    assert counts_of(failed_appraisal) == before
    assert fresh(failed_appraisal).held_on == datetime.date(2025, 6, 28)
