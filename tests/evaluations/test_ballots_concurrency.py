"""One code submitted from many phones at the same moment: exactly one ballot (PostgreSQL, real row locks).

Each thread takes its own connection; a barrier starts them together. Closing the session while votes are in
flight must count every vote that got in and refuse the rest.
"""

import threading

import pytest
from django.db import connection

from evaluations.models import Appraisal, Ballot, BallotCode
from evaluations.selectors import BallotRefused
from organizations.models import User

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import cast, fresh, services

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as error:  # the outcome is what the test looks at
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung: deadlock?"
    return results


def test_ten_phones_voting_with_one_code_at_once_make_exactly_one_ballot(world, open_appraisal):
    appraisal = open_appraisal()
    code = services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=1)[0].code
    choices = ["satisfied", "basically", "unsatisfied"]
    results = _race(
        [lambda choice=choices[i % 3]: services.ballot_cast(code=code, choices={"overall": choice}) for i in range(10)]
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error"] * 9 + ["ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert all(isinstance(e, BallotRefused) and e.reason == "used" for e in errors), errors
    assert all("已使用" in str(e) for e in errors)
    assert Ballot.objects.count() == 1
    assert BallotCode.objects.get(code=code).used_at is not None


def test_votes_in_flight_when_the_session_closes_are_counted_or_refused(world, open_appraisal):
    appraisal = open_appraisal()
    cast(appraisal, satisfied=30)
    codes = [c.code for c in services.appraisal_generate_codes(appraisal=appraisal, by=world.committee, count=8)]
    committee = world.committee.pk

    def close():
        return services.appraisal_close(appraisal=Appraisal(pk=appraisal.pk), by=User.objects.get(pk=committee))

    calls = [lambda c=c: services.ballot_cast(code=c, choices={"overall": "unsatisfied"}) for c in codes]
    results = _race([*calls, close])
    assert results[-1][0] == "ok", results[-1]
    closed = fresh(appraisal)
    # Whatever got in before the close is in the count; nothing was written after it.
    assert closed.valid_ballots == Ballot.objects.filter(appraisal=appraisal, pledge__isnull=True).count()
    accepted = sum(1 for kind, _ in results[:-1] if kind == "ok")
    assert closed.valid_ballots == 30 + accepted and closed.unsatisfied == accepted
    refused = [value for kind, value in results[:-1] if kind == "error"]
    assert all(isinstance(e, BallotRefused) and e.reason == "closed" for e in refused), refused
