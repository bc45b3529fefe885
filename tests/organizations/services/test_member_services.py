import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.errors import DomainError
from organizations.models import Member
from organizations.permissions import Role
from organizations.services import member_account_create, member_create, member_update
from tests.factories import MemberFactory, make_id_number

BIRTH = datetime.date(1975, 6, 1)


def fields(org, **extra):
    return {
        "name": "王建国",
        "gender": "M",
        "birth_date": BIRTH,
        "id_number": make_id_number(BIRTH, male=True),
        "phone": "13800001111",
        "political_status": "full",
        "join_date": datetime.date(2000, 7, 1),
        "post": "村会计",
        "organization": org,
        **extra,
    }


def test_clerk_adds_a_member(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    member = member_create(by=clerk, **fields(tree.branch_a1))
    assert member.pk and member.history.first().history_user == clerk


def test_committee_cannot_keep_the_roster(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.county)
    with pytest.raises(PermissionDenied):
        member_create(by=committee, **fields(tree.branch_a1))
    assert Member.objects.count() == 0


def test_birth_date_and_gender_must_match_the_id_number(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    with pytest.raises(ValidationError) as exc:
        member_create(by=clerk, **fields(tree.branch_a1, birth_date=datetime.date(1975, 6, 2), gender="F"))
    assert set(exc.value.error_dict) >= {"birth_date", "gender"}


def test_party_member_needs_a_join_date_but_activist_does_not(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    with pytest.raises(ValidationError) as exc:
        member_create(by=clerk, **fields(tree.branch_a1, join_date=None))
    assert "join_date" in exc.value.error_dict
    activist = member_create(by=clerk, **fields(tree.branch_a1, join_date=None, political_status="activist"))
    assert activist.join_date is None


def test_id_number_is_unique(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    existing = MemberFactory(organization=tree.branch_a1)
    data = fields(tree.branch_a1, id_number=existing.id_number, birth_date=existing.birth_date)
    with pytest.raises(ValidationError) as exc:
        member_create(by=clerk, **data)
    assert "id_number" in exc.value.error_dict


def test_moving_a_member_out_of_reach_is_refused(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1)
    with pytest.raises(PermissionDenied):
        member_update(member=member, by=clerk, organization=tree.branch_b1)
    member.refresh_from_db()
    assert member.organization_id == tree.branch_a1.pk


def test_account_gets_an_initial_password_that_must_be_changed(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1)
    user, password = member_account_create(member=member, by=clerk, username="wjg")
    assert user.check_password(password) and user.must_change_password
    with pytest.raises(DomainError):
        member_account_create(member=member, by=clerk, username="wjg2")
