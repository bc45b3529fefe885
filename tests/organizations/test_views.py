import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organizations.models import Exemption, Member
from organizations.permissions import Role
from tests.factories import PASSWORD, MemberFactory, UserFactory
from tests.xlsx import members_xlsx


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert "登录名" in response.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("organizations:members"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_initial_password_must_be_changed_first(client, tree):
    member = MemberFactory(organization=tree.branch_a1, user=UserFactory(must_change_password=True))
    client.login(username=member.user.username, password=PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xinmima#2025", "new_password2": "Xinmima#2025"},
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_home_shows_each_role_its_own_part(tree, user_with_role, member_user, login):
    MemberFactory(organization=tree.branch_a1)
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    page = login(secretary).get(reverse("home")).content.decode()
    assert "甲镇一村党支部" in page and "乙镇一村党支部" not in page
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    page = login(committee).get(reverse("home")).content.decode()
    assert "甲镇一村党支部" in page and "甲镇二村党支部" in page and "乙镇" not in page
    me = member_user(tree.branch_a2)
    page = login(me.user).get(reverse("home")).content.decode()
    assert "我的信息" in page and me.name in page


@pytest.mark.parametrize(
    ("code", "status"), [("CA", 200), ("CA1", 200), ("CB", 404), ("C", 404), ("X", 404), ("NONE", 404)]
)
def test_organization_detail_visibility(tree, user_with_role, login, code, status):
    clerk = user_with_role(Role.CLERK, tree.town_a)
    assert login(clerk).get(reverse("organizations:detail", args=[code])).status_code == status


def test_member_cannot_open_another_branch_roster(tree, member_user, login):
    me = member_user(tree.branch_a1)
    client = login(me.user)
    assert client.get(reverse("organizations:members") + "?org=CA1").status_code == 200
    assert client.get(reverse("organizations:members") + "?org=CB1").status_code == 404
    other = MemberFactory(organization=tree.branch_b1)
    assert client.get(reverse("organizations:member_detail", args=[other.pk])).status_code == 404


def test_member_cannot_edit(tree, member_user, login):
    me = member_user(tree.branch_a1)
    client = login(me.user)
    assert client.get(reverse("organizations:member_edit", args=[me.pk])).status_code == 403
    assert client.get(reverse("organizations:edit", args=["CA1"])).status_code == 403


def test_personal_data_is_masked_in_lists_and_for_the_committee(tree, user_with_role, login):
    member = MemberFactory(organization=tree.branch_a1, phone="13812345678")
    clerk = user_with_role(Role.CLERK, tree.branch_a1)
    page = login(clerk).get(reverse("organizations:members") + "?org=CA1").content.decode()
    assert member.id_number not in page and "138****5678" in page
    page = login(clerk).get(member.get_absolute_url()).content.decode()
    assert member.id_number in page and "13812345678" in page
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    page = login(committee).get(member.get_absolute_url()).content.decode()
    assert member.id_number not in page and "13812345678" not in page
    assert member.id_number[:4] + "*" * 10 + member.id_number[-4:] in page


def test_member_sees_his_own_personal_data(tree, member_user, login):
    me = member_user(tree.branch_a1)
    page = login(me.user).get(me.get_absolute_url()).content.decode()
    assert me.id_number in page


def test_search_by_id_suffix_and_filters(tree, user_with_role, login):
    a = MemberFactory(organization=tree.branch_a1, name="张三", post="村会计")
    MemberFactory(organization=tree.branch_a1, name="李四", is_leader=True)
    MemberFactory(organization=tree.branch_a2, name="王五", inflow_organization=tree.branch_b1)
    client = login(user_with_role(Role.CLERK, tree.town_a))
    url = reverse("organizations:members")

    def names(query):
        return [m.name for m in client.get(url + query).context["page"].object_list]

    assert names("?org=CA&q=" + a.id_number[-4:]) == ["张三"]
    assert names("?org=CA&q=会计") == ["张三"]
    assert names("?org=CA&flag=is_leader") == ["李四"]
    assert names("?org=CA&flag=floating") == ["王五"]
    assert sorted(names("?org=CA1")) == ["张三", "李四"]


def test_create_member_form_keeps_input_on_error(tree, user_with_role, login):
    client = login(user_with_role(Role.CLERK, tree.branch_a1))
    response = client.post(
        reverse("organizations:member_create") + "?org=CA1",
        {
            "name": "赵六",
            "gender": "M",
            "birth_date": "1980-01-01",
            "id_number": "123",
            "political_status": "full",
            "organization": tree.branch_a1.pk,
            "is_active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "赵六" in page and "18位" in page
    assert not Member.objects.filter(name="赵六").exists()


def test_create_member_through_the_form(tree, user_with_role, login):
    import datetime

    from tests.factories import make_id_number

    birth = datetime.date(1980, 1, 1)
    client = login(user_with_role(Role.CLERK, tree.branch_a1))
    response = client.post(
        reverse("organizations:member_create") + "?org=CA1",
        {
            "name": "赵六",
            "gender": "M",
            "birth_date": "1980-01-01",
            "id_number": make_id_number(birth),
            "political_status": "full",
            "join_date": "2005-07-01",
            "organization": tree.branch_a1.pk,
            "is_active": "on",
            "is_leader": "on",
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(name="赵六").is_leader


def test_import_flow_through_the_pages(tree, user_with_role, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(user_with_role(Role.SECRETARY, tree.town_a))
    url = reverse("organizations:import", args=["CA", "members"])
    bad = SimpleUploadedFile("名册.xlsx", members_xlsx("CA1", count=3, bad={1: {"所在党组织代码": "CB1"}}))
    page = client.post(url, {"file": bad}).content.decode()
    assert "第 3 行" in page and "不在本次导入的范围" in page and 'name="token"' not in page
    good = SimpleUploadedFile("名册.xlsx", members_xlsx("CA1", count=3))
    response = client.post(url, {"file": good})
    token = response.context["token"]
    assert token and Member.objects.count() == 0
    response = client.post(reverse("organizations:import_confirm", args=["CA", "members"]), {"token": token})
    assert response.status_code == 302
    assert Member.objects.filter(organization=tree.branch_a1).count() == 3
    # The same token cannot be used twice.
    client.post(reverse("organizations:import_confirm", args=["CA", "members"]), {"token": token})
    assert Member.objects.count() == 3


def test_import_refuses_a_file_that_is_not_xlsx(tree, user_with_role, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(user_with_role(Role.SECRETARY, tree.town_a))
    fake = SimpleUploadedFile("名册.xlsx", b"<html>not excel</html>")
    page = client.post(reverse("organizations:import", args=["CA", "members"]), {"file": fake}).content.decode()
    assert "不是有效的 Excel" in page


def test_import_page_outside_subtree_is_404(tree, user_with_role, login):
    client = login(user_with_role(Role.SECRETARY, tree.town_a))
    assert client.get(reverse("organizations:import", args=["CB", "members"])).status_code == 404


def test_roster_export_masks_for_the_committee(tree, user_with_role, login):
    member = MemberFactory(organization=tree.branch_a1)
    url = reverse("organizations:roster_export", args=["CA"])

    def cells(user):
        response = login(user).get(url)
        ws = load_workbook(io.BytesIO(response.content)).active
        return [c.value for c in ws[1]], [c.value for c in ws[2]]

    headers, row = cells(user_with_role(Role.CLERK, tree.town_a))
    assert "身份证号" in headers and member.id_number in row
    headers, row = cells(user_with_role(Role.COMMITTEE, tree.town_a))
    assert member.id_number not in row and "**********" in row[headers.index("身份证号")]


def test_grant_and_revoke_roles_through_the_page(tree, user_with_role, login):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    target = UserFactory(username="newclerk")
    client = login(committee)
    url = reverse("organizations:roles", args=["CA"])
    response = client.post(url, {"username": "newclerk", "role": "clerk", "organization": tree.branch_a1.pk})
    assert response.status_code == 302
    grant = target.organizationuserobjectpermission_set.get()
    page = client.get(url).content.decode()
    assert "newclerk" in page
    client.post(reverse("organizations:role_revoke", args=[grant.pk]))
    assert not target.organizationuserobjectpermission_set.exists()


def test_exemption_pages(tree, user_with_role, login):
    member = MemberFactory(organization=tree.branch_a1)
    secretary = user_with_role(Role.SECRETARY, tree.branch_a1)
    login(secretary).post(
        reverse("organizations:exemption_propose", args=[member.pk]), {"reason": "age", "explanation": "年逾八旬"}
    )
    exemption = Exemption.objects.get()
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    client = login(committee)
    assert "审批" in client.get(reverse("organizations:exemptions")).content.decode()
    response = client.post(reverse("organizations:exemption_decide", args=[exemption.pk]), {"decision": "reject"})
    assert "请填写审批意见" in response.content.decode()
    client.post(reverse("organizations:exemption_decide", args=[exemption.pk]), {"decision": "approve"})
    member.refresh_from_db()
    assert member.is_exempt


def test_tree_search_and_children_fragment(tree, user_with_role, login):
    client = login(user_with_role(Role.COMMITTEE, tree.town_a))
    page = client.get(reverse("organizations:tree") + "?q=二村").content.decode()
    assert "甲镇二村党支部" in page
    page = client.get(reverse("organizations:tree") + "?q=乙镇").content.decode()
    assert "没有找到" in page
    fragment = client.get(reverse("organizations:children", args=["CA"])).content.decode()
    assert "甲镇一村党支部" in fragment and "<html" not in fragment


def test_move_page_refuses_moving_under_itself(tree, user_with_role, login):
    client = login(user_with_role(Role.COMMITTEE, tree.county))
    form = client.get(reverse("organizations:move", args=["CA"])).context["form"]
    choices = {o.code for o in form.fields["new_parent"].queryset}
    assert "CA" not in choices and "CA1" not in choices and "CB" in choices
