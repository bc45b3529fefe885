"""List pages answer with the same number of queries for 10 rows as for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Exemption
from organizations.permissions import Role
from tests.factories import MemberFactory, OrganizationFactory, UserFactory, grant


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def secretary_client(client, tree, user_with_role):
    client.force_login(user_with_role(Role.SECRETARY, tree.town_a))
    return client


@pytest.fixture
def committee_client(client, tree, user_with_role):
    client.force_login(user_with_role(Role.COMMITTEE, tree.county))
    return client


def add_members(tree, n):
    for i in range(n):
        MemberFactory(
            organization=tree.branch_a1 if i % 2 else tree.branch_a2,
            inflow_organization=tree.branch_b1 if i % 7 == 0 else None,
            is_leader=i % 5 == 0,
        )


def test_member_list_is_flat(secretary_client, tree, django_assert_max_num_queries):
    url = reverse("organizations:members") + "?org=CA"
    add_members(tree, 10)
    small = count_queries(secretary_client, url)
    add_members(tree, 190)
    with django_assert_max_num_queries(small):
        secretary_client.get(url)
    assert small <= 12


def test_roster_export_is_flat(secretary_client, tree):
    url = reverse("organizations:roster_export", args=["CA"])
    add_members(tree, 10)
    small = count_queries(secretary_client, url)
    add_members(tree, 190)
    assert count_queries(secretary_client, url) == small


def test_organization_detail_and_home_are_flat(committee_client, tree, django_assert_max_num_queries):
    url = reverse("organizations:detail", args=["CA"])
    home = reverse("home")
    small = count_queries(committee_client, url)
    small_home = count_queries(committee_client, home)
    for i in range(40):
        OrganizationFactory(parent=tree.town_a, code=f"CAX{i:03d}")
    add_members(tree, 200)
    with django_assert_max_num_queries(small):
        committee_client.get(url)
    with django_assert_max_num_queries(small_home):
        committee_client.get(home)


def test_tree_search_is_flat(committee_client, tree, django_assert_max_num_queries):
    url = reverse("organizations:tree") + "?q=党支部"
    small = count_queries(committee_client, url)
    for i in range(200):
        OrganizationFactory(parent=tree.town_b, code=f"CBX{i:03d}")
    with django_assert_max_num_queries(small):
        committee_client.get(url)


def test_exemption_list_is_flat(committee_client, tree, django_assert_max_num_queries):
    proposer = UserFactory()
    url = reverse("organizations:exemptions")

    def add(n):
        for _ in range(n):
            Exemption.objects.create(
                member=MemberFactory(organization=tree.branch_a1),
                reason="age",
                explanation="年老",
                proposed_by=proposer,
            )

    add(10)
    small = count_queries(committee_client, url)
    add(190)
    with django_assert_max_num_queries(small):
        committee_client.get(url)


def test_roles_page_is_flat(committee_client, tree, django_assert_max_num_queries):
    url = reverse("organizations:roles", args=["C"])
    small = count_queries(committee_client, url)
    for _ in range(60):
        grant(UserFactory(), Role.CLERK, tree.branch_a1)
    with django_assert_max_num_queries(small):
        committee_client.get(url)
