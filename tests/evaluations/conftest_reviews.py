"""Shared fixtures of the 领导点评 / 日常记实 / 通报 / 一诺一评 / 表彰 tests.

Not a conftest.py: test modules import what they need with `from tests.evaluations.conftest_reviews import *`.
The pledge fixtures of the commitments suite (world, people, pledge_in …) are re-exported from here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commitments.models import Campaign, Inspection, Pledge, PledgeItem, quarter_of
from evaluations.models import Appraisal, LeaderReview
from organizations.models import Member, Organization
from tests.commitments.conftest import (
    draft,
    org_pledge_in,
    people,
    pledge_in,
    published,
    reviewer_for,
    run_on_commit,
    world,
)
from tests.factories import MemberFactory, UserFactory

__all__ = [
    "draft",
    "org_pledge_in",
    "people",
    "pledge_in",
    "published",
    "reviewer_for",
    "run_on_commit",
    "world",
    "branch_members",
    "GOOD_GRADES",
    "ORG_GRADES",
    "last_quarter",
    "quarter_period",
    "quick_pledge",
    "closed_appraisal",
    "inspect",
    "review",
]

GOOD_GRADES = {"de": "good", "neng": "good", "qin": "fairly_good", "ji": "good", "lian": "good"}
ORG_GRADES = {
    "lead_development": "good",
    "serve_masses": "fairly_good",
    "build_harmony": "good",
    "strengthen_base": "good",
}


def last_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The quarter before the current one: always in the past, so reviews of it are allowed."""
    year, quarter = quarter_of(today or timezone.localdate())
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def quarter_period(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


@pytest.fixture
def branch_members(world):
    """`n` more members of a branch (default A1), each with a login account."""

    def make(n: int, org: Organization | None = None, **extra) -> list[Member]:
        org = org or world.tree.branch_a1
        return [MemberFactory(organization=org, user=UserFactory(), **extra) for _ in range(n)]

    return make


def quick_pledge(
    *,
    campaign: Campaign,
    member: Member | None = None,
    organization: Organization | None = None,
    items=((datetime.date(2025, 6, 30), None),),
    status: str = Pledge.Status.PUBLISHED,
    by=None,
) -> Pledge:
    """A pledge written straight to the database (for volume and for exact dates): `items` are
    (deadline, ticked_off_on or None) pairs."""
    org = member.organization if member is not None else organization
    pledge = Pledge.objects.create(
        campaign=campaign,
        organization=org,
        member=member,
        pledger_organization=None if member is not None else organization,
        status=status,
        created_by=by or campaign.opened_by,
    )
    PledgeItem.objects.bulk_create(
        [
            PledgeItem(
                pledge=pledge,
                position=n,
                content_area="服务群众",
                content=f"承诺事项{n}：为群众办实事",
                deadline=deadline,
                state=PledgeItem.State.TICKED_OFF if ticked else PledgeItem.State.IN_PROGRESS,
                ticked_off_on=ticked,
                overdue_notified=ticked is None and deadline < timezone.localdate(),
            )
            for n, (deadline, ticked) in enumerate(items, 1)
        ]
    )
    return pledge


def closed_appraisal(org: Organization, year: int, satisfaction: str, *, by, half: int = 1) -> Appraisal:
    return Appraisal.objects.create(
        organization=org,
        year=year,
        half=half,
        held_on=datetime.date(year, 6 * half, 20),
        place="村委会会议室",
        status=Appraisal.Status.CLOSED,
        satisfaction=Decimal(satisfaction),
        valid_ballots=30,
        created_by=by,
        closed_at=timezone.now(),
    )


def inspect(pledge: Pledge, year: int, quarter: int, *, passed: bool, by, **reasons) -> Inspection:
    return Inspection.objects.create(
        pledge=pledge,
        year=year,
        quarter=quarter,
        result=Inspection.Result.PASS if passed else Inspection.Result.FAIL,
        by=by,
        **reasons,
    )


def review(*, reviewer, member=None, organization=None, kind="quarterly", period: str, grades=None) -> LeaderReview:
    """A review written straight to the database (the services are tested on their own)."""
    grades = grades if grades is not None else (GOOD_GRADES if member is not None else ORG_GRADES)
    return LeaderReview.objects.create(
        member=member, organization=organization, kind=kind, period=period, text="点评意见", reviewer=reviewer, **grades
    )
