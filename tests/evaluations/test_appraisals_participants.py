"""群众评议 as 篇六 prescribes it: participants by group (planned and present), the secretary's 述诺 report before
closing, the weights shown with the result, 意见较大 opening 整改, the list of organizations not yet appraised in a
half-year; and the yearly appraisal of a window unit by its 服务对象 (篇五 “三亮三创三评”)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations.errors import DomainError
from organizations.models import Organization
from tests.factories import OrganizationFactory

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import OPEN_DEFAULTS, Appraisal, Rectification, cast, fresh, sector_org, services

pytestmark = pytest.mark.django_db

PRESENT = {
    "attended_superior_leaders": 2,
    "attended_own_leaders": 5,
    "attended_deputies": 3,
    "attended_cadres": 8,
    "attended_masses": 12,
    "attended_service_users": 0,
}


# --- the secretary's report -----------------------------------------------------------------------------------


def test_an_appraisal_cannot_close_without_the_secretarys_report(world, open_appraisal):
    """篇六 “在评议会上，党组织书记要报告……践诺等情况”: no report on record, no closing; nothing changes."""
    appraisal = open_appraisal(report_text="")
    cast(appraisal, satisfied=30)
    with pytest.raises(DomainError, match="书记尚未报告践诺情况"):
        services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert fresh(appraisal).status == Appraisal.Status.OPEN
    services.appraisal_record_report(appraisal=appraisal, by=world.committee, report_text="上半年兑现承诺8件。")
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.status == Appraisal.Status.CLOSED and closed.report_text == "上半年兑现承诺8件。"


def test_the_report_is_recorded_only_by_the_organizer_and_only_while_open(world, open_appraisal):
    """篇六: the appraisal belongs to the superior committee; a branch secretary cannot rewrite the record."""
    from django.core.exceptions import PermissionDenied

    appraisal = open_appraisal(report_text="")
    with pytest.raises(PermissionDenied):
        services.appraisal_record_report(appraisal=appraisal, by=world.secretary, report_text="自己写的")
    with pytest.raises(DomainError):
        services.appraisal_record_report(appraisal=appraisal, by=world.committee, report_text="  ")
    assert fresh(appraisal).report_text == ""


def test_the_page_asks_for_the_report_before_offering_to_close(client, world, open_appraisal):
    appraisal = open_appraisal(report_text="")
    cast(appraisal, satisfied=30)
    client.force_login(world.committee)
    url = reverse("evaluations:appraisal_detail", args=[appraisal.pk])
    page = client.get(url).content.decode()
    assert 'id="close-blocked"' in page and "结束评议并公布结果</button>" not in page
    response = client.post(reverse("evaluations:appraisal_report", args=[appraisal.pk]), {"report_text": "报告全文"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="close-blocked"' not in page and "结束评议并公布结果</button>" in page


# --- participants by group ------------------------------------------------------------------------------------


def test_attendance_is_recorded_by_group_and_shown(client, world, open_appraisal):
    """篇六 names the groups (上一级党组织领导班子成员、本单位领导班子全体成员、两代表一委员、党员干部、基层群众);
    服务对象 join them. The page shows planned and present side by side."""
    appraisal = open_appraisal(planned_service_users=2)
    services.appraisal_record_attendance(appraisal=appraisal, by=world.committee, **PRESENT)
    appraisal = fresh(appraisal)
    assert appraisal.attended_total == 30 and appraisal.planned_total == 32
    assert ("服务对象", 2, 0) in appraisal.participant_rows()
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert '<td>基层群众</td><td class="text-end">10 人</td><td class="text-end">12 人</td>' in page
    assert "30 人" in page and 'id="attendance-warning"' not in page


def test_attendance_below_the_minimum_refuses_to_close(world, open_appraisal):
    """篇六: 乡(镇)和村(社区) 不少于30人 — recorded attendance of 29 refuses the closing, whatever the ballots."""
    appraisal = open_appraisal()
    cast(appraisal, satisfied=30)
    services.appraisal_record_attendance(appraisal=appraisal, by=world.committee, **(PRESENT | {"attended_masses": 11}))
    with pytest.raises(DomainError, match="登记的实到人数合计 29 人"):
        services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert fresh(appraisal).status == Appraisal.Status.OPEN
    services.appraisal_record_attendance(appraisal=appraisal, by=world.committee, **PRESENT)
    assert services.appraisal_close(appraisal=appraisal, by=world.committee).status == Appraisal.Status.CLOSED


def test_private_enterprises_need_twenty(world, open_appraisal):
    """篇六: 非公有制经济组织和新社会组织党组织的不少于20人."""
    org = sector_org(world.tree, Organization.Sector.PRIVATE_ENTERPRISE, "CAP")
    planned = {k: 0 for k in OPEN_DEFAULTS if k.startswith("planned_")}
    with pytest.raises(DomainError, match="不少于 20 人"):
        open_appraisal(org=org, **(planned | {"planned_masses": 19}))
    appraisal = open_appraisal(org=org, **(planned | {"planned_masses": 20}))
    cast(appraisal, satisfied=20)
    services.appraisal_record_attendance(appraisal=appraisal, by=world.committee, attended_masses=20)
    assert services.appraisal_close(appraisal=appraisal, by=world.committee).status == Appraisal.Status.CLOSED


def test_attendance_not_recorded_is_a_warning_not_a_refusal(client, world, open_appraisal):
    """Decision: the valid ballots (which must reach the minimum) stand in for attendance not recorded."""
    appraisal = open_appraisal()
    cast(appraisal, satisfied=30)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.status == Appraisal.Status.CLOSED and closed.attended_total is None
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "尚未登记实到人数，参加人数以有效票计" in page


def test_the_attendance_form_keeps_to_the_organizer(client, world, open_appraisal):
    appraisal = open_appraisal()
    url = reverse("evaluations:appraisal_attendance", args=[appraisal.pk])
    client.force_login(world.secretary)
    client.post(url, PRESENT)
    assert fresh(appraisal).attended_total is None
    client.force_login(world.committee)
    client.post(url, PRESENT)
    assert fresh(appraisal).attended_total == 30


# --- the result: weights and 意见较大 ----------------------------------------------------------------------------


def test_the_result_shows_the_weights_it_was_computed_with(client, world, open_appraisal):
    """篇六 leaves 基本满意's weight to the campaign; the result says which weights were used, as they were."""
    world.campaign.weight_basically = Decimal("0.80")
    world.campaign.save()
    appraisal = open_appraisal()
    cast(appraisal, satisfied=25, basically=5)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.9666")
    assert closed.computed_with["basically"] == "0.80"
    world.campaign.weight_basically = Decimal("0.50")  # changed afterwards: the result keeps its own
    world.campaign.save()
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "满意 ×1、基本满意 ×0.8、不满意 ×0" in page


