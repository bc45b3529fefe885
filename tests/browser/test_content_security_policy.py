"""The pages work under the Content-Security-Policy, and the browser reports no violation of it.

Every page is watched twice: `securitypolicyviolation` events (reported to Python through an exposed function,
so they survive navigation) and console errors of the kind Chromium logs when it refuses a script or style.
"""

import re

import pytest
from playwright.sync_api import expect

from commitments.models import Signature
from organizations.models import OrganizationUserObjectPermission
from organizations.permissions import Role
from tests.commitments.conftest import pledge_in, reviewer_for  # noqa: F401
from tests.evaluations.conftest_stats import build_stats_world
from tests.factories import PASSWORD, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.reportCspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber].join(" "));
});
"""


class Watched:
    """A browser context whose pages report CSP violations, console errors and uncaught exceptions."""

    def __init__(self, browser, **options):
        self.violations, self.console, self.errors = [], [], []
        self.context = browser.new_context(locale="zh-CN", **options)
        self.context.expose_function("reportCspViolation", lambda text: self.violations.append(text))
        self.context.add_init_script(WATCH)

    def page(self):
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page

    def log_in(self, live_server, username):
        page = self.page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("nav")).to_contain_text("退出")
        return page

    def assert_clean(self):
        # Give late reports (they are queued as tasks) a moment to arrive.
        for page in self.context.pages:
            page.wait_for_timeout(200)
        refused = [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]
        assert self.violations == [] and refused == [], (self.violations, refused)
        assert self.errors == [], self.errors

    def close(self):
        self.context.close()


def ink(page, selector):
    """How many pixels of a canvas are painted."""
    return page.evaluate(
        """(selector) => {
          const c = document.querySelector(selector);
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; }
          return n;
        }""",
        selector,
    )


def test_dashboard_charts_draw_and_show_tooltips_under_the_policy(browser, live_server, tree, shot):
    world = build_stats_world(tree)
    watched = Watched(browser, viewport={"width": 1280, "height": 900})
    page = watched.log_in(live_server, world.county_committee.username)
    response = page.goto(f"{live_server.url}/stats/?org=C&period=2025Q3")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for chart in ("chart-fulfilment", "chart-coverage", "chart-satisfaction", "chart-ballots"):
        expect(page.locator(f"#{chart} canvas").first).to_be_attached()
    assert ink(page, "#chart-fulfilment canvas") > 1000
    # A tooltip: hovering a bar draws it on the canvas (richText), so the painted area grows.
    chart = page.locator("#chart-satisfaction")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    before = ink(page, "#chart-satisfaction canvas")
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    assert ink(page, "#chart-satisfaction canvas") > before
    shot(page, "csp-01-dashboard-tooltip")
    # The styles moved out of the page still apply (dashboard.css).
    assert page.locator("#chart-fulfilment").evaluate("el => getComputedStyle(el).height") == "300px"
    watched.assert_clean()
    watched.close()


def test_signature_pad_draws_and_signs_under_the_policy(browser, live_server, world, pledge_in, shot):  # noqa: F811
    pledge = pledge_in("approved")
    watched = Watched(browser, viewport={"width": 375, "height": 812}, has_touch=True)
    page = watched.log_in(live_server, world.member.user.username)
    page.goto(f"{live_server.url}/pledges/{pledge.pk}/sign/")
    pad = page.locator("#signature-pad")
    box = pad.bounding_box()
    assert ink(page, "#signature-pad") == 0
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for x, y in ((80, 60), (130, 140), (180, 70), (240, 130), (300, 90)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()
    assert ink(page, "#signature-pad") > 300
    # 重写 clears the pad; draw again and sign.
    page.click("#clear-pad")
    assert ink(page, "#signature-pad") == 0
    page.mouse.move(box["x"] + 40, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 280, box["y"] + 110, steps=12)
    page.mouse.up()
    page.fill("#id_password", PASSWORD)
    shot(page, "csp-02-sign")
    page.get_by_role("button", name="确认签署").click()
    expect(page.locator(".alert-success")).to_contain_text("签署成功")
    expect(page.locator("img.signature-img")).to_have_count(1)
    signature = Signature.objects.get(pledge=pledge, role=Signature.Role.PLEDGER)
    assert signature.image and signature.image.read(8) == b"\x89PNG\r\n\x1a\n"
    watched.assert_clean()
    watched.close()


def test_htmx_tree_confirm_dialogs_and_pickers_under_the_policy(browser, live_server, tree, shot):
    committee = UserFactory(username="xianwei", full_name="县委组织部")
    grant(committee, Role.COMMITTEE, tree.county)
    clerk = UserFactory(username="ganshi")
    role = grant(clerk, Role.CLERK, tree.branch_a1)
    watched = Watched(browser, viewport={"width": 1280, "height": 900})
    page = watched.log_in(live_server, "xianwei")

    # htmx: the open root loads its children on load; ＋ on a town loads its branches, － hides them again.
    page.goto(f"{live_server.url}/orgs/")
    toggle = page.get_by_role("button", name=f"展开 {tree.town_a.name}")
    expect(toggle).to_have_text("＋")
    toggle.click()
    expect(toggle).to_have_text("－")
    kids = page.locator(f"#kids-{tree.town_a.pk}")
    expect(kids.get_by_role("link", name=tree.branch_a1.name)).to_be_visible()
    toggle.click()
    expect(toggle).to_have_text("＋")
    expect(kids).to_be_hidden()
    shot(page, "csp-03-tree")

    # data-confirm: dismissing the question keeps the role, accepting revokes it and returns to the page.
    roles_url = f"{live_server.url}/orgs/{tree.town_a.code}/roles/"
    page.goto(roles_url)
    answers = iter([False, True])
    page.on("dialog", lambda d: d.accept() if next(answers) else d.dismiss())
    revoke = page.locator(f"form[action$='/roles/{role.pk}/revoke/'] button")
    revoke.click()
    page.wait_for_timeout(300)
    assert OrganizationUserObjectPermission.objects.filter(pk=role.pk).exists()
    revoke.click()
    expect(page.locator(".alert-success")).to_contain_text("已撤销")
    assert page.url == roles_url
    assert not OrganizationUserObjectPermission.objects.filter(pk=role.pk).exists()

    # data-autosubmit: choosing a period on the review page reloads it for that period.
    page.goto(f"{live_server.url}/orgs/{tree.town_a.code}/reviews/")
    value = page.locator("#f-period option").nth(1).get_attribute("value")
    page.select_option("#f-period", value)
    expect(page).to_have_url(re.compile(rf"period={value}"))
    expect(page.locator("#f-period")).to_have_value(value)

    # The public board (inline SVG QR code) and the public ballot stylesheet.
    page.goto(f"{live_server.url}/gs/{tree.branch_a1.code}/")
    expect(page.locator(".board-qr svg")).to_be_visible()
    watched.assert_clean()
    watched.close()
