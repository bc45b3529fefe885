"""Property-based tests: whatever is posted into the main forms, the answer is a page or a redirect, never a server
error, and a refused submission writes nothing (DESIGN §10)."""

import datetime
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from commitments.models import Opinion, PledgeItem
from disclosure.models import SupervisionReport
from evaluations.models import Ballot, BallotCode
from organizations.models import Member
from organizations.validators import validate_phone
from tests.evaluations.conftest_appraisals import open_appraisal  # noqa: F401
from tests.factories import make_id_number

from .strategies import FAST, field, junk, mostly_valid, rolled_back, text, weird

pytestmark = pytest.mark.django_db

FLAGS = ("is_leader", "is_village_cadre", "is_unposted", "is_retired", "is_sanlao", "is_student", "is_teaching_staff")


def _valid_id():
    return st.builds(lambda: make_id_number(datetime.date(1970, 5, 6)))


member_data = mostly_valid(
    {
        "name": field("张三", "欧阳 娜娜", text),
        "gender": field("M", "F"),
        "birth_date": field("1970-05-06"),
        "id_number": field(_valid_id()),
        "phone": field("", "13812345678"),
        "political_status": field("full", "probationary", "activist", "non_party_cadre"),
        "join_date": field("", "1995-07-01"),
        "post": field("", "村民小组长", text),
        "organization": field("ORG"),
        "inflow_organization": field("", "OTHER"),
        "residence_organization": field(""),
        "is_active": field("on"),
        **{flag: field("", "on") for flag in FLAGS},
    }
)


def _member_state():
    return Member.objects.count(), Member.history.count()


@FAST
@given(data=member_data)
@example(
    data={
        "name": "<script>alert(1)</script>",
        "gender": "M",
        "birth_date": "1970-05-06",
        "id_number": "VALID",
        "phone": "13812345678",
        "political_status": "full",
        "join_date": "1995-07-01",
        "post": "党员",
        "organization": "ORG",
        "inflow_organization": "",
        "residence_organization": "",
        "is_active": "on",
    }
)
@example(data={"name": "a\x00b", "gender": "\x00", "id_number": "\x00", "organization": "\x00", "post": "\x00"})
def test_member_form_never_fails_and_never_half_writes(client, world, data):
    client.force_login(world.secretary)
    org = world.tree.branch_a1
    data = {
        k: (str(org.pk) if v == "ORG" else str(world.tree.branch_b1.pk) if v == "OTHER" else v) for k, v in data.items()
    }
    if data["id_number"] == "VALID":
        data["id_number"] = make_id_number(datetime.date(1970, 5, 6))
    with rolled_back():
        before = _member_state()
        response = client.post(reverse("organizations:member_create") + f"?org={org.code}", data)
        assert response.status_code in (200, 302)
        event(f"HTTP {response.status_code}")
        if response.status_code == 302:
            assert _member_state() == (before[0] + 1, before[1] + 1)
            member = Member.objects.order_by("-pk").first()
            member.full_clean()
            assert member.organization_id == org.pk
        else:
            assert _member_state() == before


opinion_data = mostly_valid(
    {
        "received_on": field("2025-03-01", "2025-03-01T00:00"),
        "channel": field("meeting", "box", "online"),
        "source_group": field("masses", "members"),
        "text": field("村口路灯坏了，请修理。", text),
    }
)


@FAST
@given(data=opinion_data)
def test_opinion_form_never_fails_and_never_half_writes(client, world, data):
    client.force_login(world.clerk)
    url = reverse("commitments:opinions", args=[world.tree.branch_a1.code])
    with rolled_back():
        before = Opinion.objects.count(), Opinion.history.count()
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        event(f"HTTP {response.status_code}")
        after = Opinion.objects.count(), Opinion.history.count()
        if response.status_code == 302:
            assert after == (before[0] + 1, before[1] + 1)
            opinion = Opinion.objects.order_by("-pk").first()
            opinion.full_clean()
            assert opinion.text.strip() and opinion.campaign_id == world.campaign.pk
        else:
            assert after == before


