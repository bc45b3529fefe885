"""一诺一评 (DESIGN §6): at the end of a campaign each pledge gets a final grade — 优秀、良好、一般、差 —
proposed from its data and confirmed by its reviewer. Items still not fulfilled then go to rectification
(整改, source 承诺未兑现).

The proposal is a weighted score over what is known of the pledge, with caps for the things the source
documents treat as decisive:
  - items ticked off on or before their deadline (weight 50; one ticked off late counts half);
  - quarterly inspections passed (weight 20, when inspected);
  - satisfaction of the latest closed 群众评议 of its organization in the campaign's year (weight 15, if any);
  - the average leader grade (德能勤绩廉, or the four aspects of an organization) of the year's graded
    leader reviews (weight 15, if any).
Missing parts drop out and the others are re-weighted. A score of 90 gives 优秀, 75 良好, 60 一般, less 差.
An item not fulfilled or a satisfaction below 90% caps the grade at 一般; a failed inspection caps it at 良好.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from commitments.models import Campaign, Inspection, Pledge, PledgeItem
from commitments.notifications import notify, pledger_users
from organizations.errors import DomainError
from organizations.models import User
from organizations.permissions import require

from ..models import GRADE_POINTS, Appraisal, Grade, LeaderReview, Rectification
from .appraisals import rectification_open_for_unfulfilled
from .reviews import GRADED_KINDS

EXCELLENT, GOOD, FAIR, POOR = "优秀", "良好", "一般", "差"
FINAL_GRADES = (EXCELLENT, GOOD, FAIR, POOR)
THRESHOLDS = ((90, EXCELLENT), (75, GOOD), (60, FAIR))
WEIGHTS = {"on_time": 50, "inspections": 20, "satisfaction": 15, "leader": 15}
LATE_CREDIT = 0.5  # an item ticked off after its deadline counts half
SATISFACTION_PASS = Decimal("0.90")
GRADABLE = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)
NOTIFY_GRADE = "final_grade"

_POINTS = {str(k): v for k, v in GRADE_POINTS.items()}


@dataclass
class GradeFacts:
    items: int = 0
    ticked: int = 0
    on_time: int = 0
    inspections: int = 0
    inspections_passed: int = 0
    satisfaction: Decimal | None = None
    leader_points: float | None = None  # 1 (差) … 4 (好)
    leader_reviews: int = 0

    @property
    def unfulfilled(self) -> int:
        return self.items - self.ticked


@dataclass
class GradeProposal:
    grade: str
    score: int
    reasons: str
    facts: GradeFacts


def _cap(grade: str, ceiling: str) -> str:
    return grade if FINAL_GRADES.index(grade) >= FINAL_GRADES.index(ceiling) else ceiling


def _points_label(points: float) -> str:
    if points >= 3.5:
        return Grade.GOOD.label
    if points >= 2.5:
        return Grade.FAIRLY_GOOD.label
    if points >= 1.5:
        return Grade.FAIR.label
    return Grade.POOR.label


def grade_from_facts(f: GradeFacts) -> GradeProposal:
    parts: list[tuple[int, float]] = []
    reasons: list[str] = []
    if f.items:
        late = f.ticked - f.on_time
        parts.append((WEIGHTS["on_time"], (f.on_time + LATE_CREDIT * late) / f.items))
        reasons.append(
            f"承诺事项 {f.items} 项，已销号 {f.ticked} 项，其中按期销号 {f.on_time} 项（{f.on_time / f.items:.0%}）"
            + (f"、逾期后销号 {late} 项" if late else "")
        )
    else:
        reasons.append("没有承诺事项")
    if f.inspections:
        parts.append((WEIGHTS["inspections"], f.inspections_passed / f.inspections))
        failed = f.inspections - f.inspections_passed
        reasons.append(f"季度检查 {f.inspections} 次" + ("，全部通过" if not failed else f"，{failed} 次未通过"))
    else:
        reasons.append("没有季度检查记录")
    if f.satisfaction is not None:
        parts.append((WEIGHTS["satisfaction"], min(float(f.satisfaction), 1.0)))
        reasons.append(f"群众满意度 {float(f.satisfaction):.1%}")
    if f.leader_points is not None:
        parts.append((WEIGHTS["leader"], (f.leader_points - 1) / 3))
        reasons.append(
            f"领导点评 {f.leader_reviews} 次，平均等次“{_points_label(f.leader_points)}”（{f.leader_points:.1f} 分）"
        )
    total = sum(w for w, _ in parts)
    score = round(100 * sum(w * v for w, v in parts) / total) if total else 0
    grade = next((g for limit, g in THRESHOLDS if score >= limit), POOR)
    caps = []
    if f.unfulfilled:
        capped = _cap(grade, FAIR)
        if capped != grade:
            caps.append(f"有 {f.unfulfilled} 项事项未兑现，最高评为“一般”")
        grade = capped
    if f.satisfaction is not None and f.satisfaction < SATISFACTION_PASS:
        capped = _cap(grade, FAIR)
        if capped != grade:
            caps.append("群众满意度低于90%，最高评为“一般”")
        grade = capped
    if f.inspections_passed < f.inspections:
        capped = _cap(grade, GOOD)
        if capped != grade:
            caps.append("有季度检查未通过，最高评为“良好”")
        grade = capped
    text = "；".join(reasons) + f"。综合得分 {score} 分"
    if caps:
        text += "，但" + "；".join(caps)
    text += f"，建议评为“{grade}”。"
    return GradeProposal(grade, score, text, f)


def grade_facts(pledges) -> dict[int, GradeFacts]:
    """The facts behind the proposals of many pledges (of one or more campaigns) with four queries."""
    pledges = list(pledges)
    if not pledges:
        return {}
    ids = [p.pk for p in pledges]
    facts = {pk: GradeFacts() for pk in ids}
    item_rows = (
        PledgeItem.objects.filter(pledge_id__in=ids)
        .values("pledge_id")
        .annotate(
            n=Count("id"),
            ticked=Count("id", filter=Q(state=PledgeItem.State.TICKED_OFF)),
            on_time=Count("id", filter=Q(state=PledgeItem.State.TICKED_OFF, ticked_off_on__lte=F("deadline"))),
        )
        .order_by()
    )
    for r in item_rows:
        f = facts[r["pledge_id"]]
        f.items, f.ticked, f.on_time = r["n"], r["ticked"], r["on_time"]
    inspection_rows = (
        Inspection.objects.filter(pledge_id__in=ids)
        .values("pledge_id")
        .annotate(n=Count("id"), passed=Count("id", filter=Q(result=Inspection.Result.PASS)))
        .order_by()
    )
    for r in inspection_rows:
        facts[r["pledge_id"]].inspections, facts[r["pledge_id"]].inspections_passed = r["n"], r["passed"]

    years = {p.campaign.year for p in pledges}
    org_ids = {p.pledger_organization_id or p.organization_id for p in pledges}
    latest: dict[tuple[int, int], Decimal] = {}
    for org_id, year, satisfaction in (
        Appraisal.objects.filter(
            organization_id__in=org_ids,
            year__in=years,
            status=Appraisal.Status.CLOSED,
            satisfaction__isnull=False,
        )
        .order_by("organization_id", "year", "-closed_at", "-id")
        .values_list("organization_id", "year", "satisfaction")
    ):
        latest.setdefault((org_id, year), satisfaction)

    member_ids = {p.member_id for p in pledges if p.member_id}
    subject_org_ids = {p.pledger_organization_id for p in pledges if p.pledger_organization_id}
    aspect_names = [n for n, _ in LeaderReview.MEMBER_ASPECTS + LeaderReview.ORGANIZATION_ASPECTS]
    points: dict[tuple[str, int, int], list[int]] = {}
    counts: dict[tuple[str, int, int], int] = {}
    reviews = (
        LeaderReview.objects.filter(
            Q(member_id__in=member_ids) | Q(organization_id__in=subject_org_ids),
            kind__in=GRADED_KINDS,
        )
        .filter(reduce(or_, (Q(period__startswith=str(y)) for y in sorted(years))))
        .values_list("member_id", "organization_id", "period", *aspect_names)
    )
    for member_id, org_id, period, *grades in reviews:
        key = ("m", member_id, int(period[:4])) if member_id else ("o", org_id, int(period[:4]))
        values = [_POINTS[g] for g in grades if g]
        if values:
            points.setdefault(key, []).extend(values)
            counts[key] = counts.get(key, 0) + 1

    for p in pledges:
        f = facts[p.pk]
        f.satisfaction = latest.get((p.pledger_organization_id or p.organization_id, p.campaign.year))
        key = ("m", p.member_id, p.campaign.year) if p.member_id else ("o", p.pledger_organization_id, p.campaign.year)
        if key in points:
            f.leader_points = sum(points[key]) / len(points[key])
            f.leader_reviews = counts[key]
    return facts


def propose_final_grade(pledge: Pledge) -> GradeProposal:
    """The proposed 一诺一评 grade of one pledge, with the reasoning as a short Chinese text."""
    return grade_from_facts(grade_facts([pledge])[pledge.pk])


def proposals_for(pledges) -> dict[int, GradeProposal]:
    return {pk: grade_from_facts(f) for pk, f in grade_facts(pledges).items()}


def grading_open(campaign: Campaign, today=None) -> bool:
    """一诺一评 takes place at the end of the campaign: once it is closed or its last day has come."""
    today = today or timezone.localdate()
    return campaign.status == Campaign.Status.CLOSED or today >= campaign.ends_on


@transaction.atomic
def pledge_grade_confirm(*, pledge: Pledge, by: User, grade: str) -> Pledge:
    """The reviewer confirms the final grade; unfulfilled items open one rectification for the pledger."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("campaign", "organization", "member__user", "pledger_organization")
        .get(pk=pledge.pk)
    )
    require(by, "grade_pledge", pledge)
    if grade not in FINAL_GRADES:
        raise DomainError("请在优秀、良好、一般、差中选择一诺一评等次。")
    if not pledge.is_current or pledge.status not in GRADABLE:
        raise DomainError(f"承诺书当前为“{pledge.get_status_display()}”，签约践诺的承诺书才能评定等次。")
    if not grading_open(pledge.campaign):
        raise DomainError(f"一诺一评在承诺批次结束时进行（{pledge.campaign.ends_on:%Y年%-m月%-d日}起）。")
    before = pledge.final_grade
    pledge.final_grade = grade
    pledge._history_user = by
    pledge._change_reason = f"一诺一评：{before or '未评'} → {grade}"
    pledge.save(update_fields=["final_grade", "updated_at"])

    unfulfilled = list(pledge.items.exclude(state=PledgeItem.State.TICKED_OFF).order_by("position"))
    already = Rectification.objects.filter(pledge=pledge, source=Rectification.Source.UNFULFILLED).exists()
    if unfulfilled and not already:
        rectification_open_for_unfulfilled(pledge)
    notify(
        pledger_users(pledge),
        kind=NOTIFY_GRADE,
        text=f"{pledge.campaign.name}一诺一评：{pledge.pledger_name}的承诺评为“{grade}”。",
        url=pledge.get_absolute_url(),
        key=f"final_grade:{pledge.pk}:{grade}",
    )
    return pledge
