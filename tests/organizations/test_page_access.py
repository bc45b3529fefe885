"""Every page × every role × every relation: the status each person gets, and nothing leaks between subtrees."""

import pytest
from django.urls import reverse

from organizations.permissions import Role
from tests.factories import MemberFactory

RELATIONS = {"own": "CA", "descendant": "CA1", "sibling": "CB", "ancestor": "C", "unrelated": "X"}

PAGES = {
    "detail": lambda code: reverse("organizations:detail", args=[code]),
    "roster": lambda code: reverse("organizations:members") + f"?org={code}",
    "export": lambda code: reverse("organizations:roster_export", args=[code]),
    "edit": lambda code: reverse("organizations:edit", args=[code]),
    "new_child": lambda code: reverse("organizations:create", args=[code]),
    "roles": lambda code: reverse("organizations:roles", args=[code]),
    "import_members": lambda code: reverse("organizations:import", args=[code, "members"]),
    "import_orgs": lambda code: reverse("organizations:import", args=[code, "organizations"]),
}

# Status inside the role's subtree; outside it every page is a 404 so that existence does not leak.
INSIDE = {
    Role.CLERK: {
        "detail": 200,
        "roster": 200,
        "export": 200,
        "edit": 200,
        "new_child": 200,
        "roles": 403,
        "import_members": 200,
        "import_orgs": 200,
    },
    Role.SECRETARY: {
        "detail": 200,
        "roster": 200,
        "export": 200,
        "edit": 200,
        "new_child": 200,
        "roles": 200,
        "import_members": 200,
        "import_orgs": 200,
    },
    Role.COMMITTEE: {
        "detail": 200,
        "roster": 200,
        "export": 200,
        "edit": 200,
        "new_child": 200,
        "roles": 200,
        "import_members": 403,
        "import_orgs": 200,
    },
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_pages_by_role_and_relation(client, tree, user_with_role, role, relation):
    client.force_login(user_with_role(role, tree.town_a))
    code = RELATIONS[relation]
    for page, url in PAGES.items():
        expected = INSIDE[role][page] if relation in ("own", "descendant") else 404
        assert client.get(url(code)).status_code == expected, (role, relation, page)


@pytest.mark.parametrize("relation", list(RELATIONS))
def test_member_pages_by_relation(client, tree, relation):
    from tests.factories import UserFactory

    me = MemberFactory(organization=tree.branch_a1, user=UserFactory())
    client.force_login(me.user)
    code = {"own": "CA1", "descendant": "CA1", "sibling": "CA2", "ancestor": "CA", "unrelated": "X"}[relation]
    own = code == "CA1"
    assert client.get(PAGES["detail"](code)).status_code == (200 if own else 404)
    assert client.get(PAGES["roster"](code)).status_code == (200 if own else 404)
    for page in ("export", "edit", "new_child", "roles", "import_members", "import_orgs"):
        assert client.get(PAGES[page](code)).status_code in ((403,) if own else (404,)), page


def test_posts_outside_the_subtree_change_nothing(client, tree, user_with_role):
    client.force_login(user_with_role(Role.SECRETARY, tree.town_a))
    response = client.post(reverse("organizations:edit", args=["CB"]), {"code": "CB", "name": "被改名"})
    assert response.status_code == 404
    response = client.post(reverse("organizations:set_active", args=["CB1"]), {"active": "0"})
    assert response.status_code == 404
    tree.refresh()
    assert tree.town_b.name == "乙镇党委" and tree.branch_b1.is_active
