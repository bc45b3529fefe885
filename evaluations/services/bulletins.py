"""通报 (DESIGN §6, 篇六 “基层党组织每季度要召开一次践诺情况通报会”): the quarterly 践诺情况通报 of an
organization is drafted from the data — coverage, items ticked off and overdue, inspections, leader-review
coverage, 践诺明星党员 and the problems found — then edited by a person, published to the board and printed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from commitments.models import Campaign, Inspection, Pledge, PledgeItem, quarter_of
from commitments.selectors import Coverage, campaign_coverage
from organizations.errors import DomainError
from organizations.models import Organization, User
from organizations.permissions import require

from ..models import Bulletin, MonthlyRecord
from .reviews import QUARTER_NAMES, review_coverage

OVERDUE_LISTED = 10  # overdue items named in the text; the rest are counted


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, (quarter - 1) * 3 + 1, 1)
    end_month = start.month + 2
    next_month = datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_month - datetime.timedelta(days=1)


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_title(org: Organization, year: int, quarter: int) -> str:
    return f"{org.name}{year}年{QUARTER_NAMES[quarter]}践诺情况通报"


def _pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def campaign_of_year(org: Organization, year: int) -> Campaign | None:
    """The campaign of `year` whose subtree contains `org` (the nearest one when they nest)."""
    return (
        Campaign.objects.filter(organization__path__in=org.ancestor_paths(), year=year)
        .select_related("organization")
        .order_by("-organization__depth", "-id")
        .first()
    )


@dataclass
class BulletinFacts:
    organization: Organization
    year: int
    quarter: int
    starts: datetime.date
    ends: datetime.date
    campaign: Campaign
    coverage: Coverage
    items: int = 0
    ticked_by_end: int = 0
    ticked_in_quarter: int = 0
    due_in_quarter: int = 0
    overdue: int = 0
    needs_help: int = 0
    overdue_examples: list[str] = field(default_factory=list)
    inspections: int = 0
    inspections_passed: int = 0
    inspections_failed: int = 0
    failed_problem_unsolved: int = 0
    failed_not_in_place: int = 0
    failed_masses_unsatisfied: int = 0
    reviews_due: int = 0
    reviews_done: int = 0
    records_due: int = 0
    records_done: int = 0
    stars: list[str] = field(default_factory=list)


def _subtree(org: Organization, prefix: str = "") -> Q:
    return Q(**{f"{prefix}organization__path__startswith": org.path}) | Q(
        **{f"{prefix}pledger_organization__path__startswith": org.path}
    )


def bulletin_facts(*, organization: Organization, year: int, quarter: int) -> BulletinFacts:
    """The numbers of the quarter for `organization`'s subtree, each from one aggregate query."""
    campaign = campaign_of_year(organization, year)
    if campaign is None:
        raise DomainError(f"{year}年没有覆盖“{organization.name}”的承诺批次，无法生成通报。")
    starts, ends = quarter_bounds(year, quarter)
    today = timezone.localdate()
    # "As of the end of the quarter", or of yesterday while the quarter is still running.
    cutoff = min(ends, today)
    facts = BulletinFacts(
        organization, year, quarter, starts, ends, campaign, campaign_coverage(campaign, organization)
    )

    pledges = Pledge.objects.filter(_subtree(organization), campaign=campaign, is_current=True).exclude(
        status=Pledge.Status.SUPERSEDED
    )
    items = PledgeItem.objects.filter(pledge__in=pledges)
    not_ticked_by_end = Q(ticked_off_on__isnull=True) | Q(ticked_off_on__gt=ends)
    overdue = Q(deadline__lt=cutoff) & not_ticked_by_end
    agg = items.aggregate(
        items=Count("id"),
        ticked_by_end=Count("id", filter=Q(ticked_off_on__lte=ends)),
        ticked_in_quarter=Count("id", filter=Q(ticked_off_on__range=(starts, ends))),
        due_in_quarter=Count("id", filter=Q(deadline__range=(starts, ends))),
        overdue=Count("id", filter=overdue),
        needs_help=Count("id", filter=Q(needs_help=True) & ~Q(state=PledgeItem.State.TICKED_OFF)),
    )
    for key, value in agg.items():
        setattr(facts, key, value)
    facts.overdue_examples = [
        f"{member_name or org_name}“{content[:24]}{'……' if len(content) > 24 else ''}”（完成时限{cn_date(deadline)}）"
        for member_name, org_name, content, deadline in items.filter(overdue)
        .order_by("deadline", "pledge__organization__path", "position")
        .values_list("pledge__member__name", "pledge__pledger_organization__name", "content", "deadline")[
            :OVERDUE_LISTED
        ]
    ]

    ins = Inspection.objects.filter(pledge__in=pledges, year=year, quarter=quarter).aggregate(
        total=Count("id"),
        passed=Count("id", filter=Q(result=Inspection.Result.PASS)),
        failed=Count("id", filter=Q(result=Inspection.Result.FAIL)),
        problem_unsolved=Count("id", filter=Q(result=Inspection.Result.FAIL, problem_unsolved=True)),
        not_in_place=Count("id", filter=Q(result=Inspection.Result.FAIL, not_in_place=True)),
        masses_unsatisfied=Count("id", filter=Q(result=Inspection.Result.FAIL, masses_unsatisfied=True)),
    )
    facts.inspections = ins["total"]
    facts.inspections_passed = ins["passed"]
    facts.inspections_failed = ins["failed"]
    facts.failed_problem_unsolved = ins["problem_unsolved"]
    facts.failed_not_in_place = ins["not_in_place"]
    facts.failed_masses_unsatisfied = ins["masses_unsatisfied"]

    coverage = review_coverage(org=organization, year=year, quarter=quarter)
    facts.reviews_due, facts.reviews_done = coverage.due, coverage.done

    months = [
        datetime.date(year, m, 1) for m in range(starts.month, ends.month + 1) if datetime.date(year, m, 1) <= today
    ]
    facts.records_due = facts.coverage.members * len(months)
    facts.records_done = MonthlyRecord.objects.filter(
        member__organization__path__startswith=organization.path,
        member__is_active=True,
        member__is_exempt=False,
        month__in=months,
    ).count()

    # 践诺明星: members every one of whose items was ticked off on or before its deadline by the quarter's end.
    on_time = Q(state=PledgeItem.State.TICKED_OFF, ticked_off_on__lte=F("deadline")) & Q(ticked_off_on__lte=ends)
    facts.stars = list(
        items.filter(pledge__member__isnull=False, pledge__member__is_active=True)
        .values("pledge_id", "pledge__organization__path", "pledge__member__name")
        .annotate(n=Count("id"), n_on_time=Count("id", filter=on_time))
        .filter(n_on_time=F("n"))
        .order_by("pledge__organization__path", "pledge__member__name")
        .values_list("pledge__member__name", flat=True)
    )
    return facts


