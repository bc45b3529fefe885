"""Password resets from the member page: nobody can take over an account at or above his own (DESIGN §10).

The whole matrix: who resets (by role and place) × what the account holds (by role and place, and linked
superuser/staff accounts) — each refusal leaves the password hash, the record and the notifications unchanged.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from commitments.models import Notification
from organizations import services
from organizations.models import PasswordReset, User
from organizations.permissions import Role
from tests.factories import PASSWORD, MemberFactory, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=False)

# Who resets: a role on a node of the test tree (see tests/conftest.py), or a special account.
RESETTERS = {
    "clerk_a1": (Role.CLERK, "branch_a1"),
    "secretary_a1": (Role.SECRETARY, "branch_a1"),
    "clerk_a2": (Role.CLERK, "branch_a2"),
    "secretary_a2": (Role.SECRETARY, "branch_a2"),
    "committee_town_a": (Role.COMMITTEE, "town_a"),
    "committee_town_b": (Role.COMMITTEE, "town_b"),
    "committee_county": (Role.COMMITTEE, "county"),
    "committee_other_county": (Role.COMMITTEE, "other"),
    "superuser": "superuser",
    "plain_member_a1": None,
}
# The account whose member record is in branch A1, and what it holds.
TARGETS = {
    "plain_member": None,
    "clerk_a1": (Role.CLERK, "branch_a1"),
    "secretary_a1": (Role.SECRETARY, "branch_a1"),
    "committee_town_a": (Role.COMMITTEE, "town_a"),
    "committee_county": (Role.COMMITTEE, "county"),
    "clerk_a1_and_committee_town_b": [(Role.CLERK, "branch_a1"), (Role.COMMITTEE, "town_b")],
    "superuser": "superuser",
    "staff": "staff",
}
# The resetters allowed for each target; everyone else is refused.
ALLOWED = {
    "plain_member": {"clerk_a1", "secretary_a1", "superuser"},
    "clerk_a1": {"secretary_a1", "committee_town_a", "committee_county", "superuser"},
    "secretary_a1": {"committee_town_a", "committee_county", "superuser"},
    "committee_town_a": {"committee_county", "superuser"},
    "committee_county": {"superuser"},
    # Holding a role in another town too: only someone above both places.
    "clerk_a1_and_committee_town_b": {"committee_county", "superuser"},
    "superuser": set(),
    "staff": set(),
}
CASES = [(r, t, r in ALLOWED[t]) for t in TARGETS for r in RESETTERS]


def _account(spec, tree) -> User:
    if spec == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    if spec == "staff":
        return UserFactory(is_staff=True)
    user = UserFactory()
    for role, node in [] if spec is None else spec if isinstance(spec, list) else [spec]:
        grant(user, role, getattr(tree, node))
    return user


@pytest.mark.parametrize(("resetter", "target", "allowed"), CASES, ids=[f"{r}->{t}" for r, t, _ in CASES])
def test_the_reset_matrix(tree, resetter, target, allowed):
    account = _account(TARGETS[target], tree)
    member = MemberFactory(organization=tree.branch_a1, user=account)
    if resetter == "plain_member_a1":
        by = MemberFactory(organization=tree.branch_a1, user=UserFactory()).user
    else:
        by = _account(RESETTERS[resetter], tree)
    before = User.objects.get(pk=account.pk).password

    if allowed:
        password = services.member_password_reset(member=member, by=by)
        account.refresh_from_db()
        assert account.check_password(password) and account.password != before
        assert account.must_change_password and account.password_set_by == by and not account.has_own_password
        assert PasswordReset.objects.get(user=account).by == by
    else:
        with pytest.raises(PermissionDenied) as refused:
            services.member_password_reset(member=member, by=by)
        assert any("\u4e00" <= c <= "\u9fff" for c in str(refused.value))
        account.refresh_from_db()
        assert account.password == before and account.check_password(PASSWORD)
        assert account.password_set_by is None and not account.must_change_password
        assert not PasswordReset.objects.exists()


def test_nobody_resets_his_own_account_through_the_member_page(tree):
    secretary = UserFactory()
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1, user=secretary)
    before = secretary.password
    with pytest.raises(PermissionDenied, match="不能在这里重置自己的密码"):
        services.member_password_reset(member=member, by=secretary)
    secretary.refresh_from_db()
    assert secretary.password == before


def test_a_clerk_cannot_take_over_his_secretary_through_the_page(client, tree):
    """The reported attack: the clerk opens his secretary's member record and presses reset."""
    clerk = UserFactory(username="ganshi")
    grant(clerk, Role.CLERK, tree.branch_a1)
    secretary = UserFactory(username="shuji", full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1, user=secretary, name="李书记")
    before = secretary.password
    client.force_login(clerk)
    url = reverse("organizations:member_account", args=[member.pk])
    page = client.get(url).content.decode()
    assert "只有角色比它高" in page and 'name="reset"' not in page
    response = client.post(url, {"reset": "1"}, follow=True)
    assert "只有角色比它高" in response.content.decode()
    secretary.refresh_from_db()
    assert secretary.password == before and not PasswordReset.objects.exists()


def test_a_reset_is_recorded_notified_and_shown_on_the_member_page(client, tree, django_capture_on_commit_callbacks):
    secretary = UserFactory(full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1, user=UserFactory(), name="王党员")
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("organizations:member_account", args=[member.pk]), {"reset": "1"})
    page = page.content.decode()
    assert "初始密码" in page
    note = Notification.objects.get(recipient=member.user)
    assert note.kind == Notification.Kind.PASSWORD_RESET and "李书记重置" in note.text
    detail = client.get(member.get_absolute_url()).content.decode()
    assert "由李书记重置" in detail and "本人尚未设置新密码" in detail


def test_the_owner_setting_his_own_password_clears_the_mark(client, tree):
    secretary = UserFactory(full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1, user=UserFactory())
    password = services.member_password_reset(member=member, by=secretary)
    member.user.refresh_from_db()
    client.force_login(member.user)
    assert client.get(reverse("home")).url == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Zhen-de-mima-2026", "new_password2": "Zhen-de-mima-2026"},
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.has_own_password and member.user.password_set_at is not None


def test_a_new_account_starts_with_a_password_someone_else_knows(tree):
    clerk = UserFactory()
    grant(clerk, Role.CLERK, tree.branch_a1)
    member = MemberFactory(organization=tree.branch_a1)
    account, _password = services.member_account_create(member=member, by=clerk, username="wangdangyuan")
    assert not account.has_own_password and account.password_set_by == clerk


def test_an_administrator_setting_a_password_in_the_admin_is_recorded(client, tree):
    admin = UserFactory(is_superuser=True, is_staff=True)
    member = MemberFactory(organization=tree.branch_a1, user=UserFactory())
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[member.user.pk])
    response = client.post(url, {"password1": "Guan-li-yuan-2026", "password2": "Guan-li-yuan-2026"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.password_set_by == admin and not member.user.has_own_password
    assert PasswordReset.objects.get(user=member.user).by == admin
