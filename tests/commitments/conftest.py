import datetime
from dataclasses import dataclass

import pytest
import time_machine

from commitments import services
from commitments.models import Campaign, Opinion, Pledge
from organizations.models import Member, Organization, User
from organizations.permissions import Role
from tests.factories import PASSWORD, MemberFactory, UserFactory, grant

FULL_CHECKS = {
    "reflects_advanced_nature": True,
    "fits_post_duties": True,
    "meets_public_wishes": True,
    "is_feasible": True,
}


@dataclass
class World:
    """The tree fixture plus people: a committee on town A, a secretary and clerk of branch A1,
    a member of A1 with an account, and an open campaign for the county."""

    tree: object
    campaign: Campaign
    committee: User
    secretary: User
    secretary_member: Member
    clerk: User
    member: Member
    opinion: Opinion


# The world's campaign runs through 2025. A campaign past its end date is over when a page is read (issue 13 §3:
# no new pledges, no editing or signing), so a test of the world that does not set the clock itself runs on the
# campaign's last day — at 00:30 in Shanghai, when the date in UTC is still the day before, so code that takes the
# UTC date for the local one still shows.
WORLD_NOW = "2025-12-30T16:30:00Z"


def _sets_own_clock(request) -> bool:
    # A time_machine marker sets the clock before any fixture: the test keeps that clock. A test that moves the
    # clock with the time_machine fixture does so in its body, on top of the world's clock, so the fixtures it
    # uses (pledges made before it moves) still run while the campaign runs.
    return request.node.get_closest_marker("time_machine") is not None


@pytest.fixture
def world(request, tree):
    """The world is built while its campaign runs; a test with a time_machine marker then has its own clock."""
    traveller = time_machine.travel(WORLD_NOW, tick=True)
    traveller.start()
    try:
        built = _build_world(tree)
    except BaseException:
        traveller.stop()
        raise
    if _sets_own_clock(request):
        traveller.stop()
        yield built
        return
    try:
        yield built
    finally:
        traveller.stop()


def _build_world(tree) -> World:
    county_committee = UserFactory(username="county")
    grant(county_committee, Role.COMMITTEE, tree.county)
    campaign = services.campaign_open(
        organization=tree.county,
        by=county_committee,
        name="2025年度公开承诺",
        year=2025,
        starts_on=datetime.date(2025, 1, 1),
        sign_deadline=datetime.date(2025, 3, 31),
        ends_on=datetime.date(2025, 12, 31),
    )
    committee = UserFactory(username="town")
    grant(committee, Role.COMMITTEE, tree.town_a)
    secretary = UserFactory(username="shuji", full_name="李书记")
    secretary_member = MemberFactory(organization=tree.branch_a1, user=secretary, name="李书记", post="党支部书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    clerk = UserFactory(username="ganshi")
    grant(clerk, Role.CLERK, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1, user=UserFactory(username="dangyuan"), name="王党员")
    opinion = services.opinion_create(
        organization=tree.branch_a1,
        by=clerk,
        channel=Opinion.Channel.MEETING,
        source_group=Opinion.SourceGroup.MASSES,
        received_on=datetime.date(2025, 1, 10),
        text="村口道路坑洼，雨天出行不便。",
    )
    return World(tree, campaign, committee, secretary, secretary_member, clerk, member, opinion)


def item(n=1, **extra):
    data = {
        "content_area": "服务农民群众",
        "content": f"承诺事项{n}：帮助困难群众解决实际问题",
        "measures": "每月走访一次",
        "deadline": datetime.date(2025, 6, 30),
    }
    data.update(extra)
    return data


@pytest.fixture
def draft(world):
    """A written draft of the member with three items, the first citing the opinion."""

    def make(member=None, n=3, **item_extra):
        member = member or world.member
        pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=member.user)
        items = [item(i, **item_extra) for i in range(1, n + 1)]
        items[0]["opinions"] = [world.opinion.pk]
        return services.pledge_update(pledge=pledge, by=member.user, items=items)

    return make


