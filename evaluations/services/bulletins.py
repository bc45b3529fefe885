"""通报 (DESIGN §6, 篇六 “基层党组织每季度要召开一次践诺情况通报会”): the quarterly 践诺情况通报 of an
organization is drafted from the data — coverage, items ticked off and overdue, inspections, leader-review
coverage, 践诺明星党员 and the problems found — then edited by a person, published to the board and printed.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.audit import stamp
from organizations.errors import DomainError
from organizations.models import Organization, User
from organizations.permissions import require
from organizations.transitions import take

from ..models import Bulletin
from ..permissions import EvaluationAction
from ..selectors import QUARTER_NAMES, BulletinFacts, bulletin_facts, bulletin_title, cn_date, quarter_bounds


def _pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


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
    if c.volunteers_pledged:
        coverage += f"另有入党积极分子、非党干部自愿承诺 {c.volunteers_pledged} 名（不计入覆盖率）。"
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
    require(by, EvaluationAction.MANAGE_BULLETIN, organization)
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
        stamp(existing, by, "按最新数据重新起草")
        existing.save(update_fields=["title", "body"])
        return existing
    bulletin = Bulletin(organization=organization, year=year, quarter=quarter, title=title, body=body, created_by=by)
    stamp(bulletin, by, "根据数据起草")
    try:
        with transaction.atomic():
            bulletin.save()
            return bulletin
    except IntegrityError:
        raise DomainError("本季度的通报刚被他人起草，请刷新页面。") from None


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, by: User, title: str, body: str) -> Bulletin:
    bulletin = _lock(bulletin)
    require(by, EvaluationAction.MANAGE_BULLETIN, bulletin.organization)
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
    stamp(bulletin, by, "修改通报")
    bulletin.save(update_fields=["title", "body"])
    return bulletin


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, by: User) -> Bulletin:
    """Publish the 通报 to the organization's public board; it can no longer be edited."""
    bulletin = _lock(bulletin)
    require(by, EvaluationAction.MANAGE_BULLETIN, bulletin.organization)
    take(bulletin, "publish", by, refused="这份通报已经发布。")
    bulletin.save(update_fields=["status", "published_at"])
    return bulletin
