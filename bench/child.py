"""Work the bench runs in a separate process so that its time and peak memory are its own.

    python -m bench.child town-pledges <organization code> <campaign id> <username>

prints one JSON line: pledges, seconds, max_rss_mb, zip_bytes. The job row it creates is deleted afterwards;
the zip goes to MEDIA_ROOT (the bench points it at a temporary folder).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def town_pledges(code: str, campaign_id: str, username: str) -> dict:
    from commitments.models import Campaign
    from disclosure import jobs
    from disclosure.models import Job
    from organizations.models import Organization, User

    org = Organization.objects.get(code=code)
    campaign = Campaign.objects.get(pk=int(campaign_id))
    user = User.objects.get(username=username)
    job = Job.objects.create(kind=Job.Kind.MEMBER_PLEDGES, organization=org, campaign=campaign, started_by=user)
    try:
        started = time.perf_counter()
        done = jobs.job_run(job.pk)  # what the Celery task runs
        seconds = time.perf_counter() - started
        size = done.result.size if done.result else 0
        pledges = done.progress_total
        if done.result:
            done.result.delete(save=False)
    finally:
        Job.objects.filter(pk=job.pk).delete()
    return {
        "pledges": pledges,
        "seconds": round(seconds, 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "zip_bytes": size,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pledge_site.settings")
    import django

    django.setup()
    if argv[:1] == ["town-pledges"] and len(argv) == 4:
        print(json.dumps(town_pledges(*argv[1:])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
