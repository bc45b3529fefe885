"""Large imports are checked and then imported as background jobs with progress (eager by default, a real Celery
worker in CI): all rows or none, every bad row on the job's page, which only the person who started it sees."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from disclosure.models import Job
from organizations.models import Member
from organizations.permissions import Role
from organizations.resources import (
    IMPORT_SYNC_MAX_ROWS,
    import_job_start,
    import_preview,
    import_upload_path,
    import_upload_save,
)
from tests.jobs import wait_for
from tests.xlsx import members_xlsx

LARGE = IMPORT_SYNC_MAX_ROWS + 100


@pytest.fixture
def clerk(tree, user_with_role):
    return user_with_role(Role.CLERK, tree.town_a, full_name="甲镇干事")


def upload(client, org_code, content, kind="members"):
    return client.post(
        reverse("organizations:import", args=[org_code, kind]), {"file": SimpleUploadedFile("名册.xlsx", content)}
    )


def test_progress_follows_the_rows_checked(tree, clerk):
    seen = []
    report = import_preview(
        kind="members",
        content=members_xlsx("CA1", count=30),
        scope=tree.town_a,
        by=clerk,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.ok and seen[-1] == (30, 30)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and {t for _, t in seen} == {30}


# --- large files as background jobs ------------------------------------------------------------------------


@pytest.mark.shared_media
@pytest.mark.django_db(transaction=True)
def test_a_large_roster_is_checked_then_imported_as_jobs(client, tree, clerk, user_with_role):
    client.force_login(clerk)
    response = upload(client, "CA1", members_xlsx("CA1", count=LARGE))
    preview = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == preview.get_absolute_url()
    preview = wait_for(preview)
    assert preview.kind == "import_members_preview" and preview.campaign is None
    assert preview.state == Job.State.DONE and preview.outcome["ok"] and preview.outcome["total"] == LARGE
    assert preview.progress_total == preview.progress_done == LARGE
    assert not Member.objects.exists()  # checking writes nothing
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "党员名册导入校验" in page and "校验通过" in page and f"确认导入 {LARGE} 行" in page

    # Only the person who started it sees it, or may confirm it.
    other = Client()
    other.force_login(user_with_role(Role.CLERK, tree.town_a))
    assert other.get(preview.get_absolute_url()).status_code == 404
    confirm = reverse("organizations:import_confirm", args=["CA1", "members"])
    other.post(confirm, {"token": preview.params["token"]})
    assert Job.objects.count() == 1 and not Member.objects.exists()

    response = client.post(confirm, {"token": preview.params["token"]})
    commit = Job.objects.exclude(pk=preview.pk).get()
    assert response["Location"] == commit.get_absolute_url()
    commit = wait_for(commit)
    assert commit.kind == "import_members_commit" and commit.state == Job.State.DONE and commit.outcome["ok"]
    assert commit.progress_total == commit.progress_done == LARGE
    members = Member.objects.filter(organization=tree.branch_a1)
    assert members.count() == LARGE and Member.history.filter(history_user=clerk).count() == LARGE
    page = client.get(commit.get_absolute_url()).content.decode()
    assert f"已导入 {LARGE} 名党员" in page and "查看党员名册" in page
    assert not import_upload_path(preview.params["token"]).exists()
    # The same confirmation again finds nothing to import.
    client.post(confirm, {"token": preview.params["token"]})
    assert Job.objects.count() == 2 and members.count() == LARGE


@pytest.mark.shared_media
@pytest.mark.django_db(transaction=True)
def test_bad_rows_of_a_large_file_are_listed_on_the_job_page(client, tree, clerk):
    client.force_login(clerk)
    bad = {7: {"所在党组织代码": "NOPE"}, LARGE - 1: {"性别": "未知"}}
    upload(client, "CA1", members_xlsx("CA1", count=LARGE, bad=bad))
    job = wait_for(Job.objects.get())
    assert job.state == Job.State.DONE and not job.outcome["ok"] and job.outcome["bad_rows"] == 2
    assert [p["row"] for p in job.outcome["problems"]] == [9, LARGE + 1]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "其中 <strong>2</strong> 行有问题" in page and "第 9 行" in page and "不存在" in page
    assert "确认导入" not in page and not import_upload_path(job.params["token"]).exists()
    assert not Member.objects.exists()


@pytest.mark.shared_media
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_upload_was_cleaned_away_fails_in_chinese(tree, clerk):
    token = import_upload_save(members_xlsx("CA1", count=3))
    import_upload_path(token).unlink()
    job = wait_for(import_job_start(kind="members", stage="commit", token=token, scope=tree.town_a, by=clerk))
    assert job.state == Job.State.FAILED and "请重新上传" in job.error
    assert not Member.objects.exists()


@pytest.mark.shared_media
@pytest.mark.django_db(transaction=True)
def test_an_import_job_checks_the_permission_of_its_starter(tree, user_with_role):
    committee = user_with_role(Role.COMMITTEE, tree.town_a)
    token = import_upload_save(members_xlsx("CA1", count=3))
    job = wait_for(import_job_start(kind="members", stage="commit", token=token, scope=tree.town_a, by=committee))
    assert job.state == Job.State.FAILED and "无权" in job.error
    assert not Member.objects.exists()
    import_upload_path(token).unlink()
