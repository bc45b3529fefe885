"""The demo's activity register: a year of plausible activities for every branch, the general branches and some
town committees, from their own rosters and within the register's rules."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from demo.commitments import DEMO_TODAY
from organizations.models import Activity, Organization
from organizations.selectors import activity_summary
from organizations.services import activity_problems


@pytest.mark.django_db
def test_every_branch_records_a_year_of_activities():
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=7)
    branches = list(Organization.objects.filter(level=Organization.Level.BRANCH).order_by("path"))
    by_org = defaultdict(Counter)
    for org_id, code in Activity.objects.values_list("organization_id", "kind__code"):
        by_org[org_id][code] += 1
    for branch in branches:
        kinds = by_org[branch.pk]
        # Monthly study from January to the demo's today, a party class each quarter so far, 七一, 挂牌亮身份.
        assert kinds["study"] == DEMO_TODAY.month, branch.name
        assert kinds["party_class"] == 3 and kinds["anniversary"] == 1 and kinds["identity"] == 1, branch.name
        assert kinds["volunteer"] >= 2 and kinds["publicity_board"] >= 1, branch.name
    assert all(
        Activity.objects.filter(held_on__year=2025, held_on__lte=DEMO_TODAY).count() == Activity.objects.count()
        for _ in [0]
    )
    towns = Organization.objects.filter(depth=2, level=Organization.Level.COMMITTEE)
    contact_towns = Activity.objects.filter(kind__code="contact_point").values("organization").distinct().count()
    assert 1 <= contact_towns < towns.count()
    assert Activity.objects.filter(
        organization__level=Organization.Level.GENERAL_BRANCH, kind__code="institution"
    ).exists()

    # Participants come from each organization's own roster, never more than the count recorded.
    for activity in Activity.objects.prefetch_related("participants").select_related("organization", "kind"):
        members = list(activity.participants.all())
        assert all(m.organization_id == activity.organization_id for m in members), activity
        assert activity_problems(activity, chosen=len(members), today=DEMO_TODAY) == {}, activity
        assert activity.created_at.date() >= activity.held_on and activity.history.get().history_type == "+"

    county = Organization.objects.get(depth=1)
    summary = activity_summary(county, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    for code in (
        "study",
        "party_class",
        "identity",
        "anniversary",
        "pairing",
        "volunteer",
        "good_deeds",
        "institution",
    ):
        assert summary[code].activities > 0, code
    assert summary["pairing"].amount > 0 and summary["pairing"].beneficiaries > 0 and summary["pairing"].members > 0
    assert summary["identity"].quantity == len(branches) and summary["identity"].distinct_members > 200
    assert summary["study"].participants >= summary["study"].members > 0
