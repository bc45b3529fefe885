"""群众评议 and 整改 in the browser: a town committee appraises a branch with printed code slips, thirty people
vote on their phones, the branch rectifies, and a new appraisal closes the rectification."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from evaluations.models import Appraisal, Ballot, Rectification
from tests.browser.pages import log_in
from tests.commitments.conftest import org_pledge_in  # noqa: F401

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}[A-HJ-NP-Z2-9]{4}[A-HJ-NP-Z2-9]{4}[A-HJ-NP-Z2-9]{4}")


def slip_codes(page, live_server, appraisal_id, name):
    """Download the slips as the committee (same session) and read the codes printed on them."""
    response = page.request.get(f"{live_server.url}/appraisals/{appraisal_id}/slips.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join("".join(p.extract_text() for p in reader.pages).split())
    codes = CODE.findall(text)
    assert len(reader.pages) == 3 and len(codes) == 30 and len(set(codes)) == 30
    if shutil.which("pdftoppm"):
        # The first page of the slips as a person would see it printed, next to the screenshots.
        (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(ARTIFACTS / f"{name}.pdf")]
            + [str(ARTIFACTS / name)],
            check=True,
        )
        (ARTIFACTS / f"{name}.pdf").unlink()
    return codes


def vote(phone, live_server, code, overall, *, member=None, reason=""):
    """A participant scans the slip's QR code (its URL carries the code) and votes."""
    phone.goto(f"{live_server.url}/pj/{code}/")
    phone.locator("#overall-question").get_by_text(overall, exact=True).click()
    if reason:
        phone.fill("textarea[name=reason]", reason)
    if member:
        pledge_id, choice = member
        phone.locator(f"#member-{pledge_id}").get_by_text(choice, exact=True).click()
    phone.get_by_role("button", name="提交评议").click()
    expect(phone.locator("#ballot-thanks")).to_contain_text("投票成功，感谢您参与评议")


