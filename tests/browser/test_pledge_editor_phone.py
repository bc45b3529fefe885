"""The pledge editor on a 375 px phone (issue 14 item 3): text boxes that grow with their text, and the opinions an
item answers picked by keyboard from one searchable list and shown as chips."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commitments import services
from commitments.models import Opinion, Pledge
from tests.browser.pages import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 800}
# 111 characters: the longest item of the demo, which a 2-row box could not show.
LONG_ITEM = (
    "组织本村党员和志愿者每月开展一次环境卫生整治，清理房前屋后的垃圾杂物和河道漂浮物，"
    "带头拆除旱厕并推广水冲式卫生厕所，年底前全村农户卫生厕所普及率从百分之六十提高到百分之九十，"
    "让群众住得更舒心更健康，村容村貌焕然一新、更美。"
)
STREET_LIGHTS = "晚上村道黑漆漆的，老人孩子出门不安全，希望装路灯。"
FARMING = "希望组织农技培训，教大家种植新品种，提高收入。"


def log_in_on_phone(browser, live_server, username):
    page = log_in(browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True), live_server, username)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


@pytest.fixture
def editor(world, browser, live_server):
    """The member's new draft, open in the editor on a phone, with three opinions to answer."""
    for days, text in ((20, STREET_LIGHTS), (15, FARMING)):
        services.opinion_create(
            organization=world.tree.branch_a1,
            by=world.clerk,
            channel=Opinion.Channel.BOX,
            source_group=Opinion.SourceGroup.MASSES,
            received_on=datetime.date(2025, 1, 10) + datetime.timedelta(days=days),
            text=text,
        )
    member = world.member
    pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=member.user)
    page, errors = log_in_on_phone(browser, live_server, "dangyuan")
    url = live_server.url + reverse("commitments:pledge_edit", args=[pledge.pk])
    page.goto(url)
    return pledge, page, errors, url


def test_the_item_box_grows_to_show_a_long_item_whole(editor):
    pledge, page, errors, url = editor
    box = page.locator("textarea[name='items-0-content']")
    before = box.bounding_box()["height"]
    box.click()
    page.keyboard.insert_text(LONG_ITEM)
    assert len(LONG_ITEM) == 111
    after = box.bounding_box()["height"]
    assert after > before
    # Read back whole: nothing scrolls inside the box.
    assert box.evaluate("b => b.scrollHeight <= b.clientHeight + 1")
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not errors


def test_member_picks_an_opinion_by_keyboard_removes_another_and_saves(editor, shot, audit):
    pledge, page, errors, url = editor
    card = page.locator(".item-form").nth(0)
    # A member answers for his own pledge: no 责任人 on his page.
    expect(card.get_by_label("责任人")).to_have_count(0)
    card.locator("select[name='items-0-content_area']").select_option(index=1)
    card.locator("textarea[name='items-0-content']").fill("带头为村道装上路灯")
    card.locator("textarea[name='items-0-measures']").fill("联系供电所，发动党员出工出力")
    card.locator("input[name='items-0-deadline']").fill("2025-09-30")

    # Open 回应的群众意见 from the keyboard, then search and pick with Enter.
    summary = card.locator("summary", has_text="回应的群众意见")
    summary.focus()
    page.keyboard.press("Enter")
    search = card.get_by_label("搜索群众意见")
    expect(search).to_be_visible()
    page.keyboard.press("Tab")
    expect(search).to_be_focused()
    page.keyboard.type("路灯")
    expect(card.locator(".opinion-list .form-check:visible")).to_have_count(1)
    audit.check(page)  # the list open under the search box
    page.keyboard.press("Enter")
    chips = card.locator(".opinion-chip")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text(STREET_LIGHTS)
    # A second one from the list itself: down into the list, Enter ticks the box under the focus.
    page.keyboard.type("农技")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("checkbox", name=FARMING)).to_be_focused()
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    # Escape folds the list away and leaves the focus in the search box.
    page.keyboard.press("Escape")
    expect(search).to_be_focused()
    expect(card.locator(".opinion-list")).to_be_hidden()
    shot(page, "pledge-editor-phone-chips")
    audit.check(page)

    # Back (Shift+Tab) onto the last chip's button and remove it with Enter; the focus stays in the picker.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name=f"移除：{FARMING}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(chips).to_have_count(1)
    expect(page.get_by_role("button", name=f"移除：{STREET_LIGHTS}")).to_be_focused()
    expect(summary).to_contain_text("已选 1 条")

    # An item added with ＋ 添加一项 has its picker too.
    page.get_by_role("button", name="＋ 添加一项").click()
    added = page.locator(".item-form").nth(1)
    added.locator("select[name='items-1-content_area']").select_option(index=2)
    added.locator("textarea[name='items-1-content']").fill("组织一次农技培训")
    added.locator("input[name='items-1-deadline']").fill("2025-10-31")
    added.locator("summary", has_text="回应的群众意见").click()
    added.get_by_label("搜索群众意见").fill("农技")
    added.get_by_label("搜索群众意见").press("Enter")
    expect(added.locator(".opinion-chip input[type=hidden][name='items-1-opinions']")).to_have_count(1)

    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存承诺书草稿")
    first, second = Pledge.objects.get(pk=pledge.pk).items.order_by("position")
    assert [o.text for o in first.cited_opinions.all()] == [STREET_LIGHTS]
    assert [o.text for o in second.cited_opinions.all()] == [FARMING]

    # Opened again, each item shows its opinion as a chip.
    page.goto(url)
    expect(page.locator(".item-form").nth(0).locator(".opinion-chip")).to_have_text([STREET_LIGHTS + "×"])
    expect(page.locator(".item-form").nth(1).locator(".opinion-chip")).to_have_count(1)
    assert not errors
