"""践诺情况通报: drafted from the data with the right numbers, edited, published, printed as PDF."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from commitments.models import Inspection, Pledge, PledgeItem
from evaluations import selectors
from evaluations.bulletin_pdf import bulletin_pdf
from evaluations.models import Bulletin, MonthlyRecord
from evaluations.services import bulletins as services
from organizations.errors import DomainError
from organizations.models import Member
from tests.evaluations.conftest_reviews import *  # noqa: F403
from tests.evaluations.conftest_reviews import inspect, quick_pledge, review
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def quarter_data(world, branch_members):
    """2025 Q3 in branch A1 (see the numbers in the test below) and one pledge in branch A2."""
    t, c, sec = world.tree, world.campaign, world.secretary
    m1, m2, m3 = branch_members(3)
    MemberFactory(organization=t.branch_a1, is_exempt=True)
    star = quick_pledge(
        campaign=c, member=world.member, items=[(D(2025, 8, 31), D(2025, 8, 20)), (D(2025, 9, 30), D(2025, 9, 15))]
    )
    late = quick_pledge(campaign=c, member=m1, items=[(D(2025, 8, 15), None), (D(2025, 12, 31), None)])
    p2 = quick_pledge(campaign=c, member=m2, items=[(D(2025, 7, 31), D(2025, 8, 5))])
    quick_pledge(campaign=c, member=m3, items=[(D(2025, 12, 31), D(2025, 10, 10))], status=Pledge.Status.SIGNED)
    quick_pledge(campaign=c, organization=t.branch_a1, items=[(D(2025, 9, 30), D(2025, 9, 30))])
    other = MemberFactory(organization=t.branch_a2)
    quick_pledge(campaign=c, member=other, items=[(D(2025, 8, 1), None)])
    inspect(star, 2025, 3, passed=True, by=sec)
    inspect(late, 2025, 3, passed=False, by=sec, not_in_place=True, masses_unsatisfied=True)
    inspect(late, 2025, 2, passed=False, by=sec, problem_unsolved=True)
    inspect(p2, 2025, 3, passed=True, by=sec)
    review(reviewer=sec, member=world.member, period="2025Q3")
    review(reviewer=sec, member=m1, period="2025Q3")
    review(reviewer=sec, member=m2, period="2025Q2")
    for member, month in [(world.member, 7), (world.member, 8), (m1, 9), (m2, 10)]:
        MonthlyRecord.objects.create(member=member, month=D(2025, month, 1), text="记实")
    return m1, m2, m3


def test_draft_of_a_branch_has_the_numbers_of_the_quarter(world, quarter_data):
    m1, m2, m3 = quarter_data
    org = world.tree.branch_a1
    b = services.bulletin_draft(organization=org, year=2025, quarter=3, by=world.secretary)
    assert b.title == "甲镇一村党支部2025年第三季度践诺情况通报"
    assert (b.status, b.created_by) == (Bulletin.Status.DRAFT, world.secretary)
    text = b.body
    assert "2025年第三季度（7月1日至9月30日）" in text

    # Independent counts with plain queries.
    due = Member.objects.filter(organization__path__startswith=org.path, is_active=True, is_exempt=False)
    pledged = due.filter(pledges__campaign=world.campaign, pledges__status__in=["signed", "published", "completed"])
    items = PledgeItem.objects.filter(pledge__organization__path__startswith=org.path)
    ticked = items.filter(ticked_off_on__lte=D(2025, 9, 30))
    overdue = items.filter(deadline__lt=D(2025, 9, 30)).exclude(ticked_off_on__lte=D(2025, 9, 30))
    assert (due.count(), pledged.distinct().count(), items.count(), ticked.count(), overdue.count()) == (5, 4, 7, 4, 1)
    assert (
        f"应承诺党员 {due.count()} 名" in text and f"已签约承诺 {pledged.distinct().count()} 名，覆盖率 80.0%" in text
    )
    assert "应承诺党组织 1 个，已签约承诺 1 个，覆盖率 100.0%" in text
    assert f"承诺事项共 {items.count()} 项" in text and f"已兑现销号 {ticked.count()} 项，兑现率 57.1%" in text
    assert "本季度销号 4 项" in text and "本季度到期事项 5 项" in text
    assert f"逾期未销号事项 {overdue.count()} 项：{m1.name}“承诺事项1：为群众办实事”（完成时限2025年8月15日）" in text

    inspections = Inspection.objects.filter(year=2025, quarter=3, pledge__organization__path__startswith=org.path)
    assert inspections.count() == 3
    assert "本季度检查承诺书 3 份，通过 2 份，未通过 1 份（落实不到位 1 份，群众不满意 1 份）" in text
    assert "应点评党员 5 名，已点评 2 名，覆盖率 40.0%" in text
    assert "党员每月记实应填写 15 份，已填写 3 份" in text

    assert (
        f"以下 1 名党员的承诺事项全部按期兑现销号，评为本季度“践诺明星党员”，予以通报表扬：{world.member.name}。"
        in text
    )
    stars_line = next(line for line in text.split("\n") if "践诺明星党员”" in line)
    assert m2.name not in stars_line and m3.name not in stars_line

    assert "1. 还有 1 名党员没有签约承诺" in text
    assert "有 1 项承诺事项逾期未销号" in text and "有 1 份承诺书季度检查未通过" in text
    assert "还有 3 名党员本季度未进行领导点评" in text and "党员每月记实缺 12 份" in text
    assert text.rstrip().endswith(f"甲镇一村党支部\n{selectors.cn_date(timezone.localdate())}")


def test_town_bulletin_covers_its_subtree(world, quarter_data):
    b = services.bulletin_draft(organization=world.tree.town_a, year=2025, quarter=3, by=world.committee)
    assert b.body.startswith("各基层党组织、全体党员：")
    assert "承诺事项共 8 项" in b.body and "逾期未销号事项 2 项" in b.body


def test_a_quarter_without_anything(world):
    b = services.bulletin_draft(organization=world.tree.branch_a1, year=2025, quarter=1, by=world.secretary)
    assert "承诺事项共 0 项" in b.body and "本季度暂无承诺事项全部按期兑现销号的党员" in b.body


def test_no_campaign_no_future_quarter(world):
    with pytest.raises(DomainError) as err:
        services.bulletin_draft(organization=world.tree.branch_a1, year=2024, quarter=4, by=world.secretary)
    assert "没有覆盖" in str(err.value)
    with pytest.raises(DomainError):
        services.bulletin_draft(
            organization=world.tree.branch_a1, year=timezone.localdate().year + 1, quarter=1, by=world.secretary
        )
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("clerk", True),
        ("town_clerk", True),
        ("committee", True),
        ("sibling_secretary", False),
        ("member", False),
        ("outsider", False),
    ],
)
def test_who_may_draft(world, people, who, allowed):
    user = {"clerk": world.clerk, "committee": world.committee, "member": world.member.user}.get(who) or getattr(
        people, who
    )
    if allowed:
        services.bulletin_draft(organization=world.tree.branch_a1, year=2025, quarter=3, by=user)
        assert Bulletin.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.bulletin_draft(organization=world.tree.branch_a1, year=2025, quarter=3, by=user)
        assert not Bulletin.objects.exists()


def test_edit_redraft_and_publish(world, people, quarter_data):
    org = world.tree.branch_a1
    b = services.bulletin_draft(organization=org, year=2025, quarter=3, by=world.secretary)
    with pytest.raises(DomainError) as err:
        services.bulletin_draft(organization=org, year=2025, quarter=3, by=world.secretary)
    assert "已有通报草稿" in str(err.value)
    services.bulletin_update(bulletin=b, by=world.clerk, title="第三季度通报", body="改过的正文")
    with pytest.raises(PermissionDenied):
        services.bulletin_update(bulletin=b, by=people.sibling_secretary, title="x", body="y")
    with pytest.raises(DomainError):
        services.bulletin_update(bulletin=b, by=world.clerk, title="", body="y")
    assert Bulletin.objects.get().body == "改过的正文"
    services.bulletin_draft(organization=org, year=2025, quarter=3, by=world.secretary, replace=True)
    assert "应承诺党员 5 名" in Bulletin.objects.get().body
    with pytest.raises(PermissionDenied):
        services.bulletin_publish(bulletin=b, by=world.member.user)
    services.bulletin_publish(bulletin=b, by=world.secretary)
    b.refresh_from_db()
    assert b.status == Bulletin.Status.PUBLISHED and b.published_at
    for call in (
        lambda: services.bulletin_publish(bulletin=b, by=world.secretary),
        lambda: services.bulletin_update(bulletin=b, by=world.secretary, title="t", body="b"),
        lambda: services.bulletin_draft(organization=org, year=2025, quarter=3, by=world.secretary, replace=True),
    ):
        with pytest.raises(DomainError):
            call()
    assert Bulletin.objects.get().title == b.title


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_has_organization_title_date_and_body(world, quarter_data):
    b = services.bulletin_draft(organization=world.tree.branch_a1, year=2025, quarter=3, by=world.secretary)
    data = bulletin_pdf(b)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)
    text = pdf_text(data).replace(" ", "")
    assert "甲镇一村党支部2025年第三季度践诺情况通报" in text
    assert "草稿（未发布）" in text
    assert "应承诺党员5名" in text and "逾期未销号事项1项" in text and world.member.name in text
    assert "第1页共" in text
    services.bulletin_publish(bulletin=b, by=world.secretary)
    b.refresh_from_db()
    text = pdf_text(bulletin_pdf(b)).replace(" ", "")
    assert "草稿" not in text and selectors.cn_date(timezone.localdate(b.published_at)) in text


@pytest.mark.time_machine("2026-03-31T17:00:00Z")
def test_a_bulletin_published_after_4_pm_utc_carries_the_shanghai_date(world, quarter_data):
    # 17:00 UTC on 31 March is already 01:00 on 1 April in Shanghai: the closing line, the publication date
    # and the print date of the PDF all say 1 April.
    b = services.bulletin_draft(organization=world.tree.branch_a1, year=2025, quarter=3, by=world.secretary)
    assert b.body.endswith("甲镇一村党支部\n2026年4月1日")
    services.bulletin_publish(bulletin=b, by=world.secretary)
    text = pdf_text(bulletin_pdf(Bulletin.objects.get())).replace(" ", "")
    assert "打印日期：2026年4月1日" in text
    assert text.count("2026年4月1日") == 4  # print date on both pages, publication date, closing line
    assert "3月31日" not in text


def test_pdf_of_a_long_body_runs_over_pages(world):
    b = services.bulletin_draft(organization=world.tree.branch_a1, year=2025, quarter=1, by=world.secretary)
    services.bulletin_update(
        bulletin=b, by=world.secretary, title="很长的通报" * 8, body="\n\n".join(["一段较长的正文。" * 30] * 12)
    )
    reader = PdfReader(io.BytesIO(bulletin_pdf(Bulletin.objects.get())))
    assert len(reader.pages) >= 2


def test_pages_draft_edit_publish_and_print(client, world, quarter_data):
    client.force_login(world.secretary)
    index = reverse("evaluations:bulletin_index", args=["CA1"])
    assert "还没有通报" in client.get(index).content.decode()
    response = client.post(reverse("evaluations:bulletin_draft", args=["CA1"]), {"year": 2025, "quarter": 3})
    b = Bulletin.objects.get()
    assert response["Location"] == reverse("evaluations:bulletin_edit", args=[b.pk])
    edit = reverse("evaluations:bulletin_edit", args=[b.pk])
    response = client.post(edit, {"title": "", "body": "新正文"})
    assert response.status_code == 200 and "新正文" in response.content.decode()
    response = client.post(edit, {"title": "新标题", "body": "新正文"})
    assert response.status_code == 302
    pdf = reverse("evaluations:bulletin_pdf", args=[b.pk])
    client.logout()
    assert client.get(pdf).status_code == 404  # a draft is not public
    assert client.get(reverse("evaluations:bulletin_detail", args=[b.pk])).status_code == 302
    client.force_login(world.member.user)
    assert client.get(reverse("evaluations:bulletin_detail", args=[b.pk])).status_code == 404
    client.force_login(world.secretary)
    client.post(reverse("evaluations:bulletin_publish", args=[b.pk]))
    assert Bulletin.objects.get().status == "published"
    client.logout()
    response = client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(world.member.user)
    page = client.get(reverse("evaluations:bulletin_detail", args=[b.pk])).content.decode()
    assert "新正文" in page and "发布到公开栏" not in page


def test_bulletin_list_is_flat(client, world, django_assert_max_num_queries):
    years = iter(range(2000, 2100))

    def add(n):
        for _ in range(n):
            Bulletin.objects.create(
                organization=world.tree.branch_a1,
                year=next(years),
                quarter=1,
                title="通报",
                body="正文",
                created_by=UserFactory(),
            )

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(world.secretary)
    url = reverse("evaluations:bulletin_index", args=["CA1"])
    add(10)
    small = count(url)
    add(40)
    with django_assert_max_num_queries(small):
        client.get(url)


def test_quarter_bounds_and_default_quarter():
    assert selectors.quarter_bounds(2025, 4) == (D(2025, 10, 1), D(2025, 12, 31))
    assert selectors.quarter_bounds(2024, 1) == (D(2024, 1, 1), D(2024, 3, 31))
    assert selectors.default_quarter(D(2026, 11, 26)) == (2026, 3)
    assert selectors.default_quarter(D(2026, 12, 5)) == (2026, 4)
    assert selectors.default_quarter(D(2026, 1, 5)) == (2025, 4)


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        ("2026-02-28T15:59:00Z", (2025, 4)),  # 28 February 23:59 in Shanghai
        ("2026-02-28T16:00:00Z", (2026, 1)),  # 1 March 00:00 in Shanghai: the quarter's last month
        ("2026-12-31T23:30:00Z", (2026, 4)),  # 1 January 2027 in Shanghai
    ],
)
def test_default_quarter_follows_the_shanghai_date(time_machine, utc, expected):
    time_machine.move_to(utc, tick=False)
    assert selectors.default_quarter() == expected


def test_overdue_items_are_named_in_one_order_every_time(world, branch_members):
    """Items that tie on deadline, branch and position are named in the order their pledges were made: the
    text of a 通报 is the same however the database happens to return equal rows (PostgreSQL did not)."""
    members = branch_members(12)
    for member in members:
        quick_pledge(campaign=world.campaign, member=member, items=[(D(2025, 8, 15), None)])
    with timezone.override("Asia/Shanghai"):
        facts = selectors.bulletin_facts(organization=world.tree.branch_a1, year=2025, quarter=3)
    assert facts.overdue == 12
    named = [example.split("“")[0] for example in facts.overdue_examples]
    assert named == [m.name for m in members[: selectors.OVERDUE_LISTED]]
