"""Results in public (issue 13 §7, 篇六: 评议结果要通过一定形式向群众通报; 一诺一评) and the board of a member who
also pledged at his residence community (§1, 篇四: 在职党员到社区报到)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments import services as pledge_services
from commitments.models import Pledge
from disclosure import services
from disclosure.models import BoardSetting
from evaluations.models import Appraisal, Ballot, BallotCode, PaperTally
from organizations.models import Member, Organization
from tests.commitments.conftest import item
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

DURING = "2025-06-15T10:00:00+08:00"
AFTER = "2026-01-05T10:00:00+08:00"  # the 2025 campaign ended on 2025-12-31


def appraise(world, pledge, *, satisfied=0, basically=0, unsatisfied=0, paper=None, published=True, closed=True):
    """A half-year appraisal of branch A1 where `pledge` was one of the members' questions."""
    appraisal = Appraisal.objects.create(
        organization=world.tree.branch_a1,
        campaign=world.campaign,
        year=2025,
        half=1,
        held_on=datetime.date(2025, 6, 20),
        place="村委会",
        created_by=world.committee,
        status=Appraisal.Status.CLOSED if closed else Appraisal.Status.OPEN,
        is_published=published,
    )
    appraisal.member_questions.add(pledge)
    for choice, n in (("satisfied", satisfied), ("basically", basically), ("unsatisfied", unsatisfied)):
        for _ in range(n):
            code = BallotCode.objects.create(appraisal=appraisal)
            Ballot.objects.create(appraisal=appraisal, code=code, pledge=pledge, choice=choice)
    if paper:
        PaperTally.objects.create(appraisal=appraisal, pledge=pledge, entered_by=world.secretary, **paper)
    return appraisal


def board(client, code="CA1"):
    return client.get(reverse("disclosure:board", args=[code])).content.decode()


def test_results_appear_automatically_once_the_campaign_has_ended(client, world, published, time_machine):
    """自动 (the default): the grades and the members' appraisal results are public after ends_on, no job needed."""
    time_machine.move_to(DURING)
    pledge = published()
    Pledge.objects.filter(pk=pledge.pk).update(final_grade="优秀")
    appraise(world, pledge, satisfied=8, basically=1, unsatisfied=1, paper={"satisfied": 10, "valid_forms": 10})
    page = board(client)
    assert "一诺一评：" not in page and "结束后（2025年12月31日）在这里公布" in page
    time_machine.move_to(AFTER)
    page = board(client)
    assert "一诺一评：" in page and "优秀" in page
    assert "满意 18、基本满意 1、不满意 1，满意度 <strong>95.0%</strong>" in page


def test_the_secretary_may_show_results_early_or_hide_them(client, world, published, time_machine):
    time_machine.move_to(DURING)
    pledge = published()
    Pledge.objects.filter(pk=pledge.pk).update(final_grade="良好")
    services.board_setting_update(organization=world.tree.branch_a1, by=world.secretary, show_results="show")
    assert "良好" in board(client) and "未参加群众评议" in board(client)
    services.board_setting_update(organization=world.tree.branch_a1, by=world.secretary, show_results="hide")
    time_machine.move_to(AFTER)
    page = board(client)
    assert "良好" not in page and "一诺一评：" not in page and "在这里公布" not in page


def test_only_closed_published_appraisals_count(client, world, published, time_machine):
    time_machine.move_to(DURING)
    pledge = published()
    time_machine.move_to(AFTER)
    appraise(world, pledge, satisfied=3)
    appraise(world, pledge, unsatisfied=5, published=False)
    appraise(world, pledge, unsatisfied=7, closed=False)
    page = board(client)
    assert "满意 3、基本满意 0、不满意 0，满意度 <strong>100.0%</strong>" in page


def test_results_show_no_personal_data(client, world, published, time_machine):
    time_machine.move_to(DURING)
    pledge = published()
    time_machine.move_to(AFTER)
    appraise(world, pledge, satisfied=2, unsatisfied=1)
    Ballot.objects.filter(choice="unsatisfied").update(reason="张三说他没有兑现")
    page = board(client)
    member = pledge.member
    assert member.id_number not in page and member.phone not in page
    assert "张三说他没有兑现" not in page  # reasons are for the organization, not the public board


