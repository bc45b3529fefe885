"""Waiting for background jobs: eager by default, a real Celery worker in CI."""

import time


def wait_for(job, seconds=60):
    """Eagerly the job is already finished; with a real worker (CI) wait until it is."""
    deadline = time.monotonic() + seconds
    job.refresh_from_db()
    while job.is_active and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    return job
