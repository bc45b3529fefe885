"""一季一检查: the reviewing side passes or fails each pledge once a quarter, naming why it fails."""

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import Inspection
from organizations.errors import DomainError


def _inspect(pledge, user, *, quarter=3, passed=True, reasons=(), note=""):
    return services.inspection_record(
        pledge=pledge, by=user, year=2025, quarter=quarter, passed=passed, reasons=list(reasons), note=note
    )


def test_a_pass_is_recorded(world, pledge_in):
    pledge = pledge_in("published")
    inspection = _inspect(pledge, world.secretary, note=" 进展良好 ")
    assert (inspection.result, inspection.year, inspection.quarter, inspection.note) == ("pass", 2025, 3, "进展良好")
    assert inspection.by == world.secretary and inspection.reasons() == []
    assert str(inspection) == "2025年第3季度：通过"


def test_a_fail_names_its_reasons(world, pledge_in):
    pledge = pledge_in("published")
    inspection = _inspect(pledge, world.secretary, passed=False, reasons=["not_in_place", "masses_unsatisfied", "x"])
    assert inspection.result == "fail"
    assert inspection.reasons() == ["落实不到位", "群众不满意"]
    assert not inspection.problem_unsolved


@pytest.mark.parametrize("reasons", [[], ["unknown_reason"]])
def test_a_fail_needs_at_least_one_reason(world, pledge_in, reasons):
    pledge = pledge_in("published")
    with pytest.raises(DomainError, match="不通过时请至少选择一项原因：问题不解决、落实不到位或群众不满意"):
        _inspect(pledge, world.secretary, passed=False, reasons=reasons)
    assert not Inspection.objects.exists()


def test_a_pass_takes_no_reason(world, pledge_in):
    pledge = pledge_in("published")
    with pytest.raises(DomainError, match="检查通过时不应选择不通过的原因"):
        _inspect(pledge, world.secretary, passed=True, reasons=["problem_unsolved"])
    assert not Inspection.objects.exists()


def test_one_inspection_per_pledge_per_quarter(world, pledge_in):
    pledge = pledge_in("published")
    _inspect(pledge, world.secretary)
    with pytest.raises(DomainError, match="2025年第3季度已经检查过这份承诺书"):
        _inspect(pledge, world.secretary, passed=False, reasons=["not_in_place"])
    assert list(Inspection.objects.values_list("quarter", "result")) == [(3, "pass")]
    _inspect(pledge, world.secretary, quarter=4, passed=False, reasons=["not_in_place"])
    assert Inspection.objects.count() == 2


@pytest.mark.parametrize("who", ["clerk", "committee", "member", "sibling_secretary", "town_clerk"])
def test_only_the_reviewer_inspects(world, people, pledge_in, who):
    pledge = pledge_in("published")
    user = {"clerk": world.clerk, "committee": world.committee, "member": world.member.user}.get(who) or getattr(
        people, who
    )
    with pytest.raises(PermissionDenied, match="只有审核这份承诺书的一方可以进行季度检查"):
        _inspect(pledge, user)
    assert not Inspection.objects.exists()


def test_the_parent_inspects_the_secretarys_and_the_organizations_pledges(world, pledge_in, org_pledge_in):
    own = pledge_in("published", member=world.secretary_member, reviewer=world.committee)
    org = org_pledge_in("published")
    for pledge in (own, org):
        with pytest.raises(PermissionDenied):
            _inspect(pledge, world.secretary)
        _inspect(pledge, world.committee)
    assert Inspection.objects.filter(by=world.committee).count() == 2


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "superseded"])
def test_inspections_start_after_signing(world, pledge_in, state):
    pledge = pledge_in(state)
    with pytest.raises(DomainError, match="承诺书签约后才能进行季度检查"):
        _inspect(pledge, world.secretary)
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("state", ["signed", "completed"])
def test_inspections_while_fulfilling_and_after(world, pledge_in, state):
    _inspect(pledge_in(state), world.secretary)
    assert Inspection.objects.count() == 1