def test_board_with_results_keeps_a_flat_query_count(
    client, world, published, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(DURING)
    appraise(world, published(), satisfied=2)
    url = reverse("disclosure:board", args=["CA1"])
    time_machine.move_to(AFTER)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    time_machine.move_to(DURING)
    more = [published(MemberFactory(organization=world.tree.branch_a1, user=UserFactory())) for _ in range(5)]
    time_machine.move_to(AFTER)
    for n, pledge in enumerate(more):
        Pledge.objects.filter(pk=pledge.pk).update(final_grade="一般")
        appraise(world, pledge, satisfied=n, basically=1)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("一诺一评：") == 6


def test_the_secretary_sets_the_board_on_its_page(client, world, time_machine):
    time_machine.move_to(DURING)
    url = reverse("disclosure:board_setting", args=["CA1"])
    client.force_login(world.secretary)
    page = client.get(url).content.decode()
    assert "自动（批次结束后公布）" in page and "将于 2025年12月31日 批次结束后自动公布" in page
    assert client.post(url, {"show_results": "hide", "campaign": ""}).status_code == 302
    assert BoardSetting.objects.get(organization=world.tree.branch_a1).show_results == "hide"
    client.post(url, {"show_results": "everything", "campaign": ""})
    assert BoardSetting.objects.get(organization=world.tree.branch_a1).show_results == "hide"
    client.force_login(world.member.user)
    assert client.post(url, {"show_results": "show"}).status_code == 403
    assert BoardSetting.objects.get(organization=world.tree.branch_a1).show_results == "hide"


def test_results_shown_reads_the_end_date_at_page_time():
    setting = BoardSetting()
    campaign = type("C", (), {"ends_on": datetime.date(2025, 12, 31), "status": "open"})()
    assert not setting.results_shown(campaign, today=datetime.date(2025, 12, 31))
    assert setting.results_shown(campaign, today=datetime.date(2026, 1, 1))
    assert not setting.results_shown(None)


# --- §1: the residence community's pledge on the branch's board (篇四) ---------------------------------------


@pytest.fixture
def community(world):
    return OrganizationFactory(
        parent=world.tree.town_a,
        level=Organization.Level.BRANCH,
        sector=Organization.Sector.COMMUNITY,
        name="幸福社区党支部",
        code="CAS",
    )


def residence_pledge(world, community, member):
    member.residence_organization = community
    member.save()
    pledge = pledge_services.pledge_create_for_member(member=member, organization=community, by=member.user)
    pledge_services.pledge_update(
        pledge=pledge,
        by=member.user,
        items=[item(1, content_area="参与文明创建和志愿服务", content="每月参加一次社区环境整治志愿服务")],
    )
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.PUBLISHED, published_at=timezone.now())
    return Pledge.objects.get(pk=pledge.pk)


def test_the_community_pledge_also_shows_on_the_branch_board(client, world, published, community, time_machine):
    """篇四: 在职党员到社区报到 — his second pledge shows on both boards, marked on his branch's."""
    time_machine.move_to(DURING)
    published()
    residence_pledge(world, community, world.member)
    page = board(client)
    assert "每月参加一次社区环境整治志愿服务" in page
    assert "在居住地社区作出的承诺（幸福社区党支部）" in page
    assert "党员承诺（1 人）" in page  # one member, two pledges
    first, second = page.index("承诺事项1：帮助困难群众"), page.index("每月参加一次社区环境整治志愿服务")
    assert first < second  # his community pledge follows his branch pledge
    community_page = board(client, "CAS")
    assert "每月参加一次社区环境整治志愿服务" in community_page and "在居住地社区作出的承诺" not in community_page


def test_the_member_of_two_boards_counts_once_in_coverage(client, world, published, community, time_machine):
    time_machine.move_to(DURING)
    published()
    residence_pledge(world, community, world.member)
    obliged = Member.objects.obliged().filter(organization__path__startswith=world.tree.town_a.path).count()
    page = board(client, "CA")
    assert f"（1/{obliged}）" in page


def test_the_board_shows_volunteers_apart(client, world, published, time_machine):
    """篇一: 入党积极分子、非党干部 may pledge; the board counts them apart from the members expected to pledge."""
    time_machine.move_to(DURING)
    activist = MemberFactory(
        organization=world.tree.branch_a1,
        user=UserFactory(),
        political_status=Member.PoliticalStatus.ACTIVIST,
        join_date=None,
    )
    published(activist)
    page = board(client)
    obliged = Member.objects.obliged().filter(organization=world.tree.branch_a1).count()
    assert f"（0/{obliged}）" in page
    assert "另有入党积极分子、非党干部 1 名自愿参加，已签约 1 名" in page
