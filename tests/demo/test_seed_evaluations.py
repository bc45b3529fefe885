"""`seed_demo` builds the 评诺 data: reviews, appraisals with ballots, rectifications, awards, rankings, monthly
records, bulletins and statistics snapshots, consistent with what the services compute and dated by the demo day.

One seeding for all the checks (and a second one for determinism), to keep the module fast.
"""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from demo.commitments import DEMO_TODAY
from evaluations.models import (
    Appraisal,
    Award,
    Ballot,
    BallotCode,
    Bulletin,
    LeaderReview,
    MonthlyRecord,
    PaperTally,
    Ranking,
    Rectification,
    Tally,
    participant_minimum,
)
from evaluations.selectors import (
    appraisal_tally,
    awards_to_decide,
    ballot_code_lookup,
    campaign_weights,
    review_coverage,
    satisfaction_of,
    satisfaction_text,
)
from evaluations.services.appraisals import ballot_cast
from evaluations.services.rankings import score_of
from organizations.models import Member, Organization, User

from .ids import move_ids

CUT = timezone.make_aware(datetime.datetime.combine(DEMO_TODAY + datetime.timedelta(days=1), datetime.time.min))


def _user(username):
    return User.objects.get(username=username)


def _demo_branch():
    return Member.objects.select_related("organization").get(user__username="shuji").organization


def _towns():
    return list(Organization.objects.filter(depth=2, numchild__gt=0).order_by("path"))


@pytest.mark.django_db
def test_seed_demo_builds_the_evaluation_cycle(client):
    out = io.StringIO()
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=7, stdout=out)
    output = out.getvalue()
    assert "评诺：领导点评" in output and "/pj/" in output
    first = _projection()  # before the pages below add snapshots and votes of their own

    _check_dates()
    _check_reviews()
    _check_appraisals()
    _check_rectifications()
    _check_open_appraisal(client, output)
    _check_awards()
    _check_rankings()
    _check_records()
    _check_bulletins_and_tallies()
    _check_board(client)
    _check_dashboard(client)

    move_ids()  # other ids than the first run: an order that ties on them would show
    call_command("seed_demo", size="small", today=DEMO_TODAY, seed=7, reset=True, stdout=io.StringIO())
    assert _projection() == first


def _check_reviews():
    branch = _demo_branch()
    for quarter in (1, 2):
        coverage = review_coverage(org=branch, year=2025, quarter=quarter)
        assert coverage.due and coverage.done == coverage.due
    coverage = review_coverage(org=branch, year=2025, quarter=3)
    assert 0.5 <= coverage.done / coverage.due <= 0.7  # the demo secretary still has some to review
    county = Organization.objects.get(depth=1)
    assert review_coverage(org=county, year=2025, quarter=2).rate > 0.85
    assert 0 < review_coverage(org=county, year=2025, quarter=3).rate < 0.8
    kinds = Counter(LeaderReview.objects.values_list("kind", flat=True))
    assert kinds["quarterly"] > 500 and kinds["monthly"] > 0 and kinds["half_year"] > 0
    for review in LeaderReview.objects.filter(kind__in=("quarterly", "half_year")):
        assert all(grade for _, grade in review.aspects()) and len(review.aspects()) == (5 if review.member_id else 4)
    assert LeaderReview.objects.filter(organization__isnull=False, reviewer__username="zhenwei").exists()
    assert LeaderReview.objects.filter(is_published=True).exists()
    required = LeaderReview.objects.filter(requires_rectification=True)
    assert 1 <= required.count() <= 3
    for review in required:
        rect = Rectification.objects.get(leader_review=review)
        assert rect.source == Rectification.Source.LEADER_REVIEW and rect.deadline == review.rectify_by
        assert review.rectify_by >= review.created_at.date()


def _check_appraisals():
    first_half = Appraisal.objects.filter(year=2025, half=1, rectification__isnull=True)
    for org in Organization.objects.filter(depth__gt=1):
        session = first_half.get(organization=org)
        assert session.status == Appraisal.Status.CLOSED and session.is_published
        assert session.valid_ballots >= participant_minimum(org)
        assert session.planned_total >= participant_minimum(org)
    closed = list(Appraisal.objects.filter(status=Appraisal.Status.CLOSED).select_related("campaign", "organization"))
    modes = Counter()
    for a in closed:
        overall = Counter(Ballot.objects.filter(appraisal=a, pledge__isnull=True).values_list("choice", flat=True))
        paper = PaperTally.objects.filter(appraisal=a, pledge__isnull=True).first()
        satisfied = overall["satisfied"] + (paper.satisfied if paper else 0)
        basically = overall["basically"] + (paper.basically_satisfied if paper else 0)
        unsatisfied = overall["unsatisfied"] + (paper.unsatisfied if paper else 0)
        valid = sum(overall.values()) + (paper.valid_forms if paper else 0)
        assert (a.satisfied, a.basically_satisfied, a.unsatisfied, a.valid_ballots) == (
            satisfied,
            basically,
            unsatisfied,
            valid,
        )
        assert a.invalid_ballots == (paper.invalid_forms if paper else 0)
        weights = campaign_weights(a.campaign)
        expected = satisfaction_of(satisfied, basically, unsatisfied, valid, weights)
        if weights == (1, 1, 0):  # the formula of DESIGN §6, written out
            assert float(expected) == pytest.approx((satisfied + basically) / valid, abs=1e-4)
        assert a.satisfaction == expected == appraisal_tally(a).overall.satisfaction
        # Each used code carries exactly one overall ballot; unused codes none.
        used = BallotCode.objects.filter(appraisal=a, used_at__isnull=False)
        assert used.count() == sum(overall.values())
        assert not Ballot.objects.filter(code__appraisal=a, code__used_at__isnull=True).exists()
        modes[(bool(overall), bool(paper))] += 1
        assert a.closed_at and a.held_on <= DEMO_TODAY
    assert modes[(True, False)] and modes[(False, True)] and modes[(True, True)]  # codes, paper and both
    assert Ballot.objects.filter(pledge__isnull=False).exists()  # members' pledges appraised one by one
    assert Ballot.objects.filter(choice="unsatisfied").exclude(reason="").exists()


