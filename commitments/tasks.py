"""Scheduled jobs of the pledge lifecycle: thin wrappers over services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def mark_overdue_items() -> int:
    return services.mark_overdue_items()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def remind_self_checks() -> int:
    return services.remind_self_checks()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def remind_sign_deadline() -> int:
    return services.remind_sign_deadline()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def close_ended_campaigns() -> int:
    return services.close_ended_campaigns()
