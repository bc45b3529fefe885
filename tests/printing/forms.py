"""Published pledges and evaluation documents made straight in the database, so that property tests can
render every printed form for many inputs quickly. The services that make them in real use are tested in
their own suites; here only what a form prints matters."""

import datetime

from django.utils import timezone

from commitments.models import Pledge, PledgeItem, Signature
from evaluations.models import Appraisal, Bulletin, Tally
from organizations.models import Member, Organization
from tests.factories import MemberFactory


def items_of(pledge: Pledge, contents: list[str], responsible: str = "") -> None:
    PledgeItem.objects.bulk_create(
        PledgeItem(
            pledge=pledge,
            position=n,
            content_area="服务群众",
            content=content,
            measures=content[::-1][:1000],
            deadline=datetime.date(2025, 12, 31),
            responsible_person=responsible[:50],
        )
        for n, content in enumerate(contents, 1)
    )


def sign(pledge: Pledge, *, pledger: str, reviewer: str, by) -> None:
    for role, name in ((Signature.Role.PLEDGER, pledger), (Signature.Role.REVIEWER, reviewer)):
        Signature.objects.create(
            pledge=pledge,
            role=role,
            signer=by,
            signer_name=name[:50],
            method=Signature.Method.TYPED,
            text_sha256="0" * 64,
        )


def published_member_pledge(world, member: Member, contents: list[str]) -> Pledge:
    now = timezone.now()
    pledge = Pledge.objects.create(
        campaign=world.campaign,
        organization=member.organization,
        member=member,
        status=Pledge.Status.PUBLISHED,
        signed_at=now,
        published_at=now,
        created_by=world.secretary,
    )
    items_of(pledge, contents)
    sign(pledge, pledger=member.name, reviewer=world.secretary_member.name, by=world.secretary)
    return pledge


def published_organization_pledge(world, org: Organization, contents: list[str], responsible: str) -> Pledge:
    now = timezone.now()
    pledge = Pledge.objects.create(
        campaign=world.campaign,
        organization=org,
        pledger_organization=org,
        status=Pledge.Status.PUBLISHED,
        signed_at=now,
        published_at=now,
        created_by=world.secretary,
    )
    items_of(pledge, contents, responsible)
    sign(pledge, pledger=org.secretary_name or "书记", reviewer=responsible or "审定人", by=world.secretary)
    return pledge


def member(org: Organization, name: str, post: str = "") -> Member:
    return MemberFactory(organization=org, user=None, name=name[:50], post=post[:100])


def bulletin(org: Organization, title: str, body: str, by) -> Bulletin:
    return Bulletin(organization=org, year=2025, quarter=3, title=title[:200], body=body, created_by=by)


def appraisal(org: Organization, campaign) -> Appraisal:
    return Appraisal(organization=org, campaign=campaign, year=2025, half=1, held_on=datetime.date(2025, 6, 30))


def tally(org: Organization, children: list[str]) -> Tally:
    rows = [
        {
            "code": f"X{n}",
            "name": name,
            "organizations": 1,
            "organizations_pledged": 1,
            "members_expected": 10,
            "members_pledged": 9,
            "coverage": 0.9,
            "items": 30,
            "items_ticked_off": 12,
            "items_overdue": 1,
            "fulfilment_rate": 0.4,
            "organizations_appraised": 1,
            "satisfaction": 0.95,
            "organizations_below_threshold": 0,
        }
        for n, name in enumerate(children, 1)
    ]
    return Tally(
        organization=org,
        period_kind=Tally.PeriodKind.QUARTER,
        period="2025Q3",
        starts_on=datetime.date(2025, 7, 1),
        ends_on=datetime.date(2025, 9, 30),
        indicators={"as_of": "2025-09-30", "members": 10, "member_coverage": 0.9, "children": rows},
        computed_at=timezone.now(),
    )
