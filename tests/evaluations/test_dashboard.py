"""统计 dashboard: indicators against the previous period, the sortable table, charts' data, the 统计表 files,
access both ways, flat query counts."""

import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluations.models import Tally
from evaluations.statistics import tally_build
from evaluations.stats_exports import statistics_pdf, statistics_xlsx
from tests.evaluations import conftest_stats
from tests.evaluations.conftest_stats import add_children

stats_world = conftest_stats.stats_world

URL = reverse("evaluations:dashboard")


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_committee_sees_the_indicators_compared_with_the_previous_period(client, stats_world):
    response = get(client, stats_world.county_committee, org="C", period="2025Q3")
    assert response.status_code == 200
    text = response.content.decode()
    assert "统计分析 · 中共测试县委" in text
    assert "2025年第三季度（2025年7月1日至2025年9月30日）" in text and "2025年第二季度" in text
    for label in ("党员承诺覆盖率", "承诺兑现率", "平均满意度", "逾期未销号", "收集整理群众反映的问题和意见建议"):
        assert label in text
    # Both periods are stored as snapshots, built on demand.
    assert set(Tally.objects.values_list("organization__code", "period")) == {("C", "2025Q3"), ("C", "2025Q2")}
    current = Tally.objects.get(period="2025Q3").indicators
    cards = {c["key"]: c for c in response.context["cards"]}
    assert cards["member_coverage"]["value"] == f"{current['member_coverage'] * 100:.1f}%"
    assert cards["member_coverage"]["change"].endswith("个百分点") or cards["member_coverage"]["change"] == "持平"
    rows = {r["key"]: r for s in response.context["sections"] for r in s["rows"]}
    assert rows["members_pledged"]["value"] == str(current["members_pledged"])
    assert rows["members_pledged"]["form_item"] == "第2项"


