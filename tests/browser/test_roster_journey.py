"""A branch secretary imports his roster from Excel; a member cannot open another branch's roster."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from organizations.models import Member
from organizations.permissions import Role
from tests.factories import PASSWORD, MemberFactory, UserFactory, grant
from tests.xlsx import members_xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("nav")).to_contain_text("退出")


def test_secretary_imports_members_and_fixes_a_bad_row(page, live_server, tree, tmp_path, shot):
    secretary = UserFactory(username="shuji", full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    MemberFactory(organization=tree.branch_a1, name="原有党员")
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, live_server, "shuji")
    shot(page, "roster-01-home")
    page.get_by_role("link", name="党员名册").first.click()
    expect(page.locator("h1")).to_contain_text("甲镇一村党支部")
    expect(page.locator("table")).to_contain_text("原有党员")

    page.get_by_role("link", name="从 Excel 导入").click()
    bad = tmp_path / "名册-有错.xlsx"
    bad.write_bytes(members_xlsx("CA1", count=4, bad={2: {"身份证号": "110105194912310021"}}))
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="上传并校验").click()
    errors = page.locator("#import-problems")
    expect(errors).to_contain_text("第 4 行")
    expect(errors).to_contain_text("身份证号校验位错误")
    expect(page.locator("#import-errors")).to_contain_text("未导入任何数据")
    shot(page, "roster-02-bad-row")
    assert Member.objects.count() == 1

    good = tmp_path / "名册.xlsx"
    good.write_bytes(members_xlsx("CA1", count=4))
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.locator("#import-ok")).to_contain_text("全部可以导入")
    shot(page, "roster-03-ready")
    page.get_by_role("button", name=re.compile("确认导入")).click()
    expect(page.locator(".alert-success")).to_contain_text("已导入 4 名党员")
    for n in range(4):
        expect(page.locator("table")).to_contain_text(f"导入{n}")
    shot(page, "roster-04-imported")
    assert Member.objects.filter(organization=tree.branch_a1).count() == 5


def test_member_cannot_open_another_branch_roster(page, live_server, tree, shot):
    user = UserFactory(username="dangyuan")
    MemberFactory(organization=tree.branch_a1, user=user, name="张党员", birth_date=datetime.date(1985, 3, 15))
    MemberFactory(organization=tree.branch_b1, name="乙镇党员")

    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server, "dangyuan")
    expect(page.locator("body")).to_contain_text("我的信息")
    shot(page, "member-01-home-phone")
    page.goto(f"{live_server.url}/members/?org=CB1")
    expect(page.locator("body")).to_contain_text("没有找到您要的页面")
    expect(page.locator("body")).not_to_contain_text("乙镇党员")
    shot(page, "member-02-other-roster-refused")
    page.goto(f"{live_server.url}/members/")
    expect(page.locator("body")).to_contain_text("张党员")
    expect(page.locator("body")).not_to_contain_text("乙镇党员")


def test_clerk_imports_a_large_roster_as_background_jobs_on_a_phone(page, live_server, tree, tmp_path, shot):
    clerk = UserFactory(username="ganshi", full_name="王干事")
    grant(clerk, Role.CLERK, tree.branch_a1)
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, live_server, "ganshi")
    page.goto(f"{live_server.url}/orgs/CA1/import/members/")

    def no_sideways_scrolling():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the import job page scrolls sideways on a phone ({width}px)"

    bad = tmp_path / "大名册-有错.xlsx"
    bad.write_bytes(members_xlsx("CA1", count=600, bad={450: {"性别": "未知"}}))
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.locator("h1")).to_contain_text("党员名册导入校验")
    expect(page.locator("#job-state")).to_contain_text("已完成")
    expect(page.locator("#import-problems")).to_contain_text("第 452 行")
    no_sideways_scrolling()
    shot(page, "roster-05-large-bad-row-phone")

    page.get_by_role("link", name="返回导入页面").click()
    good = tmp_path / "大名册.xlsx"
    good.write_bytes(members_xlsx("CA1", count=600))
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.locator("#import-ok")).to_contain_text("共 600 行，全部可以导入")
    no_sideways_scrolling()
    page.get_by_role("button", name="确认导入 600 行").click()
    expect(page.locator("h1")).to_contain_text("党员名册导入")
    expect(page.locator("#import-ok")).to_contain_text("已导入 600 名党员")
    no_sideways_scrolling()
    shot(page, "roster-06-large-imported-phone")
    assert Member.objects.filter(organization=tree.branch_a1).count() == 600
