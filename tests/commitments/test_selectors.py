"""Reads: coverage, the three work queues, the checks due, the ledger; each a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments import selectors, services
from commitments.models import Pledge, first_of_month, quarter_of
from organizations.models import Member, User
from tests.factories import PASSWORD, MemberFactory, UserFactory

from .conftest import FULL_CHECKS, fresh


@pytest.fixture
def new_member(world):
    """Members of a branch (A1 by default) with their own accounts."""

    def make(org=None, **kwargs):
        org = org or world.tree.branch_a1
        return MemberFactory(organization=org, user=UserFactory(), **kwargs)

    return make


def _fresh_user(user):
    """The same account without the per-request grant cache, as a new request would see it."""
    return User.objects.get(pk=user.pk)


# --- coverage ----------------------------------------------------------------------------------------------


def test_coverage_counts_signed_pledges_and_leaves_out_exempt_members(
    world, people, new_member, pledge_in, oral_pledge_in, org_pledge_in
):
    pledge_in("published")  # 王党员
    oral_pledge_in("signed")  # 孙大爷, oral
    pledge_in("approved", member=world.secretary_member, reviewer=world.committee)  # not signed yet
    leader = new_member(world.tree.branch_a2, is_leader=True)
    pledge_in("signed", member=leader, reviewer=people.sibling_secretary, n=3)
    amended = new_member()
    pledge_in("superseded", member=amended)  # signed once; its new revision is a draft
    new_member(is_exempt=True)  # left out of the denominator
    new_member(is_active=False)  # no longer on the roster
    new_member(world.tree.branch_b1)
    org_pledge_in("signed")

    county = selectors.campaign_coverage(world.campaign, world.tree.county)
    # Organizations below the campaign root: towns A and B and the three branches.
    assert (county.organizations, county.organizations_pledged) == (5, 1)
    # 李书记, 王党员, 孙大爷, 赵党员 (A2), the leader, the amended one, the B1 member.
    assert (county.members, county.members_pledged) == (7, 4)
    assert (county.oral, county.leaders_pledged) == (1, 1)
    assert county.member_rate == pytest.approx(4 / 7) and county.organization_rate == pytest.approx(1 / 5)

    a1 = selectors.campaign_coverage(world.campaign, world.tree.branch_a1)
    assert (a1.organizations, a1.organizations_pledged, a1.members, a1.members_pledged) == (1, 1, 4, 3)
    a2 = selectors.campaign_coverage(world.campaign, world.tree.branch_a2)
    assert (a2.organizations, a2.organizations_pledged, a2.members, a2.members_pledged) == (1, 0, 2, 1)
    # An organization outside the campaign sees the campaign's whole scope.
    outside = selectors.campaign_coverage(world.campaign, world.tree.other)
    assert (outside.members, outside.members_pledged) == (7, 4)


def test_coverage_of_an_empty_subtree_has_no_rate(world):
    services.campaign_close(campaign=world.campaign, by=world.campaign.opened_by)
    campaign = services.campaign_open(
        organization=world.tree.town_b,
        by=world.campaign.opened_by,
        name="乙镇",
        year=2025,
        starts_on=world.campaign.starts_on,
        sign_deadline=world.campaign.sign_deadline,
        ends_on=world.campaign.ends_on,
    )
    coverage = selectors.campaign_coverage(campaign, world.tree.town_b)
    assert (coverage.organizations, coverage.members) == (1, 0)
    assert coverage.member_rate is None and coverage.organization_rate == 0


def test_coverage_by_child(world, people, new_member, pledge_in):
    pledge_in("published")
    new_member(world.tree.branch_b1)
    new_member(world.tree.branch_a2, is_exempt=True)
    rows = selectors.member_coverage_by_child(world.campaign, world.tree.county)
    assert rows == {world.tree.town_a.path: (3, 1), world.tree.town_b.path: (1, 0)}


def test_coverage_is_two_queries(world, new_member, pledge_in, django_assert_num_queries):
    for _ in range(3):
        pledge_in("signed", member=new_member())
    with django_assert_num_queries(2):
        selectors.campaign_coverage(world.campaign, world.tree.county)


# --- the review queue ----------------------------------------------------------------------------------------


def test_review_queue_holds_exactly_what_each_reviewer_reviews(
    world, people, new_member, pledge_in, org_pledge_in, oral_pledge_in
):
    member_pledge = pledge_in("submitted")
    oral = oral_pledge_in("submitted")
    own = pledge_in("submitted", member=world.secretary_member, reviewer=world.committee)
    org = org_pledge_in("submitted")
    sibling = pledge_in("submitted", member=people.sibling_member, reviewer=people.sibling_secretary)
    pledge_in("draft", member=new_member())
    pledge_in("approved", member=new_member())

    def queue(user):
        return [p.pk for p in selectors.review_queue(_fresh_user(user))]

    assert queue(world.secretary) == [member_pledge.pk, oral.pk]
    assert queue(people.co_secretary) == [member_pledge.pk, oral.pk]  # not the other secretary's own
    assert queue(world.committee) == [own.pk, org.pk]
    assert queue(people.town_secretary) == [member_pledge.pk, oral.pk, own.pk, org.pk, sibling.pk]
    assert queue(people.county_committee) == [own.pk, org.pk]
    assert queue(people.sibling_secretary) == [sibling.pk]
    for user in (world.clerk, people.town_clerk, people.town_b_committee, world.member.user, people.outsider):
        assert queue(user) == []


def test_review_queue_is_oldest_first_and_leaves_when_decided(world, new_member, pledge_in):
    first = pledge_in("submitted", member=new_member())
    second = pledge_in("submitted", member=new_member())
    assert [p.pk for p in selectors.review_queue(world.secretary)] == [first.pk, second.pk]
    services.pledge_approve(pledge=first, by=world.secretary, checks=FULL_CHECKS)
    services.pledge_return(pledge=second, by=world.secretary, comment="再改改")
    assert selectors.review_queue(_fresh_user(world.secretary)) == []


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


@pytest.mark.parametrize("queue", ["review", "sign", "tick", "checks"])
def test_queues_do_not_grow_in_queries(world, new_member, pledge_in, queue):
    """However many pledges wait, each list costs the same number of queries (no N+1)."""
    state = {"review": "submitted", "sign": "pledger_signed", "tick": "published", "checks": "published"}[queue]

    def add():
        member = new_member()
        pledge = pledge_in(state, member=member)
        if queue == "tick":
            services.item_request_tick_off(item=pledge.items.get(), by=member.user, note="完成")

    def read():
        user = _fresh_user(world.secretary)
        if queue == "checks":
            rows = list(selectors.checks_due(org=world.tree.branch_a1, campaign=world.campaign))
            return [(p.pledger_name, p.organization.name, p.campaign.name) for p in rows]
        rows = {"review": selectors.review_queue, "sign": selectors.sign_queue, "tick": selectors.tick_queue}[queue](
            user
        )
        pledges = [getattr(r, "pledge", r) for r in rows]
        return [(p.pledger_name, p.organization.name, p.campaign.name) for p in pledges]

    add()
    one = _queries(read)
    assert len(read()) == 1
    for _ in range(3):
        add()
    assert len(read()) == 4
    assert _queries(read) == one


# --- the signing queue -------------------------------------------------------------------------------------


def test_sign_queue_follows_the_signatures(world, people, pledge_in, org_pledge_in, oral_pledge_in):
    pledge = pledge_in("approved")
    oral = oral_pledge_in("approved")
    org = org_pledge_in("approved")

    def queue(user):
        return sorted(p.pk for p in selectors.sign_queue(_fresh_user(user)))

    assert queue(world.member.user) == [pledge.pk]
    # The secretary countersigns the oral pledge and signs for his branch's own pledge.
    assert queue(world.secretary) == sorted([oral.pk, org.pk])
    assert queue(world.committee) == []
    assert queue(world.clerk) == []

    services.pledge_sign(pledge=pledge, by=world.member.user, password=PASSWORD, typed_name="王党员")
    services.pledge_sign(pledge=org, by=world.secretary, password=PASSWORD, typed_name="李书记")
    assert queue(world.member.user) == []
    assert queue(world.secretary) == sorted([pledge.pk, oral.pk])
    assert queue(world.committee) == [org.pk]
    assert queue(people.sibling_secretary) == []

    services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
    assert queue(world.secretary) == [oral.pk]


def test_sign_queue_shows_the_secretarys_own_pledge_to_him_then_to_the_committee(world, pledge_in):
    own = pledge_in("approved", member=world.secretary_member, reviewer=world.committee)
    assert [p.pk for p in selectors.sign_queue(_fresh_user(world.secretary))] == [own.pk]
    assert selectors.sign_queue(_fresh_user(world.committee)) == []
    services.pledge_sign(pledge=own, by=world.secretary, password=PASSWORD, typed_name="李书记")
    assert selectors.sign_queue(_fresh_user(world.secretary)) == []
    assert [p.pk for p in selectors.sign_queue(_fresh_user(world.committee))] == [own.pk]


# --- the tick-off queue ------------------------------------------------------------------------------------


def test_tick_queue_lists_requests_for_this_reviewer(world, people, pledge_in):
    pledge = pledge_in("published", n=3)
    one, two, three = pledge.items.all()
    own = pledge_in("published", member=world.secretary_member, reviewer=world.committee)
    services.item_request_tick_off(item=two, by=world.member.user, note="完成")
    services.item_request_tick_off(item=one, by=world.member.user, note="完成")
    services.item_request_tick_off(item=own.items.get(), by=world.secretary, note="完成")

    def queue(user):
        return [i.pk for i in selectors.tick_queue(_fresh_user(user))]

    assert queue(world.secretary) == [two.pk, one.pk]  # in the order asked
    assert queue(world.committee) == [own.items.get().pk]
    for user in (world.clerk, people.sibling_secretary, world.member.user):
        assert queue(user) == []
    services.item_confirm_tick_off(item=two, by=world.secretary)
    services.item_refuse_tick_off(item=one, by=world.secretary, reason="不够")
    assert queue(world.secretary) == []
    items = selectors.tick_queue(_fresh_user(world.committee))
    assert items[0].pledge.pk == own.pk and fresh(three).state == "in_progress"


# --- checks due --------------------------------------------------------------------------------------------


def test_checks_due_shows_which_pledges_miss_this_months_and_this_quarters_checks(
    world, people, new_member, pledge_in, org_pledge_in
):
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    checked = pledge_in("published", member=new_member(name="甲"))
    inspected = pledge_in("signed", member=new_member(name="乙"))
    both = pledge_in("published", member=new_member(name="丙"))
    neither = pledge_in("published", member=new_member(name="丁"))
    org = org_pledge_in("published")
    pledge_in("approved", member=new_member(name="戊"))  # not under way yet
    pledge_in("completed", member=new_member(name="己"))  # done
    pledge_in("superseded", member=new_member(name="庚"))  # old revision out, new one a draft
    sibling = pledge_in("published", member=people.sibling_member, reviewer=people.sibling_secretary)

    for pledge in (checked, both):
        member_user = pledge.member.user
        services.self_check_record(
            pledge=pledge, by=member_user, month=today, results={i.pk: ("on_track", "") for i in pledge.items.all()}
        )
    # Last month's self-check does not count for this month.
    last_month = first_of_month(today) - __import__("datetime").timedelta(days=1)
    services.self_check_record(
        pledge=neither,
        by=neither.member.user,
        month=last_month,
        results={i.pk: ("done", "") for i in neither.items.all()},
    )
    for pledge in (inspected, both):
        services.inspection_record(pledge=pledge, by=world.secretary, year=year, quarter=quarter, passed=True)
    # Last quarter's inspection does not count either.
    services.inspection_record(pledge=neither, by=world.secretary, year=year - 1, quarter=quarter, passed=True)

    rows = {
        p.pk: (p.self_checked, p.inspected)
        for p in selectors.checks_due(org=world.tree.branch_a1, campaign=world.campaign, today=today)
    }
    assert rows == {
        checked.pk: (True, False),
        inspected.pk: (False, True),
        both.pk: (True, True),
        neither.pk: (False, False),
        org.pk: (False, False),
    }
    ordered = list(selectors.checks_due(org=world.tree.branch_a1, campaign=world.campaign, today=today))
    assert ordered[-1].pk == both.pk and not ordered[0].self_checked and not ordered[0].inspected
    town = {p.pk for p in selectors.checks_due(org=world.tree.town_a, campaign=world.campaign, today=today)}
    assert town == set(rows) | {sibling.pk}


# --- ledger and counts -------------------------------------------------------------------------------------


def test_ledger_lists_current_items_of_the_subtree(world, people, pledge_in, org_pledge_in):
    mine = pledge_in("published", n=2)
    org = org_pledge_in("draft")
    old = pledge_in("superseded", member=world.secretary_member, reviewer=world.committee)
    pledge_in("draft", member=people.sibling_member)
    items = selectors.ledger_items(campaign=world.campaign, org=world.tree.branch_a1)
    pledges = [i.pledge_id for i in items]
    assert sorted(set(pledges)) == sorted({mine.pk, org.pk, old.next_revision.pk})
    assert old.pk not in pledges
    assert (
        selectors.ledger_items(
            campaign=world.campaign, org=world.tree.branch_a1, filters={"kind": "organization"}
        ).count()
        == 1
    )
    assert (
        selectors.ledger_items(
            campaign=world.campaign, org=world.tree.branch_a1, filters={"status": "published", "q": "王党员"}
        ).count()
        == 2
    )
    counts = selectors.status_counts(campaign=world.campaign, org=world.tree.town_a)
    assert counts == {"published": 1, "draft": 3}


def test_my_pledges_lists_every_revision(world, pledge_in):
    old = pledge_in("superseded", n=2)
    rows = list(selectors.my_pledges(world.member))
    assert [(p.revision, p.is_current, p.item_count) for p in rows] == [(2, True, 2), (1, False, 2)]
    assert fresh(old).status == Pledge.Status.SUPERSEDED
    assert Member.objects.get(pk=world.member.pk).pledges.count() == 2
