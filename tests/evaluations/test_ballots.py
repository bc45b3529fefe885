"""Voting with one-time codes: each code once, only while the session is open, clear messages otherwise;
and the public ballot pages (no login, CSRF protected, nothing unpublished)."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.models import Ballot, BallotCode
from evaluations.selectors import BallotRefused
from organizations.errors import DomainError

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import cast, fresh, services


@pytest.fixture
def session(world, open_appraisal):
    return open_appraisal()


@pytest.fixture
def code(world, session):
    return services.appraisal_generate_codes(appraisal=session, by=world.committee, count=1)[0]


def vote(code, overall="satisfied", **extra):
    return services.ballot_cast(
        code=code.code if hasattr(code, "code") else code, choices={"overall": overall, **extra}
    )


# --- the service ------------------------------------------------------------------------------------------


def test_a_code_votes_once(world, session, code):
    vote(code, "basically")
    assert fresh(code).used_at is not None
    with pytest.raises(BallotRefused, match="已使用") as info:
        vote(code, "unsatisfied")
    assert info.value.reason == "used"
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["basically"]


def test_an_unknown_code_is_refused(world, session, code):
    for raw in ("ABCDEFGHJKLMNPQR", "", "短", code.code[:-1]):
        with pytest.raises(BallotRefused, match="票码不存在"):
            vote(raw)
    assert not Ballot.objects.exists() and fresh(code).used_at is None


def test_a_closed_session_refuses_votes(world, session, code):
    cast(session, satisfied=30)
    services.appraisal_close(appraisal=session, by=world.committee)
    with pytest.raises(BallotRefused, match="评议已结束") as info:
        vote(code)
    assert info.value.reason == "closed"
    assert fresh(code).used_at is None
    assert Ballot.objects.filter(code=code).count() == 0
    assert fresh(session).valid_ballots == 30


def test_codes_are_read_as_people_type_them(world, session, code):
    typed = "-".join(code.code[i : i + 4] for i in range(0, 16, 4)).lower()
    vote(f"  {typed} ")
    assert fresh(code).used_at is not None


def test_a_reason_is_kept_only_with_unsatisfied(world, session):
    a, b = services.appraisal_generate_codes(appraisal=session, by=world.committee, count=2)
    vote(a, "satisfied", reason="不该保存")
    vote(b, "unsatisfied", reason="  路灯坏了没人修  ")
    assert dict(Ballot.objects.values_list("choice", "reason")) == {"satisfied": "", "unsatisfied": "路灯坏了没人修"}


def test_bad_choices_change_nothing(world, session, code):
    with pytest.raises(DomainError, match="总体评价"):
        vote(code, "")
    with pytest.raises(DomainError, match="总体评价"):
        vote(code, "very_good")
    with pytest.raises(DomainError, match="500 字"):
        vote(code, "unsatisfied", reason="差" * 501)
    assert fresh(code).used_at is None and not Ballot.objects.exists()
    vote(code, "unsatisfied", reason="差" * 500)
    assert len(Ballot.objects.get().reason) == 500


def test_member_questions_are_answered_optionally(world, open_appraisal, published):
    pledge = published(n=1)
    other = published(world.secretary_member, n=1)
    session = open_appraisal(member_pledges=[pledge])
    a, b, c = services.appraisal_generate_codes(appraisal=session, by=world.committee, count=3)
    vote(a, pledges={pledge.pk: "unsatisfied"})
    vote(b, pledges={str(pledge.pk): ""})  # left unanswered
    with pytest.raises(DomainError, match="不在本次评议之列"):
        vote(c, pledges={other.pk: "satisfied"})
    with pytest.raises(DomainError, match="只能是满意"):
        vote(c, pledges={pledge.pk: "great"})
    assert fresh(c).used_at is None
    assert Ballot.objects.filter(pledge=pledge).count() == 1
    assert Ballot.objects.filter(pledge__isnull=True).count() == 2


def test_the_database_refuses_a_second_overall_ballot_for_a_code(world, session, code):
    from django.db import IntegrityError, transaction

    vote(code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(appraisal=session, code=code, choice="unsatisfied")


# --- the public pages -------------------------------------------------------------------------------------


@pytest.fixture
def public():
    return Client(enforce_csrf_checks=True)


def _csrf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return response, client.cookies["csrftoken"].value


def test_the_ballot_page_shows_published_pledges_and_takes_a_vote(
    world, open_appraisal, published, org_pledge_in, pledge_in, public
):
    pledge = published(n=2)
    org_pledge_in("published", n=1)
    unpublished = pledge_in("signed", member=world.secretary_member)
    session = open_appraisal(member_pledges=[pledge])
    code = services.appraisal_generate_codes(appraisal=session, by=world.committee, count=1)[0]
    url = reverse("evaluations:ballot_vote", args=[code.code])
    response, token = _csrf(public, url)
    page = response.content.decode()
    assert "甲镇一村党支部" in page and "2025年上半年群众评议" in page
    assert "党组织的公开承诺" in page and "承诺事项1" in page
    assert "王党员" in page and "党员逐人测评" in page
    assert unpublished.member.name not in page  # signed, not yet published
    assert world.member.id_number not in page and world.member.phone not in page
    response = public.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "overall": "unsatisfied",
            "reason": "进度慢",
            f"pledge_{pledge.pk}": "basically",
        },
    )
    assert response.status_code == 302
    thanks = public.get(response["Location"])
    assert "投票成功，感谢您参与评议" in thanks.content.decode()
    assert set(Ballot.objects.values_list("pledge_id", "choice", "reason")) == {
        (None, "unsatisfied", "进度慢"),
        (pledge.pk, "basically", ""),
    }
    again = public.get(url)
    assert "该票码已使用，每个票码只能投一次" in again.content.decode()


def test_the_ballot_form_needs_the_csrf_token(world, session, code, public):
    response = public.post(reverse("evaluations:ballot_vote", args=[code.code]), {"overall": "satisfied"})
    assert response.status_code == 403
    assert fresh(code).used_at is None


def test_a_missing_choice_keeps_the_input(world, session, code, public):
    url = reverse("evaluations:ballot_vote", args=[code.code])
    _, token = _csrf(public, url)
    response = public.post(url, {"csrfmiddlewaretoken": token, "reason": "我的意见"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择总体评价" in page and "我的意见" in page
    assert fresh(code).used_at is None


def test_entry_page_and_messages_for_bad_codes(world, session, code, public):
    assert public.get(reverse("evaluations:ballot")).status_code == 200
    entered = public.get(reverse("evaluations:ballot"), {"code": code.code.lower()})
    assert entered.status_code == 302 and entered["Location"] == reverse("evaluations:ballot_vote", args=[code.code])
    short = public.get(reverse("evaluations:ballot"), {"code": "ABC"})
    assert "16 位" in short.content.decode()
    unknown = public.get(reverse("evaluations:ballot_vote", args=["ABCDEFGHJKLMNPQR"]))
    assert unknown.status_code == 404 and "票码不存在" in unknown.content.decode()
    cast(session, satisfied=30)
    services.appraisal_close(appraisal=session, by=world.committee)
    closed = public.get(reverse("evaluations:ballot_vote", args=[code.code]))
    assert "评议已结束" in closed.content.decode() and "公开栏" in closed.content.decode()


def test_a_vote_posted_after_the_code_was_used_elsewhere_gets_the_message(world, session, code, public):
    url = reverse("evaluations:ballot_vote", args=[code.code])
    _, token = _csrf(public, url)
    vote(code)  # the same code, from another phone, a moment earlier
    response = public.post(url, {"csrfmiddlewaretoken": token, "overall": "satisfied"})
    assert response.status_code in (200, 409)
    assert "已使用" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_the_thanks_page_of_an_unused_code_leads_back_to_the_ballot(world, session, code, public):
    response = public.get(reverse("evaluations:ballot_thanks", args=[code.code]))
    assert response.status_code == 302
    assert BallotCode.objects.get().used_at is None
