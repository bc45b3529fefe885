"""Shared data for the statistics, ranking and dashboard tests (imported explicitly by those modules).

`build_stats_world(tree)` writes, straight through the ORM, a year of pledges, items, checks, reviews,
appraisals, rectifications, awards and monthly records on the `tree` fixture, with edge cases on both sides of
every boundary the indicators use. `expected_indicators(...)` counts the same indicators again with plain
queries and Python loops over the rows, independently of `evaluations.statistics`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from commitments.models import Campaign, Inspection, Opinion, Pledge, PledgeItem, SelfCheck
from evaluations.models import Appraisal, Award, LeaderReview, MonthlyRecord, Rectification
from organizations.models import Member, Organization, User
from organizations.permissions import Role
from tests.factories import MemberFactory, OrganizationFactory, UserFactory, grant

D = datetime.date
TODAY = D(2025, 9, 15)  # the statistics tests read the data as of this day


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@dataclass
class StatsWorld:
    tree: object
    campaign: Campaign
    county_committee: User
    town_committee: User
    town_b_committee: User
    secretary: User
    secretary_b1: User
    member_user: User
    outsider: User
    members: dict = field(default_factory=dict)


_position = {}


def make_pledge(
    campaign,
    *,
    member=None,
    org=None,
    status=Pledge.Status.PUBLISHED,
    signed=None,
    form=Pledge.Form.WRITTEN,
    items=(),
    by,
    is_current=True,
    previous=None,
    revision=1,
) -> Pledge:
    """A pledge in `status` with `items`: (deadline, ticked_off_on or None, needs_help)."""
    where = member.organization if member is not None else org
    pledge = Pledge.objects.create(
        campaign=campaign,
        organization=where,
        member=member,
        pledger_organization=org if member is None else None,
        form=form,
        witness_name="周见证" if form == Pledge.Form.ORAL else "",
        status=status,
        signed_at=at(signed) if signed else None,
        created_by=by,
        is_current=is_current,
        previous=previous,
        revision=revision,
    )
    for position, (deadline, ticked_on, needs_help) in enumerate(items, 1):
        PledgeItem.objects.create(
            pledge=pledge,
            position=position,
            content_area="服务群众",
            content=f"承诺事项{position}",
            deadline=deadline,
            responsible_person="" if member is not None else "张主任",
            state=PledgeItem.State.TICKED_OFF if ticked_on else PledgeItem.State.IN_PROGRESS,
            ticked_off_on=ticked_on,
            needs_help=needs_help,
        )
    return pledge


def appraisal(org, held_on, counts, *, by, status=Appraisal.Status.CLOSED, invalid=0) -> Appraisal:
    satisfied, basically, unsatisfied = counts
    valid = satisfied + basically + unsatisfied
    closed = status == Appraisal.Status.CLOSED
    return Appraisal.objects.create(
        organization=org,
        year=held_on.year,
        half=1 if held_on.month <= 6 else 2,
        held_on=held_on,
        place="村部会议室",
        status=status,
        valid_ballots=valid if closed else 0,
        invalid_ballots=invalid if closed else 0,
        satisfied=satisfied if closed else 0,
        basically_satisfied=basically if closed else 0,
        unsatisfied=unsatisfied if closed else 0,
        satisfaction=(Decimal(satisfied + basically) / valid).quantize(Decimal("0.0001")) if closed else None,
        created_by=by,
        closed_at=at(held_on, 16) if closed else None,
    )


def build_stats_world(tree) -> StatsWorld:
    t = tree
    county_committee = UserFactory(username="stats_county", full_name="县委组织部")
    grant(county_committee, Role.COMMITTEE, t.county)
    town_committee = UserFactory(username="stats_town", full_name="甲镇党委")
    grant(town_committee, Role.COMMITTEE, t.town_a)
    town_b_committee = UserFactory(username="stats_town_b", full_name="乙镇党委")
    grant(town_b_committee, Role.COMMITTEE, t.town_b)
    secretary = UserFactory(username="stats_sec", full_name="李书记")
    grant(secretary, Role.SECRETARY, t.branch_a1)
    secretary_b1 = UserFactory(username="stats_sec_b1", full_name="乙村书记")
    grant(secretary_b1, Role.SECRETARY, t.branch_b1)
    outsider = UserFactory(username="stats_outsider", full_name="路人")
    campaign = Campaign.objects.create(
        name="2025年度公开承诺",
        year=2025,
        organization=t.county,
        starts_on=D(2025, 1, 1),
        sign_deadline=D(2025, 3, 31),
        ends_on=D(2025, 12, 31),
        opened_by=county_committee,
    )
    other_campaign = Campaign.objects.create(
        name="邻县2025年度公开承诺",
        year=2025,
        organization=t.other,
        starts_on=D(2025, 1, 1),
        sign_deadline=D(2025, 3, 31),
        ends_on=D(2025, 12, 31),
        opened_by=county_committee,
    )
    by = county_committee
    member_user = UserFactory(username="stats_member", full_name="王党员")
    m = {}
    m["a1_leader"] = MemberFactory(organization=t.branch_a1, name="甲一领导", is_leader=True, user=member_user)
    m["a1_done"] = MemberFactory(organization=t.branch_a1, name="甲一完成")
    m["a1_oral"] = MemberFactory(organization=t.branch_a1, name="甲一口头", is_sanlao=True)
    m["a1_amended"] = MemberFactory(organization=t.branch_a1, name="甲一变更")
    m["a1_draft"] = MemberFactory(organization=t.branch_a1, name="甲一草拟")
    m["a1_exempt"] = MemberFactory(organization=t.branch_a1, name="甲一免诺")
    Member.objects.filter(pk=m["a1_exempt"].pk).update(is_exempt=True)
    m["a2_late_sign"] = MemberFactory(organization=t.branch_a2, name="甲二晚签")
    m["a2_ok"] = MemberFactory(organization=t.branch_a2, name="甲二按期")
    m["a2_leader"] = MemberFactory(organization=t.branch_a2, name="甲二领导", is_leader=True)
    m["a2_none"] = MemberFactory(organization=t.branch_a2, name="甲二未诺")
    m["b1_0"] = MemberFactory(organization=t.branch_b1, name="乙一甲")
    m["b1_1"] = MemberFactory(organization=t.branch_b1, name="乙一乙")
    m["b1_2"] = MemberFactory(organization=t.branch_b1, name="乙一丙", is_leader=True)
    m["b1_gone"] = MemberFactory(organization=t.branch_b1, name="乙一调出", is_active=False)
    m["town_a_organ"] = MemberFactory(organization=t.town_a, name="甲镇机关")
    m["other"] = MemberFactory(organization=t.other, name="邻县党员")
    for key in m:
        m[key].refresh_from_db()

    P = Pledge.Status
    make_pledge(
        campaign,
        member=m["a1_leader"],
        signed=D(2025, 3, 10),
        by=by,
        items=[
            (D(2025, 6, 30), D(2025, 6, 20), False),
            (D(2025, 8, 31), D(2025, 9, 5), False),
            (D(2025, 12, 31), None, False),
        ],
    )
    done = make_pledge(
        campaign,
        member=m["a1_done"],
        status=P.COMPLETED,
        signed=D(2025, 2, 15),
        by=by,
        items=[(D(2025, 5, 31), D(2025, 5, 1), False), (D(2025, 7, 31), D(2025, 7, 15), False)],
    )
    oral = make_pledge(
        campaign,
        member=m["a1_oral"],
        form=Pledge.Form.ORAL,
        signed=D(2025, 3, 20),
        by=by,
        items=[(D(2025, 7, 1), None, True)],
    )
    old = make_pledge(
        campaign,
        member=m["a1_amended"],
        status=P.SUPERSEDED,
        signed=D(2025, 2, 1),
        by=by,
        is_current=False,
        items=[(D(2025, 9, 1), None, False), (D(2025, 4, 30), D(2025, 4, 28), False)],
    )
    make_pledge(
        campaign,
        member=m["a1_amended"],
        status=P.DRAFT,
        by=by,
        previous=old,
        revision=2,
        items=[(D(2025, 11, 30), None, False)],
    )
    make_pledge(campaign, member=m["a1_draft"], status=P.DRAFT, by=by, items=[(D(2025, 6, 30), None, False)])
    make_pledge(
        campaign,
        member=m["a2_late_sign"],
        status=P.SIGNED,
        signed=D(2025, 9, 20),
        by=by,
        items=[(D(2025, 12, 1), None, False)],
    )
    a2_ok = make_pledge(
        campaign, member=m["a2_ok"], signed=D(2025, 4, 1), by=by, items=[(D(2025, 9, 30), D(2025, 9, 10), False)]
    )
    make_pledge(
        campaign, member=m["a2_leader"], signed=D(2025, 1, 20), by=by, items=[(D(2025, 3, 31), D(2025, 4, 5), False)]
    )
    b1_0 = make_pledge(
        campaign,
        member=m["b1_0"],
        signed=D(2025, 3, 1),
        by=by,
        items=[(D(2025, 7, 31), D(2025, 7, 30), False), (D(2025, 8, 15), None, False)],
    )
    make_pledge(campaign, member=m["b1_1"], status=P.APPROVED, by=by, items=[(D(2025, 8, 1), None, False)])
    make_pledge(
        campaign, member=m["b1_2"], signed=D(2025, 3, 5), by=by, items=[(D(2025, 10, 31), D(2025, 8, 30), False)]
    )
    make_pledge(campaign, member=m["b1_gone"], signed=D(2025, 3, 5), by=by, items=[(D(2025, 5, 31), None, False)])
    make_pledge(
        campaign, member=m["town_a_organ"], signed=D(2025, 3, 8), by=by, items=[(D(2025, 8, 1), D(2025, 8, 1), False)]
    )
    make_pledge(other_campaign, member=m["other"], signed=D(2025, 3, 8), by=by, items=[(D(2025, 8, 1), None, False)])
    a1_org = make_pledge(
        campaign,
        org=t.branch_a1,
        signed=D(2025, 3, 1),
        by=by,
        items=[(D(2025, 6, 30), D(2025, 6, 28), False), (D(2025, 9, 10), None, True)],
    )
    make_pledge(campaign, org=t.town_a, signed=D(2025, 2, 10), by=by, items=[(D(2025, 12, 31), None, False)])
    make_pledge(campaign, org=t.branch_a2, status=P.SUBMITTED, by=by, items=[(D(2025, 6, 30), None, False)])
    make_pledge(campaign, org=t.branch_b1, signed=D(2025, 9, 20), by=by, items=[(D(2025, 12, 31), None, False)])

    # 调研提诺
    for org, status, received in (
        (t.branch_a1, Opinion.Status.ANSWERED, D(2025, 1, 5)),
        (t.branch_a1, Opinion.Status.NOT_ADOPTED, D(2025, 1, 6)),
        (t.branch_a1, Opinion.Status.OPEN, D(2025, 1, 7)),
        (t.branch_b1, Opinion.Status.ANSWERED, D(2025, 2, 1)),
        (t.branch_b1, Opinion.Status.OPEN, D(2025, 10, 2)),
        (t.other, Opinion.Status.ANSWERED, D(2025, 2, 1)),
    ):
        Opinion.objects.create(
            organization=org,
            campaign=campaign if org != t.other else other_campaign,
            channel=Opinion.Channel.MEETING,
            source_group=Opinion.SourceGroup.MASSES,
            received_on=received,
            text="群众意见",
            status=status,
            created_by=by,
        )

    # 一月一自查 and 一季一检查
    for item, month in (
        (a1_org.items.first(), D(2025, 7, 1)),
        (a1_org.items.first(), D(2025, 8, 1)),
        (a1_org.items.last(), D(2025, 9, 1)),
        (b1_0.items.first(), D(2025, 7, 1)),
        (oral.items.first(), D(2025, 6, 1)),
    ):
        SelfCheck.objects.create(item=item, month=month, result=SelfCheck.Result.ON_TRACK, by=by)
    for pledge, year, quarter, result in (
        (a1_org, 2025, 3, Inspection.Result.PASS),
        (done, 2025, 3, Inspection.Result.PASS),
        (oral, 2025, 3, Inspection.Result.FAIL),
        (b1_0, 2025, 3, Inspection.Result.PASS),
        (a2_ok, 2025, 2, Inspection.Result.PASS),
        (done, 2025, 2, Inspection.Result.PASS),
    ):
        Inspection.objects.create(
            pledge=pledge, year=year, quarter=quarter, result=result, by=by, not_in_place=result == "fail"
        )

    # 领导点评
    def review(*, member=None, org=None, kind=LeaderReview.Kind.QUARTERLY, period="2025Q3", day=None, **grades):
        return LeaderReview.objects.create(
            member=member,
            organization=org,
            kind=kind,
            period=period,
            text="点评",
            reviewer=by,
            created_at=at(day or D(2025, 8, 20)),
            **grades,
        )

    review(member=m["a1_leader"], de="good", neng="good", qin="fairly_good", ji="good", lian="good")
    review(member=m["a1_done"], de="fair", neng="fair", qin="fair", ji="fair", lian="good", day=D(2025, 9, 3))
    review(member=m["a1_done"], kind=LeaderReview.Kind.MONTHLY, period="2025-08", day=D(2025, 8, 5))
    review(member=m["a1_oral"], period="2025Q2", day=D(2025, 6, 25), de="good")
    review(member=m["other"], day=D(2025, 8, 20))
    review(
        org=t.branch_a1,
        lead_development="good",
        serve_masses="fairly_good",
        build_harmony="good",
        strengthen_base="good",
    )
    review(org=t.branch_a2, lead_development="poor", serve_masses="fair", day=D(2025, 7, 20))
    review(org=t.branch_b1, lead_development="good", day=D(2025, 6, 1), period="2025Q2")

    # 群众评议
    appraisal(t.branch_a1, D(2025, 7, 10), (18, 7, 5), by=by, invalid=2)  # 83.33%, below 90%
    appraisal(t.branch_a1, D(2025, 9, 1), (20, 8, 2), by=by)  # 93.33%, the latest
    appraisal(t.branch_b1, D(2025, 8, 15), (24, 5, 1), by=by, invalid=1)  # 96.67%
    appraisal(t.branch_b1, D(2025, 5, 15), (10, 5, 15), by=by)  # 50%, last quarter
    appraisal(t.branch_a2, D(2025, 9, 10), (0, 0, 0), by=by, status=Appraisal.Status.OPEN)
    appraisal(t.town_a, D(2025, 8, 28), (20, 6, 4), by=by)  # 86.67%
    appraisal(t.other, D(2025, 8, 1), (1, 1, 28), by=by)

    # 整改
    for org, created, closed in (
        (t.branch_a1, D(2025, 7, 10), D(2025, 9, 2)),
        (t.branch_b1, D(2025, 5, 16), None),
        (t.town_a, D(2025, 8, 29), None),
        (t.branch_a2, D(2025, 10, 1), None),
    ):
        Rectification.objects.create(
            organization=org,
            source=Rectification.Source.APPRAISAL,
            status=Rectification.Status.CLOSED if closed else Rectification.Status.OPEN,
            created_at=at(created),
            closed_at=at(closed) if closed else None,
        )

    # 表彰
    for kind, member, org, status, decided in (
        (Award.Kind.STAR_MEMBER, m["a1_done"], None, Award.Status.APPROVED, D(2025, 7, 1)),
        (Award.Kind.ADVANCED_ORGANIZATION, None, t.branch_a2, Award.Status.APPROVED, D(2025, 8, 1)),
        (Award.Kind.EXCELLENT_MEMBER, m["a1_leader"], None, Award.Status.NOMINATED, None),
        (Award.Kind.EXCELLENT_MEMBER, m["b1_0"], None, Award.Status.APPROVED, D(2025, 12, 20)),
        (Award.Kind.STAR_MEMBER, m["other"], None, Award.Status.APPROVED, D(2025, 7, 1)),
    ):
        Award.objects.create(
            kind=kind,
            year=2025,
            member=member,
            organization=org,
            nominated_by_organization=(member.organization if member else org),
            citation="事迹",
            status=status,
            nominated_by=by,
            decided_by=by if decided else None,
            decided_at=at(decided) if decided else None,
        )

    # 日常记实
    for member, month in (
        (m["a1_leader"], D(2025, 7, 1)),
        (m["a1_leader"], D(2025, 8, 1)),
        (m["a1_done"], D(2025, 7, 1)),
        (m["b1_0"], D(2025, 9, 1)),
        (m["a1_leader"], D(2025, 6, 1)),
    ):
        MonthlyRecord.objects.create(member=member, month=month, text="本月记实")

    return StatsWorld(
        tree=t,
        campaign=campaign,
        county_committee=county_committee,
        town_committee=town_committee,
        town_b_committee=town_b_committee,
        secretary=secretary,
        secretary_b1=secretary_b1,
        member_user=member_user,
        outsider=outsider,
        members=m,
    )


@pytest.fixture
def stats_world(tree) -> StatsWorld:
    return build_stats_world(tree)


def add_children(parent: Organization, n: int, prefix: str = "K") -> list[Organization]:
    """`n` more branches under `parent`, each with two members and one signed pledge with one item."""
    by = User.objects.filter(is_superuser=False).first() or UserFactory()
    campaign = Campaign.objects.order_by("id").first()
    children = []
    for i in range(n):
        child = OrganizationFactory(code=f"{parent.code}{prefix}{i:03d}", name=f"第{i + 1}党支部", parent=parent)
        parent.refresh_from_db()
        for j in range(2):
            member = MemberFactory(organization=child, name=f"支部{i}党员{j}")
            if campaign and j == 0:
                make_pledge(
                    campaign, member=member, signed=D(2025, 3, 1), by=by, items=[(D(2025, 6, 30), D(2025, 6, 1), False)]
                )
        children.append(child)
    return children


# --- the same indicators, counted again ---------------------------------------------------------------


def _cut(day):
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _in(org, path: str) -> bool:
    return path.startswith(org.path)


def expected_indicators(org: Organization, start: datetime.date, end: datetime.date, today: datetime.date) -> dict:
    """The indicators of `org`'s subtree, counted with plain queries and loops over the rows."""
    as_of = min(end, today)
    cut = _cut(as_of)
    campaigns = [
        c for c in Campaign.objects.select_related("organization") if c.starts_on <= end and c.ends_on >= start
    ]
    campaign_ids = {c.pk for c in campaigns}
    roots = {c.organization_id for c in campaigns}
    pledges = list(Pledge.objects.select_related("organization", "member", "next_revision"))
    in_window = [p for p in pledges if p.campaign_id in campaign_ids]
    ever_signed = [
        p
        for p in in_window
        if p.status in ("signed", "published", "completed", "superseded") and p.signed_at and p.signed_at < cut
    ]

    orgs = [o for o in Organization.objects.all() if _in(org, o.path) and o.is_active and o.pk not in roots]
    org_pledged = {p.pledger_organization_id for p in ever_signed if p.pledger_organization_id}
    party = ("full", "probationary")  # 篇一: activists and non-party cadres may pledge but are not counted
    members = [
        m
        for m in Member.objects.select_related("organization")
        if _in(org, m.organization.path) and m.is_active and m.political_status in party
    ]
    expected = [m for m in members if not m.is_exempt]
    member_pledged = {p.member_id for p in ever_signed if p.member_id}
    member_oral = {p.member_id for p in ever_signed if p.member_id and p.form == "oral"}

    def in_force(p):
        if p.is_current and p.status in ("signed", "published", "completed"):
            return True
        nxt = getattr(p, "next_revision", None) if p.status == "superseded" else None
        return bool(nxt and nxt.is_current and nxt.status not in ("signed", "published", "completed"))

    force = {
        p.pk for p in in_window if in_force(p) and _in(org, p.organization.path) and p.signed_at and p.signed_at < cut
    }
    items = [i for i in PledgeItem.objects.all() if i.pledge_id in force]

    def ticked(i):
        return i.state == "ticked_off" and i.ticked_off_on and i.ticked_off_on <= as_of

    due = [i for i in items if i.deadline <= as_of]
    opinions = [
        o
        for o in Opinion.objects.select_related("organization")
        if o.campaign_id in campaign_ids and _in(org, o.organization.path) and o.received_on <= as_of
    ]
    months = []
    day = start
    while day <= end:
        months.append(day.replace(day=1))
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    quarters = [(m.year, m.month // 3) for m in months if m.month % 3 == 0]
    self_checks = [
        s
        for s in SelfCheck.objects.select_related("item__pledge__organization")
        if _in(org, s.item.pledge.organization.path) and start <= s.month <= end
    ]
    inspections = [
        i
        for i in Inspection.objects.select_related("pledge__organization")
        if _in(org, i.pledge.organization.path) and (i.year, i.quarter) in quarters
    ]
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    reviews = [
        r
        for r in LeaderReview.objects.select_related("member__organization", "organization")
        if _in(org, (r.member.organization if r.member_id else r.organization).path) and begin <= r.created_at < cut
    ]
    review_quarters = sorted({f"{m.year}Q{(m.month - 1) // 3 + 1}" for m in months})
    expected_ids = {m.pk for m in expected}
    reviewed = {
        (r.member_id, r.period)
        for r in LeaderReview.objects.filter(kind="quarterly", period__in=review_quarters)
        if r.member_id in expected_ids
    }
    sessions = [
        a
        for a in Appraisal.objects.select_related("organization")
        if _in(org, a.organization.path) and start <= a.held_on <= as_of
    ]
    closed = [a for a in sessions if a.status == "closed"]
    latest = {}
    for a in sorted(closed, key=lambda a: (a.held_on, a.pk)):
        if a.satisfaction is not None:
            latest[a.organization_id] = a.satisfaction
    rects = [
        r
        for r in Rectification.objects.select_related("organization")
        if _in(org, r.organization.path) and r.created_at < cut
    ]
    awards = [
        a
        for a in Award.objects.select_related("member__organization", "organization")
        if a.status == "approved"
        and a.decided_at
        and begin <= a.decided_at < cut
        and _in(org, (a.member.organization if a.member_id else a.organization).path)
    ]
    records = [
        r
        for r in MonthlyRecord.objects.select_related("member__organization")
        if _in(org, r.member.organization.path) and start <= r.month <= end
    ]
    n_expected = len(expected)
    reviews_due = n_expected * len(review_quarters)
    records_due = n_expected * len([m for m in months if m <= as_of])

    def ratio(a, b):
        return round(a / b, 4) if b else None

    satisfaction = (sum(latest.values()) / len(latest)) if latest else None
    return {
        "organizations": len(orgs),
        "organizations_pledged": len([o for o in orgs if o.pk in org_pledged]),
        "members": len(members),
        "members_exempt": len([m for m in members if m.is_exempt]),
        "members_expected": n_expected,
        "members_pledged": len([m for m in expected if m.pk in member_pledged]),
        "oral_pledges": len([m for m in expected if m.pk in member_oral]),
        "leaders": len([m for m in expected if m.is_leader]),
        "leaders_pledged": len([m for m in expected if m.is_leader and m.pk in member_pledged]),
        "opinions": len(opinions),
        "opinions_answered": len([o for o in opinions if o.status == "answered"]),
        "opinions_solved": len([o for o in opinions if o.solved_on and o.solved_on <= as_of]),
        "opinions_not_adopted": len([o for o in opinions if o.status == "not_adopted"]),
        "items": len(items),
        "items_ticked_off": len([i for i in items if ticked(i)]),
        "items_ticked_off_in_period": len([i for i in items if ticked(i) and i.ticked_off_on >= start]),
        "items_due": len(due),
        "items_due_on_time": len([i for i in due if ticked(i) and i.ticked_off_on <= i.deadline]),
        "items_overdue": len([i for i in items if i.deadline < as_of and not ticked(i)]),
        "items_needs_help": len([i for i in items if i.needs_help and not ticked(i)]),
        "fulfilment_rate": ratio(len([i for i in items if ticked(i)]), len(items)),
        "self_checks": len(self_checks),
        "inspections": len(inspections),
        "inspections_failed": len([i for i in inspections if i.result == "fail"]),
        "leader_reviews": len(reviews),
        "member_reviews_due": reviews_due,
        "member_reviews_done": len(reviewed),
        "appraisals": len(closed),
        "appraisal_participants": sum(a.valid_ballots + a.invalid_ballots for a in closed),
        "organizations_appraised": len(latest),
        "satisfaction": None if satisfaction is None else round(float(satisfaction), 4),
        "organizations_below_threshold": len([s for s in latest.values() if s < Decimal("0.9")]),
        "rectifications_open": len([r for r in rects if not (r.closed_at and r.closed_at < cut)]),
        "rectifications_closed": len([r for r in rects if r.closed_at and r.closed_at < cut]),
        "awards": len(awards),
        "monthly_records": len(records),
        "monthly_records_due": records_due,
    }
