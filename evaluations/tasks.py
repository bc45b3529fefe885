"""Scheduled jobs of 评诺 and statistics: thin wrappers over services, each safe to run twice."""

from celery import shared_task


@shared_task
def notify_overdue_rectifications() -> int:
    from .services.appraisals import rectification_notify_overdue

    return rectification_notify_overdue()


@shared_task
def remind_monthly_records() -> int:
    from .services.records import remind_monthly_records as remind

    return remind()


@shared_task
def remind_quarterly_reviews() -> int:
    from .services.reviews import remind_quarterly_reviews as remind

    return remind()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def build_due_tallies() -> int:
    from .statistics import tally_build_due

    return tally_build_due()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def compute_due_rankings() -> int:
    from .services.rankings import rankings_compute_due

    return rankings_compute_due()
