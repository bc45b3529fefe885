"""Fixtures of the 群众评议 / 整改 tests, imported explicitly by their modules (`from .conftest_appraisals import *`).

They build on the commitments suite's world: a county with towns A and B, branch A1 (rural: at least 30
participants) with a secretary and a clerk, the town-A committee above it, and an open campaign.
"""

import datetime
from collections import Counter

import pytest

from evaluations.models import Appraisal, Rectification
from evaluations.services import appraisals as services
from organizations.models import Organization
from tests.commitments.conftest import (  # noqa: F401
    draft,
    org_pledge_in,
    people,
    pledge_in,
    published,
    reviewer_for,
    run_on_commit,
    world,
)

HELD_ON = datetime.date(2025, 6, 28)
OPEN_DEFAULTS = {
    "year": 2025,
    "half": 1,
    "held_on": HELD_ON,
    "place": "村委会会议室",
    "report_text": "上半年兑现承诺事项8件，为民办实事5件。",
    "planned_superior_leaders": 3,
    "planned_own_leaders": 5,
    "planned_deputies": 4,
    "planned_cadres": 8,
    "planned_masses": 10,
}


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def open_appraisal(world):
    """Open an appraisal of `org` (branch A1 by default) as the town-A committee."""

    def make(org=None, by=None, **fields):
        return services.appraisal_open(
            organization=org or world.tree.branch_a1, by=by or world.committee, **(OPEN_DEFAULTS | fields)
        )

    return make


def cast(appraisal, satisfied=0, basically=0, unsatisfied=0, by=None, reason="", pledges=None):
    """Generate codes and vote with them: `satisfied` × 满意, `basically` × 基本满意, `unsatisfied` × 不满意."""
    total = satisfied + basically + unsatisfied
    if not total:
        return []
    by = by or appraisal.created_by
    codes = services.appraisal_generate_codes(appraisal=appraisal, by=by, count=total)
    choices = ["satisfied"] * satisfied + ["basically"] * basically + ["unsatisfied"] * unsatisfied
    for code, choice in zip(codes, choices, strict=True):
        services.ballot_cast(
            code=code.code,
            choices={"overall": choice, "reason": reason if choice == "unsatisfied" else "", "pledges": pledges or {}},
        )
    return codes


def paper(appraisal, satisfied=0, basically=0, unsatisfied=0, invalid=0, pledge=None, by=None):
    return services.paper_tally_enter(
        appraisal=appraisal,
        by=by or appraisal.created_by,
        satisfied=satisfied,
        basically_satisfied=basically,
        unsatisfied=unsatisfied,
        valid_forms=satisfied + basically + unsatisfied,
        invalid_forms=invalid,
        pledge=pledge,
    )


@pytest.fixture
def failed_appraisal(world, open_appraisal):
    """Branch A1's appraisal closed at 26 of 30 (86.7%): a rectification is open."""
    appraisal = open_appraisal()
    cast(appraisal, satisfied=20, basically=6, unsatisfied=4, reason="道路修整进度慢")
    return services.appraisal_close(appraisal=appraisal, by=world.committee)


@pytest.fixture
def rectification(failed_appraisal):
    return Rectification.objects.get(appraisal=failed_appraisal)


REPORT = {
    "problems": "村口道路修整进度慢，群众反映强烈。",
    "targets": "两个月内完成道路修整。",
    "measures": "支部书记牵头，党员分片包干，每周通报进度。",
}


@pytest.fixture
def report(world):
    """The rectification report fields with a deadline a month from today."""
    from django.utils import timezone

    return REPORT | {"deadline": timezone.localdate() + datetime.timedelta(days=30)}


@pytest.fixture
def done_rectification(world, rectification, report):
    """The rectification brought to 整改完成，待再次评议 through the services."""
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    services.rectification_approve(rectification=rectification, by=world.committee)
    services.rectification_mark_done(rectification=rectification, by=world.clerk, evidence="道路已全部修整完毕。")
    return fresh(rectification)


def sector_org(tree, sector, code):
    """A fresh branch under town A in `sector`."""
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(code=code, name=f"{code}党支部", sector=sector, parent=tree.town_a)
    return Organization.objects.get(pk=org.pk)


def counts_of(appraisal):
    appraisal = fresh(appraisal)
    return Counter(
        {
            "satisfied": appraisal.satisfied,
            "basically": appraisal.basically_satisfied,
            "unsatisfied": appraisal.unsatisfied,
            "valid": appraisal.valid_ballots,
        }
    )


__all__ = [
    "Appraisal",
    "HELD_ON",
    "OPEN_DEFAULTS",
    "REPORT",
    "Rectification",
    "cast",
    "counts_of",
    "done_rectification",
    "draft",
    "failed_appraisal",
    "fresh",
    "open_appraisal",
    "org_pledge_in",
    "paper",
    "people",
    "pledge_in",
    "published",
    "rectification",
    "report",
    "reviewer_for",
    "run_on_commit",
    "sector_org",
    "services",
    "world",
]