def test_committee_appraises_a_branch_and_the_rectification_closes_after_a_passing_re_appraisal(
    browser,
    live_server,
    world,
    published,
    org_pledge_in,  # noqa: F811 (the fixture imported above)
    shot,
):
    member_pledge = published(n=2)
    org_pledge_in("published", n=2)
    desk = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}

    # 1. The town committee opens the appraisal of branch A1 with a question on the member's pledge.
    committee_ctx = browser.new_context(**desk)
    committee = log_in(committee_ctx, live_server, "town")
    committee.goto(f"{live_server.url}/appraisals/")
    expect(committee.locator(".empty-state")).to_contain_text("还没有群众评议")
    shot(committee, "appraisal-01-empty-list")
    committee.get_by_role("link", name="组织群众评议").first.click()
    committee.select_option("#id_org", label="甲镇一村党支部（农村）")
    committee.get_by_role("button", name="下一步").click()
    committee.fill("#id_place", "村委会二楼会议室")
    committee.fill("#id_report_text", "上半年兑现承诺事项8件，为民办实事5件，修整村口道路一条。")
    for field, n in (("superior_leaders", 3), ("own_leaders", 5), ("deputies", 4), ("cadres", 8), ("masses", 10)):
        committee.fill(f"#id_planned_{field}", str(n))
    committee.get_by_label("王党员（农民）").check()
    shot(committee, "appraisal-02-open-form")
    committee.get_by_role("button", name="开始评议").click()
    expect(committee.locator("h1")).to_contain_text("评议中")
    appraisal = Appraisal.objects.get()

    # 2. Thirty codes and the slips to print.
    committee.fill("#id_count", "30")
    committee.get_by_role("button", name="生成票码").click()
    expect(committee.locator(".alert-success")).to_contain_text("已生成 30 个票码")
    expect(committee.locator("#slips-link")).to_contain_text("未使用的 30 个")
    shot(committee, "appraisal-03-codes")
    committee.get_by_role("link", name="录入纸质测评表").click()
    expect(committee.locator(".empty-state")).to_contain_text("还没有录入纸质测评表")
    shot(committee, "appraisal-03b-paper-tally-form")
    committee.go_back()
    codes = slip_codes(committee, live_server, appraisal.pk, "appraisal-04-slips-page")

    # 3. Thirty participants vote on their phones: 20 满意, 6 基本满意, 4 不满意.
    phone_ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True)
    phone = phone_ctx.new_page()
    phone.goto(f"{live_server.url}/pj/")
    typed = "-".join(codes[0][i : i + 4] for i in range(0, 16, 4)).lower()
    phone.fill("#id_code", typed)
    shot(phone, "appraisal-05-enter-code-phone")
    phone.get_by_role("button", name="下一步").click()
    expect(phone.locator("h1")).to_contain_text("甲镇一村党支部")
    expect(phone.locator("#org-pledge")).to_contain_text("承诺事项1")
    expect(phone.locator(f"#member-{member_pledge.pk}")).to_contain_text("王党员")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the ballot page scrolls sideways on a phone ({width}px)"
    shot(phone, "appraisal-06-ballot-phone")
    phone.locator("#overall-question").get_by_text("满意", exact=True).click()
    phone.locator(f"#member-{member_pledge.pk}").get_by_text("基本满意", exact=True).click()
    phone.get_by_role("button", name="提交评议").click()
    expect(phone.locator("#ballot-thanks")).to_contain_text("投票成功，感谢您参与评议")
    shot(phone, "appraisal-07-thanks-phone")

    plan = ["满意"] * 19 + ["基本满意"] * 6 + ["不满意"] * 4
    for i, (code, choice) in enumerate(zip(codes[1:], plan, strict=True)):
        if choice == "不满意" and i == 25:
            phone.goto(f"{live_server.url}/pj/{code}/")
            phone.locator("#overall-question").get_by_text("不满意", exact=True).click()
            expect(phone.locator("#reason-box")).to_be_visible()
            phone.fill("textarea[name=reason]", "村口道路修了一半就停了，雨天还是走不了。")
            shot(phone, "appraisal-08-unsatisfied-reason-phone")
            phone.get_by_role("button", name="提交评议").click()
            expect(phone.locator("#ballot-thanks")).to_be_visible()
        else:
            vote(phone, live_server, code, choice, member=(member_pledge.pk, "满意") if i % 5 == 0 else None)

    # One participant tries a code that was already used and is told so.
    phone.goto(f"{live_server.url}/pj/{codes[3]}/")
    expect(phone.locator("#ballot-refused")).to_contain_text("该票码已使用，每个票码只能投一次")
    shot(phone, "appraisal-09-used-code-phone")
    assert Ballot.objects.filter(pledge__isnull=True).count() == 30

    # 4. The committee closes the session: 26 of 30 is 86.7%, below 90%, so a rectification opens.
    committee.reload()
    expect(committee.locator("#participants")).to_have_text("30")
    committee.get_by_role("button", name="结束评议并公布结果").click()
    expect(committee.locator(".alert-warning").first).to_contain_text("满意度 86.7%，低于90%")
    expect(committee.locator("#satisfaction")).to_have_text("86.7%")
    expect(committee.locator("body")).to_contain_text("村口道路修了一半就停了")
    shot(committee, "appraisal-10-closed-below-90")
    rectification = Rectification.objects.get()
    assert rectification.status == Rectification.Status.OPEN

    # 5. The branch secretary files the rectification report.
    branch_ctx = browser.new_context(**desk)
    branch = log_in(branch_ctx, live_server, "shuji")
    branch.goto(f"{live_server.url}/rectifications/")
    expect(branch.locator("#rectification-table")).to_contain_text("待报送整改报告")
    shot(branch, "appraisal-11a-rectification-list")
    branch.get_by_role("link", name="查看").click()
    branch.fill("#id_problems", "村口道路修整只完成一半，群众出行仍不方便；践诺进度没有及时公开。")
    branch.fill("#id_targets", "两个月内完成道路修整，每月公开一次进度。")
    branch.fill("#id_measures", "支部书记牵头，党员分片包干；每周在公开栏通报进度。")
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    branch.fill("#id_deadline", deadline.isoformat())
    shot(branch, "appraisal-11-rectification-report")
    branch.get_by_role("button", name="报送上级审批").click()
    expect(branch.locator("h1")).to_contain_text("待上级审批")

    # 6. The committee approves it.
    committee.goto(f"{live_server.url}/rectifications/{rectification.pk}/")
    committee.locator("label[for^='id_decision']", has_text="同意整改方案").click()
    committee.fill("#id_comment", "同意，请按期完成并公开进度。")
    shot(committee, "appraisal-12-approve")
    committee.get_by_role("button", name="提交审批结果").click()
    expect(committee.locator("h1")).to_contain_text("整改中")

    # 7. The branch reports the work done.
    branch.reload()
    branch.fill("#id_evidence", "道路已全部修整完毕，进度每周在公开栏通报。")
    branch.get_by_role("button", name="报告整改完成").click()
    expect(branch.locator("h1")).to_contain_text("整改完成，待再次评议")

    # 8. The committee opens the re-appraisal from the rectification and votes reach 28 of 30 (93.3%).
    committee.reload()
    committee.get_by_role("link", name="组织再次评议").click()
    expect(committee.locator(".alert-info")).to_contain_text("再次评议")
    committee.fill("#id_place", "村委会二楼会议室")
    # 篇六: 党组织书记要报告 … 践诺等情况 — no closing without it.
    committee.fill("#id_report_text", "整改以来道路已全部修整完毕，进度每周在公开栏通报。")
    committee.get_by_role("button", name="开始评议").click()
    expect(committee.locator("h1")).to_contain_text("整改后再次评议")
    again = Appraisal.objects.get(rectification=rectification)
    committee.fill("#id_count", "30")
    committee.get_by_role("button", name="生成票码").click()
    codes = slip_codes(committee, live_server, again.pk, "appraisal-13-slips-again-page")
    for i, code in enumerate(codes):
        vote(phone, live_server, code, "不满意" if i < 2 else ("基本满意" if i % 4 == 0 else "满意"))

    # 9. Closing at 93.3% closes the rectification.
    committee.reload()
    committee.get_by_role("button", name="结束评议并公布结果").click()
    expect(committee.locator(".alert-success").first).to_contain_text("满意度 93.3%，达到90%")
    expect(committee.locator("#result")).to_contain_text("整改已销号")
    shot(committee, "appraisal-14-re-appraisal-passed")
    committee.get_by_role("link", name="查看整改").click()
    expect(committee.locator("h1")).to_contain_text("已销号")
    shot(committee, "appraisal-15-rectification-closed")
    assert Rectification.objects.get().status == Rectification.Status.CLOSED
    committee.goto(f"{live_server.url}/appraisals/")
    shot(committee, "appraisal-16-list")
    for ctx in (committee_ctx, phone_ctx, branch_ctx):
        ctx.close()