def compose_bulletin(facts: BulletinFacts, *, today: datetime.date | None = None) -> tuple[str, str]:
    """The title and the editable body of the 通报, in the usual shape of such a notice."""
    today = today or timezone.localdate()
    org = facts.organization
    c = facts.coverage
    is_branch = org.level == Organization.Level.BRANCH
    title = bulletin_title(org, facts.year, facts.quarter)
    quarter = QUARTER_NAMES[facts.quarter]
    paragraphs = [
        "全体党员：" if is_branch else "各基层党组织、全体党员：",
        f"根据“一诺三评三公开”工作要求，现将{facts.year}年{quarter}（{facts.starts.month}月{facts.starts.day}日至"
        f"{facts.ends.month}月{facts.ends.day}日）{'本支部' if is_branch else '本单位'}党组织和党员践诺情况通报如下：",
        "一、承诺覆盖情况",
    ]
    coverage = (
        f"{facts.campaign.name}中，应承诺党员 {c.members} 名（不含经批准免于承诺的党员），已签约承诺 "
        f"{c.members_pledged} 名，覆盖率 {_pct(c.members_pledged, c.members)}"
    )
    if c.organizations:
        coverage += (
            f"；应承诺党组织 {c.organizations} 个，已签约承诺 {c.organizations_pledged} 个，"
            f"覆盖率 {_pct(c.organizations_pledged, c.organizations)}"
        )
    coverage += f"。其中口头承诺 {c.oral} 名，领导干部承诺 {c.leaders_pledged} 名。"
    paragraphs.append(coverage)

    paragraphs.append("二、承诺兑现情况")
    if facts.items:
        fulfil = (
            f"承诺事项共 {facts.items} 项，截至{cn_date(min(facts.ends, today))}已兑现销号 {facts.ticked_by_end} 项，"
            f"兑现率 {_pct(facts.ticked_by_end, facts.items)}，其中本季度销号 {facts.ticked_in_quarter} 项；"
            f"本季度到期事项 {facts.due_in_quarter} 项。逾期未销号事项 {facts.overdue} 项"
        )
        if facts.overdue_examples:
            fulfil += "：" + "；".join(facts.overdue_examples)
            if facts.overdue > len(facts.overdue_examples):
                fulfil += "等"
        fulfil += f"。需要组织帮扶的事项 {facts.needs_help} 项。"
    else:
        fulfil = "承诺事项共 0 项，尚无签约践诺中的承诺事项。"
    paragraphs.append(fulfil)

    paragraphs.append("三、检查和点评情况")
    check = f"本季度检查承诺书 {facts.inspections} 份，通过 {facts.inspections_passed} 份，未通过 {facts.inspections_failed} 份"
    if facts.inspections_failed:
        reasons = [
            (facts.failed_problem_unsolved, "问题不解决"),
            (facts.failed_not_in_place, "落实不到位"),
            (facts.failed_masses_unsatisfied, "群众不满意"),
        ]
        check += "（" + "，".join(f"{label} {n} 份" for n, label in reasons if n) + "）"
    check += (
        f"。领导点评（一季一点评）应点评党员 {facts.reviews_due} 名，已点评 {facts.reviews_done} 名，"
        f"覆盖率 {_pct(facts.reviews_done, facts.reviews_due)}。"
        f"党员每月记实应填写 {facts.records_due} 份，已填写 {facts.records_done} 份。"
    )
    paragraphs.append(check)

    paragraphs.append("四、践诺明星党员")
    if facts.stars:
        paragraphs.append(
            f"以下 {len(facts.stars)} 名党员的承诺事项全部按期兑现销号，评为本季度“践诺明星党员”，予以通报表扬："
            + "、".join(facts.stars)
            + "。希望受表扬的同志珍惜荣誉、再接再厉，全体党员向他们学习。"
        )
    else:
        paragraphs.append("本季度暂无承诺事项全部按期兑现销号的党员。")

    paragraphs.append("五、存在的问题")
    problems = []
    if c.members > c.members_pledged:
        problems.append(f"还有 {c.members - c.members_pledged} 名党员没有签约承诺，尚未实现全覆盖。")
    if facts.overdue:
        problems.append(f"有 {facts.overdue} 项承诺事项逾期未销号，兑现进度滞后。")
    if facts.inspections_failed:
        problems.append(f"有 {facts.inspections_failed} 份承诺书季度检查未通过，须限期整改。")
    if facts.reviews_due > facts.reviews_done:
        problems.append(f"还有 {facts.reviews_due - facts.reviews_done} 名党员本季度未进行领导点评。")
    if facts.records_due > facts.records_done:
        problems.append(f"党员每月记实缺 {facts.records_due - facts.records_done} 份。")
    if facts.needs_help:
        problems.append(f"有 {facts.needs_help} 项承诺事项需要组织帮扶。")
    if problems:
        paragraphs += [f"{n}. {text}" for n, text in enumerate(problems, 1)]
    else:
        paragraphs.append("本季度未发现突出问题。")

    paragraphs.append("六、下一步要求")
    paragraphs.append(
        "全体党员要对照承诺事项，坚持一月一自查、一季一检查，兑现一件、销号一件；对逾期未兑现的事项，要说明原因、"
        "限期整改；对完成有难度的事项，党组织要积极创造条件，帮助和扶持其按时完成，确保承诺事项件件有着落。"
    )
    body = "\n\n".join(paragraphs) + f"\n\n{org.name}\n{cn_date(today)}"
    return title, body


