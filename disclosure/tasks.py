"""Celery tasks of the disclosure app: thin wrappers over services, retried on transient errors."""

from celery import shared_task
from django.db import OperationalError

from . import jobs, services


@shared_task(
    bind=True, autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=3, acks_late=True
)
def run_job(self, job_id: int) -> int:
    return jobs.job_run(job_id).pk


@shared_task
def purge_old_job_results() -> int:
    return jobs.purge_old_results()


@shared_task
def resubmit_waiting_jobs() -> int:
    return jobs.resubmit_waiting()


@shared_task
def flag_overdue_supervision() -> int:
    return services.flag_overdue_reports()
