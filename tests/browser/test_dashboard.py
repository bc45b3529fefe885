"""The statistics dashboard in the browser: a county committee reads a quarter, the charts render, the table
sorts and drills down to a town, and the page still works at phone width."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import log_in
from tests.evaluations.conftest_stats import build_stats_world

pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = ("chart-fulfilment", "chart-coverage", "chart-satisfaction", "chart-ballots")


def test_the_committee_reads_the_dashboard_with_charts(browser, live_server, tree, shot):
    world = build_stats_world(tree)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = log_in(context, live_server, world.county_committee.username)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/stats/?org=C&period=2025Q3")
    expect(page.get_by_role("heading", name="统计分析 · 中共测试县委")).to_be_visible()
    for chart in CHARTS:
        canvas = page.locator(f"#{chart} canvas")
        expect(canvas.first).to_be_attached()
        box = canvas.first.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, chart
    expect(page.locator("#main-indicators")).to_contain_text("党员承诺覆盖率")
    expect(page.locator("#main-indicators")).to_contain_text("较上期")
    expect(page.locator("#children-table tbody tr")).to_have_count(2)
    # The fulfilment chart has drawn something: its canvas is not blank.
    painted = page.evaluate(
        """() => {
          const c = document.querySelector('#chart-fulfilment canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let ink = 0;
          for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) ink++; }
          return ink;
        }"""
    )
    assert painted > 1000
    assert errors == []
    shot(page, "dashboard-01")

    # Sort by coverage, then open town A from the table.
    page.locator("#children-table").get_by_role("link", name=re.compile("承诺覆盖率")).click()
    expect(page).to_have_url(re.compile(r"sort=coverage"))
    page.locator("#children-table").get_by_role("link", name="甲镇党委").click()
    expect(page.get_by_role("heading", name="统计分析 · 甲镇党委")).to_be_visible()
    expect(page.locator("#children-table tbody tr")).to_have_count(2)
    expect(page.locator("#chart-coverage canvas").first).to_be_attached()

    # Choose another period with the form.
    page.select_option("#f-period", "2025H1")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("main")).to_contain_text("2025年上半年")
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = log_in(phone, live_server, world.county_committee.username)
    page.goto(f"{live_server.url}/stats/?org=C&period=2025Q3")
    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas").first).to_be_attached()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 400, "the dashboard must not scroll sideways on a phone"
    shot(page, "dashboard-02-phone")
    phone.close()
