"""Actions are registered by the app that owns them; an action nobody registered is an error, not a silent "no";
the organization a page starts on comes from one selector."""

import ast
import re
from enum import StrEnum
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory

from commitments.permissions import PledgeAction
from disclosure.permissions import DisclosureAction
from evaluations.permissions import EvaluationAction
from organizations.permissions import (
    OrgAction,
    Role,
    Rule,
    UnknownAction,
    may,
    orgs_for,
    register_actions,
    registered_actions,
    require,
)
from organizations.selectors import default_organization, organization_from_request
from reporting.permissions import ReportAction
from tests.factories import UserFactory, grant

ROOT = Path(__file__).resolve().parents[2]
APPS = ("organizations", "commitments", "evaluations", "disclosure", "reporting", "pledge_site")
CHECKS = {"may", "require", "orgs_for", "members_for", "org_get_for_user_or_404", "member_get_for_user_or_404"}


def test_every_action_of_every_app_is_registered():
    enums = (OrgAction, PledgeAction, EvaluationAction, DisclosureAction, ReportAction)
    assert sorted(a.value for e in enums for a in e) == registered_actions()


def test_an_unknown_action_raises_instead_of_denying(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    with pytest.raises(UnknownAction):
        may(clerk, "veiw_org", tree.branch_a1)
    with pytest.raises(UnknownAction):
        require(clerk, "manage_everything", tree.branch_a1)
    with pytest.raises(UnknownAction):
        orgs_for(clerk, "view_orgs")
    # Even for an anonymous visitor and a superuser: the typo is found the first time the line runs.
    with pytest.raises(UnknownAction):
        may(UserFactory(is_superuser=True), "veiw_org", tree.branch_a1)


def test_enum_members_and_their_values_decide_alike(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    assert may(clerk, OrgAction.MANAGE_MEMBERS, tree.branch_a1) is may(clerk, "manage_members", tree.branch_a1) is True
    assert may(clerk, PledgeAction.OPEN_CAMPAIGN, tree.branch_a1) is False


def test_registering_an_enum_needs_a_rule_for_each_member():
    class Half(StrEnum):
        ONE = "test_half_one"
        TWO = "test_half_two"

    with pytest.raises(ImproperlyConfigured):
        register_actions(Half, {Half.ONE: Rule("不行。")})
    assert "test_half_one" not in registered_actions()


def test_an_action_cannot_be_registered_twice_with_another_rule():
    class Again(StrEnum):
        VIEW_ORG = "view_org"

    with pytest.raises(ImproperlyConfigured):
        register_actions(Again, {Again.VIEW_ORG: Rule("另一条规则。")})


def _literal_actions():
    """Every string literal passed as the action of a permission check anywhere in the apps."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in CHECKS:
                    continue
                for arg in node.args[1:2] + [k.value for k in node.keywords if k.arg == "action"]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((f"{path.relative_to(ROOT)}:{node.lineno}", arg.value))
    for path in (ROOT / "templates").rglob("*.html"):
        for match in re.finditer(r"\bmay\s*[:(]\s*['\"]([a-z_]+)['\"]", path.read_text(encoding="utf-8")):
            found.append((str(path.relative_to(ROOT)), match.group(1)))
    return found


def test_no_check_in_the_code_names_an_action_nobody_registered():
    known = set(registered_actions())
    unknown = [f"{where}: {action}" for where, action in _literal_actions() if action not in known]
    assert not unknown, "\n".join(unknown)


# --- the organization a page starts on -----------------------------------------------------------------------


def test_default_organization_is_the_top_most_grant(tree, user_with_role, member_user):
    officer = user_with_role(Role.CLERK, tree.branch_a1)
    grant(officer, Role.COMMITTEE, tree.town_b)
    assert default_organization(officer) == tree.town_b
    assert default_organization(officer, role=Role.CLERK) == tree.branch_a1
    assert default_organization(UserFactory(is_superuser=True)) == tree.county
    plain = member_user(tree.branch_b1).user
    assert default_organization(plain) is None
    assert default_organization(plain, own_branch=True) == tree.branch_b1


def test_organization_from_request_checks_the_asked_one_and_explains_when_there_is_none(tree, user_with_role):
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    factory = RequestFactory()
    request = factory.get("/", {"org": tree.branch_a1.code})
    request.user = clerk
    assert organization_from_request(request, OrgAction.MANAGE_MEMBERS) == tree.branch_a1
    request = factory.get("/")
    request.user = clerk
    assert organization_from_request(request, OrgAction.VIEW_ORG) == tree.branch_a1
    request.user = UserFactory()
    with pytest.raises(PermissionDenied, match="没有可打印"):
        organization_from_request(request, OrgAction.VIEW_ORG, none_message="您没有可打印的党组织。")
