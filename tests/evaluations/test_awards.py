"""组织评选: nomination by an organization, decision by a committee above it, the honour roll, and the
candidates proposed from the data."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Notification, Pledge, PledgeItem
from evaluations import selectors
from evaluations.models import Award
from evaluations.services import awards as services
from organizations.errors import DomainError
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.evaluations.conftest_reviews import closed_appraisal, quick_pledge
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ON_TIME = [(D(2025, 5, 31), D(2025, 5, 20)), (D(2025, 8, 31), D(2025, 8, 1))]


def nominate(world, by=None, member=None, organization=None, kind="star_member", **extra):
    data = {
        "kind": kind,
        "year": 2025,
        "occasion": "七一",
        "member": member if organization is None else None,
        "organization": organization,
        "nominating_organization": world.tree.branch_a1,
        "citation": "承诺事项全部按期兑现，群众满意。",
        "by": by or world.secretary,
    }
    if organization is None and member is None:
        data["member"] = world.member
    data.update(extra)
    return services.award_nominate(**data)


def test_branch_nominates_and_the_town_committee_approves(world, run_on_commit):
    award = run_on_commit(nominate, world)
    assert (award.status, award.member, award.nominated_by) == ("nominated", world.member, world.secretary)
    assert "请审批" in Notification.objects.get(recipient=world.committee).text
    run_on_commit(services.award_decide, award=award, by=world.committee, approve=True)
    award.refresh_from_db()
    assert (award.status, award.decided_by) == ("approved", world.committee) and award.decided_at
    assert "已批准" in Notification.objects.get(recipient=world.secretary).text
    assert list(selectors.honour_roll(world.tree.town_a)) == [award]
    with pytest.raises(DomainError):
        services.award_decide(award=award, by=world.committee, approve=False, comment="改主意")


@pytest.mark.parametrize("who", ["secretary", "town_secretary", "town_b_committee", "sibling_secretary", "member"])
def test_refused_deciders_change_nothing(world, people, who):
    award = nominate(world)
    user = {"secretary": world.secretary, "member": world.member.user}.get(who) or getattr(people, who)
    with pytest.raises(PermissionDenied):
        services.award_decide(award=award, by=user, approve=True)
    assert Award.objects.get().status == "nominated"


def test_county_committee_may_decide_too_and_rejection_needs_a_reason(world, people):
    award = nominate(world)
    with pytest.raises(DomainError):
        services.award_decide(award=award, by=people.county_committee, approve=False)
    services.award_decide(award=award, by=people.county_committee, approve=False, comment="事迹不够突出。")
    award.refresh_from_db()
    assert award.status == "rejected" and award.decision_comment == "事迹不够突出。"
    assert list(selectors.honour_roll(world.tree.county)) == []
    nominate(world)  # a rejected nomination may be made again


@pytest.mark.parametrize("who", ["member", "sibling_secretary", "outsider"])
def test_who_may_nominate(world, people, who):
    user = world.member.user if who == "member" else getattr(people, who)
    with pytest.raises(PermissionDenied):
        nominate(world, by=user)
    assert not Award.objects.exists()
    nominate(world, by=world.clerk)
    assert Award.objects.count() == 1


def test_nomination_rules(world, people):
    with pytest.raises(DomainError) as err:
        nominate(world, member=people.sibling_member)
    assert "不是“甲镇一村党支部”的党员" in str(err.value)
    with pytest.raises(DomainError):
        nominate(world, kind="advanced_organization")  # needs an organization
    with pytest.raises(DomainError):
        nominate(world, kind="star_member", organization=world.tree.branch_a1, member=None)
    with pytest.raises(DomainError):
        nominate(world, organization=world.tree.branch_a2, kind="advanced_organization", by=world.committee)
    with pytest.raises(DomainError):
        nominate(world, citation=" ")
    assert not Award.objects.exists()
    nominate(world)
    with pytest.raises(DomainError) as err:
        nominate(world)
    assert "不能重复推荐" in str(err.value)
    nominate(world, occasion="年度")
    town = nominate(
        world,
        kind="advanced_organization",
        organization=world.tree.branch_a2,
        nominating_organization=world.tree.town_a,
        by=world.committee,
    )
    assert town.organization == world.tree.branch_a2
    # The town's own nomination goes to the county, not to the town committee itself.
    with pytest.raises(PermissionDenied):
        services.award_decide(award=town, by=world.committee, approve=True)
    assert list(selectors.awards_to_decide(world.committee)) == list(
        Award.objects.filter(nominated_by_organization=world.tree.branch_a1).order_by("created_at", "id")
    )
    assert town in selectors.awards_to_decide(people.county_committee)


@pytest.fixture
def candidates_data(world, branch_members):
    t, c = world.tree, world.campaign
    star, late, open_item = branch_members(3)
    b2_star = MemberFactory(organization=t.branch_a2)
    b1_star = MemberFactory(organization=t.branch_b1)
    for m in (star, b2_star, b1_star):
        quick_pledge(campaign=c, member=m, items=ON_TIME)
    quick_pledge(campaign=c, member=late, items=[(D(2025, 5, 31), D(2025, 6, 2))])
    quick_pledge(campaign=c, member=open_item, items=[*ON_TIME, (D(2025, 9, 30), None)])
    quick_pledge(campaign=c, member=world.member, items=ON_TIME, status=Pledge.Status.DRAFT)
    closed_appraisal(t.branch_a2, 2025, "0.9300", by=world.committee)  # below 95%: A2's star is left out
    closed_appraisal(t.branch_b1, 2025, "0.9800", by=world.committee)
    # Branch B1: its only member pledged (all on time); branch A2 has a member without a pledge.
    MemberFactory(organization=t.branch_a2)
    return star, b2_star, b1_star


def test_candidates_from_the_data(world, candidates_data, django_assert_num_queries):
    """篇六: 践诺明星 from the member's own results — his organization's satisfaction (93% at A2) does not
    keep him out."""
    star, b2_star, b1_star = candidates_data
    with django_assert_num_queries(4):
        found = selectors.award_candidates(org=world.tree.county, campaign=world.campaign)
    assert [p.member for p in found.members] == [star, b2_star, b1_star]
    by_member = {p.member: p for p in found.members}
    assert "2 项事项全部按期兑现销号" in by_member[star].citation
    assert "满意度" not in by_member[b1_star].citation
    assert [o.code for o in found.organizations] == ["CB", "CB1"]
    cb1 = next(o for o in found.organizations if o.code == "CB1")
    assert (cb1.due, cb1.pledged, cb1.items_total, cb1.ticked) == (1, 1, 2, 2)
    # A nomination is flagged so that nobody is proposed twice.
    nominate(world, member=star)
    found = selectors.award_candidates(org=world.tree.branch_a1, campaign=world.campaign)
    assert [(p.member, p.nominated) for p in found.members] == [(star, True)]


def test_branch_with_most_items_ticked_is_an_organization_candidate(world, branch_members):
    t, c = world.tree, world.campaign
    people = [world.secretary_member, world.member, *branch_members(8)]
    for m in people[:9]:
        quick_pledge(campaign=c, member=m, items=ON_TIME[:1])
    quick_pledge(campaign=c, member=people[9], items=[(D(2025, 9, 30), None)])
    found = selectors.award_candidates(org=t.town_a, campaign=c)
    assert [o.code for o in found.organizations] == ["CA1"]  # 9 of 10 items ticked off: 90%
    PledgeItem.objects.filter(pledge__member=people[0]).update(state="in_progress", ticked_off_on=None)
    assert selectors.award_candidates(org=t.town_a, campaign=c).organizations == []


def test_award_pages(client, world, candidates_data):
    star = candidates_data[0]
    client.force_login(world.secretary)
    url = reverse("evaluations:award_nominate", args=["CA1"])
    page = client.get(url).content.decode()
    assert star.name in page and "践诺明星党员候选人（1）" in page
    response = client.post(url, {"kind": "star_member", "year": 2025, "occasion": "七一", "citation": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "须选择推荐的党员" in page and "七一" in page
    response = client.post(
        url, {"kind": "star_member", "year": 2025, "occasion": "七一", "member": star.pk, "citation": "全部按期兑现。"}
    )
    assert response.status_code == 302
    award = Award.objects.get()
    client.force_login(world.committee)
    pending = client.get(reverse("evaluations:award_index") + "?tab=pending").content.decode()
    assert star.name in pending and "批准" in pending
    client.post(reverse("evaluations:award_decide", args=[award.pk]), {"decision": "approve"})
    assert Award.objects.get().status == "approved"
    client.force_login(world.member.user)
    roll = client.get(reverse("evaluations:award_index")).content.decode()
    assert star.name in roll and "践诺明星党员" in roll
    assert client.get(url).status_code == 403


def test_award_list_is_flat(client, world, django_assert_max_num_queries):
    years = iter(range(1950, 2100))

    def add(n):
        for _ in range(n):
            m = MemberFactory(organization=world.tree.branch_a1)
            a = nominate(world, member=m, year=2025, occasion=f"第{next(years)}次")
            if a.pk % 2:
                services.award_decide(award=a, by=world.committee, approve=True)
            nominate(
                world, kind="advanced_organization", organization=world.tree.branch_a1, occasion=f"第{next(years)}次"
            )

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add(10)
    for user, tab in [(world.committee, "pending"), (world.committee, "roll"), (world.secretary, "mine")]:
        client.force_login(user)
        url = reverse("evaluations:award_index") + f"?tab={tab}"
        small = count(url)
        add(15)
        with django_assert_max_num_queries(small):
            client.get(url)

    def stars(n):
        for _ in range(n):
            quick_pledge(
                campaign=world.campaign, member=MemberFactory(organization=world.tree.branch_a1), items=ON_TIME
            )

    client.force_login(world.secretary)
    url = reverse("evaluations:award_nominate", args=["CA1"])
    stars(5)
    small = count(url)
    stars(30)
    with django_assert_max_num_queries(small):
        page = client.get(url)
    assert "践诺明星党员候选人（35）" in page.content.decode()


def _appraised_one_by_one(pledge, *, satisfied, unsatisfied, by, paper_basically=0):
    """A closed 2025 appraisal of the pledge's organization where the member was appraised one by one."""
    from evaluations.models import Appraisal, Ballot, BallotCode, PaperTally

    appraisal = closed_appraisal(pledge.organization, 2025, "0.9500", by=by, half=2)
    appraisal.member_questions.add(pledge)
    for choice, n in ((Ballot.Choice.SATISFIED, satisfied), (Ballot.Choice.UNSATISFIED, unsatisfied)):
        for _ in range(n):
            code = BallotCode.objects.create(appraisal=appraisal)
            Ballot.objects.create(appraisal=appraisal, code=code, pledge=pledge, choice=choice)
    if paper_basically:
        PaperTally.objects.create(
            appraisal=appraisal,
            pledge=pledge,
            basically_satisfied=paper_basically,
            valid_forms=paper_basically,
            entered_by=by,
        )
    assert appraisal.status == Appraisal.Status.CLOSED
    return appraisal


