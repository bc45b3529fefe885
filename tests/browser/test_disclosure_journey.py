"""Printing a town's registers as a background job, and a visitor reading a branch board on a phone."""

import zipfile

import pytest
from playwright.sync_api import expect

from organizations.models import Member
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_prints_every_branch_of_a_town_and_downloads_the_zip(
    browser, live_server, world, published, tmp_path, shot
):
    published()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", world.committee.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/print/?org=CA")
    shot(page, "print-01-center")
    page.get_by_role("button", name="附件4 党员承诺事项登记（公示）表（各支部）").click()
    expect(page.locator("#job-state")).to_have_text("已完成", timeout=30_000)
    expect(page.locator(".progress-bar")).to_have_text("100%")
    shot(page, "print-02-job-done")
    with page.expect_download() as info:
        page.locator("#job-download").click()
    path = tmp_path / "registers.zip"
    info.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert names and all(n.startswith("附件4_") for n in names)
    ctx.close()


def test_visitor_reads_a_branch_board_on_a_phone(browser, live_server, world, published, shot):
    pledge = published()
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/gs/CA1/")
    expect(page.locator("h1")).to_contain_text("甲镇一村党支部")
    expect(page.locator("#member-pledges")).to_contain_text(world.member.name)
    for item in pledge.items.all():
        expect(page.locator("#member-pledges")).to_contain_text(item.content)
    body = page.locator("body").inner_text()
    for m in Member.objects.all():
        assert m.id_number not in body and (not m.phone or m.phone not in body)
    assert page.locator("nav.navbar").count() == 0  # no staff navigation for the public
    shot(page, "board-01-phone")
    page.fill("textarea[name=text]", "希望公开每月的践诺进展")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#tracking-number")).to_be_visible()
    shot(page, "board-02-thanks")
    ctx.close()
