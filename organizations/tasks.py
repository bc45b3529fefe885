"""Background jobs of the organizations app."""

import time
from pathlib import Path

from celery import shared_task
from django.conf import settings


@shared_task
def purge_stale_import_uploads(max_age_seconds: int | None = None) -> int:
    """Remove uploaded import files that were previewed but never confirmed. Returns how many were removed.

    Safe to run twice or concurrently: a file already gone is simply skipped.
    """
    max_age = settings.IMPORT_UPLOAD_MAX_AGE_SECONDS if max_age_seconds is None else max_age_seconds
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age
    removed = 0
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
