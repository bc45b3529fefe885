"""Background jobs: printing a whole subtree or writing a large ledger, with progress and a zip at the end, and
the kinds lower apps register through `organizations.background` (a large Excel import), which this module
runs the same way and whose outcome their own template shows on the same job page.

`job_start` is what a person does (deduplicated: the same job while one runs is reused); `job_run` is what
the Celery task does. Running a job twice is harmless: a finished job is left alone, a half-done one starts
over into a new temporary file and replaces nothing until it is complete; a registered kind that writes data
marks its job done inside the transaction that writes it.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import tempfile
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from commitments.models import Campaign, Pledge
from commitments.permissions import PledgeAction
from organizations import background
from organizations.errors import DomainError
from organizations.models import Organization, User
from organizations.permissions import require
from printing import REPLACEMENT, describe_characters, missing_characters

from .models import Job
from .selectors import PUBLIC_STATUSES

logger = logging.getLogger(__name__)
PRINTABLE = (Pledge.Status.SIGNED, *PUBLIC_STATUSES)
RESULT_MAX_AGE = datetime.timedelta(days=getattr(settings, "JOB_RESULT_MAX_AGE_DAYS", 7))


@transaction.atomic
def job_start(*, kind: str, organization: Organization, campaign: Campaign, by: User) -> Job:
    require(by, PledgeAction.VIEW_LEDGER, organization)
    if kind not in Job.Kind.values:
        raise DomainError("不支持的任务类型。")
    return _start(kind=kind, organization=organization, campaign=campaign, by=by, params={})


@transaction.atomic
def job_start_registered(*, kind: str, organization: Organization, by: User, params: dict) -> Job:
    """The store behind `organizations.background.start_job`. The kind checks the starter's permission itself,
    when the person asks and again when the job runs."""
    if background.get_kind(kind) is None:
        raise DomainError("不支持的任务类型。")
    return _start(kind=kind, organization=organization, campaign=None, by=by, params=params)


def _start(*, kind: str, organization: Organization, campaign: Campaign | None, by: User, params: dict) -> Job:
    running = (
        Job.objects.select_for_update()
        .filter(
            kind=kind,
            organization=organization,
            campaign=campaign,
            started_by=by,
            params=params,
            state__in=[Job.State.QUEUED, Job.State.RUNNING],
        )
        .first()
    )
    if running is not None:
        return running
    job = Job.objects.create(kind=kind, organization=organization, campaign=campaign, started_by=by, params=params)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_job

    try:
        run_job.delay(job_id)
    except Exception as exc:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Run in-process: the failure is already recorded on the job for its page to show.
            logger.warning("job %s failed", job_id, exc_info=True)
            return
        # The broker is down: the job waits and says so; a beat job sends it again later.
        Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            error=f"后台任务服务暂时不可用，任务已排队，恢复后自动开始。（{type(exc).__name__}）"
        )


def _units(job: Job):
    """The pieces of work of a job: (file name in the zip, function that writes the bytes)."""
    from . import pdf

    org, campaign = job.organization, job.campaign
    if job.kind == Job.Kind.MEMBER_REGISTERS:
        orgs = Organization.objects.filter(path__startswith=org.path, is_active=True).order_by("path")
        with_pledges = set(
            Pledge.objects.filter(
                campaign=campaign,
                is_current=True,
                status__in=PUBLIC_STATUSES,
                member__isnull=False,
                organization__path__startswith=org.path,
            ).values_list("organization_id", flat=True)
        )
        return [
            (f"附件4_{o.code}_{o.name}.pdf", lambda o=o: pdf.member_register_pdf(o, campaign))
            for o in orgs
            if o.pk in with_pledges
        ]
    if job.kind in (Job.Kind.MEMBER_PLEDGES, Job.Kind.ORGANIZATION_PLEDGES):
        pledges = Pledge.objects.filter(campaign=campaign, is_current=True, status__in=PRINTABLE)
        if job.kind == Job.Kind.MEMBER_PLEDGES:
            pledges = pledges.filter(member__isnull=False, organization__path__startswith=org.path).order_by(
                "organization__path", "member__name", "id"
            )
            names = pledges.values_list("pk", "organization__code", "member__name")
            prefix = "附件1"
        else:
            pledges = pledges.filter(pledger_organization__path__startswith=org.path).order_by(
                "pledger_organization__path"
            )
            names = pledges.values_list("pk", "pledger_organization__code", "pledger_organization__name")
            prefix = "附件2"
        return [
            (f"{prefix}_{code}_{name}_{pk}.pdf", lambda pk=pk: pdf.pledge_pdf(_pledge(pk))) for pk, code, name in names
        ]
    raise DomainError("不支持的任务类型。")


def _pledge(pk: int) -> Pledge:
    return Pledge.objects.select_related("campaign", "organization", "member", "pledger_organization").get(pk=pk)


def _result_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "private" / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Run:
    """A running job of a registered kind, as `organizations.background.JobRun` describes it."""

    PROGRESS_EVERY = 0.5  # seconds between two progress writes

    def __init__(self, job: Job):
        self.job = job
        self.organization = job.organization
        self.started_by = job.started_by
        self.params = dict(job.params)
        self.finished = False
        self._written_at = None

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and self._written_at is not None and now - self._written_at < self.PROGRESS_EVERY:
            return
        self._written_at = now
        Job.objects.filter(pk=self.job.pk).update(progress_done=done, progress_total=total)

    def finish(self, outcome: dict) -> None:
        Job.objects.filter(pk=self.job.pk).update(
            state=Job.State.DONE, outcome=outcome, progress_done=F("progress_total"), finished_at=timezone.now()
        )
        self.finished = True


def job_run(job_id: int) -> Job:
    job = Job.objects.select_related("organization", "campaign", "started_by").get(pk=job_id)
    if job.state == Job.State.DONE:
        return job
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, started_at=timezone.now(), attempts=job.attempts + 1, error="", progress_done=0
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    tmp = None
    unprintable: dict[str, str] = {}  # a character no font has -> the first file it is in
    registered = background.get_kind(job.kind)
    try:
        if registered is not None:
            run = _Run(job)
            outcome = registered.run(run)
            if not run.finished:
                run.finish(outcome)
            job.refresh_from_db()
            return job
        if job.kind == Job.Kind.LEDGER:
            from .excel import ledger_size, write_ledger

            total = ledger_size(org=job.organization, campaign=job.campaign)
            Job.objects.filter(pk=job.pk).update(progress_total=total)
            fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=_result_dir())
            with os.fdopen(fd, "wb") as out:
                write_ledger(
                    out,
                    org=job.organization,
                    campaign=job.campaign,
                    progress=lambda n: Job.objects.filter(pk=job.pk).update(progress_done=n),
                )
            name = f"{job.organization.name}承诺台帐{stamp}.xlsx"
        else:
            units = _units(job)
            Job.objects.filter(pk=job.pk).update(progress_total=len(units))
            fd, tmp = tempfile.mkstemp(suffix=".zip", dir=_result_dir())
            os.close(fd)
            # One PDF in memory at a time; the zip is written straight to disk.
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, (filename, render) in enumerate(units, 1):
                    with missing_characters() as missing:
                        archive.writestr(filename, render())
                    for char in missing:
                        unprintable.setdefault(char, filename)
                    Job.objects.filter(pk=job.pk).update(progress_done=done)
            name = f"{job.organization.name}{job.get_kind_display().split(' ')[0]}{stamp}.zip"
        job.refresh_from_db()
        with open(tmp, "rb") as fh:
            job.result.save(f"{secrets.token_hex(12)}{Path(tmp).suffix}", File(fh), save=False)
        os.unlink(tmp)
        job.result_name = name
        job.error = _unprintable_warning(unprintable)  # shown as a warning on a finished job
        job.state = Job.State.DONE
        job.progress_done = job.progress_total
        job.finished_at = timezone.now()
        job.save()
    except Exception as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)  # a half-written file is never kept; a retry starts a new one
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, finished_at=timezone.now(), error=_message(exc))
        raise
    return job


def _unprintable_warning(unprintable: dict[str, str]) -> str:
    """A finished job says which characters no font could print, and where, instead of dropping them."""
    if not unprintable:
        return ""
    logger.warning("job printed %s as %s", describe_characters(unprintable), REPLACEMENT)
    first = unprintable[min(unprintable)]
    text = (
        f"已完成，但以下字符没有任何内嵌字体能印出，已用“{REPLACEMENT}”代替，请核对后手工填写："
        f"{describe_characters(unprintable)}（例如文件 {first}）。"
    )
    if len(text) > 500:
        text = text[:497] + "……"
    return text


def _message(exc: Exception) -> str:
    if isinstance(exc, (DomainError, PermissionDenied)):
        return str(exc)[:500]
    return f"任务执行出错，请稍后重试；如果仍然失败，请联系系统管理员。（{type(exc).__name__}）"


def job_retry(*, job: Job, by: User) -> Job:
    if job.started_by_id != by.pk:
        raise DomainError("只能重试自己发起的任务。")
    if job.state != Job.State.FAILED:
        raise DomainError("只有失败的任务可以重试。")
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, error="", progress_done=0)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def purge_old_results(*, now: datetime.datetime | None = None) -> int:
    """Delete result files and outcomes of jobs finished long ago; the job rows stay as a record."""
    now = now or timezone.now()
    removed = 0
    for job in Job.objects.filter(finished_at__lt=now - RESULT_MAX_AGE).exclude(result=""):
        job.result.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result="", error="结果文件已过期清理，如需要请重新生成。")
        removed += 1
    # An import's outcome quotes cells of the file it checked; it goes after the same time as a result file.
    removed += (
        Job.objects.filter(finished_at__lt=now - RESULT_MAX_AGE)
        .exclude(outcome={})
        .update(outcome={}, error="任务结果已过期清理。")
    )
    return removed


def resubmit_waiting(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Jobs still queued after a broker outage are sent again (a job that already ran is left alone)."""
    waiting = Job.objects.filter(state=Job.State.QUEUED, created_at__lt=timezone.now() - older_than)
    count = 0
    for job_id in waiting.values_list("pk", flat=True):
        _enqueue(job_id)
        count += 1
    return count
