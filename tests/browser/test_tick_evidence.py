"""A secretary confirms 销号 only after opening the evidence (on a desktop and on a phone), and reviews a pledge
with the 群众意见 each item answers beside it."""

import datetime

import pytest
from playwright.sync_api import expect

from commitments import services
from commitments.models import PledgeItem
from tests.browser.pages import log_in
from tests.commitments.samples import sample

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2025, 5, 20)
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


LOADED = """img => (img.complete ? Promise.resolve() : new Promise((done) => {
  img.addEventListener("load", done, { once: true });
  img.addEventListener("error", done, { once: true });
})).then(() => img.naturalWidth > 0)"""


def log_in_at(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=viewport["width"] < 500)
    return context, log_in(context, live_server, username)


def assert_fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"页面横向溢出 {overflow}px"


def test_secretary_opens_the_evidence_then_confirms(browser, live_server, world, published, shot, audit):
    member = world.member.user
    pledge = published()
    items = list(pledge.items.order_by("position"))
    services.fulfilment_log_add(
        item=items[0],
        by=member,
        happened_on=DAY,
        text="组织12名党员修整村口道路200米，群众出行方便了。",
        files=[sample("jpg"), sample("pdf")],
    )
    services.fulfilment_log_add(
        item=items[1], by=member, happened_on=DAY, text="走访困难群众三户。", files=[sample("png")]
    )
    for it in items:
        services.item_request_tick_off(item=it, by=member, note="已完成")

    for (name, viewport), it in zip(SIZES.items(), items[:2], strict=True):
        context, page = log_in_at(browser, live_server, world.secretary.username, viewport)
        page.goto(f"{live_server.url}/queues/?tab=tick")
        row = page.locator(f"#tick-{it.pk}")
        confirm = row.get_by_role("button", name="确认销号")
        # Closed evidence: the confirmation is not there to press yet.
        expect(confirm).to_be_hidden()
        expect(row.locator("img.evidence-thumb")).to_be_hidden()
        assert_fits(page)
        shot(page, f"tick-evidence-01-queue-{name}")
        row.get_by_text("查看销号依据").click()
        expect(row.locator("img.evidence-thumb")).to_have_count(1)
        expect(row.locator("img.evidence-thumb")).to_be_visible()
        # The thumbnail starts loading when its <details> opens: wait for it to finish, then ask whether it drew.
        thumb_ok = row.locator("img.evidence-thumb").evaluate(LOADED)
        assert thumb_ok, "缩略图没有加载出来"
        expect(confirm).to_be_visible()
        assert_fits(page)
        audit.check(page)  # the opened evidence, which a revisit of the address would show closed
        shot(page, f"tick-evidence-02-opened-{name}")
        confirm.click()
        expect(page.locator(".alert-success")).to_contain_text("已确认销号")
        assert PledgeItem.objects.get(pk=it.pk).state == PledgeItem.State.TICKED_OFF
        context.close()

    # The item without any log: the row says so and the confirmation is right there.
    context, page = log_in_at(browser, live_server, world.secretary.username, SIZES["phone"])
    page.goto(f"{live_server.url}/queues/?tab=tick")
    row = page.locator(f"#tick-{items[2].pk}")
    expect(row).to_contain_text("没有践诺记录或附件")
    row.get_by_role("button", name="确认销号").click()
    expect(page.locator(".alert-success")).to_contain_text("已确认销号")
    assert PledgeItem.objects.get(pk=items[2].pk).state == PledgeItem.State.TICKED_OFF
    context.close()


def test_a_confirmation_from_elsewhere_lands_on_the_evidence(browser, live_server, world, published, shot):
    member = world.member.user
    it = published().items.get(position=1)
    services.fulfilment_log_add(item=it, by=member, happened_on=DAY, text="道路修好了。", files=[sample("jpg")])
    services.item_request_tick_off(item=it, by=member, note="已完成")
    for name, viewport in SIZES.items():
        context, page = log_in_at(browser, live_server, world.secretary.username, viewport)
        page.goto(f"{live_server.url}/items/{it.pk}/tick/decide/?next=/queues/%3Ftab%3Dtick")
        expect(page.locator("h1")).to_have_text("确认销号")
        expect(page.locator("#tick-evidence img.evidence-thumb")).to_be_visible()
        assert_fits(page)
        shot(page, f"tick-evidence-03-decision-page-{name}")
        context.close()


def test_the_reviewer_reads_the_opinions_beside_each_item(browser, live_server, world, draft, shot):
    pledge = draft()
    services.pledge_submit(pledge=pledge, by=world.member.user)
    first, second = pledge.items.order_by("position")[:2]
    for name, viewport in SIZES.items():
        context, page = log_in_at(browser, live_server, world.secretary.username, viewport)
        page.goto(f"{live_server.url}/pledges/{pledge.pk}/review/")
        expect(page.locator(f"#review-item-{first.pk} .cited-opinions")).to_contain_text("村口道路坑洼")
        expect(page.locator(f"#review-item-{first.pk} .cited-opinions")).to_contain_text(
            "群众 · 座谈会 · 2025年1月10日"
        )
        expect(page.locator(f"#review-item-{second.pk} .cited-opinions")).to_contain_text("未关联群众意见")
        assert_fits(page)
        shot(page, f"tick-evidence-04-review-{name}")
        context.close()
    # The conclusion radios are bound to their labels.
    context, page = log_in_at(browser, live_server, world.secretary.username, SIZES["phone"])
    page.goto(f"{live_server.url}/pledges/{pledge.pk}/review/")
    page.locator("label[for^='id_decision']", has_text="退回修改").click()
    page.fill("textarea[name=comment]", "第二项请写具体。")
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.locator("h1")).to_contain_text("退回修改")
    context.close()
