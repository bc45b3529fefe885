"""领导点评 in the browser: a branch secretary writes this quarter's 一季一点评 for each member of his branch
(逐一点评) and sees the coverage reach 100%; the member reads his review on a phone; the town committee sees the
roll-up; the secretary drafts the quarter's 通报 and prints it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments import services as commitments
from commitments.models import quarter_of
from evaluations.models import LeaderReview
from evaluations.services.reviews import leader_review_create
from organizations.permissions import Role
from tests.browser.conftest import ARTIFACTS
from tests.browser.pages import log_in
from tests.factories import MemberFactory, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)

GRADES = {"de": "good", "neng": "fairly_good", "qin": "good", "ji": "good", "lian": "good"}


def test_secretary_reviews_every_member_and_coverage_reaches_full(browser, live_server, tree, shot):
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    period = f"{year}Q{quarter}"
    county = UserFactory(username="xianwei", full_name="县委组织部")
    grant(county, Role.COMMITTEE, tree.county)
    commitments.campaign_open(
        organization=tree.county,
        by=county,
        name=f"{today.year}年度公开承诺",
        year=today.year,
        starts_on=datetime.date(today.year, 1, 1),
        sign_deadline=datetime.date(today.year, 3, 31),
        ends_on=datetime.date(today.year, 12, 31),
    )
    town = UserFactory(username="zhenwei", full_name="甲镇党委")
    grant(town, Role.COMMITTEE, tree.town_a)
    town_secretary = UserFactory(username="zhenshuji", full_name="甲镇党委书记")
    grant(town_secretary, Role.SECRETARY, tree.town_a)
    secretary = UserFactory(username="shuji", full_name="李书记")
    secretary_member = MemberFactory(organization=tree.branch_a1, user=secretary, name="李书记", post="党支部书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    names = [("王建国", "村委委员"), ("张秀英", "妇女主任"), ("刘志强", "无职党员")]
    members = [
        MemberFactory(organization=tree.branch_a1, user=UserFactory(username=f"dy{i}"), name=name, post=post)
        for i, (name, post) in enumerate(names)
    ]
    MemberFactory(organization=tree.branch_a1, name="赵大爷", is_exempt=True, post="离退休")
    # The secretary himself is reviewed by the town's secretary, not by himself.
    leader_review_create(
        by=town_secretary,
        member=secretary_member,
        kind="quarterly",
        period=period,
        text="带领支部班子扎实推进承诺事项，工作思路清晰。",
        grades=GRADES,
    )

    # 1. The secretary opens 领导点评 for his branch: 1 of 4 members reviewed this quarter.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sec = log_in(ctx, live_server, "shuji")
    sec.goto(f"{live_server.url}/reviews/")
    expect(sec.locator("h1")).to_contain_text("领导点评 · 甲镇一村党支部")
    expect(sec.locator("#coverage-count")).to_have_text("1/4")
    expect(sec.locator("#coverage-rate")).to_have_text("25.0%")
    expect(sec.locator("tr", has_text="李书记")).to_contain_text("由上级点评")
    expect(sec.locator("tr", has_text="赵大爷")).to_contain_text("免于承诺")
    shot(sec, "review-01-branch-start")

    # 2. The first review misses two grades: the form says which and keeps what was entered.
    sec.locator("tr", has_text="王建国").get_by_role("link", name="点评").click()
    expect(sec.locator("h1")).to_contain_text("点评党员 王建国")
    expect(sec.locator("#id_period")).to_have_value(period)
    sec.check("input[name=de][value=good]")
    sec.check("input[name=neng][value=fairly_good]")
    sec.check("input[name=qin][value=good]")
    sec.fill("#id_text", "带头落实村务公开，执行有力；建议在带领群众增收上多想办法。")
    sec.get_by_role("button", name="保存点评").click()
    expect(sec.locator(".alert-danger")).to_contain_text("尚未评定：绩、廉")
    expect(sec.locator("#id_text")).to_have_value("带头落实村务公开，执行有力；建议在带领群众增收上多想办法。")
    expect(sec.locator("input[name=neng][value=fairly_good]")).to_be_checked()
    shot(sec, "review-02-form-error-keeps-input")
    sec.check("input[name=ji][value=good]")
    sec.check("input[name=lian][value=good]")
    sec.get_by_role("button", name="保存点评").click()
    expect(sec.locator(".alert-success.alert-dismissible")).to_contain_text("已点评王建国")
    expect(sec.locator("#coverage-count")).to_have_text("2/4")
    expect(sec.locator("tr", has_text="王建国")).to_contain_text("已点评")
    shot(sec, "review-03-after-first")

    # 3. The other two, one with a rectification deadline and published on the board.
    for name, text in [
        ("张秀英", "关心妇女儿童工作，服务群众热情周到。"),
        ("刘志强", "参加义务劳动积极，但组织生活参加不够经常，要求限期改进。"),
    ]:
        sec.locator("tr", has_text=name).get_by_role("link", name="点评").click()
        for aspect, grade in GRADES.items():
            sec.check(f"input[name={aspect}][value={grade}]")
        sec.fill("#id_text", text)
        if name == "刘志强":
            sec.check("input[name=qin][value=fair]")
            sec.check("#id_requires_rectification")
            sec.fill("#id_rectify_by", (today + datetime.timedelta(days=30)).isoformat())
            sec.check("#id_publish")
            shot(sec, "review-04-form-rectification")
        sec.get_by_role("button", name="保存点评").click()
        expect(sec.locator(".alert-success.alert-dismissible")).to_contain_text(f"已点评{name}")

    # 4. Coverage is full.
    expect(sec.locator("#coverage-count")).to_have_text("4/4")
    expect(sec.locator("#coverage-rate")).to_have_text("100.0%")
    expect(sec.locator("#coverage-complete")).to_contain_text("已全覆盖")
    expect(sec.locator("#members-table")).not_to_contain_text("未点评")
    shot(sec, "review-05-coverage-full")
    assert (
        LeaderReview.objects.filter(kind="quarterly", period=period, member__organization=tree.branch_a1).count() == 4
    )
    reviewed = LeaderReview.objects.get(member=members[2])
    assert (reviewed.qin, reviewed.requires_rectification, reviewed.is_published) == ("fair", True, True)

    # 5. The history lists them all.
    sec.get_by_role("link", name="点评记录").click()
    expect(sec.locator("#review-list .review-card")).to_have_count(4)
    shot(sec, "review-06-history")

    # 6. A member reads his review on his phone.
    phone_ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True)
    phone = log_in(phone_ctx, live_server, "dy2")
    phone.goto(f"{live_server.url}/reviews/mine/")
    expect(phone.locator("#review-list")).to_contain_text("组织生活参加不够经常")
    expect(phone.locator("#review-list")).to_contain_text("勤：一般")
    shot(phone, "review-07-member-phone")

    # 7. The town committee sees the branch at 100% in its roll-up.
    town_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    committee = log_in(town_ctx, live_server, "zhenwei")
    committee.goto(f"{live_server.url}/orgs/CA/reviews/")
    row = committee.locator("#rollup-table tr", has_text="甲镇一村党支部")
    expect(row).to_contain_text("100.0%")
    shot(committee, "review-08-town-rollup")

    # 8. The secretary drafts this quarter's 通报 from the data and prints it.
    sec.goto(f"{live_server.url}/orgs/CA1/bulletins/")
    sec.select_option("select[name=year]", str(year))
    sec.select_option("select[name=quarter]", str(quarter))
    sec.get_by_role("button", name="根据数据起草通报").click()
    expect(sec.locator("h1")).to_contain_text("修改通报")
    expect(sec.locator("#id_body")).to_have_value(re.compile("应点评党员 4 名，已点评 4 名，覆盖率 100.0%"))
    sec.get_by_role("button", name="保存").click()
    expect(sec.locator("#bulletin-body")).to_contain_text("践诺情况通报如下")
    shot(sec, "review-09-bulletin")
    pdf_url = sec.get_by_role("link", name="打印（PDF）").get_attribute("href")
    response = sec.request.get(f"{live_server.url}{pdf_url}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "review-10-bulletin.pdf").write_bytes(response.body())
    for c in (ctx, phone_ctx, town_ctx):
        c.close()


def test_records_awards_and_grading_pages(browser, live_server, tree, shot):
    """The other 评诺 pages of a branch, looked at once: monthly records, a nomination with proposed
    candidates and its approval, and the 一诺一评 grading list."""
    from evaluations.models import Appraisal
    from tests.evaluations.conftest_reviews import closed_appraisal, quick_pledge

    today = timezone.localdate()
    last_year = today.year - 1
    D = datetime.date
    county = UserFactory(username="xianwei", full_name="县委组织部")
    grant(county, Role.COMMITTEE, tree.county)
    campaign = commitments.campaign_open(
        organization=tree.county,
        by=county,
        name=f"{last_year}年度公开承诺",
        year=last_year,
        starts_on=D(last_year, 1, 1),
        sign_deadline=D(last_year, 3, 31),
        ends_on=D(last_year, 12, 31),
    )
    town = UserFactory(username="zhenwei", full_name="甲镇党委")
    grant(town, Role.COMMITTEE, tree.town_a)
    secretary = UserFactory(username="shuji", full_name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    people = [
        MemberFactory(organization=tree.branch_a1, user=UserFactory(username=f"dy{i}"), name=name, post=post)
        for i, (name, post) in enumerate([("王建国", "村委委员"), ("张秀英", "妇女主任"), ("刘志强", "无职党员")])
    ]
    on_time = [(D(last_year, 5, 31), D(last_year, 5, 20)), (D(last_year, 9, 30), D(last_year, 9, 28))]
    quick_pledge(campaign=campaign, member=people[0], items=on_time)
    quick_pledge(campaign=campaign, member=people[1], items=[*on_time, (D(last_year, 11, 30), None)])
    quick_pledge(campaign=campaign, member=people[2], items=[(D(last_year, 6, 30), D(last_year, 7, 20))])
    closed_appraisal(tree.branch_a1, last_year, "0.9600", by=town, half=2)
    assert Appraisal.objects.count() == 1

    # A member writes this month's record on his phone.
    phone_ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True)
    phone = log_in(phone_ctx, live_server, "dy0")
    phone.goto(f"{live_server.url}/records/mine/")
    phone.fill("#id_text", "本月走访困难户3户，帮助1户办理低保；参加支部主题党日活动。")
    phone.get_by_role("button", name="保存记实").click()
    expect(phone.locator(".alert-success")).to_contain_text("已保存")
    shot(phone, "review-11-record-phone")

    # The secretary sees who is missing and comments.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sec = log_in(ctx, live_server, "shuji")
    sec.goto(f"{live_server.url}/orgs/CA1/records/")
    expect(sec.locator("#missing-records")).to_contain_text("张秀英")
    sec.get_by_label("点评王建国的记实").fill("记实具体，继续发挥村委委员带头作用。")
    sec.get_by_role("button", name="点评").click()
    expect(sec.locator("#record-list")).to_contain_text("书记点评：记实具体")
    shot(sec, "review-12-records-secretary")

    # Nomination with proposed candidates; the town committee approves.
    sec.goto(f"{live_server.url}/orgs/CA1/awards/nominate/")
    expect(sec.locator("#member-candidates")).to_contain_text("王建国")
    expect(sec.locator("#member-candidates")).not_to_contain_text("刘志强")
    shot(sec, "review-13-nominate")
    sec.locator("#member-candidates li", has_text="王建国").get_by_role("link", name="推荐").click()
    expect(sec.locator("#id_citation")).to_have_value(re.compile("全部按期兑现销号"))
    sec.get_by_role("button", name="提交推荐").click()
    expect(sec.locator(".alert-success")).to_contain_text("等待上级党委审批")
    town_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    committee = log_in(town_ctx, live_server, "zhenwei")
    committee.goto(f"{live_server.url}/awards/?tab=pending")
    shot(committee, "review-14-award-pending")
    committee.get_by_role("button", name="批准", exact=True).click()
    committee.goto(f"{live_server.url}/awards/?tab=roll")
    expect(committee.locator("#award-list")).to_contain_text("践诺明星党员")
    shot(committee, "review-15-honour-roll")

    # 一诺一评: the secretary confirms the proposed grades.
    sec.goto(f"{live_server.url}/grading/")
    expect(sec.locator("#grade-table")).to_contain_text("建议评为")
    shot(sec, "review-16-grading")
    sec.locator("#grade-table tr", has_text="张秀英").get_by_role("button", name="确认").click()
    expect(sec.locator(".alert-success")).to_contain_text("张秀英的承诺评为")
    for c in (phone_ctx, ctx, town_ctx):
        c.close()