@pytest.fixture
def published(world, draft):
    """A published pledge: submitted, approved, signed by both sides, published."""

    def make(member=None, n=3):
        member = member or world.member
        pledge = draft(member, n)
        reviewer = world.secretary if member.pk != world.secretary_member.pk else world.committee
        services.pledge_submit(pledge=pledge, by=member.user)
        services.pledge_approve(pledge=pledge, by=reviewer, checks=FULL_CHECKS)
        services.pledge_sign(pledge=pledge, by=member.user, password=PASSWORD, typed_name=member.name)
        services.pledge_countersign(pledge=pledge, by=reviewer, password=PASSWORD, typed_name=reviewer.full_name)
        services.pledge_publish(pledge=pledge, by=world.clerk)
        return Pledge.objects.get(pk=pledge.pk)

    return make


# --- more people, pledges in every state, and small helpers (added for the services/selectors suite) -----


def fresh(obj):
    """The object as it is in the database now."""
    return type(obj).objects.get(pk=obj.pk)


def name_of(user) -> str:
    """The name a user signs with: his member record's name, else his account's full name."""
    member_name = Member.objects.filter(user=user).values_list("name", flat=True).first()
    return member_name or user.full_name or user.username


def replacing(pledge, items):
    """Item dicts for pledge_update that replace all of the pledge's current items (as the edit form does)."""
    return [*items, *({"id": pk, "delete": True} for pk in pledge.items.values_list("pk", flat=True))]


def org_item(n=1, **extra):
    """An item of a rural organization's pledge (organization areas, a person responsible)."""
    data = item(n, content_area="落实惠农政策", responsible_person="张主任")
    data.update(extra)
    return data


@dataclass
class People:
    """Users around the world fixture: who may and who may not act on branch A1's pledges."""

    county_committee: User  # committee on the county (ancestor of town A)
    town_secretary: User  # secretary role on town A (holds on its whole subtree)
    town_clerk: User  # clerk role on town A
    co_secretary: User  # a second secretary of branch A1, not a member
    sibling_secretary: User  # secretary of branch A2
    sibling_clerk: User  # clerk of branch A2
    sibling_member: Member  # a member of branch A2 with an account
    town_b_committee: User  # committee on town B
    outsider: User  # an account with no role and no member record
    admin: User  # a superuser


@pytest.fixture
def people(world) -> People:
    t = world.tree

    def role(username, full_name, r, org):
        user = UserFactory(username=username, full_name=full_name)
        grant(user, r, org)
        return user

    return People(
        county_committee=User.objects.get(username="county"),
        town_secretary=role("town_sec", "甲镇书记", Role.SECRETARY, t.town_a),
        town_clerk=role("town_clerk", "甲镇干事", Role.CLERK, t.town_a),
        co_secretary=role("co_sec", "副书记", Role.SECRETARY, t.branch_a1),
        sibling_secretary=role("a2_sec", "二村书记", Role.SECRETARY, t.branch_a2),
        sibling_clerk=role("a2_clerk", "二村干事", Role.CLERK, t.branch_a2),
        sibling_member=MemberFactory(organization=t.branch_a2, user=UserFactory(username="a2_member"), name="赵党员"),
        town_b_committee=role("town_b", "乙镇党委", Role.COMMITTEE, t.town_b),
        outsider=UserFactory(username="outsider", full_name="路人"),
        admin=UserFactory(username="admin", full_name="管理员", is_superuser=True, is_staff=True),
    )


# The states a pledge passes through, in order; "pledger_signed" is approved with the pledger's signature.
STATES = (
    "draft",
    "submitted",
    "returned",
    "approved",
    "pledger_signed",
    "signed",
    "published",
    "completed",
    "superseded",
)


@pytest.fixture
def reviewer_for(world):
    """The user who reviews a member's pledge made in branch A1 (the committee when he is the secretary)."""

    def pick(member: Member) -> User:
        return world.committee if member.pk == world.secretary_member.pk else world.secretary

    return pick


