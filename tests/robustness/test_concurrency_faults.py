"""Many people at once, and faults: Redis down when a job starts, a worker dying in the middle of a batch, a
database error inside a service.

The concurrency tests need real row locks and concurrent connections, so they run on PostgreSQL only (as in
`.ci/run`); the fault tests run everywhere.
"""

from __future__ import annotations

import datetime
import io
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

from commitments import services as pledge_services
from commitments.models import Attachment, FulfilmentLog, Notification, Pledge, PledgeItem, Review
from disclosure import jobs
from disclosure.models import Job
from evaluations.models import Ballot, BallotCode
from evaluations.selectors import BallotRefused
from evaluations.services import appraisals
from organizations.errors import DomainError
from organizations.models import Member, User
from pledge_site.celery import app as celery_app
from tests.commitments.conftest import FULL_CHECKS, item
from tests.commitments.samples import image_bytes
from tests.evaluations.conftest_appraisals import OPEN_DEFAULTS
from tests.factories import MemberFactory, UserFactory
from tests.history import transitions

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


def race(calls, *, hold=None, monkeypatch=None):
    """Run the calls in threads started together, each on its own connection; ("ok", value) or ("error", exc).

    `hold` = (module, name): that function sleeps a little before it runs, inside the caller's locked
    transaction, so that every other thread surely arrives while the first one still holds the row lock.
    """
    if hold is not None:
        module, name = hold
        original = getattr(module, name)

        def slow(*args, **kwargs):
            time.sleep(0.3)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, slow)
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=20)
            results[index] = ("ok", call())
        except Exception as error:  # the outcome is what the test looks at
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung: deadlock?"
    if hold is not None:
        monkeypatch.setattr(module, name, original)
    return results


def _own(user):
    """A separate user object per thread, so that no per-request permission cache is shared."""
    return User.objects.get(pk=user.pk)


# --- concurrency (PostgreSQL) -----------------------------------------------------------------------------


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_approvals_of_one_pledge_at_once_exactly_one_wins(world, pledge_in, monkeypatch):
    from organizations.permissions import Role
    from tests.factories import grant

    pledge = pledge_in("submitted")
    reviewers = [world.secretary]
    for n in range(19):
        co = UserFactory(username=f"co_secretary_{n}")
        grant(co, Role.SECRETARY, world.tree.branch_a1)
        reviewers.append(co)
    calls = [
        lambda r=r: pledge_services.pledge_approve(pledge=Pledge(pk=pledge.pk), by=_own(r), checks=FULL_CHECKS)
        for r in reviewers
    ]
    results = race(calls, hold=(pledge_services, "notify"), monkeypatch=monkeypatch)
    assert sorted(kind for kind, _ in results) == ["error"] * 19 + ["ok"]
    assert all(isinstance(e, DomainError) for kind, e in results if kind == "error"), results
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.APPROVED
    assert Review.objects.filter(pledge_id=pledge.pk, decision=Review.Decision.APPROVE).count() == 1
    assert [c.after for c in transitions(Pledge.objects.get(pk=pledge.pk))].count(Pledge.Status.APPROVED) == 1


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_votes_with_one_ballot_code_at_once_make_one_ballot(world):
    appraisal = appraisals.appraisal_open(organization=world.tree.branch_a1, by=world.committee, **OPEN_DEFAULTS)
    code = appraisals.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=1)[0].code
    choices = ("satisfied", "basically", "unsatisfied")
    calls = [lambda c=choices[i % 3]: appraisals.ballot_cast(code=code, choices={"overall": c}) for i in range(50)]
    results = race(calls)
    assert sorted(kind for kind, _ in results) == ["error"] * 49 + ["ok"]
    assert all(isinstance(e, BallotRefused) and e.reason == "used" for kind, e in results if kind == "error")
    assert Ballot.objects.filter(appraisal=appraisal).count() == 1
    assert BallotCode.objects.get(code=code).used_at is not None


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_tick_off_confirmations_tick_off_once(world, people, pledge_in, monkeypatch):
    pledge = pledge_in("published", n=2)
    first = pledge.items.get(position=1)
    pledge_services.item_request_tick_off(item=first, by=world.member.user, note="已完成。")
    history = PledgeItem.history.filter(id=first.pk).count()
    deciders = [world.secretary, people.co_secretary] * 5
    calls = [
        lambda d=d: pledge_services.item_confirm_tick_off(item=PledgeItem(pk=first.pk), by=_own(d)) for d in deciders
    ]
    calls.append(
        lambda: pledge_services.item_refuse_tick_off(
            item=PledgeItem(pk=first.pk), by=_own(world.secretary), reason="证据不足"
        )
    )
    results = race(calls, hold=(pledge_services, "notify"), monkeypatch=monkeypatch)
    assert sorted(kind for kind, _ in results) == ["error"] * 10 + ["ok"]
    first.refresh_from_db()
    assert first.state in (PledgeItem.State.TICKED_OFF, PledgeItem.State.IN_PROGRESS)
    assert PledgeItem.history.filter(id=first.pk).count() == history + 1
    kinds = [Notification.Kind.TICK_CONFIRMED, Notification.Kind.TICK_REFUSED]
    assert Notification.objects.filter(kind__in=kinds, recipient=world.member.user).count() == 1
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.PUBLISHED


