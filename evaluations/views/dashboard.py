"""统计 pages: the dashboard of a subtree and period with charts, and the 统计表 as .xlsx and PDF."""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commitments.models import Campaign
from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import grants_of, org_get_for_user_or_404, orgs_for
from organizations.selectors import default_organization

from ..models import Tally
from ..permissions import EvaluationAction
from ..statistics import (
    INDICATOR_BY_KEY,
    MAIN_INDICATORS,
    SATISFACTION_BANDS,
    Period,
    change_direction,
    chinese_date,
    format_change,
    format_value,
    indicator_table,
    parse_period,
    period_containing,
    tally_build,
    tally_get_or_build,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTS = {
    "coverage": "承诺覆盖率",
    "fulfilment_rate": "兑现率",
    "satisfaction": "满意度",
}
KIND_GROUPS = (
    (Tally.PeriodKind.QUARTER, "季度"),
    (Tally.PeriodKind.MONTH, "月"),
    (Tally.PeriodKind.HALF_YEAR, "半年"),
    (Tally.PeriodKind.YEAR, "年度"),
)


def _default_org(user) -> Organization:
    org = default_organization(user)
    if org is None:
        raise PermissionDenied("您无权查看统计。")
    return org


def _chosen_org(request) -> Organization:
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    if code:
        return org_get_for_user_or_404(request.user, code, "view_statistics")
    return _default_org(request.user)


def _campaign_near(org: Organization, today: datetime.date) -> Campaign | None:
    """The latest campaign that covers `org` (opened above it or within it) and has begun."""
    return (
        Campaign.objects.filter(
            Q(organization__path__in=org.ancestor_paths()) | Q(organization__path__startswith=org.path),
            starts_on__lte=today,
        )
        .order_by("-starts_on", "-id")
        .first()
    )


def _default_period(campaign: Campaign | None, today: datetime.date) -> Period:
    """The quarter under way; once the latest campaign has ended, its last quarter."""
    day = today if campaign is None or today <= campaign.ends_on else campaign.ends_on
    return period_containing(day, Tally.PeriodKind.QUARTER)


def _period_choices(campaign: Campaign | None, today: datetime.date) -> list[dict]:
    """Periods that have begun, grouped by kind, newest first, from the campaign's year (or last year)."""
    first_year = min(campaign.year if campaign else today.year, today.year - 1)
    groups = []
    for kind, label in KIND_GROUPS:
        options = []
        for year in range(today.year, first_year - 1, -1):
            p = period_containing(datetime.date(year, 12, 31), kind)
            while p.year == year:
                if p.start <= today:
                    options.append((p.label, p.display))
                p = p.previous()
        groups.append({"label": label, "options": options})
    return groups


def _org_choices(user, org: Organization) -> list[dict]:
    """Organizations the user may read statistics of that have subordinates, plus his own and the chosen one."""
    own = [g.organization_id for g in grants_of(user)]
    rows = (
        orgs_for(user, EvaluationAction.VIEW_STATISTICS)
        .filter(Q(numchild__gt=0) | Q(pk__in=own) | Q(pk=org.pk), is_active=True)
        .order_by("path")
        .values("code", "name", "depth")[:500]
    )
    rows = list(rows)
    top = min((r["depth"] for r in rows), default=1)
    return [{"code": r["code"], "label": "\u3000" * (r["depth"] - top) + r["name"]} for r in rows]


def _sorted_children(children: list[dict], sort: str, descending: bool) -> list[dict]:
    if sort not in SORTS:
        return children
    present = [c for c in children if c.get(sort) is not None]
    missing = [c for c in children if c.get(sort) is None]
    present.sort(key=lambda c: (c[sort], c["code"]), reverse=descending)
    return present + missing  # organizations without the figure always come last


def _child_rows(children: list[dict]) -> list[dict]:
    return [
        {
            **c,
            "coverage_text": format_value("member_coverage", c["coverage"]),
            "fulfilment_text": format_value("fulfilment_rate", c["fulfilment_rate"]),
            "satisfaction_text": format_value("satisfaction", c["satisfaction"]),
            "low": c["satisfaction"] is not None and c["satisfaction"] < 0.9,
        }
        for c in children
    ]


def _charts(current: dict, previous: dict | None) -> dict:
    """The data of the four charts, ready for ECharts."""
    series = current.get("series") or {}
    children = current.get("children") or []
    bands = current.get("satisfaction_bands") or {}
    ballots = current.get("ballots") or {}
    return {
        "fulfilment": {
            "months": series.get("months", []),
            "rate": [None if r is None else round(r * 100, 1) for r in series.get("rate", [])],
            "ticked": series.get("ticked_in_month", []),
        },
        "coverage": {
            "names": [c["name"] for c in children],
            "coverage": [None if c["coverage"] is None else round(c["coverage"] * 100, 1) for c in children],
            "fulfilment": [
                None if c["fulfilment_rate"] is None else round(c["fulfilment_rate"] * 100, 1) for c in children
            ],
        },
        "satisfaction": {
            "bands": [label for _, label in SATISFACTION_BANDS],
            "counts": [bands.get(key, 0) for key, _ in SATISFACTION_BANDS],
        },
        "ballots": [
            {"name": "满意", "value": ballots.get("satisfied", 0)},
            {"name": "基本满意", "value": ballots.get("basically", 0)},
            {"name": "不满意", "value": ballots.get("unsatisfied", 0)},
        ],
    }


def _cards(current: dict, previous: dict | None) -> list[dict]:
    cards = []
    for key in MAIN_INDICATORS:
        now = current.get(key)
        before = previous.get(key) if previous else None
        cards.append(
            {
                "key": key,
                "label": INDICATOR_BY_KEY[key].label,
                "value": format_value(key, now),
                "unit": "" if INDICATOR_BY_KEY[key].unit == "%" or now is None else INDICATOR_BY_KEY[key].unit,
                "change": format_change(key, now, before) if previous else "",
                "direction": change_direction(key, now, before) if previous else "",
            }
        )
    return cards


def _tallies(org: Organization, period: Period) -> tuple[Tally, Tally]:
    return tally_get_or_build(org=org, period=period.label), tally_get_or_build(org=org, period=period.previous().label)


def _parse_or_default(request, campaign, today) -> Period:
    raw = (request.GET.get("period") or request.POST.get("period") or "").strip()
    if raw:
        try:
            return parse_period(raw)
        except DomainError as err:
            messages.error(request, str(err))
    return _default_period(campaign, today)


@login_required
def dashboard(request):
    org = _chosen_org(request)
    today = timezone.localdate()
    campaign = _campaign_near(org, today)
    period = _parse_or_default(request, campaign, today)
    tally, previous = _tallies(org, period)
    current, before = tally.indicators, previous.indicators
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir", "desc") != "asc"
    children = _child_rows(_sorted_children(current.get("children") or [], sort, descending))
    base = {"org": org.code, "period": period.label}
    sort_links = {
        key: "?"
        + urlencode({**base, "sort": key, "dir": "asc" if sort == key and descending else "desc"})
        + "#children"
        for key in SORTS
    }
    return render(
        request,
        "evaluations/dashboard_index.html",
        {
            "org": org,
            "period": period,
            "previous_period": period.previous(),
            "tally": tally,
            "as_of": chinese_date(datetime.date.fromisoformat(current["as_of"])),
            "cards": _cards(current, before),
            "sections": indicator_table(current, before),
            "children": children,
            "sort": sort,
            "descending": descending,
            "sort_links": sort_links,
            "sorts": SORTS,
            "charts": _charts(current, before),
            "org_choices": _org_choices(request.user, org),
            "period_groups": _period_choices(campaign, today),
            "query": urlencode(base),
            "campaign": campaign,
        },
    )


@login_required
@require_POST
def dashboard_refresh(request):
    org = _chosen_org(request)
    today = timezone.localdate()
    period = _parse_or_default(request, _campaign_near(org, today), today)
    tally_build(org=org, period=period.label)
    messages.success(request, f"已重新统计“{org.name}”{period.display}的数据。")
    return redirect(f"{reverse('evaluations:dashboard')}?{urlencode({'org': org.code, 'period': period.label})}")


def _download(content: bytes, content_type: str, filename: str, disposition: str = "attachment") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def dashboard_xlsx(request):
    from ..stats_exports import statistics_xlsx

    org = _chosen_org(request)
    today = timezone.localdate()
    period = _parse_or_default(request, _campaign_near(org, today), today)
    tally, previous = _tallies(org, period)
    return _download(statistics_xlsx(tally=tally, previous=previous), XLSX, f"{org.name}{period.display}统计表.xlsx")


@login_required
def dashboard_pdf(request):
    # reportlab and the embedded font load on the first PDF, not when the site starts.
    from ..stats_exports import statistics_pdf

    org = _chosen_org(request)
    today = timezone.localdate()
    period = _parse_or_default(request, _campaign_near(org, today), today)
    tally, previous = _tallies(org, period)
    return _download(
        statistics_pdf(tally=tally, previous=previous),
        "application/pdf",
        f"{org.name}{period.display}统计表.pdf",
        disposition="inline",
    )
