"""The demo is built up to the day it is loaded (issue 13 §8): the pages open on today's month and quarter, so a
newcomer must find data there without choosing a period. `seed_demo --today` fixes the day for a reproducible
demo; the rule for January to March (the previous year's campaign up to 31 December) is in demo.commitments."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Max
from django.utils import timezone

from commitments.models import Campaign, FulfilmentLog, Inspection, Opinion, Pledge, PledgeItem, SelfCheck
from demo.commitments import data_date
from evaluations.models import Appraisal, BallotCode, LeaderReview, MonthlyRecord, Tally
from organizations.models import Activity, Member

from .test_seed_commitments import _check_demo_queues, _check_items, _check_opinions, _check_signatures_and_history

# Fields that name a day still to come: deadlines and the end of the campaign.
FUTURE = {"deadline", "due_on", "rectify_by", "ends_on", "sign_deadline"}
# The register's bookkeeping, stamped by Django at the moment the demo is loaded, not on the demo's calendar.
REGISTER = {
    "organizations.Organization",
    "organizations.HistoricalOrganization",
    "organizations.Member",
    "organizations.HistoricalMember",
    "organizations.User",
    "organizations.OrganizationUserObjectPermission",
    "organizations.HistoricalOrganizationUserObjectPermission",
}
STAMPS = {"created_at", "updated_at", "history_date", "date_joined", "last_login", "granted_at"}
# Installed by the migrations (the built-in 统计表), not by the demo.
INSTALLED = {"reporting.ReportTemplate", "reporting.HistoricalReportTemplate"}
APPS = ("organizations", "commitments", "evaluations", "disclosure", "reporting")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-01-01", "2025-12-31"),
        ("2026-01-02", "2025-12-31"),
        ("2026-03-15", "2025-12-31"),
        ("2026-03-31", "2025-12-31"),
        ("2026-04-01", "2026-04-01"),
        ("2025-09-15", "2025-09-15"),
        ("2026-12-31", "2026-12-31"),
    ],
)
def test_data_date_is_today_from_april_and_the_end_of_last_year_before(today, expected):
    """Pledges are made at the start of the year (篇四: 公开承诺在每年年初进行; 篇五: 年初至春节前) and signed by
    31 March: before April the demo shows last year's campaign as it stood on 31 December (issue 13 §8)."""
    assert data_date(datetime.date.fromisoformat(today)) == datetime.date.fromisoformat(expected)


def _dated_fields():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label in INSTALLED:
                continue
            for f in model._meta.concrete_fields:
                if isinstance(f, models.DateField) and f.name not in FUTURE:
                    yield model, f


def _check_nothing_after(day: datetime.date, loaded: datetime.date) -> None:
    """Every date and moment of every table of the domain apps (their history included) is on or before `day`,
    in the site's time zone; only deadlines may lie ahead, and the register (organizations, members, accounts)
    is stamped with the moment it was loaded."""
    late = []
    for model, f in _dated_fields():
        value = model._base_manager.aggregate(m=Max(f.name))["m"]
        if value is None:
            continue
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date()
        limit = loaded if model._meta.label in REGISTER and f.name in STAMPS else day
        if value > limit:
            late.append(f"{model._meta.label}.{f.name} = {value}")
    assert not late, late


def _check_lifecycle(day: datetime.date) -> None:
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.year) == (f"{day.year}年度公开承诺", day.year)
    pledges = list(
        Pledge.objects.select_related("organization", "member", "pledger_organization").prefetch_related(
            "items", "signatures", "reviews"
        )
    )
    assert {p.status for p in pledges} == set(Pledge.Status.values)
    _check_signatures_and_history(pledges)
    _check_items(pledges, today=day)
    _check_opinions()
    _check_demo_queues()
    assert FulfilmentLog.objects.count() > 100 and SelfCheck.objects.exists()
    for inspection in Inspection.objects.all():
        end = datetime.date(inspection.year, inspection.quarter * 3, 1) + datetime.timedelta(days=31)
        assert end.replace(day=1) <= day, inspection  # only quarters already over are inspected
    assert Opinion.objects.filter(received_on__year=day.year).count() == Opinion.objects.count()
    assert PledgeItem.objects.filter(deadline__year=day.year).count() == PledgeItem.objects.count()


def _check_the_pages_of_the_day(day: datetime.date) -> None:
    """What opens on the data date's month and quarter has something in it."""
    year, quarter = day.year, (day.month - 1) // 3 + 1
    assert Activity.objects.filter(held_on__year=year, held_on__month=day.month).exists() or day.day < 5
    assert LeaderReview.objects.filter(period=f"{year}Q{quarter - 1}" if quarter > 1 else f"{year}Q1").exists()
    assert MonthlyRecord.objects.filter(month__year=year).exists()
    assert Tally.objects.filter(period__startswith=str(year)).exists()
    open_session = Appraisal.objects.get(status=Appraisal.Status.OPEN)
    assert open_session.held_on == day and BallotCode.objects.filter(appraisal=open_session, used_at=None).exists()
    if day >= datetime.date(year, 9, 6):
        assert Appraisal.objects.filter(status=Appraisal.Status.CLOSED, year=year, half=1).count() > 10
    if day < datetime.date(year, 7, 1):
        assert not Appraisal.objects.filter(status=Appraisal.Status.CLOSED).exists()
    assert Member.objects.filter(join_date__year__gt=year).count() == 0


def _projection():
    rows = (
        Pledge.objects.values_list("member__id_number", "pledger_organization__code", "status", "created_at"),
        PledgeItem.objects.values_list(
            "pledge__member__id_number", "pledge__revision", "position", "deadline", "state"
        ),
        LeaderReview.objects.values_list("member__id_number", "organization__code", "period", "created_at"),
        Appraisal.objects.values_list("organization__code", "half", "held_on", "satisfaction"),
        Activity.objects.values_list("organization__code", "held_on", "title"),
    )
    return [sorted(qs, key=repr) for qs in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("today", ["2026-01-02", "2026-03-15", "2026-04-01", "2026-07-25", "2025-09-15", "2026-12-31"])
def test_seed_demo_on_any_day_of_the_year(today, time_machine):
    """Loaded on `today` (the clock set to that day too, as `make run` would be): the current year's campaign
    (issue 13 §8; from April, 篇四/篇五: pledges are made at the start of the year), every state of the
    lifecycle, nothing dated after the data date, the same data again for the same seed and day."""
    time_machine.move_to(f"{today} 10:00 +0800", tick=False)
    out = io.StringIO()
    call_command("seed_demo", size="small", seed=3, stdout=out)
    day = data_date(datetime.date.fromisoformat(today))
    text = out.getvalue()
    assert f"数据日期为 {day.year}年{day.month}月{day.day}日" in text
    if day.isoformat() != today:
        assert f"演示的是{day.year}年度承诺批次全年的数据" in text
    _check_lifecycle(day)
    _check_nothing_after(day, datetime.date.fromisoformat(today))
    _check_the_pages_of_the_day(day)
    first = _projection()
    call_command("seed_demo", size="small", seed=3, today=today, reset=True, stdout=io.StringIO())
    assert _projection() == first


@pytest.mark.django_db
def test_a_day_that_does_not_exist_is_refused_in_chinese():
    with pytest.raises(CommandError, match="日期“2025-02-30”无效"):
        call_command("seed_demo", size="small", today="2025-02-30", stdout=io.StringIO())
    assert not Campaign.objects.exists()