def _check_rectifications():
    below = Appraisal.objects.filter(
        status=Appraisal.Status.CLOSED, rectification__isnull=True, satisfaction__lt=Appraisal.THRESHOLD
    )
    assert below.count() >= 5
    for a in below:
        rect = Rectification.objects.get(appraisal=a, source=Rectification.Source.APPRAISAL)
        assert rect.organization_id == a.organization_id and rect.created_at == a.closed_at
    assert not Rectification.objects.filter(
        source=Rectification.Source.APPRAISAL, appraisal__satisfaction__gte=Appraisal.THRESHOLD
    ).exists()
    statuses = set(Rectification.objects.values_list("status", flat=True))
    assert {"open", "submitted", "approved", "done", "closed"} <= statuses
    for rect in Rectification.objects.exclude(status="open"):
        assert rect.problems and rect.measures and rect.deadline and rect.submitted_at
    for rect in Rectification.objects.filter(status__in=("approved", "done", "closed")):
        assert rect.approved_at and rect.approved_by_id
    closed = Rectification.objects.filter(status="closed")
    assert closed.exists()
    for rect in closed:
        follow = rect.follow_up_appraisals.get()
        assert follow.status == Appraisal.Status.CLOSED and follow.satisfaction >= Appraisal.THRESHOLD
        assert follow.held_on > rect.done_at.date() and rect.closed_at == follow.closed_at
    for rect in Rectification.objects.filter(status="done"):
        assert rect.evidence and not rect.follow_up_appraisals.exists()


def _check_open_appraisal(client, output):
    session = Appraisal.objects.get(status=Appraisal.Status.OPEN)
    assert session.organization.path.startswith(Organization.objects.get(code=_towns()[0].code).path)
    unused = list(session.codes.filter(used_at__isnull=True).order_by("id"))
    assert len(unused) >= 30
    assert not Ballot.objects.filter(code__in=unused).exists()
    for code in unused[:3]:
        assert f"/pj/{code.code}/" in output
        assert ballot_code_lookup(code.code) == code
    assert client.get(f"/pj/{unused[0].code}/").status_code == 200
    ballot_cast(code=unused[1].code, choices={"overall": "satisfied"})  # the session takes votes
    assert session.codes.filter(used_at__isnull=False).count() == session.codes.count() - len(unused) + 1


def _check_awards():
    approved = Award.objects.filter(status=Award.Status.APPROVED)
    assert set(approved.values_list("kind", flat=True)) == set(Award.Kind.values)
    assert not approved.filter(decided_at__isnull=True).exists()
    assert approved.filter(year=2025, occasion="七一").count() == approved.count()
    assert awards_to_decide(_user("zhenwei")).exists()
    assert awards_to_decide(_user("xianwei")).exists()


def _check_rankings():
    assert not Ranking.objects.filter(is_published=False).exists()
    for org in [Organization.objects.get(depth=1), *_towns()]:
        for period in ("2025-B3", "2025-B4"):
            ranking = Ranking.objects.get(organization=org, level="organizations", period=period)
            children = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
            assert ranking.entries.count() == children.count()
    branch = _demo_branch()
    for period in ("2025-07", "2025-08"):
        ranking = Ranking.objects.get(organization=branch, level="members", period=period)
        assert ranking.entries.count() == Member.objects.filter(organization=branch, is_exempt=False).count()
    for ranking in Ranking.objects.all():
        for entry in ranking.entries.all():
            assert entry.score == score_of(entry.components["parts"])
            assert entry.final_score == entry.score + entry.adjustment
    adjusted = Ranking.objects.get(organization=branch, period="2025-08").entries.exclude(adjustment=0).get()
    assert adjusted.adjustment_reason and "log" not in adjusted.components
    [record] = adjusted.history.filter(history_change_reason__startswith="调整分数")
    assert record.adjustment == adjusted.adjustment and record.history_date.date() < datetime.date(2025, 9, 15)


