"""Fixtures of the statistics-form tests: activities on the `tree` fixture, counted by hand in the tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organizations.models import Activity, ActivityKind, Organization
from organizations.permissions import Role
from reporting.models import ReportTemplate
from tests.factories import MemberFactory, OrganizationFactory, UserFactory, grant

D = datetime.date


def activity(
    org, kind: str, day, *, by, participants=0, members=(), quantity=None, amount=None, beneficiaries=None, title=""
):
    a = Activity.objects.create(
        organization=org,
        kind=ActivityKind.objects.get(code=kind),
        held_on=day,
        title=title or f"{kind}活动",
        participants_count=participants,
        quantity=quantity,
        amount=None if amount is None else Decimal(amount),
        beneficiaries=beneficiaries,
        recorded_by=by,
    )
    if members:
        a.participants.set(members)
    return a


@pytest.fixture
def people(tree):
    """The committee of the county and of town A, the secretary of branch A1 and of B1, an outsider."""

    def user(role, org):
        u = UserFactory()
        grant(u, role, org)
        return u

    return {
        "county": user(Role.COMMITTEE, tree.county),
        "town_a": user(Role.COMMITTEE, tree.town_a),
        "a1": user(Role.SECRETARY, tree.branch_a1),
        "a1_clerk": user(Role.CLERK, tree.branch_a1),
        "b1": user(Role.SECRETARY, tree.branch_b1),
        "outsider": user(Role.COMMITTEE, tree.other),
    }


@pytest.fixture
def activities(tree, people):
    """2025 activities: A1 and A2 under town A (A2 a 党总支), B1 under town B, one in 2024, one outside.

    By hand: study — A1 3 sessions (12+10+8 = 30 人次), B1 1 (5) → county 4 / 35, town A 3 / 30;
    pairing — A1 2 (quantity 1+2, amount 500+1200.50, beneficiaries 2+3), members m1,m2 and m2,m3;
    institution — A1 (branch) 1 「三会一课制度」, A2 (general branch) 2 「党员积分制度」「联系群众制度」.
    """
    by = people["a1"]
    a2 = tree.branch_a2
    a2.level = Organization.Level.GENERAL_BRANCH
    a2.save()
    m1, m2, m3 = (MemberFactory(organization=tree.branch_a1) for _ in range(3))
    b_member = MemberFactory(organization=tree.branch_b1)
    activity(tree.branch_a1, "study", D(2025, 1, 10), by=by, participants=12, members=[m1, m2])
    activity(tree.branch_a1, "study", D(2025, 6, 10), by=by, participants=10, members=[m1])
    activity(tree.branch_a1, "study", D(2025, 12, 31), by=by, participants=8)
    activity(tree.branch_a1, "study", D(2024, 12, 31), by=by, participants=99)  # the year before
    activity(tree.branch_b1, "study", D(2025, 3, 1), by=people["b1"], participants=5, members=[b_member])
    activity(tree.other, "study", D(2025, 3, 1), by=people["outsider"], participants=50)  # another county
    activity(
        tree.branch_a1,
        "pairing",
        D(2025, 4, 1),
        by=by,
        participants=2,
        members=[m1, m2],
        quantity=1,
        amount="500",
        beneficiaries=2,
    )
    activity(
        tree.branch_a1,
        "pairing",
        D(2025, 9, 1),
        by=by,
        participants=2,
        members=[m2, m3],
        quantity=2,
        amount="1200.50",
        beneficiaries=3,
    )
    activity(tree.branch_a1, "institution", D(2025, 5, 1), by=by, quantity=1, title="三会一课制度")
    activity(a2, "institution", D(2025, 5, 2), by=by, quantity=1, title="党员积分制度")
    activity(a2, "institution", D(2025, 7, 2), by=by, quantity=1, title="联系群众制度")
    return {"m1": m1, "m2": m2, "m3": m3, "b_member": b_member}


@pytest.fixture
def pian12(db):
    return ReportTemplate.objects.get(code="pian12")


def more_branches(parent, n: int, prefix: str = "Z"):
    """`n` more branches under `parent`, each with one study session and one member taking part."""
    by = UserFactory()
    out = []
    for i in range(n):
        child = OrganizationFactory(code=f"{parent.code}{prefix}{i:03d}", name=f"第{i + 1}支部", parent=parent)
        parent.refresh_from_db()
        member = MemberFactory(organization=child)
        activity(child, "study", D(2025, 2, 1), by=by, participants=3, members=[member])
        out.append(child)
    return out