# --- Redis down when a job is started ------------------------------------------------------------------------


@pytest.fixture
def broker_down(settings):
    """Celery sends to a broker on a closed port (nothing listens on port 1), as when Redis is down.

    Celery reads its configuration live from the Django settings, which the `settings` fixture restores; only
    the connection pools built for the closed port are dropped afterwards."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _published_in_a1(world, published, n=3):
    pledges = [published()]
    for k in range(n - 1):
        member = MemberFactory(organization=world.tree.branch_a1, user=UserFactory(), name=f"党员乙{k}")
        pledges.append(published(member))
    return pledges


# In CI's real-worker run Celery has read the real broker address at start; these run in the default pass.
needs_default_celery = pytest.mark.skipif(
    bool(os.environ.get("CELERY_BROKER_URL")), reason="simulates the broker going down in the default configuration"
)


@needs_default_celery
@pytest.mark.django_db
def test_a_job_started_while_redis_is_down_waits_and_runs_when_it_is_back(
    client, world, published, broker_down, settings, django_capture_on_commit_callbacks
):
    published()
    client.force_login(world.secretary)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("disclosure:job_start"), {"kind": "member_registers", "org": "CA1"})
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED and "后台任务服务暂时不可用" in job.error
    page = client.get(response["Location"]).content.decode()
    assert "后台任务服务暂时不可用，任务已排队，恢复后自动开始" in page
    # Redis is back (here: tasks run in-process again); the beat job sends waiting jobs again.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert jobs.resubmit_waiting(older_than=datetime.timedelta(0)) == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error == "" and job.result
    assert "job-download" in client.get(response["Location"]).content.decode()


@needs_default_celery
@pytest.mark.django_db
def test_starting_the_same_job_again_while_redis_is_down_reuses_the_waiting_one(
    client, world, published, broker_down, django_capture_on_commit_callbacks
):
    published()
    client.force_login(world.secretary)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("disclosure:job_start"), {"kind": "member_registers", "org": "CA1"})
    assert Job.objects.count() == 1


# --- a worker dying in the middle of a batch --------------------------------------------------------------


def _run_with_a_crash_after(job, monkeypatch, units_before_crash):
    """Run the job once with the unit renderer failing after some units, then again as Celery's retry would."""
    from disclosure import pdf

    original = pdf.pledge_pdf
    calls = {"n": 0, "crashed": False}

    def flaky(pledge):
        calls["n"] += 1
        if not calls["crashed"] and calls["n"] > units_before_crash:
            calls["crashed"] = True
            raise SystemError("worker lost in the middle of the batch")
        return original(pledge)

    monkeypatch.setattr(pdf, "pledge_pdf", flaky)
    with pytest.raises(SystemError):
        jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "任务执行出错" in job.error and not job.result
    return jobs.job_run(job.pk)


