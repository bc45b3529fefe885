"""下一步 (issue 14 §6, §7): every page of a pledge says in one line who acts next and by when; the signed text's
fingerprint is short with the full value on demand; items have no fulfilment state before signing; the sign page
reads without doubled punctuation; 季度检查 is offered once a quarter."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from commitments import services
from commitments.models import Campaign, Pledge
from commitments.next_steps import inspection_this_quarter, pledge_next_step
from commitments.templatetags.pledges import clause
from tests.factories import MemberFactory, UserFactory

from .conftest import FULL_CHECKS, STATES, fresh, item

SPRING = datetime.date(2025, 3, 15)  # before the signing deadline (2025年3月31日) and every item's deadline
BY = "（签约截止 2025年3月31日）"

# state → (the member's line, the secretary's line), the member being 王党员 of branch A1 whom the secretary reviews.
EXPECTED = {
    "draft": (
        f"您填写完承诺事项后提交支部书记审核{BY}",
        f"等待王党员填写完承诺事项后提交支部书记审核{BY}",
    ),
    "submitted": (f"等待支部书记审核{BY}", f"请您审核这份承诺书{BY}"),
    "returned": (
        f"您按审核意见修改承诺事项后重新提交审核{BY}",
        f"等待王党员按审核意见修改承诺事项后重新提交审核{BY}",
    ),
    "approved": (
        f"请您签署承诺书，之后由支部书记签字确认{BY}",
        f"等待王党员签署承诺书，之后由您签字确认{BY}",
    ),
    "pledger_signed": (
        f"等待支部书记签字确认，之后在公开栏公示{BY}",
        f"请您作为审定方签字确认，之后在公开栏公示{BY}",
    ),
    "signed": ("等待党组织在公开栏公示，之后按期践诺", "请在公开栏公示这份承诺书，公示后按期践诺"),
    "published": (
        "您按期践诺、每月自查，事项完成后申请销号（最近的完成时限：第1项 2025年6月30日）",
        "王党员按期践诺、每月自查，事项完成后申请销号（最近的完成时限：第1项 2025年6月30日）",
    ),
    "completed": ("全部事项已兑现销号，年终由党组织进行一诺一评",) * 2,
    "superseded": ("无需办理。这是已变更的历史版本，请按当前版本办理。",) * 2,
}


def test_every_state_is_expected():
    assert set(EXPECTED) == set(STATES)


@pytest.mark.parametrize("state", STATES)
def test_each_state_says_who_acts_next(world, pledge_in, state):
    pledge = pledge_in(state, n=2)
    for_member, for_secretary = EXPECTED[state]
    member_line = pledge_next_step(pledge, world.member.user, today=SPRING)
    assert str(member_line) == f"下一步：{for_member}"
    assert not member_line.urgent
    assert pledge_next_step(pledge, world.secretary, today=SPRING).text == for_secretary


def test_without_a_viewer_the_line_names_the_sides(world, pledge_in):
    assert pledge_next_step(pledge_in("pledger_signed"), today=SPRING).text == EXPECTED["pledger_signed"][0]
    assert (
        pledge_next_step(
            pledge_in("submitted", member=MemberFactory(organization=world.tree.branch_a1, user=UserFactory())),
            today=SPRING,
        ).text
        == f"等待支部书记审核{BY}"
    )


def test_the_secretary_s_own_pledge_goes_to_the_superior_committee(world, pledge_in):
    pledge = pledge_in("pledger_signed", member=world.secretary_member)
    assert pledge_next_step(pledge, world.secretary, today=SPRING).text == f"等待上级党委签字确认，之后在公开栏公示{BY}"
    assert pledge_next_step(pledge, world.committee, today=SPRING).text.startswith("请您作为审定方签字确认")


def test_an_organization_s_pledge_is_signed_by_its_secretary_then_by_the_committee(world, org_pledge_in):
    approved = org_pledge_in("approved")
    assert pledge_next_step(approved, world.clerk, today=SPRING).text == (
        f"等待甲镇一村党支部书记签署承诺书，之后由上级党委签字确认{BY}"
    )
    assert (
        pledge_next_step(approved, world.secretary, today=SPRING).text == f"请您签署承诺书，之后由上级党委签字确认{BY}"
    )
    assert pledge_next_step(approved, world.committee, today=SPRING).text.endswith(f"之后由您签字确认{BY}")


def test_an_oral_pledge_needs_only_the_reviewer_s_signature(world, oral_pledge_in):
    draft = oral_pledge_in("draft")
    assert pledge_next_step(draft, world.clerk, today=SPRING).text == (
        f"您照孙大爷的口头承诺录入承诺事项后提交支部书记审核{BY}"
    )
    approved = fresh(draft)
    services.pledge_submit(pledge=approved, by=world.clerk)
    services.pledge_approve(pledge=approved, by=world.secretary, checks=FULL_CHECKS)
    approved = fresh(approved)
    witness = "（口头承诺，见证人周见证，无需承诺人签名）"
    assert pledge_next_step(approved, world.secretary, today=SPRING).text == (
        f"请您作为审定方签字确认{witness}，之后在公开栏公示{BY}"
    )
    assert pledge_next_step(approved, world.clerk, today=SPRING).text == (
        f"等待支部书记签字确认{witness}，之后在公开栏公示{BY}"
    )


def _scan():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("签字页.png", buffer.getvalue(), content_type="image/png")


def test_a_paper_pledge_waits_for_the_branch_to_record_the_signature(world):
    farmer = MemberFactory(organization=world.tree.branch_a1, name="张老汉")
    pledge = services.pledge_create_for_member(
        member=farmer, organization=farmer.organization, by=world.clerk, form=Pledge.Form.PAPER
    )
    services.pledge_update(pledge=pledge, by=world.clerk, items=[item(1)])
    services.pledge_submit(pledge=pledge, by=world.clerk)
    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    pledge = fresh(pledge)
    assert pledge_next_step(pledge, world.clerk, today=SPRING).text == (
        f"请登记张老汉在纸质承诺书上的签字和扫描件，之后由支部书记签字确认{BY}"
    )
    assert pledge_next_step(pledge, farmer.user, today=SPRING).text == (
        f"等待支部登记张老汉的纸质签字，之后由支部书记签字确认{BY}"
    )
    services.pledge_record_paper_signature(
        pledge=pledge, by=world.clerk, scan=_scan(), signed_on=datetime.date(2025, 6, 10)
    )
    pledge = fresh(pledge)
    assert pledge_next_step(pledge, world.clerk, today=SPRING).text == f"等待支部书记签字确认，之后在公开栏公示{BY}"
    assert pledge_next_step(pledge, world.secretary, today=SPRING).text.startswith("请您作为审定方签字确认")


def test_signatures_given_by_the_page_save_the_query(world, pledge_in, django_assert_num_queries):
    pledge = pledge_in("pledger_signed")
    signatures = list(pledge.signatures.all())
    pledge_next_step(pledge, None, signatures=signatures, today=SPRING)  # warm the reviewer's grants
    with django_assert_num_queries(0):
        step = pledge_next_step(pledge, None, signatures=signatures, today=SPRING)
    assert step.text.startswith("等待支部书记签字确认")


def test_a_campaign_publishing_on_signature_says_so(world, pledge_in):
    Campaign.objects.filter(pk=world.campaign.pk).update(auto_publish=True)
    pledge = pledge_in("pledger_signed")
    assert pledge_next_step(pledge, world.member.user, today=SPRING).text == (
        f"等待支部书记签字确认，签字后自动在公开栏公示{BY}"
    )


def test_a_missed_signing_deadline_is_urgent(world, pledge_in):
    step = pledge_next_step(pledge_in("approved"), world.member.user, today=datetime.date(2025, 4, 2))
    assert step.urgent
    assert step.text == "请您签署承诺书，之后由支部书记签字确认（签约截止日 2025年3月31日 已过，请尽快办理）"


def test_an_amended_revision_is_not_held_to_the_signing_deadline(world, pledge_in):
    old = pledge_in("superseded")
    step = pledge_next_step(old.next_revision, world.member.user, today=datetime.date(2025, 7, 1))
    assert not step.urgent and step.text == "您填写完承诺事项后提交支部书记审核"


def test_after_the_campaign_nothing_more_can_be_done_before_signing(world, pledge_in):
    step = pledge_next_step(pledge_in("submitted"), world.member.user, today=datetime.date(2026, 1, 5))
    assert step.urgent and step.text == "无法继续办理：承诺批次已于 2025年12月31日 结束。"


def test_fulfilment_names_overdue_items_and_tick_off_requests(world, pledge_in):
    pledge = pledge_in("published", items=[item(1), item(2, deadline=datetime.date(2025, 9, 30))])
    step = pledge_next_step(pledge, world.member.user, today=datetime.date(2025, 7, 2))
    assert step.urgent
    assert step.text == "请您抓紧践诺：第1项已过完成时限（2025年6月30日），完成后申请销号"
    first = pledge.items.get(position=1)
    services.item_request_tick_off(item=first, by=world.member.user, note="已完成。")
    pledge = fresh(pledge)
    assert pledge_next_step(pledge, world.secretary, today=datetime.date(2025, 7, 2)).text == (
        "请您审核 1 项销号申请（第1项），确认兑现或说明不予销号的原因"
    )
    assert pledge_next_step(pledge, world.member.user, today=datetime.date(2025, 7, 2)).text == (
        "您按期践诺、每月自查，事项完成后申请销号（最近的完成时限：第2项 2025年9月30日）"
    )
    second = pledge.items.get(position=2)
    services.item_request_tick_off(item=second, by=world.member.user, note="也完成了。")
    assert pledge_next_step(fresh(pledge), world.member.user, today=datetime.date(2025, 7, 2)).text == (
        "等待支部书记确认销号（第1项、第2项）"
    )


def test_a_graded_completed_pledge_needs_nothing_more(world, pledge_in):
    pledge = pledge_in("completed")
    Pledge.objects.filter(pk=pledge.pk).update(final_grade="优秀")
    assert pledge_next_step(fresh(pledge), world.member.user).text == (
        "无需办理。全部事项已兑现销号，一诺一评等次为“优秀”。"
    )


# --- the pages -------------------------------------------------------------------------------------------


def test_after_signing_the_member_sees_that_the_secretary_signs_next(client, world, pledge_in):
    pledge = pledge_in("pledger_signed")
    client.force_login(world.member.user)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert 'role="status" id="next-step"' in page
    assert "<strong>下一步：</strong>等待支部书记签字确认，之后在公开栏公示" in page
    assert 'id="countersign-awaited"' in page


def test_the_fingerprint_is_short_with_the_full_value_on_demand(client, world, pledge_in):
    pledge = pledge_in("signed")
    sha = pledge.signatures.get(role="pledger").text_sha256
    client.force_login(world.member.user)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert f'<summary>指纹 <span class="font-monospace">{sha[:8]}</span></summary>' in page
    assert "指纹用于核对承诺书是否被改动" in page
    # The full value sits inside the <details>, after its summary, never as the visible line.
    details = page[page.index('<details class="fingerprint') :]
    assert sha in details[: details.index("</details>")]
    assert "SHA-256：" + sha not in page


def test_the_sign_page_has_the_next_step_a_short_fingerprint_and_no_doubled_punctuation(client, world, pledge_in):
    pledge = pledge_in("approved", items=[item(1, measures="每月走访一次。"), item(2, measures="逐户登记；建立台账。")])
    client.force_login(world.member.user)
    page = client.get(reverse("commitments:pledge_sign", args=[pledge.pk])).content.decode()
    assert "<strong>下一步：</strong>请您签署承诺书，之后由支部书记签字确认" in page
    sha = pledge.text_sha256()
    assert f'<span class="font-monospace">{sha[:8]}</span>' in page
    for doubled in ("。；", "；；", "。。"):
        assert doubled not in page
    assert clause("每月走访一次。 ") == "每月走访一次" and clause("") == ""
    assert "践诺措施：每月走访一次；完成时限：2025年6月30日" in page
    assert "践诺措施：逐户登记；建立台账；完成时限" in page


def test_items_of_a_pledge_not_yet_signed_are_not_under_way(client, world, pledge_in):
    pledge = pledge_in("submitted", n=2)
    client.force_login(world.secretary)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "item-in_progress" not in page and "进行中" not in page
    ledger = client.get(reverse("commitments:ledger") + "?org=CA1").content.decode()
    assert "item-in_progress" not in ledger and "item-not-under-way" in ledger
    signed = pledge_in("published", member=MemberFactory(organization=world.tree.branch_a1, user=UserFactory()))
    page = client.get(signed.get_absolute_url()).content.decode()
    assert "status-badge item-overdue" in page  # signed: its items run (and these are past their deadline)


def test_the_quarterly_inspection_is_offered_once_a_quarter(client, world, pledge_in):
    pledge = pledge_in("published")
    client.force_login(world.secretary)
    inspect_url = reverse("commitments:inspect", args=[pledge.pk])
    assert inspect_url in client.get(pledge.get_absolute_url()).content.decode()
    assert inspection_this_quarter(pledge) is None
    services.inspection_record(pledge=pledge, by=world.secretary, year=2025, quarter=4, passed=True)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert inspect_url not in page
    assert "本季度已检查（通过）" in page
    assert inspection_this_quarter(pledge) is not None
    # Last quarter's inspection does not count for this one.
    assert inspection_this_quarter(pledge, today=datetime.date(2026, 1, 2)) is None


def test_my_pledges_lists_the_next_step_of_each_current_pledge(client, world, pledge_in):
    pledge_in("pledger_signed")
    client.force_login(world.member.user)
    page = client.get(reverse("commitments:my_pledges")).content.decode()
    assert "下一步：等待支部书记签字确认，之后在公开栏公示" in page


def test_the_own_password_page_says_what_to_do_first(client, world, pledge_in):
    pledge = pledge_in("approved")
    user = world.member.user
    type(user).objects.filter(pk=user.pk).update(password_set_by=world.clerk)
    client.force_login(type(user).objects.get(pk=user.pk))
    response = client.get(reverse("commitments:pledge_sign", args=[pledge.pk]))
    assert response.status_code == 403
    assert (
        "<strong>下一步：</strong>您修改密码后，回到这里签署承诺书（签约截止 2025年3月31日）"
        in response.content.decode()
    )