def test_the_charts_get_their_data(client, stats_world):
    response = get(client, stats_world.county_committee, org="C", period="2025Q3")
    text = response.content.decode()
    for chart in ("chart-fulfilment", "chart-coverage", "chart-satisfaction", "chart-ballots"):
        assert f'id="{chart}"' in text
    assert "vendor/echarts/echarts.min.js" in text
    data = json.loads(re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', text, re.S)[1])
    assert data["fulfilment"]["months"][:2] == ["1月", "2月"] and len(data["fulfilment"]["months"]) == 9
    assert data["coverage"]["names"] == ["甲镇党委", "乙镇党委"]
    assert sum(data["satisfaction"]["counts"]) == 3
    assert [b["name"] for b in data["ballots"]] == ["满意", "基本满意", "不满意"]


@pytest.mark.parametrize(
    "direction, expected",
    [("desc", ["甲镇一村党支部", "甲镇二村党支部"]), ("asc", ["甲镇二村党支部", "甲镇一村党支部"])],
)
def test_the_subordinate_organizations_sort_by_satisfaction(client, stats_world, direction, expected):
    # A1 has a satisfaction (93.33%), A2 none: with a figure first, then without, whatever the direction.
    response = get(client, stats_world.town_committee, org="CA", period="2025Q3", sort="satisfaction", dir=direction)
    names = [c["name"] for c in response.context["children"]]
    assert names == ["甲镇一村党支部", "甲镇二村党支部"]
    response = get(client, stats_world.town_committee, org="CA", period="2025Q3", sort="coverage", dir=direction)
    coverage = [c["coverage"] for c in response.context["children"]]
    assert coverage == sorted(coverage, reverse=direction == "desc")
    assert [c["name"] for c in response.context["children"]] == expected


def test_the_sort_links_toggle_the_direction(client, stats_world):
    response = get(client, stats_world.town_committee, org="CA", period="2025Q3", sort="coverage", dir="desc")
    links = response.context["sort_links"]
    assert "sort=coverage&dir=asc" in links["coverage"] and "sort=fulfilment_rate&dir=desc" in links["fulfilment_rate"]


def test_a_bad_period_falls_back_with_a_chinese_message(client, stats_world):
    response = get(client, stats_world.county_committee, org="C", period="2025Q9")
    assert response.status_code == 200
    assert "统计期间“2025Q9”无法识别" in response.content.decode()
    assert response.context["period"].kind == "quarter"


def test_the_period_choices_and_organization_choices(client, stats_world):
    response = get(client, stats_world.county_committee, period="2025Q3")
    assert response.context["org"].code == "C"  # his own organization by default
    codes = [o["code"] for o in response.context["org_choices"]]
    assert codes == ["C", "CA", "CB"]  # organizations with subordinates (branches are reached by the table)
    labels = [v for g in response.context["period_groups"] for v, _ in g["options"]]
    assert "2025Q3" in labels and "2025-07" in labels and "2025H2" in labels and "2025" in labels


def test_the_secretary_sees_his_branch(client, stats_world):
    response = get(client, stats_world.secretary, period="2025Q3")
    assert response.status_code == 200
    assert response.context["org"].code == "CA1"
    assert response.context["children"] == []
    assert "没有下级党组织" in response.content.decode()


@pytest.mark.parametrize(
    "who, params, status",
    [
        ("outsider", {}, 403),
        ("member_user", {}, 403),
        ("member_user", {"org": "CA1"}, 403),
        ("town_b_committee", {"org": "CA"}, 404),
        ("secretary", {"org": "CA"}, 404),
        ("secretary", {"org": "C"}, 404),
    ],
)
def test_others_cannot_read_the_statistics(client, stats_world, who, params, status):
    response = get(client, getattr(stats_world, who), period="2025Q3", **params)
    assert response.status_code == status
    client.force_login(getattr(stats_world, who))
    assert client.get(reverse("evaluations:dashboard_xlsx"), {"period": "2025Q3", **params}).status_code == status
    assert client.get(reverse("evaluations:dashboard_pdf"), {"period": "2025Q3", **params}).status_code == status
    assert not Tally.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_refresh_builds_the_snapshot_again(client, stats_world):
    get(client, stats_world.county_committee, org="C", period="2025Q3")
    before = Tally.objects.get(organization__code="C", period="2025Q3").computed_at
    response = client.post(reverse("evaluations:dashboard_refresh"), {"org": "C", "period": "2025Q3"}, follow=True)
    assert "已重新统计“中共测试县委”2025年第三季度的数据" in response.content.decode()
    assert Tally.objects.get(organization__code="C", period="2025Q3").computed_at > before
    client.force_login(stats_world.outsider)
    assert client.post(reverse("evaluations:dashboard_refresh"), {"org": "C", "period": "2025Q3"}).status_code == 404


# --- the 统计表 files ----------------------------------------------------------------------------------


def test_the_xlsx_has_chinese_headers_and_the_snapshot_values(client, stats_world):
    client.force_login(stats_world.county_committee)
    response = client.get(reverse("evaluations:dashboard_xlsx"), {"org": "C", "period": "2025Q3"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["统计表", "下级党组织", "逐月践诺", "统计说明"]
    ws = wb["统计表"]
    assert [c.value for c in ws[1]] == ["类别", "指标", "单位", "本期", "上期", "增减", "对应项目"]
    assert ws.freeze_panes == "A2"
    current = Tally.objects.get(period="2025Q3").indicators
    previous = Tally.objects.get(period="2025Q2").indicators
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["作出公开承诺的党员"][3:5] == (current["members_pledged"], previous["members_pledged"])
    assert rows["作出公开承诺的党员"][6] == "第2项"
    assert rows["党员承诺覆盖率"][3] == pytest.approx(current["member_coverage"])
    children = wb["下级党组织"]
    assert [c.value for c in children[1]][:3] == ["党组织代码", "党组织", "党组织数"]
    assert [r[1] for r in children.iter_rows(min_row=2, values_only=True)] == ["甲镇党委", "乙镇党委"]
    assert [c.value for c in wb["逐月践诺"][1]] == ["月份", "已签约事项", "累计销号", "当月销号", "累计兑现率"]


def test_the_xlsx_changes_are_signed_numbers_not_text(stats_world):
    current = tally_build(org=stats_world.tree.county, period="2025Q3")
    previous = tally_build(org=stats_world.tree.county, period="2025Q2")
    ws = load_workbook(io.BytesIO(statistics_xlsx(tally=current, previous=previous)))["统计表"]
    cells = {row[1].value: row[5] for row in ws.iter_rows(min_row=2)}
    now, then = current.indicators, previous.indicators
    count = cells["作出公开承诺的党员"]
    assert count.value == now["members_pledged"] - then["members_pledged"]
    assert count.data_type == "n" and count.number_format.startswith("+") and "-" in count.number_format
    rate = cells["党员承诺覆盖率"]
    assert rate.value == pytest.approx(round((now["member_coverage"] - then["member_coverage"]) * 100, 1))
    assert rate.data_type == "n" and "个百分点" in rate.number_format
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells.values())


def test_the_xlsx_neutralises_formula_like_names(stats_world):
    org = stats_world.tree.town_a
    type(org).objects.filter(pk=org.pk).update(name="=HYPERLINK(1)")
    tally = tally_build(org=stats_world.tree.county, period="2025Q3")
    wb = load_workbook(io.BytesIO(statistics_xlsx(tally=tally)))
    names = [r[1] for r in wb["下级党组织"].iter_rows(min_row=2, values_only=True)]
    assert names[0] == "'=HYPERLINK(1)"


def test_the_pdf_has_the_title_the_indicators_and_the_organizations(client, stats_world):
    client.force_login(stats_world.county_committee)
    response = client.get(reverse("evaluations:dashboard_pdf"), {"org": "C", "period": "2025Q3"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    squashed = re.sub(r"\s+", "", text)
    for needle in (
        "公开承诺工作统计表",
        "中共测试县委",
        "2025年第三季度",
        "填报单位（盖章）",
        "党员承诺覆盖率",
        "作出公开承诺的党员",
        "平均满意度",
        "下级党组织情况",
        "甲镇党委",
        "乙镇党委",
        "第1页共",
    ):
        assert needle in squashed, needle
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait
    fonts = [f for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    for font in fonts:
        descendant = font.get_object()
        descriptor = descendant.get("/FontDescriptor")
        assert descriptor is not None and "/FontFile2" in descriptor.get_object(), "the font must be embedded"


def test_the_pdf_of_a_branch_has_no_children_table(stats_world):
    tally = tally_build(org=stats_world.tree.branch_a1, period="2025Q3")
    reader = PdfReader(io.BytesIO(statistics_pdf(tally=tally)))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "甲镇一村党支部" in text and "下级党组织情况" not in text


# --- flat query counts ---------------------------------------------------------------------------------


def test_the_dashboard_is_flat(client, stats_world):
    counts = []
    for n, prefix in ((10, "S"), (50, "L")):
        parent = stats_world.tree.town_b
        add_children(parent, n, prefix=prefix)
        Tally.objects.all().delete()
        client.force_login(stats_world.county_committee)
        with CaptureQueriesContext(connection) as building:
            first = client.get(URL, {"org": "CB", "period": "2025Q3"})
        with CaptureQueriesContext(connection) as stored:
            client.get(URL, {"org": "CB", "period": "2025Q3", "sort": "coverage"})
        assert len(first.context["children"]) == (1 + n if prefix == "S" else 1 + 10 + n)
        counts.append((len(building.captured_queries), len(stored.captured_queries)))
    assert counts[0] == counts[1], counts
    assert counts[1][1] <= 12
