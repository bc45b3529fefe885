"""上评下议 pages: the rankings a user may read, computing one, its entries with adjustments, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from organizations.errors import DomainError
from organizations.models import Organization
from organizations.permissions import OrgAction, may, org_get_for_user_or_404, orgs_for

from .. import selectors
from ..forms import AdjustmentForm
from ..models import Ranking, RankingEntry
from ..permissions import EvaluationAction
from ..selectors import ranking_period_choices, ranking_period_display
from ..services.rankings import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    adjustment_log,
    ranking_adjust,
    ranking_compute,
    ranking_publish,
)

RANK_ACTION = {Ranking.Level.ORGANIZATIONS: "rank_organizations", Ranking.Level.MEMBERS: "rank_members"}


def _weights_from(data) -> dict:
    weights = {}
    for key, _label in COMPONENTS:
        raw = (data.get(f"weight_{key}") or "").strip()
        weights[key] = raw if raw else DEFAULT_WEIGHTS[key]
    return weights


def _ranking_for_user_or_404(user, pk: int) -> Ranking:
    ranking = get_object_or_404(Ranking.objects.select_related("organization"), pk=pk)
    if not may(user, OrgAction.VIEW_ORG, ranking.organization):
        raise Http404("没有找到该排名。")
    if not may(user, EvaluationAction.VIEW_STATISTICS, ranking.organization):
        raise PermissionDenied("您无权查看该排名。")
    return ranking


def _may_rank(user, ranking: Ranking) -> bool:
    return may(user, RANK_ACTION[ranking.level], ranking.organization)


def _rankable(user) -> dict[str, list[Organization]]:
    """Where the user may rank: committees their subordinate organizations, secretaries their members."""
    visible = list(
        orgs_for(user, EvaluationAction.VIEW_STATISTICS)
        .filter(is_active=True)
        .order_by("path")
        .only("code", "name", "path", "numchild")
    )
    return {
        Ranking.Level.ORGANIZATIONS: [
            o for o in visible if o.numchild and may(user, EvaluationAction.RANK_ORGANIZATIONS, o)
        ],
        Ranking.Level.MEMBERS: [o for o in visible if may(user, EvaluationAction.RANK_MEMBERS, o)],
    }


@login_required
def ranking_list(request):
    rankings = selectors.rankings_in(orgs_for(request.user, EvaluationAction.VIEW_STATISTICS))
    code = (request.GET.get("org") or "").strip()
    org = None
    if code:
        org = org_get_for_user_or_404(request.user, code, "view_statistics")
        rankings = rankings.filter(organization=org)
    page = Paginator(rankings, 20).get_page(request.GET.get("page"))
    for ranking in page.object_list:
        ranking.period_display = ranking_period_display(ranking)
    today = timezone.localdate()
    rankable = _rankable(request.user)
    forms_ = [
        {
            "level": level,
            "title": title,
            "hint": hint,
            "orgs": rankable[level],
            "periods": ranking_period_choices(level, today),
        }
        for level, title, hint in (
            (Ranking.Level.ORGANIZATIONS, "对下级党组织排名（每两个月）", "上级党委对直属下级党组织进行排名。"),
            (Ranking.Level.MEMBERS, "对党员排名（每月）", "党支部书记对本支部党员进行排名。"),
        )
        if rankable[level]
    ]
    return render(
        request,
        "evaluations/ranking_list.html",
        {
            "page": page,
            "org": org,
            "compute_forms": forms_,
            "components": [(key, label, DEFAULT_WEIGHTS[key]) for key, label in COMPONENTS],
            "qs": f"org={org.code}" if org else "",
        },
    )


@login_required
@require_POST
def ranking_compute_view(request):
    level = request.POST.get("level", "")
    if level not in Ranking.Level.values:
        messages.error(request, "请选择排名对象。")
        return redirect("evaluations:ranking_list")
    org = org_get_for_user_or_404(request.user, request.POST.get("org", ""), "view_org")
    try:
        ranking = ranking_compute(
            organization=org,
            level=level,
            period=request.POST.get("period", ""),
            by=request.user,
            weights=_weights_from(request.POST),
        )
    except (DomainError, PermissionDenied) as err:
        messages.error(request, str(err))
        return redirect("evaluations:ranking_list")
    messages.success(
        request, f"已计算“{org.name}”{ranking_period_display(ranking)}的{ranking.get_level_display()}排名。"
    )
    return redirect("evaluations:ranking_detail", pk=ranking.pk)


@login_required
def ranking_detail(request, pk):
    ranking = _ranking_for_user_or_404(request.user, pk)
    entries = list(ranking.entries.select_related("member", "organization", "adjusted_by").order_by("rank", "id"))
    may_rank = _may_rank(request.user, ranking)
    for entry in entries:
        entry.parts = entry.components.get("parts", [])
        entry.subject = entry.member.name if entry.member_id else entry.organization.name
    log = adjustment_log(ranking, entries)
    headers = [{"label": label, "weight": ranking.weights.get(key, 0)} for key, label in COMPONENTS]
    used = {p["key"] for p in (entries[0].parts if entries else []) if p["used"]}
    return render(
        request,
        "evaluations/ranking_detail.html",
        {
            "ranking": ranking,
            "period_display": ranking_period_display(ranking),
            "entries": entries,
            "headers": headers,
            "unused": [label for key, label in COMPONENTS if key not in used],
            "may_rank": may_rank,
            "may_change": may_rank and not ranking.is_published,
            "form": AdjustmentForm(),
            "log": log,
            "components": [(key, label, ranking.weights.get(key, 0)) for key, label in COMPONENTS],
        },
    )


@login_required
@require_POST
def ranking_recompute(request, pk):
    ranking = _ranking_for_user_or_404(request.user, pk)
    try:
        ranking_compute(
            organization=ranking.organization,
            level=ranking.level,
            period=ranking.period,
            by=request.user,
            weights=_weights_from(request.POST) if "weight_fulfilment" in request.POST else ranking.weights,
        )
    except (DomainError, PermissionDenied) as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "已按最新数据重新计算，已有的调整分保留。")
    return redirect("evaluations:ranking_detail", pk=ranking.pk)


@login_required
@require_POST
def ranking_adjust_view(request, pk):
    entry = get_object_or_404(RankingEntry.objects.select_related("ranking__organization"), pk=pk)
    ranking = _ranking_for_user_or_404(request.user, entry.ranking_id)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[name].label}：{'、'.join(msgs)}" for name, msgs in form.errors.items())
        messages.error(request, f"调整未保存。{errors}")
        return redirect("evaluations:ranking_detail", pk=ranking.pk)
    try:
        entry = ranking_adjust(entry=entry, by=request.user, **form.cleaned_data)
    except (DomainError, PermissionDenied) as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已调整分数，调整后为 {entry.final_score} 分，第 {entry.rank} 名。")
    return redirect("evaluations:ranking_detail", pk=ranking.pk)


@login_required
@require_POST
def ranking_publish_view(request, pk):
    ranking = _ranking_for_user_or_404(request.user, pk)
    try:
        ranking_publish(ranking=ranking, by=request.user)
    except (DomainError, PermissionDenied) as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "排名已公布。")
    return redirect("evaluations:ranking_detail", pk=ranking.pk)
