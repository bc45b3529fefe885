"""A visitor who scanned the code on a paper board, on a 375 px phone: 我要监督 on the first screen, the form one tap
away with 意见建议 chosen, the long sections folded under their headings, nothing scrolling sideways."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from disclosure.models import SupervisionReport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_phone_visitor_finds_the_supervision_form_at_the_top_and_sends_an_opinion(
    browser, live_server, world, published, shot
):
    published()
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN", has_touch=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/gs/CA1/")
    entry = page.locator("#supervise-entry")
    expect(entry).to_have_text("我要监督")
    box = entry.bounding_box()
    assert box is not None and box["y"] + box["height"] < 800, "我要监督 must show on the first screen"
    no_sideways_scroll(page, 375)
    # The pledges are open; the long sections below are folded to their headings.
    expect(page.locator("#member-pledges")).to_have_attribute("open", "")
    expect(page.locator("#member-pledges")).to_contain_text(world.member.name)
    assert page.locator("#appraisals").evaluate("d => d.open") is False
    expect(page.locator("#appraisals > summary")).to_contain_text("群众评议结果")
    shot(page, "board-phone-01-top")

    entry.click()
    form = page.locator("#supervise-form")
    expect(form).to_be_in_viewport()
    expect(form.locator("select[name=kind]")).to_have_value(SupervisionReport.Kind.OPINION)
    shot(page, "board-phone-02-form")
    page.fill("#supervise-form textarea[name=text]", "建议每月在公开栏更新一次践诺进展")
    form.get_by_role("button", name="提交").click()
    expect(page.locator("#tracking-number")).to_be_visible()
    report = SupervisionReport.objects.get()
    assert report.kind == SupervisionReport.Kind.OPINION and report.text == "建议每月在公开栏更新一次践诺进展"
    no_sideways_scroll(page, 375)
    ctx.close()


def test_folded_sections_open_by_keyboard_on_a_phone_and_all_open_on_a_wide_screen_and_in_print(
    browser, live_server, world, published, shot
):
    published()
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{live_server.url}/gs/CA1/")
    summary = page.locator("#answers > summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#answers").evaluate("d => d.open") is True
    expect(page.locator("#answers")).to_contain_text("暂无公开的问答")
    # A link of 本页 opens the folded section it leads to.
    page.locator(".board-toc a[href='#records']").click()
    assert page.locator("#records").evaluate("d => d.open") is True
    # Printed from a phone: every section in full.
    page.emulate_media(media="print")
    expect(page.locator("#appraisals")).to_contain_text("暂无公开的评议结果")
    expect(page.locator("#appraisals p")).to_be_visible()
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{live_server.url}/gs/CA1/")
    for section in ("appraisals", "honours", "bulletins", "records", "answers"):
        assert page.locator(f"#{section}").evaluate("d => d.open") is True, section
    no_sideways_scroll(page, 1280)
    shot(page, "board-desktop-01")
    ctx.close()