def test_strong_objection_opens_a_rectification_even_above_ninety_percent(client, world, open_appraisal):
    """篇六 “凡群众评议意见较大、满意度低于90%的党组织” rectify: 不满意 above the campaign's share (here 5%) is
    意见较大, although the satisfaction (93.3%) reaches 90%. The page says why."""
    world.campaign.unsatisfied_threshold = Decimal("0.05")
    world.campaign.save()
    appraisal = open_appraisal()
    cast(appraisal, satisfied=28, unsatisfied=2)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("0.9333") and not closed.below_threshold
    assert closed.strong_objection and closed.passed is False
    rectification = Rectification.objects.get(appraisal=closed)
    assert rectification.source == Rectification.Source.APPRAISAL
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "“不满意”票占 6.7%，超过 5.0%，群众意见较大" in page
    assert "意见较大</span>" in page  # the status badge


def test_at_the_threshold_is_not_yet_a_strong_objection(world, open_appraisal):
    """篇六's 意见较大 is a share *above* the threshold: 3 of 30 at 10% is not."""
    appraisal = open_appraisal()
    cast(appraisal, satisfied=27, unsatisfied=3)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.passed and not Rectification.objects.exists()


def test_a_reappraisal_with_strong_objection_keeps_the_rectification_open(world, done_rectification, open_appraisal):
    world.campaign.unsatisfied_threshold = Decimal("0.05")
    world.campaign.save()
    again = open_appraisal(rectification=done_rectification)
    cast(again, satisfied=28, unsatisfied=2)
    services.appraisal_close(appraisal=again, by=world.committee)
    rectification = fresh(done_rectification)
    assert rectification.status == Rectification.Status.APPROVED
    assert "群众意见较大" in rectification.review_comment


# --- organizations without this half-year's appraisal ------------------------------------------------------------


