"""A branch secretary records an activity on a phone: the kind shows its own measures, ticking members keeps 参加人次
up to date, a wrong date is refused with the input kept, and the saved activity shows with its photo. The pages
run under the Content-Security-Policy without a violation and never scroll sideways."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import Activity
from organizations.permissions import Role
from tests.browser.test_content_security_policy import Watched
from tests.commitments.samples import image_bytes
from tests.factories import MemberFactory, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_records_an_activity_on_a_phone(browser, live_server, tree, tmp_path, shot):
    secretary = UserFactory(username="shuji", full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    for name in ("张建国", "王秀英", "刘德明", "陈小红"):
        MemberFactory(organization=tree.branch_a1, name=name)
    photo = tmp_path / "走访照片.png"
    photo.write_bytes(image_bytes(size=(120, 90)))

    watched = Watched(browser, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = watched.log_in(live_server, "shuji")

    def no_sideways_scrolling():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} scrolls sideways on a phone ({width}px)"

    page.goto(f"{live_server.url}/orgs/CA1/")
    page.locator("main").get_by_role("link", name="活动记实").first.click()
    expect(page.locator("h1")).to_contain_text("活动记实")
    expect(page.locator("body")).to_contain_text("还没有活动记实")
    no_sideways_scrolling()
    shot(page, "activity-01-empty-phone")

    page.locator("main").get_by_role("link", name="记录活动").first.click()
    expect(page.locator("h1")).to_contain_text("记录活动")
    page.wait_for_load_state()  # the page script is at the end of the body: under load it runs after the h1 shows
    page.select_option("#id_kind", label="结对帮扶")
    expect(page.locator("[data-measure=amount] label")).to_have_text("帮扶金额（元）")
    expect(page.locator("[data-measure=beneficiaries] label")).to_have_text("帮扶困难群众（人）")
    page.select_option("#id_kind", label="理论学习")
    expect(page.locator("#activity-measures .activity-measure.d-none")).to_have_count(3)
    page.select_option("#id_kind", label="结对帮扶")
    expect(page.locator("#activity-measures .activity-measure.d-none")).to_have_count(0)

    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    page.fill("#id_held_on", tomorrow.isoformat())
    page.fill("#id_title", "春节走访慰问结对帮扶对象")
    page.fill("#id_description", "带去慰问金和米油。")
    page.fill("#participant-filter", "王")
    page.get_by_label("王秀英").check()
    page.fill("#participant-filter", "")
    page.get_by_label("张建国").check()
    expect(page.locator("#participants-chosen")).to_have_text("已选 2 人")
    expect(page.locator("#id_participants_count")).to_have_value("2")
    page.fill("#id_quantity", "2")
    page.fill("#id_amount", "3000")
    page.fill("#id_beneficiaries", "6")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("活动日期不能晚于今天")
    expect(page.locator("#id_title")).to_have_value("春节走访慰问结对帮扶对象")
    expect(page.get_by_label("王秀英")).to_be_checked()
    no_sideways_scrolling()
    shot(page, "activity-02-refused-phone")
    assert not Activity.objects.exists()

    page.fill("#id_held_on", "2025-01-20")
    page.set_input_files("#id_files", str(photo))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已记录活动“春节走访慰问结对帮扶对象”")
    expect(page.locator("main")).to_contain_text("帮扶金额")
    expect(page.locator("main")).to_contain_text("3000 元")
    expect(page.locator("main")).to_contain_text("王秀英")
    expect(page.get_by_role("link", name="走访照片.png")).to_be_visible()
    thumb = page.locator("img.activity-thumb")
    expect(thumb).to_be_visible()
    # The photo is served privately to whoever may read the register, and shows.
    page.wait_for_function("() => document.querySelector('img.activity-thumb').naturalWidth === 120")
    expect(page.locator(".timeline")).to_contain_text("创建")
    no_sideways_scrolling()
    shot(page, "activity-03-saved-phone")

    page.locator("main").get_by_role("link", name="活动记实").first.click()
    expect(page.locator("#activity-totals")).to_contain_text("3000")
    expect(page.locator("#activity-table")).to_contain_text("2025年1月20日")
    no_sideways_scrolling()
    shot(page, "activity-04-list-phone")

    activity = Activity.objects.get()
    assert activity.participants.count() == 2 and activity.attachments.get().kind == "png"
    watched.assert_clean()
    watched.close()
