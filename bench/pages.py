"""The key pages of DESIGN §9 on the demo data: who opens what, the sessions and ballot codes the load needs,
and each page's SQL query count (also on a smaller and a larger object, to show it does not grow with rows)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from commitments.models import FulfilmentLog, Pledge, PledgeItem
from disclosure.selectors import PUBLIC_STATUSES
from organizations.models import Member, Organization, User

from .load import Request

BENCH_PLACE = "性能测试专用（bench）"
CSRF_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class Page:
    key: str
    label: str
    path: str
    user: str | None = None  # demo account; None for the public
    method: str = "GET"
    form: dict = field(default_factory=dict)  # POST fields (the ballot)
    ballot: bool = False
    minimal: bool = False
    # Query counts on a smaller and a larger object of the same kind: (label, user, path) each.
    smaller: tuple[str, str | None, str] | None = None
    larger: tuple[str, str | None, str] | None = None


@dataclass
class Scene:
    """The demo objects the pages are opened on."""

    county: Organization
    town: Organization
    branch: Organization
    member: Member
    pledge: Pledge
    appraisal: object
    pages: list[Page]

    @property
    def minimal(self) -> Page:
        return next(p for p in self.pages if p.minimal)


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _grant_org(username: str) -> Organization:
    from organizations.permissions import grants_of

    grants = grants_of(_user(username))
    return Organization.objects.get(pk=grants[0].organization_id)


def _branch_boards() -> tuple[Organization, Organization]:
    """Two branches whose boards have the same parts (an organization pledge and members' pledges), with the
    fewest and the most published member pledges: a prefetch over an empty set is skipped, so boards of
    different shapes would differ by a query for reasons that have nothing to do with their size."""
    with_org_pledge = Pledge.objects.filter(
        is_current=True, status__in=PUBLIC_STATUSES, pledger_organization_id=OuterRef("organization_id")
    )
    rows = list(
        Pledge.objects.filter(is_current=True, status__in=PUBLIC_STATUSES, member__isnull=False)
        .filter(Exists(with_org_pledge))
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by("n", "organization_id")
    )
    return (
        Organization.objects.get(pk=rows[0]["organization_id"]),
        Organization.objects.get(pk=rows[-1]["organization_id"]),
    )


def _pledges_by_items(org: Organization) -> tuple[Pledge, Pledge]:
    """The published member pledges of `org` with the fewest and the most items, among those with fulfilment
    logs (so that both pages run the same prefetches)."""
    logged = FulfilmentLog.objects.filter(item__pledge=OuterRef("pk"))
    pledges = list(
        Pledge.objects.filter(organization=org, is_current=True, status__in=PUBLIC_STATUSES, member__isnull=False)
        .filter(Exists(logged))
        .annotate(n=Count("items"))
        .order_by("n", "id")
    )
    return pledges[0], pledges[-1]


def bench_appraisal(branch: Organization, committee: User):
    """The open appraisal the ballot runs vote in: reused from an earlier run, else opened now by the town
    committee with five members' pledges to be rated one by one (the usual 逐人测评)."""
    from evaluations.models import Appraisal, participant_minimum
    from evaluations.services import appraisals as services

    found = Appraisal.objects.filter(organization=branch, status=Appraisal.Status.OPEN).first()
    if found is not None:
        return found
    today = timezone.localdate()
    questions = list(
        Pledge.objects.filter(organization=branch, is_current=True, status__in=PUBLIC_STATUSES, member__isnull=False)
        .order_by("id")
        .values_list("pk", flat=True)[:5]
    )
    fields = dict(
        organization=branch,
        by=committee,
        year=today.year,
        half=1 if today.month <= 6 else 2,
        held_on=today,
        place=BENCH_PLACE,
        planned_masses=participant_minimum(branch),
        member_pledges=questions,
    )
    try:
        return services.appraisal_open(**fields)
    except Exception:
        # This half already had its appraisal: a re-appraisal opened directly, as a rectification would.
        fields.pop("member_pledges")
        fields["created_by"] = fields.pop("by")
        fields["campaign"] = None
        appraisal = Appraisal.objects.create(**fields)
        appraisal.member_questions.set(questions)
        return appraisal


def new_ballot_codes(appraisal, count: int) -> list[str]:
    """`count` fresh one-time codes for the ballot runs (bulk, beyond the 2,000 a person may print)."""
    from evaluations.models import BallotCode, new_ballot_code

    codes = {new_ballot_code() for _ in range(count)}
    BallotCode.objects.bulk_create([BallotCode(appraisal=appraisal, code=c) for c in codes], ignore_conflicts=True)
    return sorted(codes)


def ballot_form(appraisal) -> dict:
    form = {"overall": "satisfied"}
    for pk in appraisal.member_questions.values_list("pk", flat=True):
        form[f"pledge_{pk}"] = "satisfied"
    return form


def build_scene() -> Scene:
    county = _grant_org("xianwei")
    town = _grant_org("zhenwei")
    member = Member.objects.select_related("organization").get(user__username="dangyuan1")
    branch = member.organization
    pledge = Pledge.objects.filter(member=member, is_current=True).order_by("-id").first()
    appraisal = bench_appraisal(branch, _user("zhenwei"))
    few, many = _pledges_by_items(branch)
    small_board, large_board = _branch_boards()
    pages = [
        Page("minimal", "最小页面（公开栏查找 /gs/）", "/gs/", minimal=True),
        Page(
            "pledge",
            "党员本人的承诺书",
            f"/pledges/{pledge.pk}/",
            "dangyuan1",
            smaller=("事项最少的承诺书", "dangyuan1", f"/pledges/{few.pk}/"),
            larger=("事项最多的承诺书", "dangyuan1", f"/pledges/{many.pk}/"),
        ),
        Page(
            "ledger",
            "支部承诺台帐",
            f"/ledger/?org={branch.code}",
            "shuji",
            smaller=("县委看一个支部", "xianwei", f"/ledger/?org={branch.code}"),
            larger=("县委看全县", "xianwei", f"/ledger/?org={county.code}"),
        ),
        Page(
            "queue",
            "上级党委待审核（县委）",
            "/queues/?tab=review",
            "xianwei",
            smaller=("镇党委", "zhenwei", "/queues/?tab=review"),
            larger=("县委", "xianwei", "/queues/?tab=review"),
        ),
        Page(
            "board",
            "支部公开栏",
            f"/gs/{branch.code}/",
            None,
            smaller=("公示承诺最少的支部", None, f"/gs/{small_board.code}/"),
            larger=("公示承诺最多的支部", None, f"/gs/{large_board.code}/"),
        ),
        Page(
            "dashboard",
            "统计（县委，全县本季度）",
            "/stats/",
            "xianwei",
            smaller=("一个支部", "xianwei", "/stats/?" + urlencode({"org": branch.code})),
            larger=("全县", "xianwei", "/stats/?" + urlencode({"org": county.code})),
        ),
        Page(
            "ballot",
            "群众评议投票（提交）",
            "/pj/{code}/",
            None,
            method="POST",
            form=ballot_form(appraisal),
            ballot=True,
        ),
    ]
    return Scene(county, town, branch, member, pledge, appraisal, pages)


# --- sessions and requests ----------------------------------------------------------------------------------


def session_cookies(usernames, secret_key: str) -> dict[str, str]:
    """A logged-in session per demo account, signed with the measured server's secret (sessions live in the
    shared database, and their auth hash depends on SECRET_KEY)."""
    cookies = {}
    with override_settings(SECRET_KEY=secret_key):
        for name in sorted({u for u in usernames if u}):
            client = Client()
            client.force_login(_user(name))
            cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def csrf_token() -> str:
    return "".join(secrets.choice(CSRF_TOKEN_CHARS) for _ in range(32))


def load_request(page: Page, cookies: dict[str, str], codes: list[str] | None = None) -> Request:
    headers = {"Host": "127.0.0.1", "User-Agent": "pledge-bench"}
    cookie = []
    if page.user:
        cookie.append(f"{settings.SESSION_COOKIE_NAME}={cookies[page.user]}")
    body = ""
    if page.method == "POST":
        token = csrf_token()
        cookie.append(f"{settings.CSRF_COOKIE_NAME}={token}")
        body = urlencode({"csrfmiddlewaretoken": token, **page.form})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = "; ".join(cookie)
    return Request(path=page.path, method=page.method, headers=headers, body=body, codes=codes)


# --- query counts ---------------------------------------------------------------------------------------------


def count_queries(user: str | None, path: str, method: str = "GET", form: dict | None = None) -> tuple[int, int]:
    """(number of SQL queries, HTTP status) of one request through the Django test client, after a first
    request that warms per-process caches."""
    client = Client(SERVER_NAME="127.0.0.1")
    if user:
        client.force_login(_user(user))
    send = client.post if method == "POST" else client.get
    if method == "GET":
        client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = send(path, form or {})
    return len(queries), response.status_code


def page_queries(page: Page, appraisal=None) -> dict:
    """The query counts of a page, and of its smaller and larger variants when it has them."""
    if page.ballot:
        code = new_ballot_codes(appraisal, 1)[0]
        n, status = count_queries(None, page.path.replace("{code}", code), "POST", page.form)
        return {"queries": n, "status": status}
    n, status = count_queries(page.user, page.path)
    result = {"queries": n, "status": status}
    for which in ("smaller", "larger"):
        variant = getattr(page, which)
        if variant:
            label, user, path = variant
            vn, vstatus = count_queries(user, path)
            result[which] = {"label": label, "path": path, "queries": vn, "status": vstatus}
    return result


def rows_hint() -> dict:
    """How big the data is, for the report."""
    return {
        "organizations": Organization.objects.count(),
        "branches": Organization.objects.filter(level="branch").count(),
        "members": Member.objects.count(),
        "pledges": Pledge.objects.count(),
        "items": PledgeItem.objects.count(),
    }
