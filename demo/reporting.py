"""Demo statistics forms: the county committee has issued 篇十二 附件2《创先争优活动有关项目统计》 for the year to its
whole subtree; most branches have filled in what no record holds and submitted, some were accepted, one was
returned with a comment, a few have not reported yet. So `render_report --template pian12 --org <county>
--period <year>` comes out filled, with the organizations still to report named.

Rows are written in bulk on the demo calendar (the service refuses a due date in the past, and the demo's
today is in the past), with the history records the services would have left (demo.history).
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from organizations.models import Organization, User
from organizations.permissions import CODENAME_ROLES, Role
from reporting.models import ReportBlank, ReportIssue, ReportSubmission, ReportTemplate
from reporting.selectors import filled_form

from . import history

TITLES = ("优秀共产党员", "优秀党务工作者", "岗位标兵", "致富带头人")
GIVERS = ("县委", "镇党委", "县直机关工委", "市委组织部")


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _committee_of(org: Organization) -> User | None:
    from organizations.models import OrganizationUserObjectPermission

    row = (
        OrganizationUserObjectPermission.objects.filter(
            content_object_id=org.pk,
            permission__codename__in=[c for c, r in CODENAME_ROLES.items() if r == Role.COMMITTEE],
        )
        .order_by("user__username")
        .values_list("user_id", flat=True)
        .first()
    )
    return User.objects.filter(pk=row).first() if row else None


def _secretary_of(org: Organization, fallback: User) -> User:
    from organizations.models import OrganizationUserObjectPermission

    row = (
        OrganizationUserObjectPermission.objects.filter(
            permission__codename__in=[c for c, r in CODENAME_ROLES.items() if r != Role.COMMITTEE],
            content_object_id=org.pk,
        )
        .order_by("user__username")
        .values_list("user_id", flat=True)
        .first()
    )
    return User.objects.filter(pk=row).first() if row else fallback


def delete_reports() -> None:
    ReportSubmission.objects.all().delete()
    ReportIssue.objects.all().delete()
    ReportTemplate.objects.filter(is_built_in=False).delete()
    for model in (ReportSubmission, ReportIssue):
        model.history.all().delete()


def seed_reports(*, seed_value: int, today: datetime.date) -> dict:
    rng = random.Random(f"reports-{seed_value}")
    root = Organization.objects.filter(depth=1, is_active=True).order_by("path").first()
    committee = _committee_of(root) if root else None
    template = ReportTemplate.objects.filter(code="pian12").first()
    if root is None or committee is None or template is None:
        return {"issues": 0, "submissions": 0, "submitted": 0, "returned": 0, "accepted": 0}
    year = today.year
    issued_on = today - datetime.timedelta(days=20)
    issue = ReportIssue.objects.create(
        template=template,
        organization=root,
        period=str(year),
        due_on=today + datetime.timedelta(days=15),
        note="请各党组织核对系统统计的数字，如实填写其余空格，按时上报。",
        issued_by=committee,
        issued_at=_at(issued_on),
    )
    # Its history on the demo's calendar instead of the record the save just wrote at the real moment.
    ReportIssue.history.filter(id=issue.pk).delete()
    records = [history.record(issue, at=_at(issued_on), by=committee, label="下发统计表", kind="+")]
    blanks = list(
        ReportBlank.objects.filter(item__template=template, source=ReportBlank.Source.ENTERED).order_by(
            "item__position", "position"
        )
    )
    orgs = list(Organization.objects.filter(path__startswith=root.path, is_active=True).order_by("path"))
    rows, counts = [], {"submitted": 0, "returned": 0, "accepted": 0}
    for org in orgs:
        sub = ReportSubmission(issue=issue, organization=org)
        is_branch = org.level in (Organization.Level.BRANCH, Organization.Level.GENERAL_BRANCH)
        roll = rng.random()
        if org.pk == root.pk:
            roll = 1.0  # the county's own 本级 form is still being filled
        if is_branch and roll < 0.8 or not is_branch and roll < 0.5:
            sub.entered = _entered(rng, blanks)
            state = ReportSubmission.Status.ACCEPTED if roll < 0.35 else ReportSubmission.Status.SUBMITTED
            if is_branch and 0.75 <= roll < 0.8:
                state = ReportSubmission.Status.RETURNED
                sub.comment = "第5项受表彰人次与表彰名单不一致，请核实后重新上报。"
            history.set_state(sub, "status", state)
            sub.submitted_at = _at(issued_on + datetime.timedelta(days=rng.randint(2, 12)), 16)
            sub.updated_at = sub.submitted_at
            counts[state.value if hasattr(state, "value") else state] += 1
        rows.append(sub)
    ReportSubmission.objects.bulk_create(rows, batch_size=1000)
    by_org = {s.organization_id: s for s in ReportSubmission.objects.filter(issue=issue)}
    for org in orgs:
        sub = by_org[org.pk]
        records.append(history.record(sub, at=_at(issued_on), by=committee, kind="+", status="pending"))
        if sub.submitted_at is None:
            continue
        filler = _secretary_of(org, committee)
        sub.updated_by = filler
        records.append(
            history.record(sub, at=sub.submitted_at, by=filler, label="上报", status=ReportSubmission.Status.SUBMITTED)
        )
        later = sub.submitted_at + datetime.timedelta(days=2)
        if sub.status == ReportSubmission.Status.ACCEPTED:
            records.append(history.record(sub, at=later, by=committee, label="审核通过"))
        elif sub.status == ReportSubmission.Status.RETURNED:
            records.append(history.record(sub, at=later, by=committee, label="退回修改", comment=sub.comment))
    # What each submitted organization's subtree counted when it submitted, as the service keeps it.
    small = len(orgs) <= 60  # at county size the snapshots are left out: a page computes them live anyway
    for sub in by_org.values():
        if small and sub.submitted_at is not None:
            form = filled_form(template=template, organization=sub.organization, period=issue.period, today=today)
            sub.computed = {b.key: _plain(b.raw) for item in form.items for b in item.blanks if b.computed}
    ReportSubmission.objects.bulk_update(list(by_org.values()), ["updated_by", "computed"], batch_size=500)
    history.write(records)
    return {"issues": 1, "submissions": len(rows), **counts}


def _entered(rng: random.Random, blanks: list[ReportBlank]) -> dict:
    values = {}
    for blank in blanks:
        if blank.value_type == ReportBlank.ValueType.TEXT:
            values[blank.key] = rng.choice(GIVERS if "单位" in blank.label else TITLES)
        elif rng.random() < 0.85:
            values[blank.key] = rng.randint(0, 4)
    return values


def _plain(value):
    from decimal import Decimal

    return str(value) if isinstance(value, Decimal) else value