@pytest.mark.django_db
def test_a_batch_that_died_half_way_finishes_on_retry_without_duplicates(world, published, monkeypatch, settings):
    pledges = _published_in_a1(world, published, n=3)
    job = Job.objects.create(
        kind=Job.Kind.MEMBER_PLEDGES, organization=world.tree.branch_a1, campaign=world.campaign, started_by=world.clerk
    )
    job = _run_with_a_crash_after(job, monkeypatch, units_before_crash=2)
    assert job.state == Job.State.DONE and job.attempts == 2 and job.progress_done == job.progress_total == 3
    with job.result.open("rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names)) == 3
        assert sorted(n.rsplit("_", 1)[1] for n in names) == sorted(f"{p.pk}.pdf" for p in pledges)
        assert all(archive.read(n).startswith(b"%PDF-") for n in names)
    # Running it once more (a duplicated delivery) leaves the finished job alone.
    assert jobs.job_run(job.pk).result.name == job.result.name


@pytest.mark.django_db
def test_a_batch_that_died_half_way_leaves_no_temporary_files(world, published, monkeypatch, settings):
    _published_in_a1(world, published, n=3)
    job = Job.objects.create(
        kind=Job.Kind.MEMBER_PLEDGES, organization=world.tree.branch_a1, campaign=world.campaign, started_by=world.clerk
    )
    job = _run_with_a_crash_after(job, monkeypatch, units_before_crash=2)
    folder = Path(settings.MEDIA_ROOT) / "private" / "jobs"
    files = sorted(p.name for p in folder.rglob("*") if p.is_file())
    assert files == [Path(job.result.name).name], files


# --- a database error inside a service ----------------------------------------------------------------------


def _boom(*args, **kwargs):
    raise DatabaseError("simulated: the database went away in the middle of the transaction")


@pytest.mark.django_db(transaction=True)
def test_approval_failing_after_its_writes_leaves_the_pledge_as_it_was(world, pledge_in, monkeypatch):
    pledge = pledge_in("submitted")
    monkeypatch.setattr(pledge_services, "notify", _boom)
    with pytest.raises(DatabaseError):
        pledge_services.pledge_approve(pledge=pledge, by=world.secretary, checks=FULL_CHECKS)
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.SUBMITTED
    assert not Review.objects.filter(pledge=pledge, decision=Review.Decision.APPROVE).exists()
    assert Pledge.Status.APPROVED not in [c.after for c in transitions(pledge)]


@pytest.mark.django_db(transaction=True)
def test_tick_off_failing_after_its_writes_leaves_the_item_as_it_was(world, pledge_in, monkeypatch):
    pledge = pledge_in("published")
    first = pledge.items.get(position=1)
    pledge_services.item_request_tick_off(item=first, by=world.member.user, note="已完成。")
    history = PledgeItem.history.filter(id=first.pk).count()
    monkeypatch.setattr(pledge_services, "notify", _boom)
    with pytest.raises(DatabaseError):
        pledge_services.item_confirm_tick_off(item=first, by=world.secretary)
    first.refresh_from_db()
    assert first.state == PledgeItem.State.TICK_REQUESTED and first.ticked_off_on is None
    assert PledgeItem.history.filter(id=first.pk).count() == history
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_vote_failing_while_it_writes_leaves_the_code_unused(world, monkeypatch):
    appraisal = appraisals.appraisal_open(organization=world.tree.branch_a1, by=world.committee, **OPEN_DEFAULTS)
    code = appraisals.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=1)[0].code
    monkeypatch.setattr(Ballot.objects, "bulk_create", _boom)
    with pytest.raises(DatabaseError):
        appraisals.ballot_cast(code=code, choices={"overall": "satisfied"})
    assert BallotCode.objects.get(code=code).used_at is None and not Ballot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_failing_in_its_second_batch_writes_nothing(world, monkeypatch):
    from organizations import resources
    from tests.xlsx import members_xlsx

    real = resources.bulk_create_with_history
    batches = []

    def second_batch_fails(objs, model, **kwargs):
        batches.append(len(objs))
        if len(batches) == 2:
            raise DatabaseError("simulated: the database went away during the second batch")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(resources.MemberResource._meta, "batch_size", 2)
    monkeypatch.setattr(resources, "bulk_create_with_history", second_batch_fails)
    before = Member.objects.count(), Member.history.count()
    report = resources.import_commit(
        kind="members", content=members_xlsx("CA1", count=5), scope=world.tree.branch_a1, by=world.secretary
    )
    assert not report.ok
    assert (Member.objects.count(), Member.history.count()) == before


@pytest.mark.django_db(transaction=True)
def test_a_fulfilment_log_failing_at_its_second_attachment_leaves_nothing(world, pledge_in, monkeypatch, settings):
    pledge = pledge_in("published")
    first = pledge.items.get(position=1)
    real_save = Attachment.save
    saved = []

    def second_fails(self, *args, **kwargs):
        saved.append(self)
        if len(saved) == 2:
            raise DatabaseError("simulated: the database went away while saving the second attachment")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", second_fails)
    files = [SimpleUploadedFile(f"照片{n}.png", image_bytes("PNG")) for n in range(2)]
    with pytest.raises(DatabaseError):
        pledge_services.fulfilment_log_add(
            item=first, by=world.member.user, happened_on=datetime.date(2025, 5, 1), text="完成", files=files
        )
    assert not FulfilmentLog.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_a_fulfilment_log_failing_at_its_second_attachment_writes_no_rows(world, pledge_in, monkeypatch):
    pledge = pledge_in("published")
    first = pledge.items.get(position=1)
    real_save = Attachment.save
    saved = []

    def second_fails(self, *args, **kwargs):
        saved.append(self)
        if len(saved) == 2:
            raise DatabaseError("simulated")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", second_fails)
    files = [SimpleUploadedFile(f"照片{n}.png", image_bytes("PNG")) for n in range(2)]
    with pytest.raises(DatabaseError):
        pledge_services.fulfilment_log_add(
            item=first, by=world.member.user, happened_on=datetime.date(2025, 5, 1), text="完成", files=files
        )
    assert not FulfilmentLog.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_pledge_update_failing_half_way_keeps_the_old_items(world, draft, monkeypatch):
    pledge = draft(n=3)
    before = list(pledge.items.order_by("position").values_list("content", flat=True))
    real_save = PledgeItem.save
    count = {"n": 0}

    def third_fails(self, *args, **kwargs):
        count["n"] += 1
        if count["n"] == 3:
            raise DatabaseError("simulated")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(PledgeItem, "save", third_fails)
    existing = [{"id": pk, "delete": True} for pk in pledge.items.values_list("pk", flat=True)]
    with pytest.raises(DatabaseError):
        pledge_services.pledge_update(
            pledge=pledge, by=world.member.user, items=[item(n, content=f"新事项{n}") for n in (1, 2, 3, 4)] + existing
        )
    assert list(pledge.items.order_by("position").values_list("content", flat=True)) == before
