"""A branch secretary fills in the county's 篇十二 statistics form on a phone: the computed blanks are already
filled, a wrong number is refused with the input kept, 保存并上报 asks first, and the form then waits for the
county. No sideways scrolling, no Content-Security-Policy violation."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.permissions import Role
from reporting import services
from reporting.models import ReportSubmission, ReportTemplate
from tests.browser.test_content_security_policy import Watched
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_fills_and_submits_the_statistics_form_on_a_phone(browser, live_server, tree, shot):
    county = UserFactory(username="xianwei")
    grant(county, Role.COMMITTEE, tree.county)
    secretary = UserFactory(username="shuji", full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    today = timezone.localdate()
    issue = services.report_issue(
        template=ReportTemplate.objects.get(code="pian12"),
        organization=tree.county,
        period=str(today.year),
        due_on=today + datetime.timedelta(days=30),
        by=county,
    )

    watched = Watched(browser, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = watched.log_in(live_server, "shuji")
    page.on("dialog", lambda dialog: dialog.accept())

    def no_sideways_scrolling():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} scrolls sideways on a phone ({width}px)"

    page.goto(f"{live_server.url}/orgs/CA1/reports/")
    expect(page.locator("#fill-table")).to_contain_text("创先争优活动有关项目统计")
    no_sideways_scrolling()
    page.locator("#fill-table").get_by_role("link", name="填报").click()
    expect(page.locator("#next-step")).to_contain_text("待甲镇一村党支部填报")
    expect(page.locator("#item-1")).to_contain_text("次理论学习")
    no_sideways_scrolling()

    page.get_by_label("被评为先进的人次").fill("三")
    page.get_by_label("称号").fill("优秀共产党员")
    page.get_by_role("button", name="保存并上报").click()
    expect(page.locator("#form-errors")).to_contain_text("应填写不小于 0 的整数")
    expect(page.get_by_label("称号")).to_have_value("优秀共产党员")
    shot(page, "report-01-refused-phone")

    page.get_by_label("被评为先进的人次").fill("3")
    page.get_by_role("button", name="保存并上报").click()
    expect(page.locator(".alert-success")).to_contain_text("已上报")
    expect(page.locator("#next-step")).to_contain_text("等待中共测试县委审核")
    no_sideways_scrolling()
    shot(page, "report-02-submitted-phone")
    submission = ReportSubmission.objects.get(issue=issue, organization=tree.branch_a1)
    assert submission.status == "submitted" and submission.entered["5-2"] == 3
    watched.assert_clean()
    watched.close()
