"""Pages of the pledge lifecycle: who sees what, forms that keep input, downloads, and flat query counts."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from commitments import services
from commitments.models import Pledge, PledgeItem, Signature
from tests.factories import MemberFactory, UserFactory
from tests.xlsx import xlsx


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def jpeg_upload(name="照片.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_pledge_page_shows_only_the_actions_this_user_may_take(client, world, draft):
    pledge = draft()
    client.force_login(world.member.user)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "提交审核" in page and "修改承诺事项" in page and "审核</a>" not in page
    client.force_login(world.secretary)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "提交审核" not in page and "修改承诺事项" not in page
    services.pledge_submit(pledge=pledge, by=world.member.user)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert reverse("commitments:pledge_review", args=[pledge.pk]) in page


def test_pledge_of_another_branch_is_404(client, world, draft, tree):
    pledge = draft()
    stranger = MemberFactory(organization=tree.branch_b1, user=UserFactory())
    client.force_login(stranger.user)
    assert client.get(pledge.get_absolute_url()).status_code == 404
    assert client.get(reverse("commitments:pledge_edit", args=[pledge.pk])).status_code == 404


def test_colleague_sees_a_published_pledge_but_not_a_draft(client, world, draft, published):
    colleague = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
    client.force_login(colleague.user)
    assert (
        client.get(
            draft(MemberFactory(organization=world.tree.branch_a1, user=UserFactory())).get_absolute_url()
        ).status_code
        == 404
    )
    assert client.get(published().get_absolute_url()).status_code == 200


def test_edit_form_keeps_input_and_shows_item_errors(client, world):
    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    client.force_login(world.member.user)
    data = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        "items-0-content_area": "服务农民群众",
        "items-0-content": "我会写一条很具体的承诺",
        "items-0-deadline": "2030-01-01",
        "then": "save",
    }
    response = client.post(reverse("commitments:pledge_edit", args=[pledge.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "我会写一条很具体的承诺" in page and "完成时限应在" in page
    assert pledge.items.count() == 0


def test_review_form_requires_all_checks_to_approve(client, world, draft):
    pledge = draft()
    services.pledge_submit(pledge=pledge, by=world.member.user)
    client.force_login(world.secretary)
    url = reverse("commitments:pledge_review", args=[pledge.pk])
    page = client.post(url, {"decision": "approve", "reflects_advanced_nature": "on"}).content.decode()
    assert "四项审核要点全部符合" in page
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.SUBMITTED
    page = client.post(url, {"decision": "return"}).content.decode()
    assert "退回修改时请填写审核意见" in page


def test_wrong_password_on_the_sign_page(client, world, draft):
    pledge = draft()
    services.pledge_submit(pledge=pledge, by=world.member.user)
    from tests.commitments.conftest import FULL_CHECKS

    services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    client.force_login(world.member.user)
    url = reverse("commitments:pledge_sign", args=[pledge.pk])
    page = client.post(
        url, {"typed_name": world.member.name, "password": "wrong", "text_sha256": pledge.text_sha256()}
    ).content.decode()
    assert "密码不正确" in page and not Signature.objects.exists()


def test_attachments_download_only_for_those_who_may_see_the_pledge(client, world, published, tree):
    pledge = published()
    item = pledge.items.first()
    log = services.fulfilment_log_add(
        item=item,
        by=world.member.user,
        happened_on=datetime.date(2025, 5, 1),
        text="完成了一部分",
        files=[jpeg_upload()],
    )
    attachment = log.attachments.get()
    url = reverse("commitments:attachment", args=[attachment.pk])
    client.force_login(world.secretary)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    client.force_login(MemberFactory(organization=tree.branch_b1, user=UserFactory()).user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert "/media/" not in attachment.file.url or client.get(attachment.file.url).status_code == 404


def test_log_form_refuses_a_fake_image(client, world, published):
    pledge = published()
    item = pledge.items.first()
    client.force_login(world.member.user)
    fake = SimpleUploadedFile("照片.jpg", b"this is not an image", content_type="image/jpeg")
    page = client.post(
        reverse("commitments:item_log", args=[item.pk]), {"happened_on": "2025-05-01", "text": "完成", "files": [fake]}
    ).content.decode()
    assert "类型不支持" in page and not item.logs.exists()


def test_tick_off_through_the_pages(client, world, published):
    pledge = published()
    item = pledge.items.first()
    client.force_login(world.member.user)
    client.post(reverse("commitments:item_tick", args=[item.pk]), {"note": "已完成"})
    client.force_login(world.secretary)
    assert item.content[:10] in client.get(reverse("commitments:queues") + "?tab=tick").content.decode()
    client.post(reverse("commitments:item_tick_decide", args=[item.pk]), {"decision": "confirm"})
    item.refresh_from_db()
    assert item.state == PledgeItem.State.TICKED_OFF and item.ticked_off_on


def test_notifications_bell_and_mark_read(client, world, draft, django_capture_on_commit_callbacks):
    pledge = draft()
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_submit(pledge=pledge, by=world.member.user)
    client.force_login(world.secretary)
    page = client.get(reverse("home")).content.decode()
    assert 'id="unread-count">1<' in page
    page = client.get(reverse("commitments:notifications")).content.decode()
    assert "王党员提交了承诺书" in page
    client.post(reverse("commitments:notification_read"))
    assert 'id="unread-count"' not in client.get(reverse("home")).content.decode()


def test_opinions_page_and_import(client, world):
    client.force_login(world.clerk)
    url = reverse("commitments:opinions", args=["CA1"])
    response = client.post(
        url, {"received_on": "2025-02-01", "channel": "box", "source_group": "masses", "text": "希望增设路灯"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "希望增设路灯" in page and "村口道路坑洼" in page
    content = xlsx(
        ["征集日期", "征集渠道", "提出人群", "意见建议"],
        [["2025-02-03", "问卷", "群众", "建议开展文艺活动"], ["2025-02-04", "飞鸽", "群众", "渠道不对"]],
    )
    import_url = reverse("organizations:import", args=["CA1", "opinions"])
    page = client.post(import_url, {"file": SimpleUploadedFile("意见.xlsx", content)}).content.decode()
    assert "第 3 行" in page and "飞鸽" in page
    good = xlsx(["征集日期", "征集渠道", "提出人群", "意见建议"], [["2025-02-03", "问卷", "群众", "建议开展文艺活动"]])
    token = client.post(import_url, {"file": SimpleUploadedFile("意见.xlsx", good)}).context["token"]
    client.post(reverse("organizations:import_confirm", args=["CA1", "opinions"]), {"token": token})
    assert "建议开展文艺活动" in client.get(url).content.decode()


def test_verify_signatures_command(world, published, capsys):
    pledge = published()
    call_command("verify_signatures")
    assert "全部与签署时一致" in capsys.readouterr().out
    # Tamper with the signed text behind the application's back.
    PledgeItem.objects.filter(pledge=pledge, position=1).update(content="被篡改的内容")
    with pytest.raises(CommandError, match="不一致"):
        call_command("verify_signatures")


def test_campaign_page_for_the_committee(client, world):
    client.force_login(world.campaign.opened_by)
    page = client.get(reverse("commitments:campaigns")).content.decode()
    assert world.campaign.name in page and "结束批次" in page


@pytest.mark.parametrize("n", [2])
def test_ledger_queues_and_checks_pages_are_flat(client, world, published, draft, n, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            m = MemberFactory(organization=world.tree.branch_a1, user=UserFactory())
            p = published(m)
            services.item_request_tick_off(item=p.items.first(), by=m.user, note="完成")
            services.pledge_submit(
                pledge=draft(MemberFactory(organization=world.tree.branch_a1, user=UserFactory())),
                by=Pledge.objects.filter(status="draft").latest("id").member.user,
            )

    client.force_login(world.secretary)
    urls = [
        reverse("commitments:ledger") + "?org=CA1",
        reverse("commitments:queues") + "?tab=review",
        reverse("commitments:queues") + "?tab=tick",
        reverse("commitments:checks_due", args=["CA1"]),
        reverse("commitments:opinions", args=["CA1"]),
        reverse("commitments:notifications"),
        reverse("home"),
    ]
    add(n)
    small = {u: count_queries(client, u) for u in urls}
    add(8)
    for url in urls:
        with django_assert_max_num_queries(
            small[url],
        ):
            client.get(url)
