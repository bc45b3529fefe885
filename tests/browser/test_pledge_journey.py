"""The whole pledge lifecycle in the browser, as a member and his branch secretary do it."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from commitments import services
from commitments.models import Opinion, Pledge, PledgeItem
from organizations.permissions import Role
from tests.browser.pages import log_in
from tests.factories import PASSWORD, MemberFactory, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)


def photo(path):
    img = Image.new("RGB", (320, 240), "#8fbc8f")
    ImageDraw.Draw(img).rectangle((60, 60, 260, 180), fill="#556b2f")
    buffer = io.BytesIO()
    img.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def fill_item(page, index, area_index, content, measures, deadline):
    page.locator(f"select[name='items-{index}-content_area']").select_option(index=area_index)
    page.fill(f"textarea[name='items-{index}-content']", content)
    page.fill(f"textarea[name='items-{index}-measures']", measures)
    page.fill(f"input[name='items-{index}-deadline']", deadline)


def test_member_and_secretary_take_a_pledge_from_draft_to_ticked_off(browser, live_server, tree, tmp_path, shot):
    today = timezone.localdate()
    county_committee = UserFactory(username="xianwei")
    grant(county_committee, Role.COMMITTEE, tree.county)
    services.campaign_open(
        organization=tree.county,
        by=county_committee,
        name=f"{today.year}年度公开承诺",
        year=today.year,
        starts_on=today - datetime.timedelta(days=30),
        sign_deadline=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
    )
    secretary = UserFactory(username="shuji", full_name="李书记")
    MemberFactory(organization=tree.branch_a1, user=secretary, name="李书记")
    grant(secretary, Role.SECRETARY, tree.branch_a1)
    member_user = UserFactory(username="dangyuan", full_name="王党员")
    MemberFactory(organization=tree.branch_a1, user=member_user, name="王党员")
    services.opinion_create(
        organization=tree.branch_a1,
        by=secretary,
        channel=Opinion.Channel.MEETING,
        source_group=Opinion.SourceGroup.MASSES,
        received_on=today - datetime.timedelta(days=10),
        text="村口道路坑洼，雨天出行不便。",
    )
    deadline = (today + datetime.timedelta(days=120)).isoformat()

    # 1. The member drafts three items, the first answering the opinion, and submits.
    member_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    member = log_in(member_ctx, live_server, "dangyuan")
    member.get_by_role("link", name="我的承诺").first.click()
    member.get_by_role("button", name="起草承诺书").click()
    fill_item(member, 0, 1, "组织党员群众义务修整村口道路", "发动10名党员利用农闲出工", deadline)
    member.locator(".item-form").nth(0).locator("summary", has_text="回应的群众意见").click()
    member.get_by_label("村口道路坑洼，雨天出行不便。").check()
    member.get_by_role("button", name="＋ 添加一项").click()
    fill_item(member, 1, 2, "帮助两户困难群众", "每月上门一次", deadline)
    member.get_by_role("button", name="＋ 添加一项").click()
    fill_item(member, 2, 3, "带头参加村里的环境整治", "每月参加一次义务劳动", deadline)
    shot(member, "pledge-01-draft")
    member.get_by_role("button", name="保存并提交审核").click()
    expect(member.locator(".alert-success")).to_contain_text("已保存并提交审核")
    expect(member.locator("h1")).to_contain_text("待审")
    pledge = Pledge.objects.get(member__user=member_user)
    assert pledge.items.count() == 3 and pledge.items.get(position=1).cited_opinions.count() == 1

    # 2. The secretary returns it with a comment on the second item.
    sec_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sec = log_in(sec_ctx, live_server, "shuji")
    sec.get_by_role("link", name="待办").first.click()
    sec.get_by_role("link", name=re.compile("王党员的承诺书")).click()
    sec.fill(f"input[name='item_{pledge.items.get(position=2).pk}']", "写明帮助的具体内容和户数")
    sec.locator("label[for^='id_decision']", has_text="退回修改").click()
    sec.fill("textarea[name=comment]", "第二项不够具体，请修改后再提交。")
    shot(sec, "pledge-02-review-return")
    sec.get_by_role("button", name="提交审核结果").click()
    expect(sec.locator("h1")).to_contain_text("退回修改")

    # 3. The member sees the comments, edits and resubmits.
    member.reload()
    expect(member.locator(".alert-warning").first).to_contain_text("第二项不够具体")
    member.get_by_role("link", name="修改承诺事项").click()
    member.fill("textarea[name='items-1-content']", "帮助两户困难群众发展养殖，每户增收3000元")
    member.get_by_role("button", name="保存并提交审核").click()
    expect(member.locator("h1")).to_contain_text("待审")

    # 4. The secretary approves with all four checks.
    sec.goto(f"{live_server.url}/pledges/{pledge.pk}/review/")
    for label in ("体现先进性要求", "体现岗位职责特点", "符合群众意愿", "切实可行"):
        sec.get_by_label(label).check()
    sec.locator("label[for^='id_decision']", has_text="审定通过").click()
    sec.get_by_role("button", name="提交审核结果").click()
    expect(sec.locator("h1")).to_contain_text("已审定")

    # 5. The member signs on a phone-width page by drawing on the pad.
    phone_ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True)
    phone = log_in(phone_ctx, live_server, "dangyuan")
    phone.goto(f"{live_server.url}/pledges/{pledge.pk}/")
    phone.get_by_role("link", name="签署承诺书").click()
    # The pad is below the text being signed: bring it into view before drawing on it.
    phone.locator("#signature-pad").scroll_into_view_if_needed()
    box = phone.locator("#signature-pad").bounding_box()
    phone.mouse.move(box["x"] + 30, box["y"] + 120)
    phone.mouse.down()
    for x, y in ((80, 60), (130, 140), (180, 70), (240, 130), (300, 90)):
        phone.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    phone.mouse.up()
    phone.fill("#id_password", PASSWORD)
    shot(phone, "pledge-03-sign-phone")
    phone.get_by_role("button", name="确认签署").click()
    expect(phone.locator(".alert-success")).to_contain_text("签署成功")
    expect(phone.locator("img.signature-img")).to_have_count(1)
    shot(phone, "pledge-04-signed-phone")

    # 6. The secretary countersigns (typing his name) and publishes.
    sec.goto(f"{live_server.url}/pledges/{pledge.pk}/")
    sec.get_by_role("link", name="审定方签署").click()
    sec.fill("#id_typed_name", "李书记")
    sec.fill("#id_password", PASSWORD)
    sec.get_by_role("button", name="确认签署").click()
    expect(sec.locator("h1")).to_contain_text("已签约")
    sec.get_by_role("button", name="公示").click()
    expect(sec.locator("h1")).to_contain_text("已公示")
    shot(sec, "pledge-05-published")

    # 7. The member logs fulfilment with a photo and asks for 销号.
    member.goto(f"{live_server.url}/pledges/{pledge.pk}/")
    first_item = pledge.items.get(position=1)
    member.locator(f"#item-{first_item.pk}").get_by_role("link", name="记录践诺").click()
    member.fill("textarea[name=text]", "组织12名党员修整村口道路200米，群众出行方便了。")
    member.set_input_files("input[name=files]", str(photo(tmp_path / "道路.jpg")))
    member.get_by_role("button", name="保存").click()
    expect(member.locator(f"#item-{first_item.pk} img.evidence-thumb")).to_have_count(1)
    member.locator(f"#item-{first_item.pk}").get_by_role("link", name="申请销号").click()
    member.fill("textarea[name=note]", "道路已修整完毕，群众满意。")
    member.get_by_role("button", name="提交销号申请").click()
    expect(member.locator(f"#item-{first_item.pk}")).to_contain_text("申请销号")
    shot(member, "pledge-06-tick-requested")

    # 8. The secretary confirms from the 销号 queue; the ledger shows the item ticked off.
    sec.goto(f"{live_server.url}/queues/?tab=tick")
    # 确认销号 is offered once the evidence has been opened (issue 14 §5).
    expect(sec.get_by_role("button", name="确认销号")).to_be_hidden()
    sec.get_by_text("查看销号依据").click()
    expect(sec.locator("img.evidence-thumb")).to_have_count(1)
    sec.get_by_role("button", name="确认销号").click()
    expect(sec.locator(".alert-success")).to_contain_text("已确认销号")
    sec.goto(f"{live_server.url}/ledger/?org=CA1")
    row = sec.locator("#ledger-table tr", has_text="组织党员群众义务修整村口道路")
    expect(row).to_contain_text("已销号")
    shot(sec, "pledge-07-ledger")
    assert PledgeItem.objects.get(pk=first_item.pk).state == PledgeItem.State.TICKED_OFF
    for ctx in (member_ctx, sec_ctx, phone_ctx):
        ctx.close()
