"""An access crawl: every URL pattern of the site, as each demo role and as an anonymous visitor.

The demo county (`seed_demo --size small`) is built once for the module, with evaluation rows, jobs and an
attachment added so that every kind of object has an example inside and outside the branch of the demo
secretary. Each pattern is requested (GET) with codes and ids of the user's own and of other subtrees, and each
answer is held against organizations.permissions:

- nothing answers with a server error;
- an anonymous visitor is sent to the login page, except on the public pages (/gs/…, /pj/…, /accounts/login/);
- an object the permission module does not let the user see answers 403, 404 or 405 (never its page);
- no page, Excel file or PDF shows a full 身份证号 or phone number the user may not see.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from commitments.models import Attachment, Campaign, FulfilmentLog, Opinion, Pledge, PledgeItem, Signature
from disclosure import jobs
from disclosure.models import Job
from evaluations.models import (
    Appraisal,
    Award,
    BallotCode,
    Bulletin,
    ContactPoint,
    LeaderReview,
    MonthlyRecord,
    Ranking,
    RankingEntry,
    Rectification,
)
from evaluations.services import appraisals, awards, bulletins, rankings, records, reviews
from organizations.models import (
    Activity,
    ActivityAttachment,
    Exemption,
    Member,
    Organization,
    OrganizationUserObjectPermission,
    User,
)
from organizations.permissions import may
from reporting.models import ReportIssue, ReportSubmission, ReportTemplate
from tests.commitments.samples import image_bytes

ROLES = ("admin", "xianwei", "zhenwei", "shuji", "ganshi", "dangyuan1", "dangyuan2", None)
OWN_BRANCH = "430621001001"  # 城关镇红星村党支部: shuji, ganshi, dangyuan1, dangyuan2
OWN_TOWN = "430621001"  # 中共城关镇委员会: zhenwei
OTHER_BRANCH = "430621002001"  # 青山镇石桥村党支部: outside every demo role but the county's
PUBLIC_PREFIXES = ("/gs/", "/pj/", "/accounts/login/")
# Pages outside those prefixes that show published things to anyone: who may see which object.
PUBLIC_OBJECT_PAGES = {
    # A published 通报 hangs on the public board like the board itself; a draft is for those who edit it.
    "evaluations:bulletin_pdf": lambda bulletin: (
        lambda user: bulletin.status == Bulletin.Status.PUBLISHED or may(user, "manage_bulletin", bulletin.organization)
    ),
}
NOT_VISIBLE = (403, 404, 405)
KINDS = {"kind": ("members", "opinions", "activities")}
# The admin is Django's own; only its entry page is crawled.
ADMIN_PAGES = {"admin:index"}

# Which model the <pk> of each URL name refers to.
PK_MODELS = {
    "organizations:role_revoke": OrganizationUserObjectPermission,
    "organizations:exemption_decide": Exemption,
    "commitments:campaign_close": Campaign,
    "commitments:opinion_decline": Opinion,
    "commitments:attachment": Attachment,
    "commitments:signature_image": Signature,
    "evaluations:award_decide": Award,
    "evaluations:ranking_adjust": RankingEntry,
    "evaluations:record_comment": MonthlyRecord,
    "evaluations:review_publish": LeaderReview,
    "evaluations:grade_confirm": Pledge,
    "organizations:activity_attachment": ActivityAttachment,
    "organizations:activity_attachment_delete": ActivityAttachment,
}
PK_PREFIXES = (
    ("organizations:activit", Activity),
    ("organizations:member", Member),
    ("organizations:exemption_propose", Member),
    ("commitments:pledge_create_oral", Member),
    ("evaluations:review_member_new", Member),
    ("commitments:item", PledgeItem),
    ("commitments:", Pledge),
    ("disclosure:pledge_pdf", Pledge),
    ("disclosure:job", Job),
    ("evaluations:appraisal", Appraisal),
    ("evaluations:contact_", ContactPoint),
    ("evaluations:rectification", Rectification),
    ("evaluations:bulletin", Bulletin),
    ("evaluations:ranking", Ranking),
    ("reporting:template", ReportTemplate),
    ("reporting:issue", ReportIssue),
    ("reporting:submission", ReportSubmission),
)

# Known bugs in application code: url name → "BUG: …". Their pages are left out of the crawl and pinned by
# the strict xfail test at the end, which fails as soon as the bug is fixed (then remove the entry).
KNOWN_BUGS: dict[str, str] = {}


@dataclass
class Sample:
    label: str
    value: object
    visible_to: object = None  # callable(user) -> bool, the permission module's answer; None: no claim
    obj: object = None


@dataclass
class Site:
    media: str
    samples: dict[type, list[Sample]] = field(default_factory=dict)
    codes: list[Sample] = field(default_factory=list)
    ballot_codes: list[Sample] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


def _org(code):
    return Organization.objects.get(code=code)


def _in(code):
    """The tree path of an organization."""
    return _org(code).path


def _add_evaluations_jobs_and_files(site: Site) -> None:
    """Whatever the demo data does not have yet: an example of each object inside and outside the demo branch."""
    users = {u.username: u for u in User.objects.all()}
    own, other, town, other_town = _org(OWN_BRANCH), _org(OTHER_BRANCH), _org(OWN_TOWN), _org("430621002")
    dangyuan1 = Member.objects.get(user=users["dangyuan1"])
    common = {
        "year": 2025,
        "held_on": datetime.date(2025, 6, 28),
        "place": "村委会会议室",
        "report_text": "上半年工作。",
    }
    planned = {"planned_own_leaders": 10, "planned_deputies": 10, "planned_masses": 10}

    if not Appraisal.objects.filter(organization=own).exists():
        failed = appraisals.appraisal_open(organization=own, by=users["zhenwei"], half=1, **common, **planned)
        codes = appraisals.appraisal_generate_codes(appraisal=failed, by=users["zhenwei"], count=31)
        for n, code in enumerate(codes[:30]):
            choice = "satisfied" if n < 20 else "basically" if n < 26 else "unsatisfied"
            appraisals.ballot_cast(code=code.code, choices={"overall": choice, "reason": "道路修整慢"})
        appraisals.appraisal_close(appraisal=failed, by=users["zhenwei"])
    if not Appraisal.objects.filter(organization=other, status=Appraisal.Status.OPEN).exists():
        opened = appraisals.appraisal_open(organization=other, by=users["xianwei"], half=2, **common, **planned)
        appraisals.appraisal_generate_codes(appraisal=opened, by=users["xianwei"], count=2)
    used = BallotCode.objects.filter(used_at__isnull=False).order_by("pk").first()
    unused_open = BallotCode.objects.filter(used_at__isnull=True, appraisal__status="open").order_by("pk").first()
    unused_closed = BallotCode.objects.filter(used_at__isnull=True).exclude(appraisal__status="open").first()
    site.ballot_codes = [
        Sample(label, code.code)
        for label, code in (("used", used), ("open", unused_open), ("closed", unused_closed))
        if code
    ] + [Sample("unknown code", "ABCDEFGHJKLMNPQR")]

    if not LeaderReview.objects.filter(member__organization=own).exists():
        reviews.leader_review_create(
            by=users["shuji"],
            member=dangyuan1,
            kind="quarterly",
            period="2025Q2",
            text="工作踏实，带头作用明显。",
            grades={"de": "good", "neng": "good", "qin": "good", "ji": "fairly_good", "lian": "good"},
            publish=True,
        )
    if not LeaderReview.objects.filter(organization=other).exists():
        reviews.leader_review_create(
            by=users["xianwei"],
            organization=other,
            kind="quarterly",
            period="2025Q2",
            text="组织有力。",
            grades={key: "good" for key, _ in LeaderReview.ORGANIZATION_ASPECTS},
        )
    if not MonthlyRecord.objects.filter(member__organization=own).exists():
        records.monthly_record_save(
            member=dangyuan1, by=users["dangyuan1"], month=datetime.date(2025, 8, 1), text="带头清扫村道。"
        )
    if not MonthlyRecord.objects.filter(member__organization=other).exists():
        stranger = Member.objects.filter(organization=other, user__isnull=True).order_by("pk").first()
        stranger.user = User.objects.create_user(
            username="qingshan_member", password="x-unused-9", full_name=stranger.name
        )
        stranger.save(update_fields=["user"])
        records.monthly_record_save(
            member=stranger, by=stranger.user, month=datetime.date(2025, 8, 1), text="参加义务劳动。"
        )
    if not Bulletin.objects.filter(organization=own).exists():
        bulletins.bulletin_draft(organization=own, year=2025, quarter=2, by=users["shuji"])
    if not Bulletin.objects.filter(organization=other_town).exists():
        bulletins.bulletin_draft(organization=other_town, year=2025, quarter=2, by=users["xianwei"])
    if not Award.objects.filter(nominated_by_organization=own).exists():
        awards.award_nominate(
            kind="star_member",
            year=2025,
            occasion="2025年度表彰",
            member=dangyuan1,
            nominating_organization=own,
            citation="践诺成效突出。",
            by=users["shuji"],
        )
    if not Award.objects.filter(nominated_by_organization=other_town).exists():
        awards.award_nominate(
            kind="advanced_organization",
            year=2025,
            occasion="2025年度表彰",
            organization=other,
            nominating_organization=other_town,
            citation="组织有力。",
            by=users["xianwei"],
        )
    if not Ranking.objects.filter(organization=own).exists():
        rankings.ranking_compute(organization=own, level="members", period="2025-08", by=users["shuji"])
    if not Ranking.objects.filter(organization=other_town).exists():
        rankings.ranking_compute(organization=other_town, level="organizations", period="2025-B4", by=users["xianwei"])
    campaign = Campaign.objects.order_by("pk").first()
    for who, org in (("shuji", own), ("xianwei", town)):
        job = Job.objects.create(
            kind=Job.Kind.MEMBER_REGISTERS, organization=org, campaign=campaign, started_by=users[who]
        )
        jobs.job_run(job.pk)
    for org in (own, other):
        log = FulfilmentLog.objects.filter(item__pledge__organization=org).order_by("pk").first()
        attachment = Attachment(log=log, original_name="现场照片.jpg", kind="jpg", size=100)
        attachment.file.save("evidence.jpg", ContentFile(image_bytes("JPEG")), save=True)
        activity = Activity.objects.filter(organization=org).order_by("pk").first()
        photo = ActivityAttachment(
            activity=activity, original_name="活动照片.jpg", kind="jpg", size=100, uploaded_by=users["xianwei"]
        )
        photo.file.save("activity.jpg", ContentFile(image_bytes("JPEG")), save=True)


def _two(model, own_filter, other_filter, visible_to):
    own = model.objects.filter(**own_filter).order_by("pk").first()
    other = model.objects.filter(**other_filter).order_by("pk").first()
    assert own is not None and other is not None, f"no {model.__name__} inside and outside the demo branch"
    return [Sample("own", own.pk, visible_to(own), own), Sample("other", other.pk, visible_to(other), other)]


def _org_visible(obj_org):
    return lambda user: may(user, "view_org", obj_org)


def _org_visible_for(obj_org, action):
    return lambda user: may(user, action, obj_org)


def _build_samples(site: Site) -> None:
    own, other = _in(OWN_BRANCH), _in(OTHER_BRANCH)
    town_other = _in("430621002")

    def org_rule(attr="organization"):
        return lambda obj: _org_visible(getattr(obj, attr))

    pledge_rule = lambda p: lambda user: may(user, "view_pledge", p)  # noqa: E731
    member_rule = lambda m: lambda user: may(user, "view_member", m)  # noqa: E731
    activity_rule = lambda a: lambda user: may(user, "view_activities", a)  # noqa: E731
    site.samples = {
        Member: _two(
            Member,
            {"organization__path": own, "user__username": "dangyuan2"},
            {"organization__path": other},
            member_rule,
        ),
        Pledge: _two(
            Pledge,
            {"organization__path": own, "member__user__username": "dangyuan2", "is_current": True},
            {"organization__path": other, "member__isnull": False, "status": "published"},
            pledge_rule,
        ),
        PledgeItem: _two(
            PledgeItem,
            {"pledge__organization__path": own, "pledge__member__user__username": "dangyuan2"},
            {"pledge__organization__path": other, "pledge__status": "published"},
            lambda i: pledge_rule(i.pledge),
        ),
        Attachment: _two(
            Attachment,
            {"log__item__pledge__organization__path": own},
            {"log__item__pledge__organization__path": other},
            lambda a: pledge_rule(a.log.item.pledge),
        ),
        Signature: _two(
            Signature,
            {"pledge__organization__path": own, "pledge__member__isnull": False},
            {"pledge__organization__path": other},
            lambda s: pledge_rule(s.pledge),
        ),
        Opinion: _two(Opinion, {"organization__path": own}, {"organization__path": other}, org_rule()),
        Activity: _two(Activity, {"organization__path": own}, {"organization__path": other}, activity_rule),
        ActivityAttachment: _two(
            ActivityAttachment,
            {"activity__organization__path": own},
            {"activity__organization__path": other},
            lambda a: activity_rule(a.activity),
        ),
        Exemption: _two(
            Exemption,
            {"member__organization__path__startswith": _in(OWN_TOWN)},
            {"member__organization__path__startswith": town_other},
            lambda e: member_rule(e.member),
        ),
        OrganizationUserObjectPermission: _two(
            OrganizationUserObjectPermission,
            {"content_object__path": own},
            {"content_object__path": _in(OWN_TOWN)},
            lambda g: _org_visible(g.content_object),
        ),
        Campaign: [Sample("county", Campaign.objects.order_by("pk").first().pk)],
        Job: _two(
            Job,
            {"started_by__username": "shuji"},
            {"started_by__username": "xianwei"},
            lambda j: lambda user: user.is_superuser or j.started_by_id == user.pk,
        ),
        Appraisal: _two(Appraisal, {"organization__path": own}, {"organization__path": other}, org_rule()),
        Rectification: [
            Sample("own", r.pk, _org_visible(r.organization)) for r in Rectification.objects.order_by("pk")[:1]
        ],
        LeaderReview: _two(
            LeaderReview,
            {"member__organization__path": own},
            {"organization__path": other},
            lambda r: member_rule(r.member) if r.member_id else _org_visible(r.organization),
        ),
        MonthlyRecord: _two(
            MonthlyRecord,
            {"member__organization__path": own},
            {"member__organization__path": other},
            lambda r: member_rule(r.member),
        ),
        Bulletin: _two(Bulletin, {"organization__path": own}, {"organization__path": town_other}, org_rule()),
        Award: _two(
            Award,
            {"nominated_by_organization__path": own},
            {"nominated_by_organization__path": town_other},
            org_rule("nominated_by_organization"),
        ),
        Ranking: _two(Ranking, {"organization__path": own}, {"organization__path": town_other}, org_rule()),
        RankingEntry: _two(
            RankingEntry,
            {"ranking__organization__path": own},
            {"ranking__organization__path": town_other},
            lambda e: _org_visible(e.ranking.organization),
        ),
        ReportSubmission: _two(
            ReportSubmission,
            {"organization__path": own},
            {"organization__path": other},
            lambda r: lambda user: may(user, "fill_report", r) or may(user, "check_report", r),
        ),
        ReportIssue: [
            Sample("county", i.pk, _org_visible_for(i.organization, "view_report"), i)
            for i in ReportIssue.objects.order_by("pk")[:1]
        ],
        # 联系点 (xianwei's, in the demo branch): only its leader acts on it.
        ContactPoint: [
            Sample("xianwei's", c.pk, lambda user, c=c: user is not None and user.pk == c.leader_id, c)
            for c in ContactPoint.objects.order_by("pk")[:1]
        ],
        # A form's page works on the user's own organization: no claim beyond "no error".
        ReportTemplate: [Sample("built-in", t.pk) for t in ReportTemplate.objects.filter(code="pian12")],
    }
    for samples in site.samples.values():
        samples.append(Sample("missing", 99_999_999, lambda user: False))
    site.codes = [
        Sample("own branch", OWN_BRANCH, _org_visible(_org(OWN_BRANCH))),
        Sample("own town", OWN_TOWN, _org_visible(_org(OWN_TOWN))),
        Sample("other branch", OTHER_BRANCH, _org_visible(_org(OTHER_BRANCH))),
    ]
    site.members = list(Member.objects.all())


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("crawl-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), CELERY_TASK_ALWAYS_EAGER=True):
        # Everything built here is rolled back when the module ends, like a test's own rows.
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", size="small", today="2025-09-15", seed=2025, stdout=io.StringIO())
            built = Site(media=str(media))
            _add_evaluations_jobs_and_files(built)
            _build_samples(built)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the URL patterns --------------------------------------------------------------------------------------


def _patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", dict(entry.pattern.converters), str(entry.pattern)


def _pk_model(name):
    if name in PK_MODELS:
        return PK_MODELS[name]
    for prefix, model in PK_PREFIXES:
        if name.startswith(prefix):
            return model
    raise AssertionError(f"no sample ids for the <pk> of {name}: add it to PK_MODELS")


def urls_to_visit(site: Site):
    """(url name, url, sample) for every pattern and every sample of its arguments."""
    seen = set()
    for name, converters, route in _patterns():
        if name.startswith("admin:") and name not in ADMIN_PAGES:
            continue
        if (name, route) in seen:
            continue
        seen.add((name, route))
        args = [k for k in converters if k not in ("kind", "form")]
        fixed = {"kind": KINDS["kind"][0]} if "kind" in converters else {}
        if "form" in converters:
            for form in (3, 4):
                yield name, reverse(name, kwargs={"form": form}), None
            continue
        if not args:
            yield name, reverse(name, kwargs=fixed), None
            if "kind" in converters:
                yield name, reverse(name, kwargs={"kind": KINDS["kind"][1]}), None
            continue
        assert len(args) == 1, (name, route)
        arg = args[0]
        if arg == "code":
            samples = site.ballot_codes if name.startswith("evaluations:ballot") else site.codes
        else:
            samples = site.samples[_pk_model(name)]
        for sample in samples:
            if name in PUBLIC_OBJECT_PAGES and sample.obj is not None:
                sample = Sample(sample.label, sample.value, PUBLIC_OBJECT_PAGES[name](sample.obj), sample.obj)
            yield name, reverse(name, kwargs={**fixed, arg: sample.value}), sample
    # Staff pages that take the organization from ?org=.
    for name in ("organizations:members", "commitments:ledger", "disclosure:print", "evaluations:dashboard"):
        for sample in site.codes:
            yield name, reverse(name) + f"?org={sample.value}", sample


# --- the crawl --------------------------------------------------------------------------------------------


def _texts(response) -> str:
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheet" in kind or "zip" in kind:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            if "spreadsheet" in kind:
                return "".join(
                    archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml")
                )
            return "".join(
                "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(archive.read(n))).pages)
                for n in archive.namelist()
                if n.endswith(".pdf")
            )
    if kind.startswith(("text/", "application/json")):
        return body.decode("utf-8", "replace")
    return ""


def _secrets_for(user, members):
    """Full 身份证号 and phone numbers the user may not see."""
    hidden = set()
    for m in members:
        if user is None or not may(user, "view_personal_data", m):
            hidden.update(v for v in (m.id_number, m.phone) if v)
    return hidden


def crawl(site: Site, username):
    user = User.objects.get(username=username) if username else None
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    errors = []

    def on_error(sender, request=None, **kwargs):
        import sys
        import traceback

        errors.append("".join(traceback.format_exception(*sys.exc_info())[-3:]))

    hidden = _secrets_for(user, site.members)
    problems, visited = [], 0
    got_request_exception.connect(on_error)
    try:
        for name, url, sample in urls_to_visit(site):
            if name in KNOWN_BUGS:
                continue
            errors.clear()
            response = client.get(url)
            visited += 1
            status = response.status_code
            where = f"{username or '匿名'} GET {url} ({name}{', ' + sample.label if sample else ''}) → {status}"
            if status >= 500:
                problems.append(f"{where}: server error\n{''.join(errors)}")
                continue
            location = response.get("Location", "")
            public = url.startswith(PUBLIC_PREFIXES) or name in PUBLIC_OBJECT_PAGES
            to_login = status == 302 and location.startswith(("/accounts/login/", "/admin/login/"))
            if user is None and not public and not (to_login or status == 405):
                problems.append(f"{where}: an anonymous visitor should be sent to the login page")
            if user is None and public and to_login:
                problems.append(f"{where}: a public page asks for a login")
            checked = sample is not None and sample.visible_to is not None and (user is not None or public)
            hidden_object = checked and not url.startswith(PUBLIC_PREFIXES) and not sample.visible_to(user)
            if hidden_object and status not in NOT_VISIBLE:
                problems.append(f"{where}: the permission module hides this object, the page does not")
            if status == 200 and hidden:
                text = _texts(response)
                leaked = sorted(s for s in hidden if s in text)
                if leaked:
                    problems.append(f"{where}: shows personal data the user may not see: {leaked[:3]}")
    finally:
        got_request_exception.disconnect(on_error)
    return visited, problems


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_crawl_every_url_as(site, settings, username):
    settings.MEDIA_ROOT = site.media
    visited, problems = crawl(site, username)
    assert visited > 150
    assert not problems, f"{len(problems)} of {visited} pages:\n" + "\n".join(problems[:40])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=why)) for name, why in KNOWN_BUGS.items()]
)
def test_known_bug_pages(site, settings, name):
    settings.MEDIA_ROOT = site.media
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="admin"))
    urls = [url for n, url, _ in urls_to_visit(site) if n == name]
    assert urls and all(client.get(url).status_code < 500 for url in urls)


@pytest.mark.django_db
def test_the_crawl_reads_the_personal_data_it_looks_for(site, settings):
    """The leak check is not vacuous: in an export the secretary may read, full numbers are found; the town
    committee's copy of the same roster shows them masked."""
    settings.MEDIA_ROOT = site.media
    member = Member.objects.get(user__username="dangyuan2")
    url = reverse("organizations:roster_export", args=[OWN_BRANCH])
    client = Client()
    client.force_login(User.objects.get(username="shuji"))
    assert member.id_number in _texts(client.get(url))
    assert member.id_number in _texts(client.get(reverse("organizations:member_detail", args=[member.pk])))
    client.force_login(User.objects.get(username="zhenwei"))
    text = _texts(client.get(url))
    assert member.name in text and member.id_number not in text and member.id_number[-4:] in text
    assert member.id_number in _secrets_for(User.objects.get(username="zhenwei"), [member])
