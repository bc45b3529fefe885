"""Rectification, award, bulletin and appraisal are state machines (django-fsm) with their history
(django-simple-history): transitions are refused from the wrong state and without permission, the services take
them, and each page shows who did what when."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Award, Bulletin
from evaluations.services import awards as award_services
from evaluations.services import bulletins as bulletin_services
from organizations.audit import timeline
from organizations.errors import DomainError
from organizations.transitions import available, take
from tests.evaluations.conftest_appraisals import *  # noqa: F403
from tests.evaluations.conftest_appraisals import Appraisal, cast, fresh, services

pytestmark = pytest.mark.django_db


def _nominate(world):
    return award_services.award_nominate(
        kind="star_member",
        year=2025,
        occasion="七一",
        member=world.member,
        nominating_organization=world.tree.branch_a1,
        citation="承诺事项全部按期兑现。",
        by=world.secretary,
    )


def _bulletin(world):
    return Bulletin.objects.create(
        organization=world.tree.branch_a1, year=2025, quarter=1, title="通报", body="正文", created_by=world.secretary
    )


def _refused(obj, name, user, error):
    before = (obj.status, obj.history.count())
    with pytest.raises(error):
        take(obj, name, user)
    obj = type(obj).objects.get(pk=obj.pk)
    assert (obj.status, obj.history.count()) == before


# --- refused from the wrong state, and without permission ------------------------------------------------------


def test_rectification_transitions(world, rectification, report):
    _refused(rectification, "approve", world.committee, DomainError)  # not submitted yet
    _refused(rectification, "mark_done", world.secretary, DomainError)
    _refused(rectification, "close", world.committee, DomainError)
    _refused(rectification, "submit", world.committee, PermissionDenied)  # the branch reports, not the committee
    assert available(rectification, world.secretary) == {"submit"}
    assert available(rectification, world.committee) == set()
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    submitted = fresh(rectification)
    _refused(submitted, "approve", world.secretary, PermissionDenied)  # the superior approves
    _refused(submitted, "submit", world.secretary, DomainError)
    assert available(submitted, world.committee) == {"approve", "return_for_changes"}


def test_award_transitions(world):
    award = _nominate(world)
    _refused(award, "approve", world.secretary, PermissionDenied)  # not by the nominating branch
    assert available(award, world.committee) == {"approve", "reject"}
    award_services.award_decide(award=award, by=world.committee, approve=True)
    approved = Award.objects.get(pk=award.pk)
    for name in ("approve", "reject"):
        _refused(approved, name, world.committee, DomainError)
    with pytest.raises(DomainError, match="这项推荐已经已批准，不能再审批"):
        award_services.award_decide(award=approved, by=world.committee, approve=False, comment="重复。")


def test_bulletin_transitions(world, people):
    bulletin = _bulletin(world)
    _refused(bulletin, "publish", people.town_b_committee, PermissionDenied)
    bulletin_services.bulletin_publish(bulletin=bulletin, by=world.secretary)
    published = Bulletin.objects.get(pk=bulletin.pk)
    assert published.status == Bulletin.Status.PUBLISHED and published.published_at
    _refused(published, "publish", world.secretary, DomainError)
    with pytest.raises(DomainError, match="这份通报已经发布"):
        bulletin_services.bulletin_publish(bulletin=published, by=world.secretary)


def test_appraisal_transitions(world, open_appraisal):
    appraisal = open_appraisal()
    _refused(appraisal, "close", world.secretary, PermissionDenied)  # the superior holds the appraisal
    cast(appraisal, satisfied=30)
    services.appraisal_close(appraisal=appraisal, by=world.committee)
    closed = fresh(appraisal)
    assert closed.status == Appraisal.Status.CLOSED and closed.closed_at and closed.is_published
    _refused(closed, "close", world.committee, DomainError)
    with pytest.raises(DomainError, match="该群众评议已经结束"):
        services.appraisal_close(appraisal=closed, by=world.committee)


# --- the history of each, and its page ---------------------------------------------------------------------


def test_a_rectification_records_each_step(world, rectification, report, open_appraisal):
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    services.rectification_return(rectification=rectification, by=world.committee, comment="措施要落实到人。")
    services.rectification_submit(rectification=rectification, by=world.clerk, **report)
    services.rectification_approve(rectification=rectification, by=world.committee, comment="同意。")
    services.rectification_mark_done(rectification=rectification, by=world.secretary, evidence="道路已修好。")
    again = open_appraisal(rectification=rectification)
    cast(again, satisfied=28, unsatisfied=2)
    services.appraisal_close(appraisal=again, by=world.committee)
    steps = [(e.action, e.change, e.note) for e in timeline(fresh(rectification), world.committee)]
    assert steps == [
        ("启动整改", "", "满意度 86.7%，低于90%；“不满意”票占 13.3%，超过 10.0%，群众意见较大"),
        ("报送整改报告", "待报送整改报告 → 待上级审批", ""),
        ("退回修改", "待上级审批 → 退回修改", "措施要落实到人。"),
        ("报送整改报告", "退回修改 → 待上级审批", ""),
        ("同意整改方案", "待上级审批 → 整改中", "同意。"),
        ("报告整改完成", "整改中 → 整改完成，待再次评议", ""),
        ("再次评议达到90%，整改销号", "整改完成，待再次评议 → 已销号", steps[-1][2]),
    ]
    assert "再次评议满意度为 93.3%" in steps[-1][2]
    users = [e.by for e in timeline(fresh(rectification), world.committee)]
    assert users[1] == world.secretary.get_full_name() and users[2] == world.committee.get_full_name()


def test_the_rectification_page_shows_the_timeline_and_the_forms_its_transitions_allow(
    client, world, rectification, report
):
    url = reverse("evaluations:rectification_detail", args=[rectification.pk])
    client.force_login(world.secretary)
    page = client.get(url).content.decode()
    assert "办理过程" in page and "启动整改" in page and 'id="report-form"' in page
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    page = client.get(url).content.decode()
    assert 'id="report-form"' not in page and "报送整改报告" in page and "李书记" in page
    client.force_login(world.committee)
    page = client.get(url).content.decode()
    assert 'id="decision-form"' in page


def test_the_rectification_page_takes_the_same_queries_however_long_its_history(client, world, rectification, report):
    url = reverse("evaluations:rectification_detail", args=[rectification.pk])
    client.force_login(world.committee)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    short = count()
    for _ in range(4):
        services.rectification_return(rectification=rectification, by=world.committee, comment="再改。")
        services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    assert count() == short


def test_the_award_tabs_show_each_nominations_timeline(client, world, run_on_commit):
    award = run_on_commit(_nominate, world)
    client.force_login(world.committee)
    pending = client.get(reverse("evaluations:award_index") + "?tab=pending").content.decode()
    assert "办理过程" in pending and "推荐" in pending and ">批准</button>" in pending
    award_services.award_decide(award=award, by=world.committee, approve=False, comment="事迹不够具体。")
    client.force_login(world.secretary)
    mine = client.get(reverse("evaluations:award_index") + "?tab=mine").content.decode()
    assert "不予批准" in mine and "事迹不够具体。" in mine and "已推荐 → 未批准" in mine


def test_the_bulletin_and_appraisal_pages_show_their_timelines(client, world, open_appraisal):
    bulletin = _bulletin(world)
    client.force_login(world.secretary)
    url = reverse("evaluations:bulletin_detail", args=[bulletin.pk])
    assert "发布到公开栏" in client.get(url).content.decode()
    bulletin_services.bulletin_publish(bulletin=bulletin, by=world.secretary)
    page = client.get(url).content.decode()
    assert "办理过程" in page and "发布" in page and "草稿 → 已发布" in page and "发布到公开栏" not in page

    appraisal = open_appraisal()
    client.force_login(world.committee)
    url = reverse("evaluations:appraisal_detail", args=[appraisal.pk])
    assert "结束评议并公布结果" in client.get(url).content.decode()
    cast(appraisal, satisfied=30)
    services.appraisal_close(appraisal=appraisal, by=world.committee)
    page = client.get(url).content.decode()
    assert "办理过程" in page and "评议中 → 已结束" in page and "满意度 100.0%" in page


def test_public_boards_show_no_timeline(client, world, rectification):
    bulletin = _bulletin(world)
    bulletin_services.bulletin_publish(bulletin=bulletin, by=world.secretary)
    page = client.get(reverse("disclosure:board", args=[world.tree.branch_a1.code])).content.decode()
    assert page and "办理过程" not in page and "修改了" not in page