def _item(i):
    base = {
        f"items-{i}-id": field(""),
        f"items-{i}-content_area": field("服务农民群众", "带头学习提高"),
        f"items-{i}-content": field(f"承诺事项{i}：每月走访困难户", text),
        f"items-{i}-measures": field("", "每月一次"),
        f"items-{i}-deadline": field("2025-06-30", "2025-12-31"),
        f"items-{i}-responsible_person": field(""),
        f"items-{i}-opinions": field(None, "OPINION"),
        f"items-{i}-DELETE": field(None, None, "on"),
    }
    plain = {f"items-{i}-{name}": field("") for name in ("indicator", "unit", "baseline_value", "target_value")}
    quantified = {
        f"items-{i}-indicator": field("走访户数"),
        f"items-{i}-unit": field("户", ""),
        f"items-{i}-baseline_value": field("", "0", "12.5"),
        f"items-{i}-target_value": field("20", "99999999999.99"),
    }
    return st.one_of(mostly_valid(base | plain, clean=4), mostly_valid(base | quantified, clean=4))


@st.composite
def formset_data(draw):
    n = draw(st.integers(min_value=0, max_value=3))
    # Huge form counts are tried once in an explicit example: a thousand rendered forms take a second each time.
    management = {
        "items-TOTAL_FORMS": field(str(n), str(max(n - 1, 0)), "11"),
        "items-INITIAL_FORMS": field("0"),
        "items-MIN_NUM_FORMS": field("0"),
        "items-MAX_NUM_FORMS": field("10"),
        "then": field("save", "submit"),
    }
    data = draw(mostly_valid(management, bad=st.one_of(text, weird)))
    for i in range(n):
        data.update(draw(_item(i)))
    return data


def _items_of(pledge):
    return list(PledgeItem.objects.filter(pledge=pledge).order_by("position").values_list("position", "content"))


@FAST
@given(data=formset_data())
@example(data={"items-TOTAL_FORMS": "99999999", "items-INITIAL_FORMS": "0", "items-0-content": "x"})
def test_pledge_item_formset_never_fails_and_never_half_writes(client, world, data):
    from commitments import services

    client.force_login(world.member.user)
    with rolled_back():
        member = world.member
        pledge = services.pledge_create_for_member(member=member, organization=member.organization, by=member.user)
        data = {k: (str(world.opinion.pk) if v == "OPINION" else v) for k, v in data.items()}
        before = _items_of(pledge), pledge.status
        response = client.post(reverse("commitments:pledge_edit", args=[pledge.pk]), data)
        assert response.status_code in (200, 302)
        event(f"HTTP {response.status_code}")
        pledge.refresh_from_db()
        items = _items_of(pledge)
        if response.status_code == 302:
            assert 1 <= len(items) <= 10
            assert [p for p, _ in items] == list(range(1, len(items) + 1))
            for item in PledgeItem.objects.filter(pledge=pledge):
                item.full_clean(exclude={"pledge"})
        else:
            assert (items, pledge.status) == before


supervision_data = mostly_valid(
    {
        "kind": field("supervision", "opinion"),
        "item": field("", "ITEM"),
        "text": field("村口的路灯坏了很久了，请尽快修好。", text),
        "name": field("", "王大妈", text),
        "phone": field("", "13812345678", "0730-5212345"),
        "website": field(""),
    }
)


