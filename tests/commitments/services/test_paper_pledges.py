"""Paper pledges (issue 13 §2): a member without a smartphone signs the printed 承诺书 by hand; the branch types it
in, records the signed page, and it is reviewed, signed, published and counted like an online pledge (篇一:
可采取书面承诺、口头承诺等形式; 承诺事项审定后……党支部与党员分别签订《公开承诺书》). Oral pledges stay for the
members the branch marked unable to write (篇四: 对年老体弱、文化程度低的党员……可以只进行口头承诺)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from commitments import selectors, services, signing
from commitments.forms import OnBehalfPledgeForm
from commitments.models import Pledge, Signature
from organizations.errors import DomainError
from tests.factories import PASSWORD, MemberFactory

from ..conftest import FULL_CHECKS, fresh, item, name_of

MID_2025 = datetime.datetime(2025, 6, 15, 10, 0, tzinfo=datetime.UTC)


def scan_png(name="签字页.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def scan_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("签字页.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


@pytest.fixture
def farmer(world):
    """A member of branch A1 without an account (no smartphone)."""
    return MemberFactory(organization=world.tree.branch_a1, name="张老汉")


@pytest.fixture
def paper_pledge_in(world, farmer):
    """A paper pledge of `farmer` entered by the clerk of branch A1, brought to `state`."""

    def make(state="draft", *, member=None, signed_on=datetime.date(2025, 6, 10)):
        member = member or farmer
        pledge = services.pledge_create_for_member(
            member=member, organization=member.organization, by=world.clerk, form=Pledge.Form.PAPER
        )
        services.pledge_update(pledge=pledge, by=world.clerk, items=[item(1), item(2)])
        if state == "draft":
            return fresh(pledge)
        services.pledge_submit(pledge=pledge, by=world.clerk)
        services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
        if state == "approved":
            return fresh(pledge)
        services.pledge_record_paper_signature(pledge=pledge, by=world.clerk, scan=scan_png(), signed_on=signed_on)
        if state == "pledger_signed":
            return fresh(pledge)
        services.pledge_countersign(pledge=pledge, by=world.secretary, password=PASSWORD, typed_name="李书记")
        if state == "signed":
            return fresh(pledge)
        services.pledge_publish(pledge=pledge, by=world.clerk)
        return fresh(pledge)

    return make


def test_a_paper_pledge_is_reviewed_signed_published_and_counted(world, farmer, paper_pledge_in, time_machine):
    """篇一: a pledge signed on paper goes through 审诺、定诺、亮诺 and counts for 全覆盖 like an online one."""
    time_machine.move_to(MID_2025)
    before = selectors.campaign_coverage(world.campaign, world.tree.branch_a1)
    pledge = paper_pledge_in("published", signed_on=datetime.date(2025, 6, 10))
    assert pledge.status == Pledge.Status.PUBLISHED and pledge.form == "paper"
    assert pledge.get_form_display() == "书面（纸质签字）"
    paper = pledge.signatures.get(role=Signature.Role.PLEDGER)
    # The signature says what happened: signed on paper by the member, recorded by the clerk on that day.
    assert paper.method == Signature.Method.PAPER and paper.get_method_display() == "纸质签字"
    assert paper.signer_name == "张老汉" and paper.signer == world.clerk
    assert paper.signed_on == datetime.date(2025, 6, 10) and paper.recorded_at is not None
    assert paper.scan and paper.scan_kind == "png"
    assert signing.check(paper).ok and signing.check(pledge.signatures.get(role="reviewer")).ok
    after = selectors.campaign_coverage(world.campaign, world.tree.branch_a1)
    assert after.members_pledged == before.members_pledged + 1
    assert after.paper == before.paper + 1 and after.oral == before.oral
    assert pledge in selectors.published_pledges(world.campaign)


def test_the_seal_covers_the_scan(world, paper_pledge_in, time_machine):
    """A replaced scan no longer matches the digest under the seal."""
    time_machine.move_to(MID_2025)
    paper = paper_pledge_in("pledger_signed").signatures.get(role="pledger")
    with paper.scan.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\nsomething else")
    assert "纸质承诺书扫描件与登记时不一致" in signing.check(paper).problems


def test_the_scan_is_required(world, paper_pledge_in, time_machine):
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("approved")
    with pytest.raises(ValidationError) as err:
        services.pledge_record_paper_signature(
            pledge=pledge, by=world.clerk, scan=None, signed_on=datetime.date(2025, 6, 1)
        )
    assert "扫描件" in err.value.message_dict["scan"][0]
    assert not fresh(pledge).signatures.exists()


def test_the_scan_must_be_a_photo_or_a_pdf(world, paper_pledge_in, time_machine):
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("approved")
    text = SimpleUploadedFile("签字页.png", b"not an image at all")
    with pytest.raises(ValidationError) as err:
        services.pledge_record_paper_signature(pledge=pledge, by=world.clerk, scan=text, signed_on=MID_2025.date())
    assert "scan" in err.value.message_dict
    services.pledge_record_paper_signature(pledge=pledge, by=world.clerk, scan=scan_pdf(), signed_on=MID_2025.date())
    assert fresh(pledge).signatures.get().scan_kind == "pdf"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.date(2025, 6, 16), "不能晚于今天"),
        (datetime.date(2024, 12, 31), "应在承诺批次的"),
        (None, "请填写"),
    ],
)
def test_the_signing_date_is_not_in_the_future_and_within_the_campaign(
    world, paper_pledge_in, time_machine, day, message
):
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("approved")
    with pytest.raises(ValidationError) as err:
        services.pledge_record_paper_signature(pledge=pledge, by=world.clerk, scan=scan_png(), signed_on=day)
    assert message in err.value.message_dict["signed_on"][0]
    assert fresh(pledge).status == Pledge.Status.APPROVED and not fresh(pledge).signatures.exists()


def test_a_paper_pledge_is_signed_on_paper_not_online(world, farmer, paper_pledge_in, time_machine):
    time_machine.move_to(MID_2025)
    farmer.user = world.member.user  # even were he to have an account, the signature is the paper one
    pledge = paper_pledge_in("approved")
    with pytest.raises((DomainError, PermissionDenied)):
        services.pledge_sign(pledge=pledge, by=world.clerk, password=PASSWORD, typed_name="张老汉")
    assert not fresh(pledge).signatures.exists()


def test_a_member_cannot_enter_a_paper_pledge_for_someone_else(world, farmer):
    with pytest.raises(PermissionDenied, match="纸质签字"):
        services.pledge_create_for_member(
            member=farmer, organization=world.tree.branch_a1, by=world.member.user, form=Pledge.Form.PAPER
        )
    assert not Pledge.objects.filter(member=farmer).exists()


@pytest.mark.parametrize("who", ["sibling_clerk", "sibling_secretary", "town_b_committee"])
def test_an_officer_of_another_branch_cannot_enter_a_paper_pledge(world, people, farmer, who):
    with pytest.raises(PermissionDenied, match="代录党员纸质签字的承诺书"):
        services.pledge_create_for_member(
            member=farmer, organization=world.tree.branch_a1, by=getattr(people, who), form=Pledge.Form.PAPER
        )
    assert not Pledge.objects.filter(member=farmer).exists()


@pytest.mark.parametrize("who", ["sibling_clerk", "member", "committee"])
def test_only_the_branch_records_the_paper_signature(world, people, paper_pledge_in, time_machine, who):
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("approved")
    by = {"sibling_clerk": people.sibling_clerk, "member": world.member.user, "committee": world.committee}[who]
    with pytest.raises(PermissionDenied):
        services.pledge_record_paper_signature(pledge=pledge, by=by, scan=scan_png(), signed_on=MID_2025.date())
    assert fresh(pledge).status == Pledge.Status.APPROVED and not fresh(pledge).signatures.exists()


def test_oral_is_refused_for_a_member_the_branch_has_not_marked(world, farmer):
    """篇四: only members 年老体弱、文化程度低 (marked 不能书写 by the branch) may pledge orally."""
    assert not farmer.unable_to_write
    with pytest.raises(DomainError, match="口头承诺仅限支部标记为“不能书写”"):
        services.pledge_create_for_member(
            member=farmer, organization=world.tree.branch_a1, by=world.clerk, form="oral", witness_name="周见证"
        )
    assert not Pledge.objects.filter(member=farmer).exists()
    farmer.unable_to_write = True
    farmer.save()
    pledge = services.pledge_create_for_member(
        member=farmer, organization=world.tree.branch_a1, by=world.clerk, form="oral", witness_name="周见证"
    )
    assert pledge.is_oral


def test_the_form_refuses_oral_for_a_member_not_marked(farmer):
    form = OnBehalfPledgeForm({"form": "oral", "witness_name": "周见证"}, member=farmer)
    assert not form.is_valid()
    assert "不能书写" in form.errors["form"][0]
    assert OnBehalfPledgeForm({"form": "paper"}, member=farmer).is_valid()


def test_the_page_enters_a_paper_pledge_and_keeps_input_on_error(client, world, farmer):
    client.force_login(world.clerk)
    url = reverse("commitments:pledge_create_oral", args=[farmer.pk])
    page = client.get(url).content.decode()
    assert "书面（纸质签字）" in page and "未标记为“不能书写”" in page
    refused = client.post(url, {"form": "oral", "witness_name": "周见证"}).content.decode()
    assert "口头承诺仅限支部标记为“不能书写”的党员" in refused and 'value="周见证"' in refused
    response = client.post(url, {"form": "paper"})
    pledge = Pledge.objects.get(member=farmer)
    assert pledge.form == "paper" and response.url == reverse("commitments:pledge_edit", args=[pledge.pk])


def test_the_sign_page_records_the_paper_signature(client, world, paper_pledge_in, time_machine):
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("approved")
    client.force_login(world.clerk)
    url = reverse("commitments:pledge_sign", args=[pledge.pk])
    page = client.get(url).content.decode()
    assert "登记纸质签字" in page and 'value="2025-06-15"' in page  # the default date: today, in the campaign
    wrong = client.post(url, {"signed_on": "2025-07-01"}).content.decode()
    assert "签字日期不能晚于今天" in wrong and "请上传党员签字的纸质承诺书扫描件或照片" in wrong
    assert 'value="2025-07-01"' in wrong
    client.post(url, {"signed_on": "2025-06-01", "scan": scan_png()})
    assert fresh(pledge).signatures.get().method == "paper"
    detail = client.get(pledge.get_absolute_url()).content.decode()
    assert "纸质签字（扫描件）" in detail and reverse("commitments:pledge_paper_scan", args=[pledge.pk]) in detail


def test_the_scan_is_seen_by_the_sides_only(client, world, people, farmer, paper_pledge_in, time_machine):
    """The signed page is never public: other members of the branch and strangers get nothing."""
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("published")
    url = reverse("commitments:pledge_paper_scan", args=[pledge.pk])
    for user in (world.clerk, world.secretary, world.committee):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png", user
    for user in (world.member.user, people.sibling_clerk, people.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 302


def test_the_member_sees_his_paper_pledge_and_its_scan(client, world, farmer, paper_pledge_in, time_machine):
    time_machine.move_to(MID_2025)
    from tests.factories import UserFactory

    farmer.user = UserFactory(username="zhanglaohan")
    farmer.save()
    pledge = paper_pledge_in("pledger_signed")
    client.force_login(farmer.user)
    assert client.get(pledge.get_absolute_url()).status_code == 200
    assert client.get(reverse("commitments:pledge_paper_scan", args=[pledge.pk])).status_code == 200


def test_the_clerk_finds_paper_pledges_to_record_in_his_sign_queue(world, people, paper_pledge_in, time_machine):
    time_machine.move_to(MID_2025)
    pledge = paper_pledge_in("approved")
    assert pledge in selectors.sign_queue(world.clerk)
    assert pledge not in selectors.sign_queue(people.sibling_clerk)
    services.pledge_record_paper_signature(pledge=pledge, by=world.clerk, scan=scan_png(), signed_on=MID_2025.date())
    assert pledge not in selectors.sign_queue(world.clerk)
    assert fresh(pledge) in selectors.sign_queue(world.secretary)
    assert name_of(world.secretary) == "李书记"
