"""Background jobs (eager by default, a real worker in CI) and the Excel ledger."""

import datetime
import io
import os
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commitments import services as pledge_services
from disclosure import jobs
from disclosure.excel import write_ledger
from disclosure.models import Job
from tests.factories import MemberFactory, UserFactory
from tests.jobs import wait_for

REAL_WORKER = bool(os.environ.get("CELERY_BROKER_URL"))
pytestmark = pytest.mark.shared_media


def publish_in_branch_a2(world):
    """A published pledge of a member of the second branch, reviewed by its own secretary."""
    from organizations.permissions import Role
    from tests.commitments.conftest import FULL_CHECKS, item
    from tests.factories import PASSWORD, grant

    secretary = UserFactory(full_name="二村书记")
    grant(secretary, Role.SECRETARY, world.tree.branch_a2)
    member = MemberFactory(organization=world.tree.branch_a2, user=UserFactory(), name="二村党员")
    pledge = pledge_services.pledge_create_for_member(member=member, organization=world.tree.branch_a2, by=member.user)
    pledge_services.pledge_update(pledge=pledge, by=member.user, items=[item(1), item(2)])
    pledge_services.pledge_submit(pledge=pledge, by=member.user)
    pledge_services.pledge_approve(pledge=pledge, by=secretary, checks=FULL_CHECKS)
    pledge_services.pledge_sign(pledge=pledge, by=member.user, password=PASSWORD, typed_name=member.name)
    pledge_services.pledge_countersign(pledge=pledge, by=secretary, password=PASSWORD, typed_name="二村书记")
    pledge_services.pledge_publish(pledge=pledge, by=secretary)
    return pledge


def test_ledger_has_three_sheets_with_chinese_headers(world, published, time_machine):
    time_machine.move_to("2025-06-15T10:00:00+08:00")  # inside the campaign, before the items' deadlines
    pledge = published()
    item = pledge.items.first()
    type(item).objects.filter(pk=item.pk).update(deadline=datetime.date(2000, 1, 1), content='=HYPERLINK("x")')
    buffer = io.BytesIO()
    rows = write_ledger(buffer, org=world.tree.town_a, campaign=world.campaign)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb.sheetnames == ["承诺书", "承诺事项", "逾期事项"]
    assert [c.value for c in wb["承诺事项"][1]][:5] == ["所在党组织", "承诺方", "序号", "承诺方面", "承诺事项"]
    assert wb["承诺事项"].freeze_panes == "A2"
    assert rows == 3 and wb["逾期事项"].max_row == 2
    # Formula-like text is neutralised.
    assert wb["承诺事项"]["E2"].value.startswith("'=")
    assert all(pledge.member.id_number not in str(c.value) for row in wb["承诺书"].iter_rows() for c in row)


def test_ledger_dates_signing_and_publication_by_the_shanghai_day(world, published):
    pledge = published()
    # 16:30 UTC on 31 March is already 00:30 on 1 April in Shanghai.
    moment = datetime.datetime(2025, 3, 31, 16, 30, tzinfo=datetime.UTC)
    type(pledge).objects.filter(pk=pledge.pk).update(signed_at=moment, published_at=moment)
    buffer = io.BytesIO()
    write_ledger(buffer, org=world.tree.branch_a1, campaign=world.campaign)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["承诺书"]
    headers = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[headers.index("签约日期")] == row[headers.index("公示日期")] == "2025-04-01"


def test_ledger_download_page(client, world, published):
    published()
    client.force_login(world.secretary)
    response = client.get(reverse("disclosure:ledger_xlsx") + "?org=CA1")
    assert response.status_code == 200 and response["Content-Type"].endswith("sheet")


@pytest.mark.django_db(transaction=True)
def test_ledger_job_runs_eagerly_and_offers_the_file(client, world, published):
    published()
    job = jobs.job_start(
        kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
    )
    wait_for(job)
    assert job.state == Job.State.DONE and job.progress_done == job.progress_total == 3
    client.force_login(world.committee)
    response = client.get(reverse("disclosure:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "承诺书"
    # Only the person who started it may download it.
    client.force_login(world.clerk)
    assert client.get(reverse("disclosure:job_download", args=[job.pk])).status_code == 404


def test_starting_the_same_job_while_it_runs_reuses_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = jobs.job_start(
            kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
        )
        second = jobs.job_start(
            kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
        )
    assert first.pk == second.pk and Job.objects.count() == 1


@pytest.mark.skipif(REAL_WORKER, reason="the failure is injected into this process, not into the worker")
@pytest.mark.django_db(transaction=True)
def test_a_failing_job_shows_a_chinese_error_and_can_be_retried(client, world, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("disclosure.excel.write_ledger", boom)
    job = jobs.job_start(
        kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
    )
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "任务执行出错" in job.error
    client.force_login(world.committee)
    page = client.get(reverse("disclosure:job", args=[job.pk])).content.decode()
    assert "任务执行出错" in page and "重试" in page
    monkeypatch.undo()
    client.post(reverse("disclosure:job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == Job.State.DONE


@pytest.mark.django_db(transaction=True)
def test_running_a_finished_job_again_changes_nothing(world, published):
    published()
    job = jobs.job_start(
        kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
    )
    wait_for(job)
    name = job.result.name
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.result.name == name and job.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_member_registers_for_a_town_as_a_zip(client, world, published):
    published()
    publish_in_branch_a2(world)
    client.force_login(world.committee)
    response = client.post(reverse("disclosure:job_start"), {"org": "CA", "kind": Job.Kind.MEMBER_REGISTERS})
    job = wait_for(Job.objects.get())
    assert response["Location"] == reverse("disclosure:job", args=[job.pk])
    assert job.state == Job.State.DONE and job.progress_total == 2
    content = b"".join(client.get(reverse("disclosure:job_download", args=[job.pk])).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert len(names) == 2 and all(n.startswith("附件4_") and n.endswith(".pdf") for n in names)
    assert all(zipfile.ZipFile(io.BytesIO(content)).read(n).startswith(b"%PDF") for n in names)


def test_job_progress_fragment_for_htmx(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.job_start(
            kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
        )
    client.force_login(world.committee)
    fragment = client.get(reverse("disclosure:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment and "排队中" in fragment


def test_old_results_are_purged(world, published, settings):
    import datetime

    from django.utils import timezone

    published()
    job = jobs.job_start(
        kind=Job.Kind.LEDGER, organization=world.tree.town_a, campaign=world.campaign, by=world.committee
    )
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.result
    assert jobs.purge_old_results(now=timezone.now() + datetime.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert not job.result and "过期" in job.error


def test_pledge_pages_link_to_printing(client, world, published):
    pledge = published()
    client.force_login(world.member.user)
    assert reverse("disclosure:pledge_pdf", args=[pledge.pk]) in client.get(pledge.get_absolute_url()).content.decode()
