"""Formula injection: text that starts with =, +, - or @ comes out of every Excel export as text, never as a
formula (organizations.resources.neutralise)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commitments.models import PledgeItem
from organizations.models import Member
from organizations.resources import neutralise
from tests.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
]
DANGEROUS = ("=", "+", "-", "@")


def _cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def assert_neutralised(content: bytes, payloads) -> None:
    found = set()
    for sheet, cell in _cells(content):
        assert cell.data_type != "f", f"{sheet}!{cell.coordinate} is a formula: {cell.value!r}"
        value = cell.value
        if isinstance(value, str):
            assert not value.startswith(DANGEROUS), f"{sheet}!{cell.coordinate} starts like a formula: {value!r}"
            found.update(p for p in payloads if "'" + p in value)
    assert found == set(payloads), f"not exported: {set(payloads) - found}"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "=", "-"])
def test_neutralise_prefixes_formula_starts(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "1+1", " =1", "", None, 5, -5, 3.5])
def test_neutralise_leaves_other_values(value):
    assert neutralise(value) == value


def test_roster_export(client, world):
    org = world.tree.branch_a1
    MemberFactory(organization=org, name=FORMULAS[0], post=FORMULAS[1])
    MemberFactory(organization=org, name=FORMULAS[2], post=FORMULAS[3])
    client.force_login(world.secretary)
    response = client.get(reverse("organizations:roster_export", args=[org.code]))
    assert response.status_code == 200
    assert_neutralised(response.content, FORMULAS)


def test_ledger_export(client, world, published):
    pledge = published()
    items = list(pledge.items.order_by("position"))
    PledgeItem.objects.filter(pk=items[0].pk).update(
        content=FORMULAS[0], measures=FORMULAS[1], deadline=datetime.date(2000, 1, 1)
    )
    PledgeItem.objects.filter(pk=items[1].pk).update(content=FORMULAS[2], measures=FORMULAS[3])
    Member.objects.filter(pk=world.member.pk).update(post="@" + "书记助理")
    client.force_login(world.secretary)
    response = client.get(reverse("disclosure:ledger_xlsx") + "?org=CA1")
    assert response.status_code == 200
    assert_neutralised(response.content, [*FORMULAS, "@书记助理"])


def test_ledger_export_through_a_background_job(world, published, settings):
    from disclosure import jobs
    from disclosure.models import Job

    settings.CELERY_TASK_ALWAYS_EAGER = True
    pledge = published()
    PledgeItem.objects.filter(pk=pledge.items.first().pk).update(content=FORMULAS[0])
    job = jobs.job_start(
        kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
    )
    job = jobs.job_run(job.pk)
    with job.result.open("rb") as fh:
        assert_neutralised(fh.read(), FORMULAS[:1])


def test_statistics_export(client, world, published):
    published()
    OrganizationFactory(code="CA9", name=FORMULAS[0], parent=world.tree.town_a)
    OrganizationFactory(code="CA8", name=FORMULAS[3], parent=world.tree.town_a)
    client.force_login(world.committee)
    response = client.get(reverse("evaluations:dashboard_xlsx") + "?org=CA")
    assert response.status_code == 200, response.content[:500]
    assert_neutralised(response.content, [FORMULAS[0], FORMULAS[3]])