def _check_records():
    due = Member.objects.filter(is_active=True, is_exempt=False).count()
    for month in (6, 7, 8):
        assert MonthlyRecord.objects.filter(month=datetime.date(2025, month, 1)).count() > 0.7 * due
    this_month = MonthlyRecord.objects.filter(month=datetime.date(2025, 9, 1)).count()
    assert 0 < this_month < 0.7 * due
    assert not MonthlyRecord.objects.filter(month__gt=DEMO_TODAY).exists()
    commented = MonthlyRecord.objects.exclude(comment="")
    assert commented.exists() and not commented.filter(commented_by__isnull=True).exists()


def _check_bulletins_and_tallies():
    published = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED, year=2025, quarter=2)
    for org in [*_towns(), _demo_branch()]:
        bulletin = published.get(organization=org)
        assert bulletin.title.endswith("践诺情况通报") and "承诺覆盖情况" in bulletin.body
    root = Organization.objects.get(depth=1)
    for org in [root, *_towns()]:
        for period in ("2025-06", "2025-07", "2025-08", "2025Q2", "2025H1"):
            tally = Tally.objects.get(organization=org, period=period)
            assert tally.ends_on < timezone.localtime(tally.computed_at).date() <= DEMO_TODAY  # taken after the period
    q2 = Tally.objects.get(organization=root, period="2025Q2").indicators
    assert q2["appraisals"] > 0 and q2["satisfaction"] and q2["awards"] > 0 and q2["member_reviews_done"] > 0


def _check_dates():
    stamps = [
        LeaderReview.objects.aggregate(m=Max("created_at"))["m"],
        Appraisal.objects.aggregate(m=Max("created_at"))["m"],
        Appraisal.objects.aggregate(m=Max("closed_at"))["m"],
        BallotCode.objects.aggregate(m=Max("used_at"))["m"],
        Ballot.objects.aggregate(m=Max("created_at"))["m"],
        Rectification.objects.aggregate(m=Max("created_at"))["m"],
        Rectification.objects.aggregate(m=Max("done_at"))["m"],
        Award.objects.aggregate(m=Max("created_at"))["m"],
        Award.objects.aggregate(m=Max("decided_at"))["m"],
        Ranking.objects.aggregate(m=Max("published_at"))["m"],
        MonthlyRecord.objects.aggregate(m=Max("created_at"))["m"],
        Bulletin.objects.aggregate(m=Max("published_at"))["m"],
        Tally.objects.aggregate(m=Max("computed_at"))["m"],
    ]
    assert all(s is not None and s < CUT for s in stamps), stamps
    assert not Appraisal.objects.filter(held_on__gt=DEMO_TODAY).exists()


def _check_board(client):
    branch = _demo_branch()
    page = client.get(f"/gs/{branch.code}/").content.decode()
    appraisal = Appraisal.objects.get(organization=branch, half=1, status=Appraisal.Status.CLOSED)
    section = page[page.index('id="appraisals"') :]
    assert f"有效票 {appraisal.valid_ballots} 张" in section and satisfaction_text(appraisal.satisfaction) in section
    award = Award.objects.filter(status=Award.Status.APPROVED, organization=branch).first() or (
        Award.objects.filter(status=Award.Status.APPROVED, member__organization=branch).first()
    )
    assert award is not None
    assert award.get_kind_display() in page and (award.member or award.organization).name in page
    assert Bulletin.objects.get(organization=branch).title in page


def _check_dashboard(client):
    client.force_login(_user("zhenwei"))
    response = client.get(reverse("evaluations:dashboard") + "?period=2025Q2")
    assert response.status_code == 200
    charts = response.context["charts"]
    assert sum(charts["satisfaction"]["counts"]) > 0 and any(b["value"] for b in charts["ballots"])
    assert any(charts["fulfilment"]["rate"]) and any(c for c in charts["coverage"]["coverage"] if c)


def _projection():
    return (
        sorted(
            LeaderReview.objects.values_list(
                "member__id_number", "organization__code", "kind", "period", "text", "de", "lead_development"
            ),
            key=repr,
        ),
        sorted(
            Appraisal.objects.values_list(
                "organization__code", "half", "held_on", "status", "valid_ballots", "satisfaction", "report_text"
            ),
            key=repr,
        ),
        sorted(BallotCode.objects.values_list("code", "used_at")),
        sorted(Rectification.objects.values_list("organization__code", "source", "status", "deadline"), key=repr),
        sorted(
            Award.objects.values_list("kind", "status", "member__id_number", "organization__code", "citation"), key=repr
        ),
        sorted(MonthlyRecord.objects.values_list("member__id_number", "month", "text", "comment")),
        sorted(
            Ranking.objects.values_list("organization__code", "period", "entries__rank", "entries__final_score"),
            key=repr,
        ),
        sorted(Bulletin.objects.values_list("organization__code", "title", "body")),
        sorted(
            (code, period, {k: v for k, v in ind.items() if k != "computed_at"})
            for code, period, ind in Tally.objects.values_list("organization__code", "period", "indicators")
        ),
    )
