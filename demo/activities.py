"""A year of 日常活动记实 for the demo (DESIGN §11, issue 12): what every branch, every general branch and some
town committees did in the campaign's year up to the demo's today — monthly study sessions, quarterly party
classes, 挂牌亮身份, 七一, volunteer service, good deeds, pairing with the needy and the money it took, donations,
publicity boards, a couple of institutions, leaders' contact points, now and then a report in the media.

Participants come from each organization's roster. Every activity passes the register's own rules
(`organizations.services.activity_problems`) and is written with `activities_insert_checked`, the bulk path of
the Excel import, so the county size takes seconds. The same seed always gives the same activities: every query
is ordered totally and the generator has its own random stream.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from organizations.models import (
    Activity,
    ActivityAttachment,
    ActivityKind,
    Member,
    Organization,
    OrganizationUserObjectPermission,
    User,
)
from organizations.permissions import ROLE_CODENAMES, Role
from organizations.services import activities_insert_checked, activity_problems

from .commitments import TZ, _explicit_timestamps

Sector = Organization.Sector

# --- what the organizations did ----------------------------------------------------------------------------

# 理论学习, month by month: (topic, the way it was held).
STUDY = {
    1: ("学习贯彻中央经济工作会议精神", "集中学习"),
    2: ("学习习近平总书记在二十届中央纪委四次全会上的重要讲话精神", "专题学习会"),
    3: ("学习贯彻全国两会精神", "集中学习"),
    4: ("深入贯彻中央八项规定精神学习教育", "专题学习会"),
    5: ("学习《中央八项规定及其实施细则精神》", "读书班"),
    6: ("深入贯彻中央八项规定精神学习教育警示教育", "集中学习"),
    7: ("学习《中国共产党章程》党员的义务和权利", "学习讨论会"),
    8: ("学习《中国共产党纪律处分条例》", "集中学习"),
    9: ("学习习近平总书记关于党的建设的重要思想", "专题学习会"),
    10: ("学习《中国共产党党员教育管理工作条例》", "集中学习"),
    11: ("学习《中国共产党农村基层组织工作条例》", "集中学习"),
    12: ("开展年度学习交流", "学习交流会"),
}
# Sector topics that replace the month's topic now and then.
SECTOR_STUDY = {
    Sector.RURAL: ["学习《中华人民共和国乡村振兴促进法》", "学习习近平总书记关于“三农”工作的重要论述"],
    Sector.COMMUNITY: ["学习习近平总书记关于基层治理的重要论述", "学习《城市社区居民委员会组织法》"],
    Sector.GOVERNMENT: ["学习《党政机关厉行节约反对浪费条例》", "学习《优化营商环境条例》"],
    Sector.SCHOOL: ["学习《教育强国建设规划纲要（2024—2035年）》", "学习《新时代中小学教师职业行为十项准则》"],
    Sector.HEALTH: ["学习新时代党的卫生与健康工作方针", "学习《医疗机构工作人员廉洁从业九项准则》"],
    Sector.STATE_ENTERPRISE: ["学习《中华人民共和国安全生产法》", "学习国有企业党建工作要求"],
    Sector.PUBLIC_INSTITUTION: ["学习习近平文化思想", "学习《公共文化服务保障法》"],
    Sector.PRIVATE_ENTERPRISE: ["学习促进民营经济发展壮大的政策措施", "学习《中华人民共和国劳动合同法》"],
    Sector.SOCIAL_ORGANIZATION: ["学习社会组织党建工作要求", "学习《个体工商户条例》"],
}
PARTY_CLASSES = {
    3: "书记讲党课：弘扬优良作风，当好群众贴心人",
    6: "专题党课：学习贯彻中央八项规定精神，锤炼过硬作风",
    9: "党课：以公开承诺推动为群众办实事",
    12: "党课：对照承诺找差距，年终践诺再加力",
}
VOLUNTEER = {
    Sector.RURAL: [
        "村组环境卫生整治志愿服务",
        "秸秆禁烧宣传志愿服务",
        "汛期巡堤查险志愿服务",
        "农忙时节帮收帮种志愿服务",
    ],
    Sector.COMMUNITY: ["文明城市创建志愿服务", "关爱独居老人上门服务", "垃圾分类宣传志愿服务", "小区楼道清理志愿服务"],
    Sector.GOVERNMENT: ["政务服务帮办代办志愿服务", "到报到社区清理卫生死角", "文明交通劝导志愿服务"],
    Sector.SCHOOL: ["交通安全护学岗志愿服务", "暑期防溺水安全宣传志愿服务", "关爱留守儿童志愿服务"],
    Sector.HEALTH: ["送医下乡义诊志愿服务", "健康知识进社区志愿服务", "免费测血压血糖志愿服务"],
    Sector.STATE_ENTERPRISE: ["便民服务进社区志愿服务", "安全用电（用水）宣传志愿服务"],
    Sector.PUBLIC_INSTITUTION: ["文化惠民演出志愿服务", "科普知识进校园志愿服务"],
    Sector.PRIVATE_ENTERPRISE: ["职工技能帮带志愿服务", "厂区周边环境整治志愿服务"],
    Sector.SOCIAL_ORGANIZATION: ["诚信经营宣传志愿服务", "便民维修志愿服务"],
}
GOOD_DEEDS = {
    Sector.RURAL: ["为村民修缮组级道路、安装路灯", "帮助困难户抢收油菜", "疏通灌溉渠道", "为留守老人检修电路"],
    Sector.COMMUNITY: ["为老旧小区楼道加装扶手", "疏通小区下水管道", "为居民代办医保、社保业务"],
    Sector.GOVERNMENT: ["为企业上门办理证照", "为群众解决办事难题"],
    Sector.SCHOOL: ["为困难学生补课辅导", "为学生家长开展家庭教育讲座"],
    Sector.HEALTH: ["为行动不便老人上门随访", "为慢性病患者建立健康档案"],
    Sector.STATE_ENTERPRISE: ["为孤寡老人免费检修线路", "为偏远村组延伸供水管网"],
    Sector.PUBLIC_INSTITUTION: ["为农家书屋配送图书", "为社区文艺队免费培训"],
    Sector.PRIVATE_ENTERPRISE: ["吸纳周边困难群众就业", "为员工子女开办暑期托管班"],
    Sector.SOCIAL_ORGANIZATION: ["为困难会员减免会费", "为个体户免费开展税务培训"],
}
PAIRING = ["党员结对帮扶困难群众", "春节走访慰问结对帮扶对象", "“一对一”结对帮扶困难家庭", "结对帮扶助学活动"]
DONATION = ["“爱心一日捐”活动", "为患病群众爱心捐款", "“慈善一日捐”活动", "为受灾群众爱心捐助"]
WELFARE = ["无偿献血公益活动", "植树造林公益活动", "河道保洁公益活动", "关爱残疾人公益活动"]
EMPLOYMENT = ["“春风行动”送岗位上门", "返乡创业就业技能培训", "组织困难群众参加招聘会"]
PUBLICITY = ["制作公开承诺宣传栏", "更新党务公开栏", "制作创先争优宣传板块", "制作“亮身份、作承诺”宣传展板"]
INSTITUTIONS = [
    "党员公开承诺践诺考评制度",
    "“三会一课”制度",
    "党员联系服务群众制度",
    "党员积分管理制度",
    "党务公开制度",
    "主题党日活动制度",
]
LECTURES = ["邀请县委党校老师作专题辅导报告", "中央八项规定精神专题辅导报告会", "创先争优专题辅导报告会"]
MEDIA = ["市电视台报道本支部党员践诺事迹", "《市日报》刊登本支部党员先进事迹"]
MEDIA_GROUP = ["市融媒体中心报道本支部创先争优经验", "《市日报》刊登本支部公开承诺做法"]
WITH_PAIRING = {Sector.RURAL, Sector.COMMUNITY, Sector.GOVERNMENT, Sector.STATE_ENTERPRISE, Sector.SCHOOL}


def delete_activities() -> None:
    """Remove every activity and its history (seed_demo --reset; activities protect their organizations)."""
    history = Activity.history.model
    tables = [
        ActivityAttachment,
        Activity.participants.through,
        history._meta.get_field("historicalactivity_participants").related_model,
        history,
        Activity,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def seed_activities(*, seed_value: int, today: datetime.date) -> dict:
    """A year of activities (from 1 January of `today`'s year to `today`) on the demo's organizations."""
    seeder = _Seeder(seed_value, today)
    with _explicit_timestamps(Activity):
        seeder.run()
    return seeder.counts


class _Seeder:
    def __init__(self, seed_value: int, today: datetime.date):
        self.rng = random.Random(seed_value * 6151 + 2011)
        self.today = today
        self.year = today.year
        self.rows: list[tuple[Activity, list[int]]] = []
        self.counts = {"activities": 0, "links": 0, "organizations": 0, "amount": Decimal(0)}

    # --- setup -------------------------------------------------------------------------------------------

    def load(self) -> None:
        self.kinds = {k.code: k for k in ActivityKind.objects.order_by("position", "id")}
        self.orgs = list(Organization.objects.filter(is_active=True).order_by("path"))
        self.roster: dict[int, list[Member]] = defaultdict(list)
        members = Member.objects.filter(is_active=True, organization__is_active=True).order_by(
            "organization__path", "id_number"
        )
        for m in members.only("id", "organization_id", "is_exempt", "is_retired", "is_leader", "birth_date"):
            self.roster[m.organization_id].append(m)
        self.recorders = self._recorders()

    def _recorders(self) -> dict[int, list[User]]:
        """Who records for each organization: its clerk and secretary if it has accounts, else the nearest
        committee above, else the administrator."""
        codenames = {v: k for k, v in ROLE_CODENAMES.items()}
        grants = (
            OrganizationUserObjectPermission.objects.filter(permission__codename__in=codenames)
            .select_related("user", "permission", "content_object")
            .order_by("content_object__path", "permission__codename", "user__username")
        )
        by_org: dict[int, list[User]] = defaultdict(list)
        committees: list[tuple[str, User]] = []
        for g in grants:
            role = codenames[g.permission.codename]
            if role == Role.COMMITTEE:
                committees.append((g.content_object.path, g.user))
            else:
                by_org[g.content_object_id].append(g.user)
        admin = User.objects.filter(is_superuser=True).order_by("username").first()
        out = {}
        for org in self.orgs:
            if by_org.get(org.pk):
                out[org.pk] = by_org[org.pk]
                continue
            above = [(p, u) for p, u in committees if org.path.startswith(p)]
            out[org.pk] = [max(above, key=lambda pu: (len(pu[0]), pu[1].username))[1]] if above else [admin]
        return out

    # --- dates -------------------------------------------------------------------------------------------

    def day_in(self, month: int, lo: int = 1, hi: int = 28) -> datetime.date | None:
        """A day of `month` of the demo year that is not after the demo's today (None if the month is later)."""
        first = datetime.date(self.year, month, 1)
        if first > self.today:
            return None
        last = min(datetime.date(self.year, month, hi), self.today)
        start = datetime.date(self.year, month, min(lo, last.day))
        return start + datetime.timedelta(days=self.rng.randint(0, (last - start).days))

    def any_day(self) -> datetime.date:
        return self.day_in(self.rng.randint(1, self.today.month)) or self.today

    # --- one activity ------------------------------------------------------------------------------------

    def add(self, org, code: str, held_on, title: str, text: str, *, share=0.0, extra=(0, 0), **measures) -> None:
        """Plan one activity: `share` of the roster took part (named), plus `extra` more people (a range)."""
        if held_on is None:
            return
        roster = [m for m in self.roster[org.pk] if not m.is_exempt]
        chosen = []
        if share and roster:
            n = max(1, min(len(roster), round(len(roster) * share * self.rng.uniform(0.85, 1.1))))
            chosen = sorted(self.rng.sample(roster, n), key=lambda m: m.pk)
        count = len(chosen) + self.rng.randint(*extra)
        recorder = self.rng.choice(self.recorders[org.pk])
        recorded = datetime.datetime.combine(
            min(held_on + datetime.timedelta(days=self.rng.randint(0, 3)), self.today),
            datetime.time(17, 0),
            tzinfo=TZ,
        ) + datetime.timedelta(minutes=self.rng.randint(0, 240))
        activity = Activity(
            organization=org,
            kind=self.kinds[code],
            held_on=held_on,
            title=title,
            description=text.format(n=count, members=len(chosen)),
            participants_count=count,
            recorded_by=recorder,
            created_at=recorded,
            updated_at=recorded,
            **measures,
        )
        activity._history_date = recorded
        activity._history_user = recorder
        problems = activity_problems(activity, chosen=len(chosen), today=self.today)
        if problems:
            raise RuntimeError(f"demo activity breaks the register's rules: {title}: {problems}")
        self.rows.append((activity, [m.pk for m in chosen]))
        self.counts["activities"] += 1
        self.counts["links"] += len(chosen)
        if activity.amount:
            self.counts["amount"] += activity.amount

    def money(self, lo: int, hi: int) -> Decimal:
        """A round sum of yuan between lo and hi."""
        return Decimal(self.rng.randrange(lo // 100, hi // 100 + 1) * 100)

    # --- the year of one organization --------------------------------------------------------------------

    def run(self) -> None:
        self.load()
        towns = [o for o in self.orgs if o.depth == 2 and o.level == Organization.Level.COMMITTEE]
        # Some town committees keep their own register (the first half of the towns, at least one).
        recording_towns = {t.pk for t in towns[: max(1, (len(towns) + 1) // 2)]}
        for org in self.orgs:
            if org.level == Organization.Level.BRANCH:
                self.branch_year(org)
            elif org.level == Organization.Level.GENERAL_BRANCH:
                self.general_branch_year(org)
            elif org.pk in recording_towns:
                self.town_year(org)
            else:
                continue
            self.counts["organizations"] += 1
            if len(self.rows) >= 5000:
                self.flush()
        self.flush()

    def flush(self) -> None:
        activities_insert_checked(self.rows, by=None)
        self.rows = []

    def branch_year(self, org) -> None:
        rng = self.rng
        sector = org.sector
        months = range(1, self.today.month + 1)
        for month in months:
            topic, way = STUDY[month]
            if rng.random() < 0.25:
                topic = rng.choice(SECTOR_STUDY[sector])
            self.add(
                org,
                "study",
                self.day_in(month, 5, 25),
                f"{month}月{way}：{topic}",
                f"支部书记领学，以{way}形式组织党员{topic}，{{members}}名党员参加，党员结合岗位实际交流发言，"
                "围绕践行公开承诺谈认识、找差距。",
                share=rng.uniform(0.6, 0.9),
                extra=(0, 3),
            )
        for month, title in PARTY_CLASSES.items():
            self.add(
                org,
                "party_class",
                self.day_in(month, 10, 28),
                title,
                "支部书记结合本支部公开承诺和践诺情况讲党课，{n}人次听课。",
                share=rng.uniform(0.7, 0.95),
                extra=(0, 5),
            )
        self.add(
            org,
            "identity",
            self.day_in(2, 15, 28),
            "党组织挂牌、党员佩戴党徽亮身份",
            "在活动场所悬挂党组织牌子，党员佩戴党徽、在岗位上亮明身份，接受群众监督。",
            share=0.95,
            quantity=1,
        )
        self.add(
            org,
            "anniversary",
            self.day_in(7, 1, 5),
            f"庆祝中国共产党成立{self.year - 1921}周年暨重温入党誓词活动",
            "组织党员重温入党誓词，为老党员送学上门、走访慰问，{members}名党员参加。",
            share=rng.uniform(0.75, 0.95),
        )
        self.add(
            org,
            "theme",
            self.day_in(3, 1, 20),
            "“学雷锋”主题党日活动",
            "开展学雷锋主题党日，党员分组到户走访、帮扶，收集群众意见建议。",
            share=rng.uniform(0.5, 0.8),
            extra=(0, 6),
        )
        if rng.random() < 0.6:
            self.add(
                org,
                "theme",
                self.day_in(4, 1, 8),
                "“清明祭英烈”主题党日活动",
                "组织党员到烈士陵园敬献花篮、重温誓词，缅怀革命先烈。",
                share=rng.uniform(0.4, 0.7),
            )
        for title in rng.sample(VOLUNTEER[sector], min(len(VOLUNTEER[sector]), rng.randint(2, 4))):
            self.add(
                org,
                "volunteer",
                self.any_day(),
                title,
                "党员志愿者{members}人带动群众参加，共{n}人次。",
                share=rng.uniform(0.25, 0.6),
                extra=(2, 15),
            )
        for title in rng.sample(GOOD_DEEDS[sector], min(len(GOOD_DEEDS[sector]), rng.randint(1, 3))):
            self.add(
                org,
                "good_deeds",
                self.any_day(),
                title,
                "党员认领群众“微心愿”和急难愁盼问题，逐件办理并回访。",
                share=rng.uniform(0.1, 0.3),
                quantity=rng.randint(1, 6),
            )
        for title in rng.sample(PUBLICITY, rng.randint(1, 2)):
            self.add(
                org,
                "publicity_board",
                self.any_day(),
                title,
                "公示党组织和党员承诺事项、践诺情况和监督电话。",
                quantity=rng.randint(1, 4),
            )
        if sector in WITH_PAIRING:
            for title in rng.sample(PAIRING, rng.randint(1, 2)):
                self.add(
                    org,
                    "pairing",
                    self.any_day(),
                    title,
                    "党员与困难群众结对，上门了解困难、落实帮扶措施，送去帮扶资金和物资。",
                    share=rng.uniform(0.15, 0.4),
                    quantity=rng.randint(1, 6),
                    amount=self.money(800, 6000),
                    beneficiaries=rng.randint(2, 15),
                )
        if rng.random() < 0.5:
            self.add(
                org,
                "donation",
                self.any_day(),
                rng.choice(DONATION),
                "党员带头、群众自愿参加，捐款全部交县慈善会统一使用。",
                share=rng.uniform(0.5, 0.9),
                extra=(0, 20),
                amount=self.money(300, 5000),
            )
        if rng.random() < 0.35:
            self.add(
                org,
                "welfare",
                self.any_day(),
                rng.choice(WELFARE),
                "党员带头参加社会公益活动，{n}人次参加。",
                share=rng.uniform(0.2, 0.5),
                extra=(0, 10),
            )
        if sector in (Sector.RURAL, Sector.COMMUNITY) and rng.random() < 0.3:
            self.add(
                org,
                "employment",
                self.day_in(rng.choice((2, 3, 4)), 5, 25),
                rng.choice(EMPLOYMENT),
                "收集企业用工信息送到农户家中，帮助困难群众实现就业。",
                share=rng.uniform(0.1, 0.25),
                beneficiaries=rng.randint(3, 25),
            )
        for title in rng.sample(INSTITUTIONS, rng.choice((0, 1, 1, 2))):
            self.add(
                org,
                "institution",
                self.any_day(),
                f"建立{title}" if not title.startswith("“") else f"完善{title}",
                "经支委会研究、党员大会讨论通过，印发执行。",
                quantity=1,
            )
        if org.is_window_unit:
            self.add(
                org,
                "window",
                self.day_in(3, 1, 28),
                "开展“文明窗口”创建活动",
                "窗口党员挂牌服务、亮明承诺，推行首问负责、一次告知。",
                share=0.5,
                quantity=1,
            )
        if sector not in (Sector.RURAL, Sector.COMMUNITY) and rng.random() < 0.5:
            self.add(
                org,
                "lecture",
                self.any_day(),
                rng.choice(LECTURES),
                "组织党员干部集中听取专题辅导，{n}人次参加。",
                share=rng.uniform(0.6, 0.9),
                extra=(0, 8),
            )
        if sector in (Sector.SCHOOL, Sector.HEALTH, Sector.GOVERNMENT, Sector.PUBLIC_INSTITUTION):
            for issue in range(1, rng.randint(1, 3) + 1):
                self.add(
                    org,
                    "garden",
                    self.day_in(min(issue * 3, self.today.month), 1, 28),
                    f"《党建园地》{self.year}年第{issue}期出刊",
                    "刊登支部公开承诺、践诺进展和党员先进事迹。",
                    quantity=1,
                )
        if rng.random() < 0.06:
            self.add(org, "media_person", self.any_day(), rng.choice(MEDIA), "市级新闻媒体报道。", quantity=1)
        if rng.random() < 0.03:
            self.add(org, "media_group", self.any_day(), rng.choice(MEDIA_GROUP), "市级新闻媒体报道。", quantity=1)

    def general_branch_year(self, org) -> None:
        """A general branch (党总支) studies with its branches; it keeps its own quarterly meeting and rules."""
        for month in (3, 6, 9, 12):
            topic, _way = STUDY[month]
            self.add(
                org,
                "study",
                self.day_in(month, 1, 20),
                f"总支委员会{month}月学习：{topic}",
                "总支委员和各支部书记集中学习，{n}人次参加。",
                extra=(5, 12),
            )
        title = self.rng.choice(INSTITUTIONS)
        self.add(
            org,
            "institution",
            self.any_day(),
            f"建立{title}" if not title.startswith("“") else f"完善{title}",
            "总支委员会研究制定，各支部遵照执行。",
            quantity=1,
        )

    def town_year(self, org) -> None:
        """A town committee's own register: its leaders' contact points, reports, classes and bulletins."""
        rng = self.rng
        villages = [o for o in self.orgs if o.path.startswith(org.path) and o.level == Organization.Level.BRANCH]
        for leader, village in zip(
            ("镇党委书记", "镇长", "镇党委副书记"), rng.sample(villages, min(3, len(villages))), strict=False
        ):
            self.add(
                org,
                "contact_point",
                self.day_in(1, 10, 28),
                f"{leader}建立{village.name}创先争优联系点",
                "每月到联系点调研指导不少于一次，帮助解决公开承诺落实中的困难。",
                quantity=1,
            )
        self.add(
            org,
            "lecture",
            self.day_in(4, 5, 25),
            "全镇深入贯彻中央八项规定精神学习教育专题辅导报告会",
            "镇村党员干部集中听取辅导报告，{n}人次参加。",
            extra=(60, 150),
        )
        for month in (3, 7):
            self.add(
                org,
                "party_class",
                self.day_in(month, 1, 20),
                "镇党委书记讲党课：亮身份、作承诺、受监督",
                "镇党委书记为全镇党员干部讲专题党课，{n}人次听课。",
                extra=(40, 120),
            )
        for month in range(1, self.today.month + 1, 2):
            self.add(
                org,
                "news",
                self.day_in(month, 20, 28),
                f"编发创先争优工作简报（{self.year}年{month}月）",
                "通报各支部公开承诺、践诺和群众评议进展。",
                quantity=rng.randint(1, 3),
            )
        if rng.random() < 0.5:
            self.add(
                org,
                "media_group",
                self.any_day(),
                "市融媒体中心报道全镇公开承诺工作经验",
                "市级新闻媒体报道。",
                quantity=1,
            )