def test_organizations_without_an_appraisal_this_half_year(
    client, world, open_appraisal, django_assert_max_num_queries
):
    """篇六 “各级党组织每半年要召开一次群众评议会议”: the superior sees who has none yet, by half-year."""
    t = world.tree
    open_appraisal()  # A1, 2025 上半年
    client.force_login(world.committee)
    url = reverse("evaluations:appraisal_missing") + f"?org={t.town_a.code}&year=2025&half=1"
    page = client.get(url).content.decode()
    assert t.branch_a2.name in page and t.branch_a1.name not in page.split('id="missing-table"')[1]
    second_half = client.get(url.replace("half=1", "half=2")).content.decode()
    assert t.branch_a1.name in second_half.split('id="missing-table"')[1]
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(40):
        OrganizationFactory(code=f"CA9{i:02d}", name=f"新建{i}党支部", parent=t.town_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "第 1 / 2 页" in page


def test_the_missing_list_counts_only_half_yearly_appraisals(world):
    from evaluations import selectors

    t = world.tree
    t.branch_a2.is_window_unit = True
    t.branch_a2.save()
    services.appraisal_open(organization=t.branch_a2, by=world.committee, **window_fields())
    missing = selectors.organizations_without_appraisal(org=t.town_a, year=2025, half=1)
    assert t.branch_a2 in missing


# --- window units: the yearly appraisal by 服务对象 (篇五) ----------------------------------------------------------


def window_fields(**extra):
    planned = {k: 0 for k in OPEN_DEFAULTS if k.startswith("planned_")}
    return OPEN_DEFAULTS | planned | {"kind": Appraisal.Kind.WINDOW, "half": 0, "planned_service_users": 30} | extra


@pytest.fixture
def window_unit(world):
    org = OrganizationFactory(
        code="CAW", name="甲镇便民服务中心党支部", sector=Organization.Sector.GOVERNMENT, parent=world.tree.town_a
    )
    org = Organization.objects.get(pk=org.pk)
    org.is_window_unit = True
    org.save()
    return org


def test_a_window_unit_is_appraised_by_its_service_users_once_a_year(world, window_unit):
    """篇五 “每年组织群众代表和服务对象代表对窗口单位和党员履职情况进行一次评议”: codes, paper forms and results
    as for 群众评议."""
    from evaluations.selectors import appraisal_title

    appraisal = services.appraisal_open(organization=window_unit, by=world.committee, **window_fields())
    assert appraisal.kind == Appraisal.Kind.WINDOW and appraisal.half == Appraisal.FULL_YEAR
    assert appraisal_title(appraisal) == "2025年窗口服务对象测评"
    cast(appraisal, satisfied=29, basically=1)
    closed = services.appraisal_close(appraisal=appraisal, by=world.committee)
    assert closed.satisfaction == Decimal("1.0000") and closed.is_published
    with pytest.raises(DomainError, match="每年一次"):
        services.appraisal_open(organization=window_unit, by=world.committee, **window_fields())
    # The half-yearly 群众评议 of the same unit is another thing and still possible.
    services.appraisal_open(organization=window_unit, by=world.committee, **OPEN_DEFAULTS)


def test_only_window_units_and_only_with_service_users(world, window_unit):
    with pytest.raises(DomainError, match="不是窗口单位"):
        services.appraisal_open(organization=world.tree.branch_a1, by=world.committee, **window_fields())
    with pytest.raises(DomainError, match="服务对象"):
        services.appraisal_open(
            organization=window_unit, by=world.committee, **window_fields(planned_service_users=0, planned_masses=30)
        )
    with pytest.raises(ValidationError):
        services.appraisal_open(organization=world.tree.branch_a1, by=world.committee, **(OPEN_DEFAULTS | {"half": 0}))
    assert not Appraisal.objects.exists()


def test_the_form_offers_the_window_appraisal_to_window_units_only(client, world, window_unit):
    client.force_login(world.committee)
    url = reverse("evaluations:appraisal_open")
    assert "窗口服务对象测评" not in client.get(url + "?org=CA1").content.decode()
    page = client.get(url + "?org=CAW&kind=window").content.decode()
    assert "窗口服务对象测评" in page
    data = {k: v for k, v in window_fields().items() if k != "half"} | {"org": "CAW", "held_on": "2025-06-28"}
    response = client.post(url + "?org=CAW", data)
    assert response.status_code == 302, response.content.decode()
    appraisal = Appraisal.objects.get(organization=window_unit)
    assert appraisal.kind == Appraisal.Kind.WINDOW and appraisal.planned_service_users == 30


# --- date defaults inside the campaign (issue 13 §8) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [("2025-06-10T04:00:00Z", datetime.date(2025, 6, 10)), ("2026-12-03T04:00:00Z", datetime.date(2025, 12, 31))],
)
def test_the_appraisal_date_defaults_inside_the_campaign(client, world, time_machine, now, expected):
    """Today when the campaign runs, else its last day: a default never falls outside the round."""
    time_machine.move_to(now, tick=False)
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:appraisal_open") + "?org=CA1").content.decode()
    assert f'value="{expected:%Y-%m-%d}"' in page
    assert f'name="year" value="{expected.year}"' in page