@pytest.fixture
def pledge_in(world, reviewer_for):
    """A written member pledge brought to `state` through the services only.

    `items` (dicts as for pledge_update) default to `n` plain items; `reviewer` defaults to the secretary of
    branch A1 (or the town committee for the secretary's own pledge). For "superseded" the old revision is
    returned; its new draft revision is `pledge.next_revision`.
    """

    def make(state="draft", *, member=None, n=1, items=None, reviewer=None):
        assert state in STATES, state
        member = member or world.member
        reviewer = reviewer or reviewer_for(member)
        user = member.user
        pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=user)
        services.pledge_update(pledge=pledge, by=user, items=items or [item(i) for i in range(1, n + 1)])
        if state == "draft":
            return fresh(pledge)
        services.pledge_submit(pledge=pledge, by=user)
        if state == "submitted":
            return fresh(pledge)
        if state == "returned":
            services.pledge_return(pledge=pledge, by=reviewer, comment="请把措施写具体。")
            return fresh(pledge)
        services.pledge_approve(pledge=pledge, by=reviewer, checks=FULL_CHECKS)
        if state == "approved":
            return fresh(pledge)
        services.pledge_sign(pledge=pledge, by=user, password=PASSWORD, typed_name=member.name)
        if state == "pledger_signed":
            return fresh(pledge)
        services.pledge_countersign(pledge=pledge, by=reviewer, password=PASSWORD, typed_name=name_of(reviewer))
        if state == "signed":
            return fresh(pledge)
        if state == "superseded":
            services.pledge_amend(pledge=pledge, by=user, reason="工作调整，变更承诺事项。")
            return fresh(pledge)
        # The clerk of branch A1 publishes there; elsewhere the reviewer does.
        publisher = world.clerk if member.organization_id == world.tree.branch_a1.pk else reviewer
        services.pledge_publish(pledge=pledge, by=publisher)
        if state == "published":
            return fresh(pledge)
        for it in pledge.items.all():
            services.item_request_tick_off(item=it, by=user, note="已按承诺完成。", achieved_value=it.target_value)
            services.item_confirm_tick_off(item=it, by=reviewer)
        return fresh(pledge)

    return make


@pytest.fixture
def oral_member(world):
    """An old member of branch A1 without an account: his pledge is oral, entered by the branch."""
    return MemberFactory(organization=world.tree.branch_a1, name="孙大爷", is_sanlao=True, unable_to_write=True)


@pytest.fixture
def oral_pledge_in(world, oral_member):
    """An oral pledge entered by the clerk of branch A1 with a witness, brought to `state`."""

    def make(state="draft", *, member=None, n=1):
        member = member or oral_member
        pledge = services.pledge_create_for_member(
            member=member, organization=member.organization, by=world.clerk, form="oral", witness_name="周见证"
        )
        services.pledge_update(pledge=pledge, by=world.clerk, items=[item(i) for i in range(1, n + 1)])
        if state == "draft":
            return fresh(pledge)
        services.pledge_submit(pledge=pledge, by=world.clerk)
        if state == "submitted":
            return fresh(pledge)
        services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
        if state == "approved":
            return fresh(pledge)
        services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
        if state == "signed":
            return fresh(pledge)
        services.pledge_publish(pledge=pledge, by=world.clerk)
        assert state == "published", state
        return fresh(pledge)

    return make


@pytest.fixture
def org_pledge_in(world):
    """Branch A1's own pledge: drafted by its clerk, signed by its secretary, reviewed by the town committee."""

    def make(state="draft", *, n=1):
        pledge = services.pledge_create_for_organization(organization=world.tree.branch_a1, by=world.clerk)
        services.pledge_update(pledge=pledge, by=world.clerk, items=[org_item(i) for i in range(1, n + 1)])
        if state == "draft":
            return fresh(pledge)
        services.pledge_submit(pledge=pledge, by=world.clerk)
        if state == "submitted":
            return fresh(pledge)
        services.pledge_approve(pledge=pledge, by=world.committee, checks=FULL_CHECKS)
        if state == "approved":
            return fresh(pledge)
        services.pledge_sign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
        if state == "pledger_signed":
            return fresh(pledge)
        services.pledge_countersign(
            pledge=pledge, by=world.committee, password=PASSWORD, typed_name=name_of(world.committee)
        )
        if state == "signed":
            return fresh(pledge)
        services.pledge_publish(pledge=pledge, by=world.clerk)
        assert state == "published", state
        return fresh(pledge)

    return make


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a service and the notifications it queued for after commit, as a real request would."""

    def run(fn, /, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


__all__ = ["FULL_CHECKS", "STATES", "item", "org_item", "replacing", "fresh", "name_of", "Organization"]