@FAST
@given(data=supervision_data)
@example(data={"kind": "\x00", "item": "\x00", "text": "五个字以上\x00", "name": "\x00", "phone": "\x00"})
def test_supervision_form_never_fails_and_never_half_writes(world, published, data):
    anonymous = Client()
    with rolled_back():
        cache.clear()
        pledge = published()
        item = pledge.items.first()
        data = {k: (str(item.pk) if v == "ITEM" else v) for k, v in data.items()}
        before = SupervisionReport.objects.count()
        response = anonymous.post(reverse("disclosure:supervise", args=[world.tree.branch_a1.code]), data)
        assert response.status_code in (200, 400, 429)
        event(f"HTTP {response.status_code}")
        after = SupervisionReport.objects.count()
        if after == before + 1:
            report = SupervisionReport.objects.get()
            assert response.status_code == 200 and report.tracking_number in response.content.decode()
            assert 5 <= len(report.text) <= 1000 and len(report.name) <= 30
            if report.phone:
                validate_phone(report.phone)
        else:
            assert after == before
    cache.clear()


ballot_data = mostly_valid(
    {
        "overall": field("satisfied", "basically", "unsatisfied"),
        "reason": field("", "道路没有修好", text),
    }
)


@FAST
@given(data=ballot_data, extra=st.dictionaries(st.sampled_from(["pledge_1", "pledge_999999", "pledge_x"]), junk))
def test_ballot_page_never_fails_and_counts_one_vote_or_none(world, open_appraisal, data, extra):  # noqa: F811
    anonymous = Client()
    with rolled_back():
        appraisal = open_appraisal()
        from evaluations.services import appraisals as services

        code = services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=1)[0].code
        response = anonymous.post(reverse("evaluations:ballot_vote", args=[code]), {**data, **extra})
        assert response.status_code in (302, 400, 409)
        event(f"HTTP {response.status_code}")
        used = BallotCode.objects.get(code=code).used_at is not None
        overall = Ballot.objects.filter(code__code=code, pledge__isnull=True).count()
        if response.status_code == 302:
            assert used and overall == 1
        else:
            assert not used and not Ballot.objects.filter(code__code=code).exists()


# NUL characters in addresses are tested on their own below: PostgreSQL refuses them (a known bug).
address_text = st.one_of(text, junk.filter(lambda v: isinstance(v, str))).map(lambda v: v.replace("\x00", ""))


@FAST
@given(code=address_text)
def test_public_pages_with_any_code_in_the_address(db, code):
    anonymous = Client()
    quoted = quote(code, safe="")[:2000] or "x"
    for path in (f"/gs/{quoted}/", f"/pj/{quoted}/", f"/pj/{quoted}/thanks/", f"/gs/{quoted}/qr.png"):
        assert anonymous.get(path).status_code in (200, 302, 404), path
    for path, params in (
        ("/gs/track/", {"number": code}),
        ("/gs/", {"q": code, "page": code}),
        ("/pj/", {"code": code}),
    ):
        assert anonymous.get(path + "?" + urlencode(params)).status_code in (200, 400), path


@FAST
@given(value=address_text)
def test_staff_list_pages_with_any_query_string(client, world, value):
    client.force_login(world.secretary)
    for path, names in (
        (reverse("organizations:members"), ("org", "q", "page", "status", "political_status")),
        (reverse("commitments:ledger"), ("org", "status", "page", "state")),
        (reverse("commitments:opinions", args=["CA1"]), ("status", "page")),
        (reverse("disclosure:print"), ("org",)),
        (reverse("disclosure:inbox", args=["CA1"]), ("status", "page")),
        (reverse("organizations:member_create"), ("org",)),
    ):
        response = client.get(path + "?" + urlencode({n: value for n in names}))
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)


@pytest.mark.parametrize(
    "path, public",
    [
        ("/gs/CA1%00x/", True),
        pytest.param("/gs/CA1%00x/qr.png", True),
        pytest.param("/gs/?q=%00", True),
        ("/gs/track/?number=JD%00", True),
        ("/pj/ABCD%00/", True),
        ("/pj/?code=%00", True),
        pytest.param("/members/?org=CA1%00", False),
        pytest.param("/orgs/CA1%00/", False),
    ],
)
def test_nul_characters_in_the_address(client, world, path, public):
    if not public:
        client.force_login(world.secretary)
    client.raise_request_exception = False
    assert client.get(path).status_code in (200, 302, 400, 404)
