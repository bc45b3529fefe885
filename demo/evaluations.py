"""Deterministic demo data for 评诺 and the statistics (DESIGN §6, §7, §9), on top of `demo.organizations`
and `demo.commitments`.

What it adds to the county the other two demo modules built, all dated on or before `today` (the data date
of `demo.commitments.data_date`, from 1 April to 31 December of the campaign's year), each only once the
calendar has reached it; the examples in brackets are those of the tests' day, 15 September 2025:

- 领导点评: 一季一点评 of almost every member for each quarter already over (2025Q1, Q2) by the branch's
  secretary account (or `admin`), part of the members for the current quarter (Q3; the demo secretary sees
  about 60% done), 一月一提醒 in the last three months where an item is due or late, 半年一检查 for H1 (from
  July) in about half of the branches; reviews of organizations by the committee above them with the four
  aspects, two of them requiring rectification, a few published;
- 群众评议 (from 20 July): a closed 上半年 session for every organization below the county with at least the
  sector's minimum of participants, voted with one-time codes (Ballot rows on used BallotCode rows), on paper
  (PaperTally) or both, its satisfaction computed with `services.appraisals.satisfaction_of`; sessions below
  90% open a rectification, found in every state the calendar allows (done from August, closed after a
  passing re-appraisal from September); always one open session of the current half in the demo town with
  unused codes to try the ballot page;
- 每月记实 for the last three months for most members, some with the secretary's comment, the current month
  partly written;
- 表彰: 七一 awards approved in each town (from July), a nomination for the next occasion waiting for
  `zhenwei` and one for `xianwei`;
- 上评下议: rankings of the last two two-month periods over (2025-B3, B4) computed with `services.rankings`,
  and the demo branch's member rankings of the last two months (July and August), published;
- 通报: the published bulletins of the last quarter over (Q2) of the towns and the demo branch, drafted by
  `services.bulletins`;
- 统计: Tally snapshots of past periods (the last three months, the last quarter, H1) built by
  `statistics.tally_build`.

Rows that would take one service call each (reviews, ballots, records) are planned in memory and inserted in
bulk, with what the services would have stored; the few computed results (rankings, bulletins, tallies) come
from the services themselves, with their timestamps moved back to the demo's calendar afterwards.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse

from commitments.models import Campaign, FulfilmentLog, Inspection, Notification, Opinion, Pledge, PledgeItem, SelfCheck
from demo.commitments import campaign_name
from demo.history import from_stamps
from demo.history import record as history_record
from demo.history import write as write_history
from evaluations.models import (
    Appraisal,
    Award,
    Ballot,
    BallotCode,
    Bulletin,
    Grade,
    LeaderReview,
    MonthlyRecord,
    PaperTally,
    Ranking,
    RankingEntry,
    Rectification,
    Tally,
    participant_minimum,
)
from evaluations.selectors import bulletin_facts, campaign_weights, period_label, satisfaction_of, satisfaction_text
from evaluations.services.bulletins import compose_bulletin
from evaluations.services.rankings import ADJUSTMENT, ranking_adjust, ranking_compute
from evaluations.statistics import tally_build
from organizations.models import Member, Organization, OrganizationUserObjectPermission, User
from organizations.permissions import CODENAME_ROLES, Role

TZ = ZoneInfo("Asia/Shanghai")
S = Organization.Sector
K = LeaderReview.Kind
R = Rectification.Status
BATCH = 2000
FLUSH_AT = 10000  # rows planned before they are written, so that the county size keeps memory flat
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # that of evaluations.models.new_ballot_code
BIG = 60  # more branches than this: the county size, where the costlier services run on fewer organizations
GRADES = {4: Grade.GOOD, 3: Grade.FAIRLY_GOOD, 2: Grade.FAIR, 1: Grade.POOR}
MEMBER_ASPECTS = [name for name, _ in LeaderReview.MEMBER_ASPECTS]
ORG_ASPECTS = [name for name, _ in LeaderReview.ORGANIZATION_ASPECTS]
PARTY = (Member.PoliticalStatus.FULL, Member.PoliticalStatus.PROBATIONARY)
QUARTER_NAMES = "一二三四"
BIG_RANKED_TOWNS = 4

# --- texts -----------------------------------------------------------------------------------------------

MEMBER_OPENINGS = {
    "good": (
        "政治立场坚定，能够带头学习党的创新理论，严格遵守党的纪律，",
        "工作积极主动，岗位职责履行到位，在群众中口碑较好，",
        "能够认真履行党员义务，积极践行公开承诺，",
        "关心集体，热心为群众办实事，先锋模范作用发挥明显，",
        "坚持按时参加组织生活，践诺态度端正，",
    ),
    "fairly_good": (
        "能够按时参加组织生活，履行承诺总体较好，",
        "工作踏实肯干，能完成支部交办的任务，",
        "能够对照承诺书推进各项事项，",
        "思想上积极要求进步，但主动性还可以再强一些，",
    ),
    "fair": (
        "能够参加组织生活，但践诺的主动性还不够强，",
        "对承诺事项的推进抓得不够紧，",
        "与群众联系还不够经常，",
    ),
}
MEMBER_NOT_SIGNED = (
    "能够参加组织生活，完成支部交办的任务，",
    "工作态度端正，能够服从支部安排，",
)
MEMBER_ADVICE = {
    S.RURAL: (
        "希望在带头致富、带领群众致富上再下功夫。",
        "要多到群众家里走一走，及时帮助解决生产生活中的困难。",
        "希望继续带头参与村里的公益事业和环境整治。",
    ),
    S.COMMUNITY: (
        "希望多到网格住户中去，做到群众诉求件件有回音。",
        "要继续关心独居老人和困难家庭，把服务做细做实。",
    ),
    S.GOVERNMENT: (
        "希望进一步改进作风，提高办事效率和服务质量。",
        "要继续加强业务学习，带头落实首问负责和限时办结。",
    ),
    S.SCHOOL: ("希望继续关爱学生特别是学困生和留守儿童，做到为人师表。",),
    S.HEALTH: ("希望继续改善服务态度，合理检查、合理用药，让群众满意。",),
}
GENERAL_ADVICE = (
    "希望继续发挥先锋模范作用，带动身边群众共同进步。",
    "下一步要加强政策理论学习，提高服务群众的本领。",
    "要注意工作方法，把好事办好、实事办实。",
    "希望对照承诺书一项一项抓落实，做到兑现一件、销号一件。",
    "要坚持一月一自查，遇到困难及时向支部报告。",
)
HALF_YEAR_OPENINGS = ("上半年", "今年以来", "上半年以来")
ORG_OPENINGS = {
    "good": (
        "班子团结协作，坚持把公开承诺与中心工作结合起来，承诺事项推进有力，",
        "党员承诺覆盖面广，践诺氛围浓厚，为群众办了一批实事，",
        "坚持一季一检查、一季一点评，对党员践诺督促检查经常，",
    ),
    "fairly_good": (
        "能够按照“一诺三评三公开”要求推进工作，承诺事项总体进展顺利，",
        "组织党员践诺较为有序，",
    ),
    "fair": (
        "承诺事项推进不够平衡，部分事项进度滞后，",
        "对党员践诺的督促检查还不够经常，",
    ),
}
ORG_ADVICE = (
    "要进一步加强对党员践诺情况的督促检查，坚持逐一点评。",
    "要注重发挥无职党员作用，做到设岗定责全覆盖。",
    "要把群众评议中提出的意见逐条整改到位。",
    "要及时更新公开栏，公开承诺兑现情况，主动接受群众监督。",
    "要对完成有难度的事项积极创造条件，帮助党员按时兑现。",
)
REMINDERS = (
    "请按时填写本月记实，并对照承诺书做好月度自查。",
    "请按时参加本月主题党日活动，做好承诺事项月度自查。",
)
UNSATISFIED_REASONS = {
    S.RURAL: (
        "承诺修的路拖了很久还没动工。",
        "村务公开栏很久没有更新。",
        "有事找村干部经常找不到人。",
        "环境卫生整治效果不明显，村道垃圾还是多。",
        "对困难群众关心不够。",
    ),
    S.COMMUNITY: (
        "反映的小区下水道问题一直没解决。",
        "网格员来得少，有事不知道找谁。",
        "楼道杂物清理不及时。",
    ),
}
GENERAL_REASONS = (
    "办事还要跑好几趟。",
    "承诺的事项公示了，但落实情况没看到公开。",
    "服务态度还需要改进。",
    "答复群众的问题不够及时。",
)
PLACES = {
    S.RURAL: ("村党群服务中心会议室", "村部会议室"),
    S.COMMUNITY: ("社区党群服务中心", "社区活动室"),
    S.GOVERNMENT: ("机关三楼会议室", "单位会议室"),
    S.SCHOOL: ("学校阶梯教室", "学校会议室"),
    S.HEALTH: ("医院门诊楼会议室",),
    S.STATE_ENTERPRISE: ("公司会议室",),
    S.PUBLIC_INSTITUTION: ("单位会议室",),
    S.PRIVATE_ENTERPRISE: ("公司职工之家",),
    S.SOCIAL_ORGANIZATION: ("协会会议室",),
}
RECTIFY_RETURN = "整改措施不够具体，请明确每项措施的责任人和完成时限后重新报送。"
RECTIFY_APPROVE = (
    "同意整改方案。请按时限抓好落实，整改完成后及时报告，上级党委将组织再次评议。",
    "同意。整改要对照群众意见逐条落实，不搞形式。",
)
MONTH_DUTIES = {
    S.RURAL: (
        "参加支部主题党日活动，学习党的二十届三中全会精神",
        "参与村里防汛值守和山塘水库巡查",
        "协助村委会开展夏季防溺水宣传，走访留守儿童家庭",
        "参加“清洁家园”义务劳动，清理村道两侧杂草垃圾",
        "协助做好农村医保费用政策宣传",
        "参与调解邻里宅基地纠纷一起",
    ),
    S.COMMUNITY: (
        "参加社区主题党日活动，到党员先锋岗值班",
        "走访包联网格住户，登记居民诉求",
        "参加社区“周末大扫除”志愿服务",
        "协助社区开展反诈宣传进楼栋",
        "参与社区夏季消防安全排查",
    ),
    S.GOVERNMENT: (
        "参加机关支部主题党日和业务学习",
        "在窗口岗位落实首问负责和一次性告知制度",
        "下村走访帮扶户，帮助落实惠民政策",
        "参加单位作风建设专题学习",
    ),
    S.SCHOOL: (
        "参加支部主题党日和教研组集体备课",
        "完成期末复习和学困生辅导",
        "参加暑期师德师风专题培训",
        "开展暑期家访",
    ),
    S.HEALTH: (
        "参加支部主题党日和科室业务学习",
        "随“健康快车”下乡义诊",
        "参加医德医风专题教育",
    ),
}
GENERAL_DUTIES = (
    "参加支部主题党日活动，按时交纳党费",
    "参加支部组织的专题学习",
    "完成本职岗位工作任务",
)
SEASON_DUTIES = {
    6: ("参加“七一”前夕支部组织的党史学习", "参与防汛备汛工作"),
    7: ("参加“七一”主题党日活动，重温入党誓词", "参与防汛抗旱值守"),
    8: ("参加“八一”走访慰问退役军人活动", "参与防暑降温和安全生产检查"),
    9: ("参加秋季开学安全检查和助学走访", "参与秋收秋种准备工作"),
}
PLEDGE_PROGRESS = (
    "按计划推进，本月完成了阶段性任务",
    "本月继续推进，进度符合承诺书要求",
    "与结对户保持联系，推进情况良好",
)
NEXT_MONTH = (
    "下月打算：继续抓好承诺事项落实，按时做好月度自查。",
    "下月打算：多走访群众，及时反映群众诉求。",
    "下月打算：抓紧推进尚未完成的承诺事项，争取按期销号。",
    "下月打算：参加支部组织的学习，提高服务本领。",
)
RECORD_COMMENTS = (
    "记实具体，践诺有成效，继续保持。",
    "内容实在，望继续发挥带头作用。",
    "记录较简单，下月请写清做了什么、效果怎样。",
    "本月表现突出，提出表扬。",
    "践诺进度要再加快，有困难及时向支部反映。",
)


@dataclass(frozen=True)
class _Item:
    content: str
    deadline: datetime.date
    ticked_off_on: datetime.date | None
    signed_on: datetime.date | None

    def ticked_by(self, day: datetime.date) -> bool:
        return self.ticked_off_on is not None and self.ticked_off_on <= day

    def late_at(self, day: datetime.date) -> bool:
        return self.deadline < day and not self.ticked_by(day)


def _analyze(*models) -> None:
    """Refresh PostgreSQL's planner statistics of tables filled in this very transaction (ANALYZE counts the
    transaction's own rows): without them the aggregate queries of the services pick plans for empty tables."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def _cn(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日"