def _lock(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update(of=("self",)).select_related("organization").get(pk=bulletin.pk)


@transaction.atomic
def bulletin_draft(*, organization: Organization, year: int, quarter: int, by: User, replace: bool = False) -> Bulletin:
    """Draft the quarter's 通报 from the data. With `replace`, an existing draft is drafted again."""
    require(by, "manage_bulletin", organization)
    if quarter not in QUARTER_NAMES:
        raise DomainError("季度应为 1 到 4。")
    starts, _ = quarter_bounds(year, quarter)
    if starts > timezone.localdate():
        raise DomainError(f"{year}年{QUARTER_NAMES[quarter]}还没有开始，不能起草通报。")
    existing = (
        Bulletin.objects.select_for_update().filter(organization=organization, year=year, quarter=quarter).first()
    )
    if existing is not None:
        if existing.status == Bulletin.Status.PUBLISHED:
            raise DomainError(f"{year}年{QUARTER_NAMES[quarter]}的通报已经发布，不能重新起草。")
        if not replace:
            raise DomainError(f"{year}年{QUARTER_NAMES[quarter]}已有通报草稿，请直接修改，或选择按最新数据重新起草。")
    title, body = compose_bulletin(bulletin_facts(organization=organization, year=year, quarter=quarter))
    if existing is not None:
        existing.title, existing.body = title, body
        existing.save(update_fields=["title", "body"])
        return existing
    try:
        with transaction.atomic():
            return Bulletin.objects.create(
                organization=organization, year=year, quarter=quarter, title=title, body=body, created_by=by
            )
    except IntegrityError:
        raise DomainError("本季度的通报刚被他人起草，请刷新页面。") from None


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, by: User, title: str, body: str) -> Bulletin:
    bulletin = _lock(bulletin)
    require(by, "manage_bulletin", bulletin.organization)
    if bulletin.status != Bulletin.Status.DRAFT:
        raise DomainError("通报已经发布，不能再修改。")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError("请填写通报标题。")
    if len(title) > 200:
        raise DomainError("标题不能超过 200 字。")
    if not body:
        raise DomainError("请填写通报正文。")
    if len(body) > 20000:
        raise DomainError("正文不能超过 20000 字。")
    bulletin.title, bulletin.body = title, body
    bulletin.save(update_fields=["title", "body"])
    return bulletin


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, by: User) -> Bulletin:
    """Publish the 通报 to the organization's public board; it can no longer be edited."""
    bulletin = _lock(bulletin)
    require(by, "manage_bulletin", bulletin.organization)
    if bulletin.status != Bulletin.Status.DRAFT:
        raise DomainError("这份通报已经发布。")
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.save(update_fields=["status", "published_at"])
    return bulletin


def bulletins_of(org: Organization):
    return Bulletin.objects.filter(organization=org).select_related("organization", "created_by")


def default_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The quarter a bulletin is usually written for: the current one in its last month (the 通报会 is held
    at the end of the quarter), otherwise the one that ended before."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    if today.month % 3 == 0:
        return year, quarter
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)
