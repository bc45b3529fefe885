"""Staff pages of 群众评议 and 整改: who sees and does what, forms that keep their input, flat query counts."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import BallotCode, PaperTally

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import OPEN_DEFAULTS, Appraisal, Rectification, cast, fresh, services


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _closed_appraisals(world, n, start=0):
    """`n` closed sessions written directly (the list only reads them), every third with a rectification."""
    orgs = [world.tree.branch_a1, world.tree.branch_a2]
    for i in range(start, start + n):
        a = Appraisal.objects.create(
            organization=orgs[i % 2],
            campaign=world.campaign,
            year=2000 + i,
            half=1,
            held_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            place="会议室",
            created_by=world.committee,
            status=Appraisal.Status.CLOSED,
            valid_ballots=30,
            satisfied=25,
            unsatisfied=5,
            satisfaction=Decimal("0.8333"),
            is_published=True,
        )
        if i % 3 == 0:
            Rectification.objects.create(
                organization=a.organization, source=Rectification.Source.APPRAISAL, appraisal=a
            )
            Rectification.objects.create(organization=a.organization, member=world.member, source="leader_review")


def test_list_pages_do_not_grow_with_their_rows(client, world, open_appraisal, django_assert_max_num_queries):
    open_appraisal()  # one live session too: its progress comes from subqueries
    client.force_login(world.committee)
    urls = [
        reverse("evaluations:appraisals"),
        reverse("evaluations:appraisals") + "?status=closed&result=failed",
        reverse("evaluations:rectifications"),
        reverse("evaluations:rectifications") + "?status=active",
    ]
    _closed_appraisals(world, 10)
    small = {url: _count(client, url) for url in urls}
    _closed_appraisals(world, 40, start=10)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_session_detail_and_ballot_page_do_not_grow_with_members(
    client, world, open_appraisal, pledge_in, django_assert_max_num_queries
):
    from tests.factories import MemberFactory, UserFactory

    def members(n):
        return [
            pledge_in("published", member=MemberFactory(organization=world.tree.branch_a1, user=UserFactory()), n=2)
            for _ in range(n)
        ]

    first = members(2)
    appraisal = open_appraisal(member_pledges=first)
    code = services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=1)[0].code
    client.force_login(world.committee)
    detail = reverse("evaluations:appraisal_detail", args=[appraisal.pk])
    ballot = reverse("evaluations:ballot_vote", args=[code])
    small = {detail: _count(client, detail), ballot: _count(client, ballot)}
    appraisal.member_questions.add(*members(6))
    for url in (detail, ballot):
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_the_list_filters_and_says_when_it_is_empty(client, world, failed_appraisal, people):
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:appraisals")).content.decode()
    assert "甲镇一村党支部" in page and "86.7%" in page and "待报送整改报告" in page
    empty = client.get(reverse("evaluations:appraisals"), {"result": "passed"}).content.decode()
    assert "没有符合条件的群众评议" in empty
    client.force_login(people.town_b_committee)
    page = client.get(reverse("evaluations:appraisals")).content.decode()
    assert "还没有群众评议" in page and "甲镇一村党支部" not in page
    assert client.get(reverse("evaluations:appraisals"), {"org": "CA"}).status_code == 404


def test_the_committee_opens_a_session_through_the_form(client, world, published):
    pledge = published(n=1)
    client.force_login(world.committee)
    pick = client.get(reverse("evaluations:appraisal_open")).content.decode()
    assert "甲镇一村党支部" in pick and "甲镇二村党支部" in pick and "乙镇一村党支部" not in pick
    url = reverse("evaluations:appraisal_open") + "?org=CA1"
    form = client.get(url).content.decode()
    assert "王党员" in form and "不少于 <strong>30</strong> 人" in form
    data = {k: v for k, v in OPEN_DEFAULTS.items()} | {"org": "CA1", "planned_masses": 2, "place": "村部二楼"}
    data["held_on"] = "2025-06-28"
    refused = client.post(url, data)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "计划参加评议的人数合计 22 人" in text and "村部二楼" in text  # the input stays
    assert not Appraisal.objects.exists()
    data |= {"planned_masses": 10, "member_pledges": [pledge.pk]}
    response = client.post(url, data)
    appraisal = Appraisal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluations:appraisal_detail", args=[appraisal.pk]
    )
    assert list(appraisal.member_questions.all()) == [pledge] and appraisal.place == "村部二楼"


def test_a_branch_cannot_open_sessions_or_see_their_codes(client, world, open_appraisal):
    appraisal = open_appraisal()
    services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=5)
    client.force_login(world.secretary)
    assert client.get(reverse("evaluations:appraisal_open")).status_code == 403
    assert client.get(reverse("evaluations:appraisal_open") + "?org=CA1").status_code == 403
    page = client.get(reverse("evaluations:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "参加评议进度" in page and "生成票码</button>" not in page and "结束评议并公布结果" not in page
    for code in BallotCode.objects.values_list("code", flat=True):
        assert code not in page
    assert client.get(reverse("evaluations:appraisal_slips", args=[appraisal.pk])).status_code == 403
    assert client.get(reverse("evaluations:appraisal_tally", args=[appraisal.pk])).status_code == 403
    client.post(reverse("evaluations:appraisal_codes", args=[appraisal.pk]), {"count": 10})
    client.post(reverse("evaluations:appraisal_close", args=[appraisal.pk]))
    assert BallotCode.objects.count() == 5 and fresh(appraisal).status == Appraisal.Status.OPEN


def test_other_subtrees_and_anonymous_users_see_nothing(client, world, people, failed_appraisal, rectification):
    urls = [
        reverse("evaluations:appraisal_detail", args=[failed_appraisal.pk]),
        reverse("evaluations:rectification_detail", args=[rectification.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(people.town_b_committee)
    for url in urls:
        assert client.get(url).status_code == 404


def test_codes_slips_paper_tally_and_close_through_the_pages(client, world, open_appraisal):
    appraisal = open_appraisal()
    client.force_login(world.committee)
    detail = reverse("evaluations:appraisal_detail", args=[appraisal.pk])
    client.post(reverse("evaluations:appraisal_codes", args=[appraisal.pk]), {"count": 501})
    assert BallotCode.objects.count() == 0
    response = client.post(reverse("evaluations:appraisal_codes", args=[appraisal.pk]), {"count": 12}, follow=True)
    assert "已生成 12 个票码" in response.content.decode()
    slips = client.get(reverse("evaluations:appraisal_slips", args=[appraisal.pk]))
    assert slips["Content-Type"] == "application/pdf" and slips.content.startswith(b"%PDF")
    tally_url = reverse("evaluations:appraisal_tally", args=[appraisal.pk])
    bad = client.post(
        tally_url,
        {
            "question": "overall",
            "satisfied": 10,
            "basically_satisfied": 2,
            "unsatisfied": 1,
            "valid_forms": 14,
            "invalid_forms": 1,
        },
    )
    assert bad.status_code == 400 and "应等于有效表数 14" in bad.content.decode()
    ok = client.post(
        tally_url,
        {
            "question": "overall",
            "satisfied": 15,
            "basically_satisfied": 2,
            "unsatisfied": 1,
            "valid_forms": 18,
            "invalid_forms": 1,
        },
    )
    assert ok.status_code == 302 and PaperTally.objects.get().valid_forms == 18
    refused = client.post(reverse("evaluations:appraisal_close", args=[appraisal.pk]), follow=True).content.decode()
    assert "还差 12 人" in refused and fresh(appraisal).status == Appraisal.Status.OPEN
    for code in BallotCode.objects.all():
        services.ballot_cast(code=code.code, choices={"overall": "satisfied"})
    page = client.get(detail).content.decode()
    assert "已达到最低人数" in page
    closed = client.post(reverse("evaluations:appraisal_close", args=[appraisal.pk]), follow=True).content.decode()
    assert "满意度 96.7%，达到90%" in closed  # (15 + 2 + 12) / 30
    assert "已在公开栏公布" in closed


def test_closing_below_ninety_percent_points_to_the_new_rectification(client, world, open_appraisal):
    appraisal = open_appraisal()
    cast(appraisal, satisfied=20, basically=6, unsatisfied=4, reason="村口路灯不亮")
    client.force_login(world.committee)
    page = client.post(reverse("evaluations:appraisal_close", args=[appraisal.pk]), follow=True).content.decode()
    assert "满意度 86.7%，低于90%" in page and "已自动启动整改" in page
    assert "村口路灯不亮" in page
    rectification = Rectification.objects.get()
    assert reverse("evaluations:rectification_detail", args=[rectification.pk]) in page


def test_the_rectification_pages_take_each_side_through_the_loop(client, world, people, rectification):
    url = reverse("evaluations:rectification_detail", args=[rectification.pk])
    client.force_login(world.secretary)
    page = client.get(url).content.decode()
    assert "报送整改报告" in page and "提交审批结果" not in page
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    bad = client.post(
        reverse("evaluations:rectification_submit", args=[rectification.pk]),
        {"problems": "道路没修好", "targets": "", "measures": "书记牵头", "deadline": deadline},
    )
    assert bad.status_code == 400 and "道路没修好" in bad.content.decode()
    assert fresh(rectification).status == Rectification.Status.OPEN
    client.post(
        reverse("evaluations:rectification_submit", args=[rectification.pk]),
        {"problems": "道路没修好", "targets": "两个月修好", "measures": "书记牵头", "deadline": deadline},
    )
    assert fresh(rectification).status == Rectification.Status.SUBMITTED
    assert (
        client.post(
            reverse("evaluations:rectification_decide", args=[rectification.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    assert fresh(rectification).status == Rectification.Status.SUBMITTED

    client.force_login(world.committee)
    page = client.get(url).content.decode()
    assert "审批整改报告" in page and "道路没修好" in page
    no_comment = client.post(
        reverse("evaluations:rectification_decide", args=[rectification.pk]), {"decision": "return"}
    )
    assert no_comment.status_code == 400 and "审批意见" in no_comment.content.decode()
    client.post(reverse("evaluations:rectification_decide", args=[rectification.pk]), {"decision": "approve"})
    assert fresh(rectification).status == Rectification.Status.APPROVED

    client.force_login(world.clerk)
    client.post(reverse("evaluations:rectification_done", args=[rectification.pk]), {"evidence": "已修好"})
    assert fresh(rectification).status == Rectification.Status.DONE

    client.force_login(world.committee)
    page = client.get(url).content.decode()
    link = reverse("evaluations:appraisal_open") + f"?rectification={rectification.pk}"
    assert "组织再次评议" in page and link in page
    form = client.get(link).content.decode()
    assert "再次评议" in form and "甲镇一村党支部" in form
    data = OPEN_DEFAULTS | {"rectification": rectification.pk, "held_on": "2025-07-20", "half": 2}
    response = client.post(reverse("evaluations:appraisal_open"), data)
    assert response.status_code == 302
    assert Appraisal.objects.get(rectification=rectification).half == 2

    client.force_login(people.sibling_secretary)
    assert client.get(url).status_code == 404
