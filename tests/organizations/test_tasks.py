import os
import time

import pytest
from celery.result import EagerResult

from organizations.tasks import purge_stale_import_uploads


@pytest.mark.shared_media
def test_purge_removes_only_stale_uploads(settings):
    folder = settings.MEDIA_ROOT / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.xlsx"):
        leftover.unlink()
    stale = folder / "old.xlsx"
    fresh = folder / "new.xlsx"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    # Both times from the test's clock, which may be set apart from the file system's (PLEDGE_TEST_NOW).
    now = time.time()
    past = now - settings.IMPORT_UPLOAD_MAX_AGE_SECONDS - 60
    os.utime(stale, (past, past))
    os.utime(fresh, (now, now))
    # Through Celery: eager by default, a real worker on Redis in CI.
    result = purge_stale_import_uploads.delay()
    if os.environ.get("CELERY_BROKER_URL"):
        assert not isinstance(result, EagerResult)  # it really went through the broker to a worker
    assert result.get(timeout=30) == 1
    assert not stale.exists() and fresh.exists()
    # Running it again is harmless.
    assert purge_stale_import_uploads.delay().get(timeout=30) == 0


def test_purge_without_folder(settings):
    assert purge_stale_import_uploads() == 0