def test_star_candidates_come_from_the_members_own_ballots_and_reviews(world, branch_members):
    """篇六 “对群众满意度较高的‘践诺明星党员’要给予表扬”: the member's own 逐人测评 (≥ 95%) and his own leader
    reviews (no 一般 or 差 that year) decide, not his organization's satisfaction."""
    from evaluations.models import LeaderReview

    c = world.campaign
    liked, disliked, poorly_reviewed, unreviewed = branch_members(4)
    pledges = {
        m: quick_pledge(campaign=c, member=m, items=ON_TIME) for m in (liked, disliked, poorly_reviewed, unreviewed)
    }
    _appraised_one_by_one(pledges[liked], satisfied=19, unsatisfied=0, paper_basically=1, by=world.committee)
    _appraised_one_by_one(pledges[disliked], satisfied=18, unsatisfied=2, by=world.committee)  # 90%
    grades = {"de": "good", "neng": "good", "qin": "fair", "ji": "good", "lian": "good"}
    LeaderReview.objects.create(
        member=poorly_reviewed,
        kind="quarterly",
        period="2025Q2",
        text="工作还需主动。",
        reviewer=world.secretary,
        **grades,
    )
    LeaderReview.objects.create(
        member=unreviewed,
        kind="quarterly",
        period="2024Q4",
        text="去年的点评不算。",
        reviewer=world.secretary,
        **(grades | {"qin": "poor"}),
    )
    LeaderReview.objects.create(
        member=liked,
        kind="quarterly",
        period="2025Q3",
        text="表现突出。",
        reviewer=world.secretary,
        **(grades | {"qin": "fairly_good"}),
    )
    found = selectors.award_candidates(org=world.tree.branch_a1, campaign=c)
    by_member = {p.member: p for p in found.members}
    assert set(by_member) == {liked, unreviewed}
    assert "群众逐人测评满意度 100.0%（20 票）" in by_member[liked].citation
    assert "2025年 1 次领导点评均为“好”或“较好”" in by_member[liked].citation


def test_volunteers_are_neither_star_candidates_nor_in_the_organizations_denominator(world, branch_members):
    """篇一: 入党积极分子和非党干部“也可以参加” — they may pledge, but award eligibility counts only the members
    obliged to pledge, and 践诺明星党员 is for party members."""
    from organizations.models import Member

    t, c = world.tree, world.campaign
    member = MemberFactory(organization=t.branch_b1)
    activist = MemberFactory(organization=t.branch_b1, political_status=Member.PoliticalStatus.ACTIVIST)
    MemberFactory(organization=t.branch_b1, political_status=Member.PoliticalStatus.NON_PARTY_CADRE)  # no pledge
    quick_pledge(campaign=c, member=member, items=ON_TIME)
    quick_pledge(campaign=c, member=activist, items=ON_TIME)
    found = selectors.award_candidates(org=t.town_b, campaign=c)
    assert [p.member for p in found.members] == [member]
    cb1 = next(o for o in found.organizations if o.code == "CB1")
    assert (cb1.due, cb1.pledged) == (1, 1)  # the non-party cadre without a pledge does not hold it back