@transaction.atomic
def _month_end(first: datetime.date) -> datetime.date:
    return (first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def seed_evaluations(*, seed_value: int, today: datetime.date) -> dict:
    """Build the 评诺 data and statistics on the county, accounts and pledges of the other demo modules."""
    seeder = _Seeder(seed_value, today)
    seeder.run()
    return seeder.counts()


class _Seeder:
    def __init__(self, seed_value: int, today: datetime.date):
        self.rng = random.Random(seed_value * 6007 + 271828)
        self.today = today
        self.year = today.year
        self.yesterday = today - datetime.timedelta(days=1)
        # The calendar of the data date: quarters over, the current one, months over.
        self.quarter = (today.month - 1) // 3 + 1
        self.quarters_over = [q for q in (1, 2, 3, 4) if self.quarter_end(q) < today]
        self.last_quarter = self.quarters_over[-1] if self.quarters_over else None
        self.months_over = [m for m in range(1, 13) if _month_end(self.day(m, 1)) < today]
        self.h1_over = today > self.day(6, 30)
        self.used_codes: set[str] = set()
        self.notes: list[Notification] = []
        self.try_codes: list[str] = []
        self.try_title = ""

    # --- dates -------------------------------------------------------------------------------------------

    def day(self, month: int, day: int) -> datetime.date:
        return datetime.date(self.year, month, day)

    def quarter_end(self, quarter: int) -> datetime.date:
        return _month_end(self.day(quarter * 3, 1))

    def qperiod(self, quarter: int) -> str:
        return f"{self.year}Q{quarter}"

    def record_months(self) -> list[datetime.date]:
        """The months of 每月记实: the last three over in the campaign's year, then the current one."""
        current = self.today.replace(day=1)
        return [self.day(m, 1) for m in self.months_over[-3:]] + ([current] if current.year == self.year else [])

    def reachable(self, state: str) -> str:
        """The furthest a rectification opened by a 上半年 session can have gone by the data date: done from
        August, closed after a re-appraisal from September (the steps take their weeks)."""
        if state == R.CLOSED and self.today < self.day(9, 6):
            state = R.DONE
        if state == R.DONE and self.today < self.day(8, 5):
            state = R.APPROVED
        return state

    def between(self, lo: datetime.date, hi: datetime.date) -> datetime.date:
        hi = min(hi, self.today)
        if hi <= lo:
            return min(lo, self.today)
        return lo + datetime.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def at(self, day: datetime.date, hour: int = 8, span: int = 570) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=TZ) + datetime.timedelta(
            minutes=self.rng.randint(0, span)
        )

    def choose(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # --- setup -------------------------------------------------------------------------------------------

    def load(self) -> None:
        self.orgs = list(Organization.objects.filter(is_active=True).order_by("path"))
        self.org_by_id = {o.pk: o for o in self.orgs}
        self.org_by_path = {o.path: o for o in self.orgs}
        self.root = next(o for o in self.orgs if o.depth == 1)
        self.users = {u.username: u for u in User.objects.order_by("username")}
        self.admin = self.users["admin"]
        self.secretary_of: dict[int, User] = {}
        self.committee_on: dict[int, User] = {}
        committees = []
        rows = (
            OrganizationUserObjectPermission.objects.filter(permission__codename__in=list(CODENAME_ROLES))
            .values_list("permission__codename", "content_object_id", "user__username")
            .order_by("user__username")
        )
        for codename, org_id, username in rows:
            role, org = CODENAME_ROLES[codename], self.org_by_id.get(org_id)
            if org is None:
                continue
            if role == Role.SECRETARY:
                self.secretary_of.setdefault(org.pk, self.users[username])
            elif role == Role.COMMITTEE:
                self.committee_on.setdefault(org.pk, self.users[username])
                committees.append((org, self.users[username]))
        self.committees = sorted(committees, key=lambda c: -c[0].depth)
        self.campaign = (
            Campaign.objects.filter(name=campaign_name(self.year), year=self.year).order_by("id").first()
            or Campaign.objects.filter(year=self.year).order_by("id").first()
        )
        self.weights = campaign_weights(self.campaign)

        self.members = list(Member.objects.filter(is_active=True).order_by("id"))
        self.members_of: dict[int, list[Member]] = defaultdict(list)
        for m in self.members:
            self.members_of[m.organization_id].append(m)
        self.due_of = {org_id: [m for m in ms if not m.is_exempt] for org_id, ms in self.members_of.items()}
        self.branches = [o for o in self.orgs if self.due_of.get(o.pk)]
        self.big = len(self.branches) > BIG
        self.member_by_user = {m.user_id: m for m in self.members if m.user_id}

        # The items of each member's pledge in his own branch, and of each organization's own pledge.
        self.items_of: dict[int, list[_Item]] = defaultdict(list)
        self.org_items_of: dict[int, list[_Item]] = defaultdict(list)
        home = {m.pk: m.organization_id for m in self.members}
        rows = (
            PledgeItem.objects.filter(pledge__campaign=self.campaign, pledge__is_current=True)
            .values_list(
                "pledge__member_id",
                "pledge__organization_id",
                "pledge__pledger_organization_id",
                "pledge__signed_at",
                "content",
                "deadline",
                "ticked_off_on",
            )
            .order_by("pledge_id", "position")
        )
        for member_id, org_id, pledger_org_id, signed_at, content, deadline, ticked in rows:
            signed = signed_at.astimezone(TZ).date() if signed_at else None
            item = _Item(content, deadline, ticked, signed)
            if member_id is not None:
                if home.get(member_id) == org_id:
                    self.items_of[member_id].append(item)
            elif pledger_org_id is not None:
                self.org_items_of[pledger_org_id].append(item)
        self.logs_of: dict[tuple[int, datetime.date], list[str]] = defaultdict(list)
        logs = (
            FulfilmentLog.objects.filter(
                item__pledge__member__isnull=False,
                item__pledge__is_current=True,
                happened_on__gte=self.day(self.record_months()[0].month, 1),
                happened_on__lte=self.today,
            )
            .values_list("item__pledge__member_id", "happened_on", "text")
            .order_by("id")
        )
        for member_id, happened, text in logs:
            self.logs_of[(member_id, happened.replace(day=1))].append(text)

        shuji = self.users.get("shuji")
        self.demo_branch = next(
            (o for o in self.branches if shuji and self.secretary_of.get(o.pk) == shuji), self.branches[0]
        )
        self.demo_town = self.parent_of(self.demo_branch) or self.root
        self.units = [o for o in self.orgs if o.depth == 2 and o.numchild]  # towns and the organs work committee
        self.towns = [o for o in self.units if o.level == Organization.Level.COMMITTEE]

    def parent_of(self, org: Organization) -> Organization | None:
        return self.org_by_path.get(org.path[: -Organization.steplen])

    def committee_above(self, org: Organization) -> User:
        """The account of the nearest committee strictly above `org`, else admin."""
        for committee, user in self.committees:
            if org.path.startswith(committee.path) and len(committee.path) < len(org.path):
                return user
        return self.admin

    def officer_of(self, org: Organization) -> User:
        """Who acts for the organization itself: its secretary or its committee account, else admin."""
        return self.secretary_of.get(org.pk) or self.committee_on.get(org.pk) or self.admin

    def user_org(self, username: str) -> Organization | None:
        user = self.users.get(username)
        return next((self.org_by_id[pk] for pk, u in self.secretary_of.items() if u == user), None)

    def note(self, user: User | None, kind: str, text: str, url: str, key: str, at: datetime.datetime) -> None:
        if user is None:
            return
        read = at + datetime.timedelta(hours=20) if at.date() < self.today - datetime.timedelta(days=7) else None
        self.notes.append(
            Notification(
                recipient=user, kind=kind, text=text[:300], url=url, dedupe_key=key[:120], created_at=at, read_at=read
            )
        )

    # --- the plan ----------------------------------------------------------------------------------------

    def run(self) -> None:
        _analyze(Organization, Member, Pledge, PledgeItem, Inspection, SelfCheck, Opinion, FulfilmentLog)
        self.load()
        if self.campaign is None:
            raise RuntimeError("seed_evaluations needs the campaign of demo.commitments.seed_commitments.")
        self.seed_appraisals()
        self.seed_reviews()
        self.seed_records()
        self.seed_awards()
        _analyze(LeaderReview, Appraisal, Ballot, BallotCode, PaperTally, Rectification, Award, MonthlyRecord)
        self.seed_rankings()
        self.seed_bulletins()
        self.seed_tallies()
        for model in (Appraisal, Rectification, Award, Bulletin):  # written in bulk: their history from their dates
            from_stamps(model)
        Notification.objects.bulk_create(self.notes, batch_size=BATCH, ignore_conflicts=True)

    # --- 群众评议 and 整改 ---------------------------------------------------------------------------------

    def failing_plan(self) -> dict[int, str]:
        """Organizations whose first-half appraisal falls below 90%, with the state their rectification is in."""
        plan = {}
        for username, state in (("shuji2", R.CLOSED), ("shuji3", R.SUBMITTED)):
            org = self.user_org(username)
            if org is not None and org.pk != self.demo_branch.pk:
                plan[org.pk] = state
        for town, picks in zip(
            self.towns[1:3], ((("first", R.DONE), ("community", R.OPEN)), (("first", R.APPROVED),)), strict=False
        ):
            inside = [b for b in self.branches if b.path.startswith(town.path)]
            for which, state in picks:
                pool = [b for b in inside if b.sector == S.COMMUNITY] if which == "community" else inside
                if pool and pool[0].pk not in plan:
                    plan[pool[0].pk] = state
        if self.big:
            weights = {R.OPEN: 2, R.SUBMITTED: 2, R.RETURNED: 1, R.APPROVED: 3, R.DONE: 1, R.CLOSED: 3}
            for org in self.orgs:
                if org.depth >= 2 and org.pk not in plan and org.pk != self.demo_branch.pk and self.rng.random() < 0.07:
                    plan[org.pk] = self.choose(weights)
        return plan

    def seed_appraisals(self) -> None:
        rng = self.rng
        # The 上半年 sessions are held in June and early July: before 20 July the data date has none closed yet.
        plan = {pk: self.reachable(state) for pk, state in self.failing_plan().items()}
        held_h1 = self.today >= self.day(7, 20)
        self.sessions: list[dict] = []  # planned sessions: the appraisal and what hangs on it
        self.satisfaction_of_org: dict[int, Decimal] = {}
        self.first_half: dict[int, Appraisal] = {}
        questions = list(
            Pledge.objects.filter(
                campaign=self.campaign,
                organization=self.demo_branch,
                member__isnull=False,
                is_current=True,
                status__in=(Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED),
            ).order_by("id")
        )
        for org in self.orgs:
            if org.depth < 2 or not held_h1:
                continue
            state = plan.get(org.pk)
            if state in (R.CLOSED, R.DONE):
                held = self.between(self.day(6, 9), self.day(6, 14))
            elif state is not None:
                held = self.between(self.day(6, 12), self.day(6, 27))
            elif rng.random() < 0.8 or org.pk in (self.demo_branch.pk, self.demo_town.pk):
                held = self.between(self.day(6, 10), self.day(6, 28))
            else:
                held = self.between(self.day(7, 1), self.day(7, 10))
            asked = rng.sample(questions, min(5, len(questions))) if org.pk == self.demo_branch.pk else []
            mode = "code" if asked else self.choose({"code": 5, "paper": 3, "mixed": 2})
            session = self.plan_session(
                org, half=1, held=held, fail=state is not None, mode=mode, questions=sorted(asked, key=lambda p: p.pk)
            )
            session["state"] = state
            self.sessions.append(session)
            self.satisfaction_of_org[org.pk] = session["appraisal"].satisfaction
            self.first_half[org.pk] = session["appraisal"]

        Appraisal.objects.bulk_create([s["appraisal"] for s in self.sessions], batch_size=BATCH)
        rectifications, follow_ups = [], []
        for session in self.sessions:
            a = session["appraisal"]
            if a.satisfaction >= Appraisal.THRESHOLD:
                continue
            rect = self.plan_rectification(a, session["state"] or R.OPEN)
            rectifications.append(rect)
            session["rectification"] = rect
        Rectification.objects.bulk_create(rectifications, batch_size=BATCH)
        for session in self.sessions:
            rect = session.get("rectification")
            if rect is None or rect.status != R.CLOSED:
                continue
            org = session["appraisal"].organization
            follow = self.plan_session(
                org, half=2, held=rect._reappraised_on, fail=False, mode="code", questions=[], rectification=rect
            )
            follow_ups.append(follow)
            rect.closed_at = follow["appraisal"].closed_at
        self.open_session = self.plan_open_session(self.demo_branch, questions)
        follow_ups.append(self.open_session)
        Appraisal.objects.bulk_create([s["appraisal"] for s in follow_ups], batch_size=BATCH)
        Rectification.objects.bulk_update(
            [r for r in rectifications if r.status == R.CLOSED], ["closed_at"], batch_size=BATCH
        )
        self.sessions += follow_ups

        codes, ballots, papers, links = [], [], [], []
        through = Appraisal.member_questions.through
        for session in self.sessions:
            codes += session["codes"]
            papers += session["papers"]
            links += [through(appraisal=session["appraisal"], pledge=p) for p in session["questions"]]
        BallotCode.objects.bulk_create(codes, batch_size=BATCH)
        for session in self.sessions:
            ballots += session["ballots"]
        Ballot.objects.bulk_create(ballots, batch_size=BATCH)
        PaperTally.objects.bulk_create(papers, batch_size=BATCH)
        through.objects.bulk_create(links, batch_size=BATCH)
        self.rectifications = rectifications
        self.try_codes = [c.code for c in self.open_session["codes"] if c.used_at is None][:3]
        self.try_title = f"{self.demo_branch.name}{self.year}年{self.half_label()}群众评议"
        self.appraisal_notes()

    def half_label(self) -> str:
        return "上半年" if self.today.month <= 6 else "下半年"

    def new_code(self) -> str:
        while True:
            code = "".join(self.rng.choices(CODE_ALPHABET, k=16))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def planned_groups(self, org: Organization, total: int) -> dict[str, int]:
        rng = self.rng
        groups = {
            "planned_superior_leaders": rng.randint(2, 3),
            "planned_own_leaders": rng.randint(3, 5),
            "planned_deputies": rng.randint(1, 3) if org.sector in (S.RURAL, S.COMMUNITY) else rng.randint(0, 2),
            "planned_cadres": rng.randint(6, 10),
        }
        groups["planned_masses"] = max(0, total - sum(groups.values()))
        return groups

    def report_text(self, org: Organization, held: datetime.date, half_label: str) -> str:
        items = [i for i in self.org_items_of.get(org.pk, []) if i.signed_on and i.signed_on <= held]
        if not items:
            return f"{half_label}以来，我们组织党员对照承诺书逐项践诺，定期公开践诺情况，接受群众监督。"
        done = [i for i in items if i.ticked_by(held)]
        late = [i for i in items if i.late_at(held)]
        ordinals = "一二三四五"
        shown = (done + [i for i in items if i not in done])[:3]
        lines = [
            f"{half_label}以来，{org.name}围绕年初向群众公开承诺的 {len(items)} 项事项，坚持一月一自查、一季一检查，"
            f"截至{_cn(held)}已兑现销号 {len(done)} 项，正在推进 {len(items) - len(done)} 项"
            + (f"，其中逾期未完成 {len(late)} 项" if late else "")
            + "。",
            "主要做了以下工作："
            + "；".join(
                f"{ordinals[k]}是{'已完成' if i.ticked_by(held) else '正在推进'}“{_short(i.content, 30)}”"
                for k, i in enumerate(shown)
            )
            + "。",
            "存在的不足：个别事项进度滞后，对党员践诺的督促检查还不够经常，践诺情况公开还不够及时。",
            "下一步，我们将认真听取大家的意见，逐条整改，确保承诺事项件件有着落。",
        ]
        return "\n".join(lines)

    def plan_session(
        self,
        org: Organization,
        *,
        half: int,
        held: datetime.date,
        fail: bool,
        mode: str,
        questions: list,
        rectification: Rectification | None = None,
    ) -> dict:
        """One closed session with its codes, ballots and paper tallies, counted as `appraisal_close` does."""
        rng = self.rng
        minimum = participant_minimum(org)
        n = minimum + rng.randint(0, 12)
        if fail:
            unsat = rng.randint(n // 10 + 1, max(n // 10 + 1, n * 2 // 10))
        else:
            unsat = 0 if rng.random() < 0.2 else rng.randint(1, n // 10)
        basic = round((n - unsat) * rng.uniform(0.08, 0.3))
        choices = [Ballot.Choice.SATISFIED] * (n - unsat - basic)
        choices += [Ballot.Choice.BASICALLY] * basic + [Ballot.Choice.UNSATISFIED] * unsat
        rng.shuffle(choices)
        if mode == "code":
            on_code, on_paper = choices, []
        elif mode == "paper":
            on_code, on_paper = [], choices
        else:
            split = rng.randint(6, min(15, n - 5))
            on_code, on_paper = choices[split:], choices[:split]
        organizer = self.committee_above(org)
        opened = self.at(held - datetime.timedelta(days=rng.randint(5, 12)))
        closed = datetime.datetime.combine(held, datetime.time(11, 0), tzinfo=TZ) + datetime.timedelta(
            minutes=rng.randint(0, 60)
        )
        counts = Counter(choices)
        paper_invalid = rng.choice((0, 0, 1, 2)) if on_paper else 0
        half_label = "上半年" if half == 1 else "今年"
        appraisal = Appraisal(
            organization=org,
            campaign=self.campaign,
            year=held.year,
            half=half,
            held_on=held,
            place=rng.choice(PLACES.get(org.sector, ("会议室",)))
            if org.level != Organization.Level.COMMITTEE
            else "镇政府三楼会议室",
            report_text=self.report_text(org, held, half_label)
            if rectification is None
            else (
                f"按照整改方案，我们对群众评议中提出的问题逐条进行了整改：{rectification.evidence}"
                "请大家对整改后的践诺情况进行评议。"
            ),
            rectification=rectification,
            status=Appraisal.Status.CLOSED,
            valid_ballots=n,
            invalid_ballots=paper_invalid,
            satisfied=counts[Ballot.Choice.SATISFIED],
            basically_satisfied=counts[Ballot.Choice.BASICALLY],
            unsatisfied=counts[Ballot.Choice.UNSATISFIED],
            satisfaction=satisfaction_of(
                counts[Ballot.Choice.SATISFIED],
                counts[Ballot.Choice.BASICALLY],
                counts[Ballot.Choice.UNSATISFIED],
                n,
                self.weights,
            ),
            is_published=True,
            created_by=organizer,
            created_at=opened,
            closed_at=closed,
            **self.planned_groups(org, n + paper_invalid + rng.randint(0, 4)),
        )
        session = {"appraisal": appraisal, "codes": [], "ballots": [], "papers": [], "questions": questions}
        start = datetime.datetime.combine(held, datetime.time(9, 30), tzinfo=TZ)
        spare = rng.choice((0, 2, 5, 5, 10))
        for k, choice in enumerate(on_code):
            moment = start + datetime.timedelta(seconds=rng.randint(0, 80 * 60) + k)
            code = BallotCode(appraisal=appraisal, code=self.new_code(), used_at=moment)
            session["codes"].append(code)
            self.add_ballots(session, code, choice, moment, org)
        for _ in range(spare if on_code else 0):
            session["codes"].append(BallotCode(appraisal=appraisal, code=self.new_code()))
        if on_paper:
            paper = Counter(on_paper)
            session["papers"].append(
                PaperTally(
                    appraisal=appraisal,
                    satisfied=paper[Ballot.Choice.SATISFIED],
                    basically_satisfied=paper[Ballot.Choice.BASICALLY],
                    unsatisfied=paper[Ballot.Choice.UNSATISFIED],
                    valid_forms=len(on_paper),
                    invalid_forms=paper_invalid,
                    entered_by=organizer,
                    entered_at=closed - datetime.timedelta(minutes=rng.randint(5, 20)),
                )
            )
        return session

    def add_ballots(self, session: dict, code: BallotCode, choice: str, moment, org: Organization) -> None:
        rng = self.rng
        reason = ""
        if choice == Ballot.Choice.UNSATISFIED and rng.random() < 0.6:
            reason = rng.choice(UNSATISFIED_REASONS.get(org.sector, ()) + GENERAL_REASONS)
        appraisal = session["appraisal"]
        session["ballots"].append(
            Ballot(appraisal=appraisal, code=code, choice=choice, reason=reason, created_at=moment)
        )
        for pledge in session["questions"]:
            if rng.random() < 0.05:
                continue  # a member's question left unanswered
            answer = self.choose(
                {Ballot.Choice.SATISFIED: 80, Ballot.Choice.BASICALLY: 16, Ballot.Choice.UNSATISFIED: 4}
            )
            session["ballots"].append(
                Ballot(appraisal=appraisal, code=code, pledge=pledge, choice=answer, created_at=moment)
            )

    def plan_open_session(self, org: Organization, questions: list) -> dict:
        """The session under way in the demo town, of the demo secretary's branch and organized by the town
        committee (`zhenwei`): ten codes used this morning, forty still to try on the ballot page."""
        rng = self.rng
        organizer = self.committee_above(org)
        asked = sorted(rng.sample(questions, min(4, len(questions))), key=lambda p: p.pk)
        appraisal = Appraisal(
            organization=org,
            campaign=self.campaign,
            year=self.year,
            half=1 if self.today.month <= 6 else 2,
            held_on=self.today,
            place=rng.choice(PLACES.get(org.sector, ("会议室",))),
            report_text=self.report_text(org, self.today, "今年"),
            status=Appraisal.Status.OPEN,
            is_published=False,
            created_by=organizer,
            created_at=self.at(self.today - datetime.timedelta(days=3)),
            **self.planned_groups(org, 45),
        )
        session = {"appraisal": appraisal, "codes": [], "ballots": [], "papers": [], "questions": asked}
        start = datetime.datetime.combine(self.today, datetime.time(9, 0), tzinfo=TZ)
        for k in range(50):
            code = BallotCode(appraisal=appraisal, code=self.new_code())
            session["codes"].append(code)
            if k < 10:
                code.used_at = start + datetime.timedelta(minutes=3 * k + rng.randint(0, 2))
                choice = self.choose(
                    {Ballot.Choice.SATISFIED: 75, Ballot.Choice.BASICALLY: 20, Ballot.Choice.UNSATISFIED: 5}
                )
                self.add_ballots(session, code, choice, code.used_at, org)
        return session

    def plan_rectification(self, appraisal: Appraisal, state: str) -> Rectification:
        """The rectification `appraisal_close` opened, carried on to `state` as the services would."""
        rng = self.rng
        org = appraisal.organization
        rect = Rectification(
            organization=org,
            source=Rectification.Source.APPRAISAL,
            appraisal=appraisal,
            status=state,
            created_at=appraisal.closed_at,
        )
        rect._reappraised_on = None
        if state == R.OPEN:
            return rect
        held = appraisal.held_on
        late = [i for i in self.org_items_of.get(org.pk, []) if not i.ticked_off_on]
        first = f"承诺的“{_short(late[0].content, 30)}”推进缓慢，群众不满意" if late else "部分承诺事项推进缓慢"
        rect.problems = (
            f"1. {first}；2. 党员联系服务群众不够经常，群众反映的问题回应不及时；"
            "3. 公开栏内容更新不及时，践诺情况群众知晓率不高；4. 对党员践诺情况督促检查不够。"
        )
        rect.targets = "逾期事项限期兑现；群众反映的问题做到件件有回音；公开栏按月更新；再次评议满意度达到90%以上。"
        rect.measures = (
            "1. 召开支委会逐项梳理未兑现事项，明确责任人和完成时限；2. 建立党员联系户制度，每名党员联系5至10户群众，"
            "每月走访一次；3. 每月5日前更新公开栏，公布承诺兑现情况；4. 召开专题组织生活会，开展批评和自我批评。"
        )
        submitted = self.at(held + datetime.timedelta(days=rng.randint(7, 12)))
        if state in (R.SUBMITTED, R.RETURNED):
            rect.review_comment = RECTIFY_RETURN
            if state == R.SUBMITTED:  # returned once, then reported again
                submitted = self.at(self.between(self.today - datetime.timedelta(days=12), self.yesterday))
            rect.submitted_at = submitted
            rect.deadline = max(submitted.date(), self.today) + datetime.timedelta(days=rng.randint(30, 60))
            return rect
        rect.submitted_at = submitted
        approved = self.at(submitted.date() + datetime.timedelta(days=rng.randint(2, 5)))
        rect.approved_at, rect.approved_by = approved, self.committee_above(org)
        rect.review_comment = rng.choice(RECTIFY_APPROVE)
        if state == R.APPROVED:
            rect.deadline = self.today + datetime.timedelta(days=rng.randint(15, 45))
            return rect
        if state == R.DONE:
            done_on = self.between(self.today - datetime.timedelta(days=20), self.today - datetime.timedelta(days=4))
        else:
            done_on = self.between(
                approved.date() + datetime.timedelta(days=35), approved.date() + datetime.timedelta(days=50)
            )
            rect._reappraised_on = self.between(
                done_on + datetime.timedelta(days=7), min(done_on + datetime.timedelta(days=15), self.yesterday)
            )
        rect.deadline = done_on + datetime.timedelta(days=rng.randint(3, 15))
        rect.done_at = self.at(done_on)
        solved = rng.randint(6, 15)
        rect.evidence = (
            f"{'已完成“' + _short(late[0].content, 30) + '”等逾期事项；' if late else ''}"
            f"党员走访群众 {rng.randint(80, 200)} 户次，收集解决群众反映的问题 {solved} 个；公开栏已按月更新；"
            f"召开专题组织生活会 1 次，查摆问题 {rng.randint(4, 8)} 条，均已整改到位。"
        )
        return rect

    def appraisal_notes(self) -> None:
        """The notifications the services sent to the demo accounts about rectifications."""
        for rect in self.rectifications:
            org = rect.organization
            url = reverse("evaluations:rectification_detail", args=[rect.pk])
            if rect.status == R.SUBMITTED:
                self.note(
                    self.committee_above(org),
                    Notification.Kind.RECTIFICATION,
                    f"{org.name}报送了整改报告，请审批。",
                    url,
                    f"rectification_submitted:{rect.pk}",
                    rect.submitted_at,
                )
            elif rect.status == R.DONE:
                self.note(
                    self.committee_above(org),
                    Notification.Kind.RECTIFICATION,
                    f"{org.name}已报告整改完成，请组织再次评议。",
                    url,
                    f"rectification_done:{rect.pk}",
                    rect.done_at,
                )

    # --- 领导点评 ------------------------------------------------------------------------------------------

    def seed_reviews(self) -> None:
        rng = self.rng
        self.review_buffer: list[LeaderReview] = []
        self.review_rectifications: list[tuple[LeaderReview, str]] = []
        self.reviewed_now: set[int] = set()
        # Each quarter over is reviewed around its end; the current one from its first day, partly.
        windows = {
            self.qperiod(q): (
                self.quarter_end(q) - datetime.timedelta(days=11),
                self.quarter_end(q) + datetime.timedelta(days=10),
            )
            for q in self.quarters_over
        }
        self.current_period = self.qperiod(self.quarter)
        windows[self.current_period] = (self.day(self.quarter * 3 - 2, 1), self.yesterday)
        self.last_period = self.qperiod(self.last_quarter) if self.last_quarter else None
        self.rectify_member = self.member_to_rectify()
        for branch in self.branches:
            due = self.due_of[branch.pk]
            demo = branch.pk == self.demo_branch.pk
            secretary = self.secretary_of.get(branch.pk)
            now = 0.6 if demo else rng.choice((0.0, rng.uniform(0.15, 0.85), rng.uniform(0.3, 0.9)))
            rates = {period: 1.0 if demo else rng.uniform(0.86, 1.0) for period in windows}
            rates[self.current_period] = now
            for period, rate in rates.items():
                chosen = {m.pk for m in rng.sample(due, round(rate * len(due)))}
                if period == self.last_period and self.rectify_member is not None:
                    chosen.add(self.rectify_member.pk)
                lo, hi = windows[period]
                for m in due:
                    if m.pk in chosen:
                        reviewer = self.admin if secretary is None or m.user_id == secretary.pk else secretary
                        self.add_review(
                            self.member_review(m, branch, K.QUARTERLY, period, self.between(lo, hi), reviewer)
                        )
            if self.today > self.day(7, 1) and (demo or rng.random() < 0.5):
                for m in due:
                    if rng.random() < 0.9:
                        reviewer = self.admin if secretary is None or m.user_id == secretary.pk else secretary
                        day = self.between(self.day(7, 1), self.day(7, 15))
                        self.add_review(self.member_review(m, branch, K.HALF_YEAR, f"{self.year}H1", day, reviewer))
            for month in range(max(1, self.today.month - 2), self.today.month + 1):
                first = self.day(month, 1)
                for m in due:
                    if rng.random() < (0.35 if demo else 0.12):
                        reviewer = self.admin if secretary is None or m.user_id == secretary.pk else secretary
                        day = self.between(first, first + datetime.timedelta(days=5))
                        self.add_review(self.reminder(m, f"{self.year}-{month:02d}", day, reviewer))
        for review in self.organization_reviews():
            self.add_review(review)
        self.flush_reviews()

        rects = []
        for review, state in self.review_rectifications:
            org = review.organization if review.organization_id else review.member.organization
            rect = Rectification(
                organization=org,
                member=review.member if review.member_id else None,
                source=Rectification.Source.LEADER_REVIEW,
                leader_review=review,
                deadline=review.rectify_by,
                status=state,
                created_at=review.created_at,
            )
            if state == R.APPROVED:
                rect.problems = "承诺事项未按期兑现，未及时向支部说明情况；践诺主动性不强。"
                rect.targets = "一个月内兑现逾期事项，今后按时做好月度自查。"
                rect.measures = "1. 向支部书面说明逾期原因；2. 制定推进计划，每周报告进展；3. 请结对党员帮助推进。"
                rect.submitted_at = review.created_at + datetime.timedelta(days=6)
                rect.approved_at = review.created_at + datetime.timedelta(days=8)
                rect.approved_by = self.committee_above(org)
                rect.review_comment = "同意，请抓紧落实。"
            rects.append(rect)
            self.note_review(review, rect)
        Rectification.objects.bulk_create(rects)
        self.rectifications += rects
        missing = [m for m in self.due_of[self.demo_branch.pk] if m.pk not in self.reviewed_now]
        if missing and self.secretary_of.get(self.demo_branch.pk):
            self.note(
                self.secretary_of[self.demo_branch.pk],
                Notification.Kind.REVIEW_DUE,
                f"{self.demo_branch.name}还有 {len(missing)} 名党员没有{self.year}年第{QUARTER_NAMES[self.quarter - 1]}季度的"
                "一季一点评，请逐一点评。",
                reverse("evaluations:review_org", args=[self.demo_branch.code]),
                f"review_due:{self.demo_branch.pk}:{self.current_period}",
                self.at(self.today - datetime.timedelta(days=1)),
            )

    def member_to_rectify(self) -> Member | None:
        """A member outside the demo branch (preferably in the last town) whose item was late at the end of
        the last quarter over (June): his review of that quarter requires rectification."""
        if self.last_quarter is None:
            return None
        cut = self.quarter_end(self.last_quarter)
        town = self.towns[-1] if len(self.towns) > 1 else self.root
        branches = [b for b in self.branches if b.pk != self.demo_branch.pk]
        branches.sort(key=lambda b: (not b.path.startswith(town.path), b.path))
        for branch in branches:
            for m in self.due_of[branch.pk]:
                if any(i.late_at(cut) for i in self.items_of.get(m.pk, [])):
                    return m
        return None

    def add_review(self, review: LeaderReview) -> None:
        rng = self.rng
        m = review.member if review.member_id else None
        if m is not None and review.kind == K.QUARTERLY:
            if review.period == self.current_period:
                self.reviewed_now.add(m.pk)
            elif review.period == self.last_period:
                if m.organization_id == self.demo_branch.pk and m.user_id:
                    review.is_published = rng.random() < 0.5
                else:
                    review.is_published = rng.random() < 0.02
                if m == self.rectify_member:
                    cut = self.quarter_end(self.last_quarter)
                    late = next(i for i in self.items_of[m.pk] if i.late_at(cut))
                    review.created_at = self.at(min(cut + datetime.timedelta(days=8), self.yesterday))
                    review.ji, review.qin = Grade.FAIR, Grade.FAIR
                    review.text = (
                        f"承诺的“{_short(late.content, 30)}”已过完成时限（{_cn(late.deadline)}）仍未兑现，"
                        "也没有向支部说明原因，践诺态度不够端正。要求认真查找原因，制定整改措施，限期兑现。"
                    )
                    review.requires_rectification = True
                    review.rectify_by = review.created_at.date() + datetime.timedelta(days=90)
                    self.review_rectifications.append((review, R.APPROVED))
        self.review_buffer.append(review)
        if len(self.review_buffer) >= FLUSH_AT:
            self.flush_reviews()

    def flush_reviews(self) -> None:
        rows, self.review_buffer = self.review_buffer, []
        LeaderReview.objects.bulk_create(rows, batch_size=BATCH)
        for review in rows:
            m = review.member if review.member_id else None
            if m is None or not m.user_id or m.user_id == review.reviewer_id:
                continue
            if review.kind in (K.QUARTERLY, K.MONTHLY):
                self.note(
                    m.user,
                    Notification.Kind.LEADER_REVIEW,
                    f"{review.reviewer.get_full_name()}对{m.name}作了{period_label(review.period)}"
                    f"{review.get_kind_display()}。",
                    reverse("evaluations:review_mine"),
                    f"leader_review:{review.pk}",
                    review.created_at,
                )

    def note_review(self, review: LeaderReview, rect: Rectification) -> None:
        officer = self.secretary_of.get(rect.organization_id)
        subject = review.member.name if review.member_id else review.organization.name
        self.note(
            officer,
            Notification.Kind.LEADER_REVIEW,
            f"{review.reviewer.get_full_name()}对{subject}作了{period_label(review.period)}{review.get_kind_display()}"
            f"，并要求在{review.rectify_by.year}年{review.rectify_by.month}月{review.rectify_by.day}日前整改。",
            reverse("evaluations:review_org", args=[rect.organization.code]),
            f"leader_review:{review.pk}",
            review.created_at,
        )

    def grades(self, base: float, aspects: list[str]) -> dict[str, str]:
        out = {}
        for name in aspects:
            shift = 0.4 if name in ("lian", "de") else 0.0
            points = max(1, min(4, round(base + shift + self.rng.gauss(0, 0.45))))
            out[name] = GRADES[points]
        return out

    def member_review(self, m: Member, branch: Organization, kind: str, period: str, day, reviewer) -> LeaderReview:
        rng = self.rng
        items = [i for i in self.items_of.get(m.pk, []) if i.signed_on and i.signed_on <= day]
        late = [i for i in items if i.late_at(day)]
        done = [i for i in items if i.ticked_by(day)]
        base = 3.35 - 0.55 * len(late) + 0.12 * len(done) + rng.gauss(0, 0.3)
        grades = self.grades(base, MEMBER_ASPECTS)
        mean = sum({Grade.GOOD: 4, Grade.FAIRLY_GOOD: 3, Grade.FAIR: 2, Grade.POOR: 1}[g] for g in grades.values()) / 5
        tone = "good" if mean >= 3.5 else "fairly_good" if mean >= 2.7 else "fair"
        parts = []
        if kind == K.HALF_YEAR:
            parts.append(f"{rng.choice(HALF_YEAR_OPENINGS)}，")
        if not items:
            parts.append(rng.choice(MEMBER_NOT_SIGNED))
        else:
            parts.append(rng.choice(MEMBER_OPENINGS[tone]))
        if not items:
            parts.append("但今年的承诺书还没有签约公示，要抓紧完成定诺，做到承诺全覆盖。")
        elif late:
            i = late[0]
            parts.append(f"但承诺的“{_short(i.content)}”已过完成时限仍未销号，要查找原因，抓紧兑现。")
        elif done and rng.random() < 0.7:
            i = rng.choice(done)
            parts.append(f"承诺的“{_short(i.content)}”已兑现销号，群众反映较好。")
        else:
            i = rng.choice(items)
            parts.append(f"承诺的“{_short(i.content)}”正在按计划推进，要按时限抓好落实。")
        if kind == K.HALF_YEAR and items:
            if len(done) == len(items):
                parts.append(f"承诺的 {len(items)} 项事项已全部兑现。")
            else:
                parts.append(f"承诺事项已兑现 {len(done)} 项，正在推进 {len(items) - len(done)} 项。")
        parts.append(rng.choice(MEMBER_ADVICE.get(branch.sector, ()) + GENERAL_ADVICE))
        return LeaderReview(
            member=m,
            campaign=self.campaign,
            kind=kind,
            period=period,
            text="".join(parts),
            reviewer=reviewer,
            created_at=self.at(day),
            **grades,
        )

    def reminder(self, m: Member, period: str, day, reviewer) -> LeaderReview:
        items = self.items_of.get(m.pk, [])
        horizon = day + datetime.timedelta(days=45)
        late = [i for i in items if i.late_at(day)]
        soon = [i for i in items if not i.ticked_by(day) and day <= i.deadline <= horizon]
        if late:
            i = late[0]
            text = (
                f"提醒：你承诺的“{_short(i.content)}”已过完成时限（{_cn(i.deadline)}）仍未销号，请说明原因并抓紧兑现。"
            )
        elif soon:
            i = soon[0]
            text = (
                f"提醒：你承诺的“{_short(i.content)}”完成时限为{_cn(i.deadline)}，请抓紧推进，遇到困难及时向支部报告。"
            )
        else:
            text = "提醒：" + self.rng.choice(REMINDERS)
        return LeaderReview(
            member=m,
            campaign=self.campaign,
            kind=K.MONTHLY,
            period=period,
            text=text,
            reviewer=reviewer,
            created_at=self.at(day),
        )

    def organization_reviews(self) -> list[LeaderReview]:
        rng = self.rng
        rows = []
        windows = {
            self.qperiod(q): (
                self.quarter_end(q) + datetime.timedelta(days=1),
                self.quarter_end(q) + datetime.timedelta(days=15),
            )
            for q in self.quarters_over
        }
        current = self.current_period if self.day(self.quarter * 3 - 2, 1) <= self.yesterday else None
        if current:
            windows[current] = (self.day(self.quarter * 3 - 2, 1), self.yesterday)
        rectify_org = None
        for org in self.orgs:
            if org.depth < 2:
                continue
            reviewer = self.committee_above(org)
            in_demo_town = org.path.startswith(self.demo_town.path) and org.pk != self.demo_town.pk
            demo = org.pk == self.demo_branch.pk
            for period, (lo, hi) in windows.items():
                rate = 0.3 if period == current else 0.9
                if demo or (in_demo_town and period != current) or rng.random() < rate:
                    review = self.org_review(org, K.QUARTERLY, period, self.between(lo, hi), reviewer)
                    rows.append(review)
                    if demo and (period == current or (current is None and period == self.last_period)):
                        rectify_org = review
                    elif demo and period == self.last_period:
                        review.is_published = True
            if (org.depth == 2 or in_demo_town) and self.today > self.day(7, 5):
                day = self.between(self.day(7, 5), self.day(7, 20))
                rows.append(self.org_review(org, K.HALF_YEAR, f"{self.year}H1", day, reviewer))
        if rectify_org is not None:
            late = [
                i for i in self.org_items_of.get(self.demo_branch.pk, []) if i.late_at(rectify_org.created_at.date())
            ]
            what = f"承诺的“{_short(late[0].content, 30)}”逾期未兑现，" if late else "个别承诺事项进度滞后，"
            rectify_org.serve_masses = Grade.FAIR
            rectify_org.text = (
                f"检查发现：{what}公开栏践诺情况更新不及时，部分群众反映的问题没有及时答复。"
                "要求支部认真查摆原因，限期整改，并按时报送整改报告。"
            )
            rectify_org.requires_rectification = True
            rectify_org.rectify_by = self.today + datetime.timedelta(days=45)
            self.review_rectifications.append((rectify_org, R.OPEN))
        return rows

    def org_review(self, org: Organization, kind: str, period: str, day, reviewer) -> LeaderReview:
        rng = self.rng
        items = [i for i in self.org_items_of.get(org.pk, []) if i.signed_on and i.signed_on <= day]
        late = [i for i in items if i.late_at(day)]
        done = [i for i in items if i.ticked_by(day)]
        appraisal = self.first_half.get(org.pk)
        if appraisal is not None and appraisal.closed_at.date() >= day:
            appraisal = None
        low = appraisal is not None and appraisal.satisfaction < Appraisal.THRESHOLD
        base = 3.3 - 0.35 * len(late) + 0.08 * len(done) - (0.6 if low else 0) + rng.gauss(0, 0.25)
        grades = self.grades(base, ORG_ASPECTS)
        mean = sum({Grade.GOOD: 4, Grade.FAIRLY_GOOD: 3, Grade.FAIR: 2, Grade.POOR: 1}[g] for g in grades.values()) / 4
        tone = "good" if mean >= 3.5 else "fairly_good" if mean >= 2.7 else "fair"
        parts = [rng.choice(ORG_OPENINGS[tone])]
        if len(done) == 1:
            parts.append(f"承诺的“{_short(done[0].content)}”已兑现销号。")
        elif done:
            parts.append(f"“{_short(rng.choice(done).content)}”等 {len(done)} 项承诺已兑现销号。")
        elif items:
            parts.append(f"承诺的 {len(items)} 项事项正在推进。")
        if late:
            parts.append(f"“{_short(late[0].content)}”已逾期，要加大推进力度。")
        if appraisal is not None:
            parts.append(
                f"上半年群众评议满意度 {satisfaction_text(appraisal.satisfaction)}"
                + ("，低于90%，要认真抓好整改。" if low else "，群众总体认可。")
            )
        parts.append(rng.choice(ORG_ADVICE))
        return LeaderReview(
            organization=org,
            campaign=self.campaign,
            kind=kind,
            period=period,
            text="".join(parts),
            reviewer=reviewer,
            created_at=self.at(day),
            **grades,
        )

    # --- 每月记实 ------------------------------------------------------------------------------------------

    def seed_records(self) -> None:
        rng = self.rng
        current = self.today.replace(day=1)
        months = self.record_months()
        keep_open = {self.users[u].pk for u in ("dangyuan1", "dangyuan2") if u in self.users}
        always = {self.users[u].pk for u in ("shuji", "ganshi") if u in self.users}
        rows = []
        for branch in self.branches:
            demo = branch.pk == self.demo_branch.pk
            secretary = self.secretary_of.get(branch.pk)
            commenter = secretary or self.admin
            rate = 0.92 if demo else rng.uniform(0.72, 0.97)
            now_rate = 0.55 if demo else rng.uniform(0.15, 0.5)
            comment_rate = 0.35 if secretary else 0.1
            for m in self.due_of[branch.pk]:
                for month in months:
                    this_month = month == current
                    if m.user_id in keep_open and this_month:
                        continue
                    if not (m.user_id in always and not this_month) and rng.random() >= (
                        now_rate if this_month else rate
                    ):
                        continue
                    month_end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
                    if this_month:
                        day = self.between(month, self.yesterday)
                    else:
                        day = self.between(
                            month_end - datetime.timedelta(days=6), month_end + datetime.timedelta(days=3)
                        )
                    record = MonthlyRecord(
                        member=m,
                        month=month,
                        text=self.record_text(m, branch, month, month_end),
                        is_published=rng.random() < 0.96,
                        created_at=self.at(day, hour=19, span=150),
                    )
                    if not this_month and m.user_id != commenter.pk and rng.random() < comment_rate:
                        record.comment = rng.choice(RECORD_COMMENTS)
                        record.commented_by = commenter
                    rows.append(record)
            if len(rows) >= FLUSH_AT:
                self.flush_records(rows)
                rows = []
        self.flush_records(rows)

    def flush_records(self, rows: list[MonthlyRecord]) -> None:
        MonthlyRecord.objects.bulk_create(rows, batch_size=BATCH)
        for record in rows:
            if record.comment and record.member.user_id:
                self.note(
                    record.member.user,
                    Notification.Kind.RECORD_COMMENT,
                    f"书记点评了您{record.month.year}年{record.month.month}月的记实：{record.comment[:60]}",
                    reverse("evaluations:record_mine"),
                    f"record_comment:{record.pk}",
                    record.created_at + datetime.timedelta(days=2),
                )

    def record_text(self, m: Member, branch: Organization, month: datetime.date, month_end: datetime.date) -> str:
        rng = self.rng
        duties = MONTH_DUTIES.get(branch.sector, GENERAL_DUTIES) + SEASON_DUTIES.get(month.month, ())
        lines = ["岗位履职：" + "；".join(rng.sample(duties, 2)) + "。"]
        logs = self.logs_of.get((m.pk, month))
        items = [i for i in self.items_of.get(m.pk, []) if i.signed_on and i.signed_on <= month_end]
        ticked = [i for i in items if i.ticked_off_on and month <= i.ticked_off_on <= month_end]
        if logs:
            lines.append("践诺情况：" + rng.choice(logs))
        elif ticked:
            lines.append(f"践诺情况：承诺的“{_short(ticked[0].content, 30)}”本月已兑现，申请销号已经支部确认。")
        elif items:
            i = rng.choice(items)
            lines.append(f"践诺情况：围绕承诺的“{_short(i.content, 30)}”，{rng.choice(PLEDGE_PROGRESS)}。")
        else:
            lines.append("践诺情况：按支部要求做好本职工作，积极参加支部组织的各项活动。")
        lines.append(rng.choice(NEXT_MONTH))
        return "\n".join(lines)

    # --- 表彰 ----------------------------------------------------------------------------------------------

    def award_score(self, m: Member, by: datetime.date) -> tuple:
        items = self.items_of.get(m.pk, [])
        on_time = sum(1 for i in items if i.ticked_by(by) and i.ticked_off_on <= i.deadline)
        late = sum(1 for i in items if i.late_at(by))
        return (on_time - 3 * late, -m.pk)

    def citation(self, m: Member, by: datetime.date, kind: str) -> str:
        items = self.items_of.get(m.pk, [])
        done = [i for i in items if i.ticked_by(by)]
        role = m.post or "党员"
        text = f"{m.name}同志，{role}。"
        if kind == Award.Kind.EXCELLENT_WORKER:
            text += (
                "担任支部书记以来，带领支部坚持“一诺三评三公开”，组织党员全部作出公开承诺，坚持一季一检查、一季一点评。"
            )
        if done:
            text += (
                f"在{self.campaign.name}中承诺 {len(items)} 项事项，截至6月底已按期兑现 {len(done)} 项："
                + "；".join(f"“{_short(i.content, 30)}”" for i in done[:3])
                + "。"
            )
        elif items:
            text += f"在{self.campaign.name}中承诺 {len(items)} 项事项，正在积极推进。"
        text += "工作中坚持把群众的事当作自己的事，群众评价好。"
        return text

    def next_occasion(self) -> str:
        """The occasion a nomination made on the data date is for."""
        if self.today < self.day(7, 1):
            return "七一"
        return "国庆" if self.today < self.day(10, 1) else "年度"

    def seed_awards(self) -> None:
        cut = self.day(6, 25)
        seventh_july = self.today >= self.day(6, 30)  # the 七一 awards, decided at the end of June
        rows = []
        county = self.committee_on.get(self.root.pk) or self.admin
        shuji_member = self.member_by_user.get(self.users["shuji"].pk) if "shuji" in self.users else None
        for unit in self.units:
            inside = [b for b in self.branches if b.path.startswith(unit.path)]
            members = [m for b in inside for m in self.due_of[b.pk] if m.political_status in PARTY]
            if not members or not seventh_july:
                continue
            ranked = sorted(members, key=lambda m: self.award_score(m, cut), reverse=True)
            nominator = self.committee_on.get(unit.pk) or self.admin
            approver = self.committee_above(unit)
            if unit.pk == self.demo_town.pk and shuji_member is not None:
                worker = shuji_member
            else:
                worker = next((m for m in ranked[3:] if "书记" in (m.post or "")), None)
            ranked = [m for m in ranked if m != worker]
            kinds = (Award.Kind.STAR_MEMBER, Award.Kind.STAR_MEMBER, Award.Kind.EXCELLENT_MEMBER)
            picks = list(zip(kinds, ranked, strict=False))
            if worker is not None:
                picks.append((Award.Kind.EXCELLENT_WORKER, worker))
            best = self.demo_branch if unit.pk == self.demo_town.pk else None
            if best is None:
                scored = [b for b in inside if self.satisfaction_of_org.get(b.pk) is not None]
                best = max(scored, key=lambda b: (self.satisfaction_of_org[b.pk], -b.pk), default=None)
            for kind, who in picks + ([(Award.Kind.ADVANCED_ORGANIZATION, best)] if best else []):
                created = self.at(self.between(self.day(6, 5), self.day(6, 15)))
                decided = self.at(self.between(self.day(6, 26), self.day(6, 29)))
                if isinstance(who, Member):
                    recipient = {"member": who}
                    citation = self.citation(who, cut, kind)
                else:
                    recipient = {"organization": who}
                    citation = (
                        f"{who.name}坚持“一诺三评三公开”，党员承诺全覆盖，承诺事项按期兑现，"
                        f"上半年群众评议满意度 {satisfaction_text(self.satisfaction_of_org.get(who.pk))}。"
                    )
                rows.append(
                    Award(
                        kind=kind,
                        year=self.year,
                        occasion="七一",
                        nominated_by_organization=unit,
                        citation=citation,
                        status=Award.Status.APPROVED,
                        nominated_by=nominator,
                        decided_by=approver,
                        decided_at=decided,
                        decision_comment="同意。",
                        created_at=created,
                        **recipient,
                    )
                )
        # Waiting: the demo branch's nomination for zhenwei, the demo town's for xianwei; one refused.
        awarded = {a.member_id for a in rows if a.member_id} | {a.organization_id for a in rows if a.organization_id}
        branch_members = [
            m for m in self.due_of[self.demo_branch.pk] if m.political_status in PARTY and m.pk not in awarded
        ]
        if branch_members:
            m = max(branch_members, key=lambda m: self.award_score(m, self.today))
            at = self.at(self.between(self.today - datetime.timedelta(days=8), self.yesterday))
            rows.append(
                Award(
                    kind=Award.Kind.STAR_MEMBER,
                    year=self.year,
                    occasion=self.next_occasion(),
                    member=m,
                    nominated_by_organization=self.demo_branch,
                    citation=self.citation(m, self.today, Award.Kind.STAR_MEMBER).replace("截至6月底", "截至目前"),
                    nominated_by=self.officer_of(self.demo_branch),
                    created_at=at,
                )
            )
        others = [
            b
            for b in self.branches
            if b.path.startswith(self.demo_town.path)
            and b.pk not in awarded
            and (self.satisfaction_of_org.get(b.pk) or 0) >= Appraisal.THRESHOLD
        ]
        if others and self.demo_town.depth == 2:
            b = max(others, key=lambda b: (self.satisfaction_of_org[b.pk], -b.pk))
            rows.append(
                Award(
                    kind=Award.Kind.ADVANCED_ORGANIZATION,
                    year=self.year,
                    occasion=self.next_occasion(),
                    organization=b,
                    nominated_by_organization=self.demo_town,
                    citation=f"{b.name}党员承诺全覆盖，上半年群众评议满意度 "
                    f"{satisfaction_text(self.satisfaction_of_org[b.pk])}，承诺事项推进有力。",
                    nominated_by=self.officer_of(self.demo_town),
                    created_at=self.at(self.between(self.today - datetime.timedelta(days=6), self.yesterday)),
                )
            )
        if len(self.towns) > 1 and seventh_july:
            town = self.towns[1]
            late = [
                m
                for b in self.branches
                if b.path.startswith(town.path)
                for m in self.due_of[b.pk]
                if m.pk not in awarded and any(i.late_at(self.day(6, 25)) for i in self.items_of.get(m.pk, []))
            ]
            if late:
                m = late[0]
                rows.append(
                    Award(
                        kind=Award.Kind.STAR_MEMBER,
                        year=self.year,
                        occasion="七一",
                        member=m,
                        nominated_by_organization=town,
                        citation=self.citation(m, self.day(6, 25), Award.Kind.STAR_MEMBER),
                        status=Award.Status.REJECTED,
                        nominated_by=self.officer_of(town),
                        decided_by=county,
                        decided_at=self.at(self.day(6, 27)),
                        decision_comment="该同志有承诺事项逾期未兑现，不符合践诺明星党员条件，暂不予批准。",
                        created_at=self.at(self.day(6, 12)),
                    )
                )
        Award.objects.bulk_create(rows, batch_size=BATCH)
        url = reverse("evaluations:award_index")
        for award in rows:
            who = award.member.name if award.member_id else award.organization.name
            label = f"{award.year}年{award.occasion}“{award.get_kind_display()}”"
            if award.status == Award.Status.NOMINATED:
                self.note(
                    self.committee_above(award.nominated_by_organization),
                    Notification.Kind.AWARD_NOMINATED,
                    f"{award.nominated_by_organization.name}推荐{who}为{label}，请审批。",
                    url + "?tab=pending",
                    f"award_nominated:{award.pk}",
                    award.created_at,
                )
            elif award.nominated_by != self.admin:
                self.note(
                    award.nominated_by,
                    Notification.Kind.AWARD_DECIDED,
                    f"{label}推荐{who}：{award.get_status_display()}。{award.decision_comment}",
                    url + "?tab=mine",
                    f"award_decided:{award.pk}",
                    award.decided_at,
                )
        self.awards = rows

    # --- 上评下议 ------------------------------------------------------------------------------------------

    def seed_rankings(self) -> None:
        """Rankings computed by `services.rankings` as of the demo day, then published on the demo calendar."""
        ranked = [self.root] + (self.units[:BIG_RANKED_TOWNS] if self.big else self.units)
        if self.demo_town not in ranked and self.demo_town.depth == 2:
            ranked.append(self.demo_town)
        dates = []
        # The last two periods over, each computed a few days after its end and published soon after.
        bimonths = [b for b in range(1, 7) if _month_end(self.day(2 * b, 1)) + datetime.timedelta(days=5) < self.today]
        months = [m for m in self.months_over if _month_end(self.day(m, 1)) + datetime.timedelta(days=4) < self.today]
        for period, computed, published in (
            (f"{self.year}-B{b}", end + datetime.timedelta(days=3), end + datetime.timedelta(days=5))
            for b in bimonths[-2:]
            for end in [_month_end(self.day(2 * b, 1))]
        ):
            for org in ranked:
                ranking = ranking_compute(
                    organization=org, level=Ranking.Level.ORGANIZATIONS, period=period, by=self.admin, today=self.today
                )
                dates.append((ranking, computed, published, self.admin))
        secretary = self.secretary_of.get(self.demo_branch.pk) or self.admin
        for period, computed, published in (
            (f"{self.year}-{m:02d}", end + datetime.timedelta(days=2), end + datetime.timedelta(days=4))
            for m in months[-2:]
            for end in [_month_end(self.day(m, 1))]
        ):
            ranking = ranking_compute(
                organization=self.demo_branch,
                level=Ranking.Level.MEMBERS,
                period=period,
                by=secretary,
                today=self.today,
            )
            dates.append((ranking, computed, published, secretary))
            if period == f"{self.year}-{months[-1]:02d}":
                self.adjust(ranking, secretary, month=months[-1], at=self.at(published - datetime.timedelta(days=1)))
        published_records = []
        for ranking, computed, published, by in dates:
            ranking.computed_at = self.at(computed, hour=9, span=60)
            ranking.is_published = True
            ranking.published_at = self.at(published, hour=10, span=120)
            # Its history on the demo calendar: computed by the service (re-dated here), then published.
            Ranking.history.filter(id=ranking.pk).update(
                history_date=ranking.computed_at, computed_at=ranking.computed_at
            )
            published_records.append(history_record(ranking, at=ranking.published_at, by=by, label="公布排名"))
        Ranking.objects.bulk_update([r[0] for r in dates], ["computed_at", "is_published", "published_at"])
        write_history(published_records)
        self.rankings = [r[0] for r in dates]

    def adjust(self, ranking: Ranking, by: User, *, month: int, at: datetime.datetime) -> None:
        """One written adjustment, as a secretary makes before publishing; its history record dated on the demo day."""
        entry = ranking.entries.select_related("member").order_by("rank", "id")[min(3, ranking.entries.count() - 1)]
        if 5 <= month <= 9:
            deed = "参加防汛抢险，连续三天值守山塘水库"
        else:
            deed = "参加森林防火值守，连续三天巡山查隐患"
        reason = f"{month}月{deed}，表现突出，经支委会研究加2分。"
        entry = ranking_adjust(entry=entry, by=by, adjustment=Decimal("2"), reason=reason)
        RankingEntry.history.filter(id=entry.pk, history_change_reason__startswith=ADJUSTMENT).update(history_date=at)

    # --- 通报 ----------------------------------------------------------------------------------------------

    def seed_bulletins(self) -> None:
        rows = []
        # The last quarter over, drafted a few days after its end and published two days later.
        settled = [q for q in self.quarters_over if self.quarter_end(q) + datetime.timedelta(days=4) < self.today]
        quarter = settled[-1] if settled else None
        for org in [*self.units, self.demo_branch] if quarter else []:
            facts = bulletin_facts(organization=org, year=self.year, quarter=quarter)
            end = self.quarter_end(quarter)
            drafted = self.between(end + datetime.timedelta(days=2), end + datetime.timedelta(days=4))
            title, body = compose_bulletin(facts, today=drafted)
            rows.append(
                Bulletin(
                    organization=org,
                    year=self.year,
                    quarter=quarter,
                    title=title,
                    body=body,
                    status=Bulletin.Status.PUBLISHED,
                    created_by=self.officer_of(org),
                    created_at=self.at(drafted),
                    published_at=self.at(drafted + datetime.timedelta(days=2)),
                )
            )
        Bulletin.objects.bulk_create(rows)
        self.bulletins = rows

    # --- 统计 ----------------------------------------------------------------------------------------------

    def seed_tallies(self) -> None:
        """Snapshots of past periods as the beat job takes them, the night after each period ended."""
        tallies = []
        months = [f"{self.year}-{m:02d}" for m in self.months_over[-3:]]
        quarters = [self.qperiod(self.last_quarter)] if self.last_quarter else []
        every = months + quarters + ([f"{self.year}H1"] if self.h1_over else [])
        for org in [self.root, *self.units, self.demo_branch]:
            periods = every
            if self.big and org.pk != self.root.pk:
                periods = months[-1:] + quarters
            for period in periods:
                tally = tally_build(org=org, period=period, today=self.today)
                tally.computed_at = datetime.datetime.combine(
                    tally.ends_on + datetime.timedelta(days=1), datetime.time(2, 0), tzinfo=TZ
                )
                tallies.append(tally)
        Tally.objects.bulk_update(tallies, ["computed_at"])
        self.tallies = tallies

    # --- result ------------------------------------------------------------------------------------------

    def counts(self) -> dict:
        kinds = Counter(dict(LeaderReview.objects.values_list("kind").annotate(n=Count("id")).order_by()))
        rects = Counter(dict(Rectification.objects.values_list("status").annotate(n=Count("id")).order_by()))
        awards = Counter(dict(Award.objects.values_list("status").annotate(n=Count("id")).order_by()))
        closed = Appraisal.objects.filter(status=Appraisal.Status.CLOSED)
        return {
            "reviews": sum(kinds.values()),
            "reviews_by_kind": {k: kinds[k] for k in K.values},
            "org_reviews": LeaderReview.objects.filter(organization__isnull=False).count(),
            "reviews_published": LeaderReview.objects.filter(is_published=True).count(),
            "appraisals_closed": closed.count(),
            "reappraisals": closed.filter(rectification__isnull=False).count(),
            "appraisals_open": Appraisal.objects.filter(status=Appraisal.Status.OPEN).count(),
            "below_threshold": closed.filter(satisfaction__lt=Appraisal.THRESHOLD).count(),
            "ballots": Ballot.objects.count(),
            "codes": BallotCode.objects.count(),
            "codes_used": BallotCode.objects.filter(used_at__isnull=False).count(),
            "paper_tallies": PaperTally.objects.count(),
            "rectifications": sum(rects.values()),
            "rectifications_by_status": {s: rects[s] for s in R.values},
            "awards": sum(awards.values()),
            "awards_by_status": {s: awards[s] for s in Award.Status.values},
            "rankings": Ranking.objects.count(),
            "rankings_published": Ranking.objects.filter(is_published=True).count(),
            "records": MonthlyRecord.objects.count(),
            "records_commented": MonthlyRecord.objects.exclude(comment="").count(),
            "bulletins": Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED).count(),
            "tallies": Tally.objects.count(),
            "notifications": len(self.notes),
            "try_codes": list(self.try_codes),
            "try_codes_unused": sum(1 for c in self.open_session["codes"] if c.used_at is None),
            "try_title": self.try_title,
        }
