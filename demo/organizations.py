"""Deterministic demo and reference data (DESIGN §9): the organization tree, the roster and demo accounts.

Everything is inserted in bulk with precomputed tree paths, so the county size (20,000 members) takes a
few seconds on SQLite and PostgreSQL. The same seed always gives the same data.
"""

from __future__ import annotations

import datetime
import itertools
import random
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db import transaction
from faker import Faker
from simple_history.utils import bulk_create_with_history

from organizations.models import (
    Exemption,
    Member,
    Organization,
    OrganizationUserObjectPermission,
    User,
)
from organizations.permissions import ROLE_CODENAMES, Role
from organizations.validators import id_number_check_code

DEMO_PASSWORD = "gongkai@2025"
COUNTY_CODE = "430621"
AREA_CODES = ("430621", "430602", "430623", "430681", "430111")


@dataclass(frozen=True)
class Size:
    towns: int
    village_branches: int  # per town, besides the town organ branch, the community and the general branch
    institution_branches: int  # under the county organs work committee
    members_per_branch: int


SIZES = {
    "small": Size(towns=3, village_branches=1, institution_branches=2, members_per_branch=21),
    "county": Size(towns=20, village_branches=15, institution_branches=20, members_per_branch=50),
    "city": Size(towns=200, village_branches=15, institution_branches=200, members_per_branch=50),
}

TOWN_NAMES = [
    "城关镇",
    "青山镇",
    "柳溪镇",
    "白石镇",
    "梅岭镇",
    "桃源镇",
    "新河镇",
    "龙潭镇",
    "长乐镇",
    "石门镇",
    "平安镇",
    "高桥镇",
    "双江镇",
    "东湖镇",
    "南岭镇",
    "北港镇",
    "金沙镇",
    "福田镇",
    "云台镇",
    "杨林镇",
]
VILLAGE_NAMES = [
    "新村",
    "和平村",
    "红星村",
    "光明村",
    "幸福村",
    "团结村",
    "胜利村",
    "东升村",
    "西岭村",
    "南塘村",
    "北坡村",
    "太平村",
    "柳林村",
    "梨园村",
    "竹山村",
    "荷塘村",
    "枫树村",
    "石桥村",
    "马鞍村",
    "杉木村",
    "龙井村",
    "凤凰村",
    "金鸡村",
    "大湾村",
]
INSTITUTIONS = (
    ("县第一中学党支部", Organization.Sector.SCHOOL),
    ("县人民医院党支部", Organization.Sector.HEALTH),
    ("县财政局机关党支部", Organization.Sector.GOVERNMENT),
    ("县自来水公司党支部", Organization.Sector.STATE_ENTERPRISE),
    ("县文化馆党支部", Organization.Sector.PUBLIC_INSTITUTION),
    ("县实验小学党支部", Organization.Sector.SCHOOL),
    ("县中医院党支部", Organization.Sector.HEALTH),
    ("县交通运输局机关党支部", Organization.Sector.GOVERNMENT),
    ("县农业农村局机关党支部", Organization.Sector.GOVERNMENT),
    ("县市场监管局机关党支部", Organization.Sector.GOVERNMENT),
    ("县电力公司党支部", Organization.Sector.STATE_ENTERPRISE),
    ("县科技馆党支部", Organization.Sector.PUBLIC_INSTITUTION),
    ("华丰纺织有限公司党支部", Organization.Sector.PRIVATE_ENTERPRISE),
    ("县个体劳动者协会党支部", Organization.Sector.SOCIAL_ORGANIZATION),
)
POSTS = {
    Organization.Sector.RURAL: [
        ("党支部书记", True),
        ("村委会主任", True),
        ("村会计", False),
        ("村民小组长", False),
        ("种植大户", False),
        ("养殖户", False),
        ("个体工商户", False),
        ("外出务工", False),
        ("农民", False),
        ("农民", False),
        ("农民", False),
        ("退休教师", False),
    ],
    Organization.Sector.COMMUNITY: [
        ("社区党支部书记", True),
        ("社区居委会主任", True),
        ("网格员", False),
        ("楼栋长", False),
        ("志愿者", False),
        ("退休职工", False),
        ("个体工商户", False),
        ("社区工作者", False),
    ],
    Organization.Sector.GOVERNMENT: [
        ("局长", True),
        ("副局长", True),
        ("科长", False),
        ("科员", False),
        ("办事员", False),
        ("窗口工作人员", False),
        ("科员", False),
    ],
    Organization.Sector.SCHOOL: [
        ("校长", True),
        ("副校长", True),
        ("教务主任", False),
        ("班主任", False),
        ("语文教师", False),
        ("数学教师", False),
        ("英语教师", False),
        ("后勤管理员", False),
    ],
    Organization.Sector.HEALTH: [
        ("院长", True),
        ("副院长", True),
        ("科室主任", False),
        ("主治医师", False),
        ("护士长", False),
        ("护士", False),
        ("药剂师", False),
    ],
    Organization.Sector.STATE_ENTERPRISE: [
        ("总经理", True),
        ("副总经理", True),
        ("部门经理", False),
        ("技术员", False),
        ("一线职工", False),
        ("营业厅职工", False),
    ],
    Organization.Sector.PUBLIC_INSTITUTION: [
        ("馆长", True),
        ("副馆长", True),
        ("部门负责人", False),
        ("专业技术人员", False),
        ("职工", False),
    ],
    Organization.Sector.PRIVATE_ENTERPRISE: [
        ("董事长", True),
        ("车间主任", False),
        ("班组长", False),
        ("技术骨干", False),
        ("一线工人", False),
    ],
    Organization.Sector.SOCIAL_ORGANIZATION: [
        ("会长", True),
        ("秘书长", False),
        ("会员", False),
        ("个体工商户", False),
    ],
}


GIVEN_MALE = [
    "伟",
    "强",
    "军",
    "磊",
    "洋",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "斌",
    "波",
    "建国",
    "建华",
    "志强",
    "国庆",
    "海涛",
    "文斌",
    "俊杰",
    "晓东",
    "德明",
    "振华",
    "永忠",
    "金生",
    "长青",
    "红军",
    "卫东",
    "家兴",
    "宏伟",
    "立新",
    "世杰",
    "兴旺",
    "春生",
    "少华",
    "国强",
    "光荣",
    "建军",
    "志刚",
    "子豪",
    "浩然",
    "宇轩",
]
GIVEN_FEMALE = [
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "燕",
    "慧",
    "秀英",
    "桂英",
    "玉兰",
    "丽华",
    "红梅",
    "晓燕",
    "婷婷",
    "雪梅",
    "淑华",
    "春兰",
    "海燕",
    "秀兰",
    "凤英",
    "丽娟",
    "美玲",
    "小红",
    "翠花",
    "金凤",
    "玉梅",
    "建英",
    "雨欣",
    "梓涵",
    "思琪",
    "佳怡",
    "欣怡",
    "晓丽",
    "爱华",
    "桂兰",
    "秀珍",
    "月娥",
]


def _name(fake: Faker, rng: random.Random, male: bool) -> str:
    return fake.last_name() + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)


class _Tree:
    """Collects organizations with precomputed materialized paths for one bulk insert."""

    def __init__(self):
        self.nodes: list[Organization] = []
        self.children: dict[str, int] = {}

    def add(self, parent: Organization | None, **fields) -> Organization:
        parent_path = parent.path if parent else ""
        index = self.children.get(parent_path, 0) + 1
        self.children[parent_path] = index
        depth = (parent.depth + 1) if parent else 1
        node = Organization(
            path=Organization._get_path(parent_path or None, depth, index),
            depth=depth,
            numchild=0,
            **fields,
        )
        if parent is not None:
            parent.numchild += 1
        self.nodes.append(node)
        return node


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "158", "177", "187", "189"]) + f"{rng.randrange(10**8):08d}"


def _id_number(rng: random.Random, birth: datetime.date, male: bool, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:03d}"
        value = first17 + id_number_check_code(first17)
        if value not in used:
            used.add(value)
            return value


@transaction.atomic
def seed(size: str = "small", seed_value: int = 2025, stdout=None, *, data_date: datetime.date) -> dict:
    """The county at the start of the demo campaign's year (ages, party standing), with the 免于承诺 decided in
    January and a few proposed in the days before `data_date`, still waiting."""
    spec = SIZES[size]
    rng = random.Random(seed_value)
    fake = Faker("zh_CN")
    fake.seed_instance(seed_value)
    today = datetime.date(data_date.year, 1, 1)

    tree = _Tree()
    county = tree.add(
        None,
        code=COUNTY_CODE,
        name="中共安宁县委",
        level=Organization.Level.COMMITTEE,
        sector=Organization.Sector.GOVERNMENT,
        supervision_phone="0730-5212345",
        secretary_name=fake.name(),
    )
    branches: list[Organization] = []
    communities: list[Organization] = []
    towns: list[Organization] = []
    for t in range(spec.towns):
        town_name = TOWN_NAMES[t % len(TOWN_NAMES)] + (f"{t // len(TOWN_NAMES) + 1}" if t >= len(TOWN_NAMES) else "")
        town_code = f"{COUNTY_CODE}{t + 1:03d}"
        town = tree.add(
            county,
            code=town_code,
            name=f"中共{town_name}委员会",
            level=Organization.Level.COMMITTEE,
            sector=Organization.Sector.RURAL,
            supervision_phone=f"0730-52{t + 10:02d}{rng.randrange(1000):03d}",
            secretary_name=fake.name(),
        )
        towns.append(town)
        codes = (f"{town_code}{k:03d}" for k in itertools.count(1))

        villages = iter(rng.sample(VILLAGE_NAMES, len(VILLAGE_NAMES)) * 3)
        # The first branch is a village branch so that the demo secretary works with rural pledges.
        for _ in range(spec.village_branches):
            branches.append(
                tree.add(
                    town,
                    code=next(codes),
                    name=f"{town_name}{next(villages)}党支部",
                    level=Organization.Level.BRANCH,
                    sector=Organization.Sector.RURAL,
                    supervision_phone=_phone(rng),
                    secretary_name=fake.name(),
                )
            )
        if spec.village_branches > 1:
            branches.append(
                tree.add(
                    town,
                    code=next(codes),
                    name=f"{town_name}机关党支部",
                    level=Organization.Level.BRANCH,
                    sector=Organization.Sector.GOVERNMENT,
                    is_window_unit=True,
                    supervision_phone=f"0730-52{t + 10:02d}{rng.randrange(1000):03d}",
                    secretary_name=fake.name(),
                )
            )
        community = tree.add(
            town,
            code=next(codes),
            name=f"{town_name}{['东街', '西街', '南门', '北门', '河街'][t % 5]}社区党支部",
            level=Organization.Level.BRANCH,
            sector=Organization.Sector.COMMUNITY,
            supervision_phone=_phone(rng),
            secretary_name=fake.name(),
        )
        branches.append(community)
        communities.append(community)
        big_village = next(villages)
        general = tree.add(
            town,
            code=next(codes),
            name=f"{town_name}{big_village}党总支",
            level=Organization.Level.GENERAL_BRANCH,
            sector=Organization.Sector.RURAL,
            supervision_phone=_phone(rng),
            secretary_name=fake.name(),
        )
        for part in ("第一", "第二"):
            branches.append(
                tree.add(
                    general,
                    code=next(codes),
                    name=f"{town_name}{big_village}{part}党支部",
                    level=Organization.Level.BRANCH,
                    sector=Organization.Sector.RURAL,
                    supervision_phone=_phone(rng),
                    secretary_name=fake.name(),
                )
            )
    organs = tree.add(
        county,
        code=f"{COUNTY_CODE}900",
        name="中共安宁县直属机关工作委员会",
        level=Organization.Level.WORK_COMMITTEE,
        sector=Organization.Sector.GOVERNMENT,
        supervision_phone="0730-5216000",
        secretary_name=fake.name(),
    )
    for i in range(spec.institution_branches):
        name, sector = INSTITUTIONS[i % len(INSTITUTIONS)]
        if i >= len(INSTITUTIONS):
            name = name.replace("党支部", f"第{i // len(INSTITUTIONS) + 1}党支部")
        branches.append(
            tree.add(
                organs,
                code=f"{COUNTY_CODE}900{i + 1:03d}",
                name=name,
                level=Organization.Level.BRANCH,
                sector=sector,
                is_window_unit=sector in (Organization.Sector.HEALTH, Organization.Sector.GOVERNMENT),
                supervision_phone=f"0730-52{rng.randrange(10000, 99999)}",
                secretary_name=fake.name(),
            )
        )
    bulk_create_with_history(tree.nodes, Organization, batch_size=500)
    saved = {o.code: o for o in Organization.objects.all()}
    branches = [saved[b.code] for b in branches]
    communities = [saved[c.code] for c in communities]
    towns = [saved[t.code] for t in towns]
    county = saved[county.code]
    organs = saved[organs.code]

    used_ids: set[str] = set()
    members: list[Member] = []
    for branch in branches:
        posts = POSTS[branch.sector]
        count = spec.members_per_branch + rng.randrange(-spec.members_per_branch // 5, spec.members_per_branch // 5 + 1)
        for i in range(count):
            male = rng.random() < 0.68
            age = (
                rng.randrange(19, 88)
                if branch.sector in (Organization.Sector.RURAL, Organization.Sector.COMMUNITY)
                else rng.randrange(23, 60)
            )
            birth = datetime.date(today.year - age, rng.randrange(1, 13), rng.randrange(1, 29))
            roll = rng.random()
            if roll < 0.90:
                status = Member.PoliticalStatus.FULL
            elif roll < 0.95:
                status = Member.PoliticalStatus.PROBATIONARY
            elif roll < 0.98:
                status = Member.PoliticalStatus.ACTIVIST
            else:
                status = Member.PoliticalStatus.NON_PARTY_CADRE
            join = None
            if status in (
                Member.PoliticalStatus.FULL,
                Member.PoliticalStatus.PROBATIONARY,
            ):
                join_age = rng.randrange(18, min(age, 45) + 1)
                join = datetime.date(birth.year + join_age, rng.randrange(1, 13), rng.randrange(1, 29))
                if status == Member.PoliticalStatus.PROBATIONARY:
                    join = datetime.date(today.year - 1, rng.randrange(1, 13), rng.randrange(1, 29))
                if join <= birth or join > today:
                    join = datetime.date(today.year - 1, 7, 1)
            post, leader = posts[0] if i == 0 else posts[rng.randrange(1, len(posts))]
            if (
                age >= 62
                and branch.sector in (Organization.Sector.RURAL, Organization.Sector.COMMUNITY)
                and i > 1
                and status == Member.PoliticalStatus.FULL
            ):
                post, leader = ("退休老党员", False)
            members.append(
                Member(
                    name=_name(fake, rng, male),
                    gender=Member.Gender.MALE if male else Member.Gender.FEMALE,
                    birth_date=birth,
                    id_number=_id_number(rng, birth, male, used_ids),
                    phone=_phone(rng) if rng.random() < 0.92 else "",
                    political_status=status,
                    join_date=join,
                    post=post,
                    is_leader=leader,
                    is_village_cadre=branch.sector == Organization.Sector.RURAL
                    and post in ("党支部书记", "村委会主任", "村会计", "村民小组长"),
                    is_unposted=post
                    in (
                        "农民",
                        "外出务工",
                        "退休老党员",
                        "个体工商户",
                        "一线工人",
                        "会员",
                    ),
                    is_retired=age >= 60,
                    is_sanlao=age >= 70 and rng.random() < 0.5,
                    is_student=False,
                    is_teaching_staff=branch.sector == Organization.Sector.SCHOOL,
                    organization=branch,
                )
            )
    # 流动党员: some rural members work elsewhere and take part in another town's branch.
    rural = [m for m in members if m.organization.sector == Organization.Sector.RURAL and m.post == "外出务工"]
    for m in rural[: max(2, len(members) // 50)]:
        m.inflow_organization = rng.choice([b for b in branches if b.pk != m.organization_id])
    # Members in organs report to a residential community for a second pledge.
    for m in members:
        if m.organization.sector == Organization.Sector.GOVERNMENT and rng.random() < 0.5 and communities:
            m.residence_organization = rng.choice(communities)
    bulk_create_with_history(members, Member, batch_size=1000)

    # Demo accounts (all with the same known password, no forced change so the demo runs straight away).
    first_branch = branches[0]
    roster = list(Member.objects.filter(organization=first_branch).order_by("id"))
    accounts = {}

    def account(username, full_name, superuser=False):
        user = User(
            username=username,
            full_name=full_name,
            is_superuser=superuser,
            is_staff=superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        accounts[username] = user
        return user

    permissions = {
        role: Permission.objects.get(codename=codename, content_type__app_label="organizations")
        for role, codename in ROLE_CODENAMES.items()
    }
    admin = account("admin", "系统管理员", superuser=True)

    def grant(user, role, org):
        OrganizationUserObjectPermission.objects.create(
            user=user,
            permission=permissions[role],
            content_object=org,
            granted_by=admin,
        )

    grant(account("xianwei", "县委组织部"), Role.COMMITTEE, county)
    grant(
        account(
            "zhenwei",
            f"{towns[0].name.removeprefix('中共').removesuffix('委员会')}党委",
        ),
        Role.COMMITTEE,
        towns[0],
    )
    secretary_member = roster[0]
    secretary = account("shuji", secretary_member.name)
    grant(secretary, Role.SECRETARY, first_branch)
    clerk_member = roster[1]
    clerk = account("ganshi", clerk_member.name)
    grant(clerk, Role.CLERK, first_branch)
    secretary_member.user, clerk_member.user = secretary, clerk
    clerk_member.post = "党务干事"
    ordinary = [m for m in roster[2:] if m.political_status == Member.PoliticalStatus.FULL and not m.is_retired]
    for username, m in zip(("dangyuan1", "dangyuan2"), ordinary[:2], strict=True):
        m.user = account(username, m.name)
    Organization.objects.filter(pk=first_branch.pk).update(secretary_name=secretary_member.name)
    for m in (secretary_member, clerk_member, *ordinary[:2]):
        m.save(update_fields=["user", "post"])
    # Secretaries for the other branches of the first town, to show committee role management.
    for n, b in enumerate(branches[1:3], 2):
        head = Member.objects.filter(organization=b).order_by("id").first()
        if head:
            user = account(f"shuji{n}", head.name)
            grant(user, Role.SECRETARY, b)
            head.user = user
            head.save(update_fields=["user"])

    # 免于承诺: very old members exempted, a few still waiting for the committee.
    old = list(
        Member.objects.filter(birth_date__lt=datetime.date(1942, 1, 1)).exclude(user__isnull=False).order_by("id")
    )
    exemptions = []
    approved_ids = []
    for i, m in enumerate(old):
        pending = i % 4 == 3
        exemptions.append(
            Exemption(
                member=m,
                reason=Exemption.Reason.AGE if i % 3 else Exemption.Reason.HEALTH,
                explanation="年逾八旬，行动不便，经支委会研究提出免于承诺。"
                if i % 3
                else "长期卧病在床，经支委会研究提出免于承诺。",
                status=Exemption.Status.PENDING if pending else Exemption.Status.APPROVED,
                proposed_by=secretary,
                decided_by=None if pending else accounts["zhenwei"],
                decision_comment="" if pending else "同意。",
            )
        )
        if not pending:
            approved_ids.append(m.pk)
    bulk_create_with_history(exemptions, Exemption, batch_size=1000)
    # On the demo's calendar: the approved ones proposed and decided in January, the waiting ones lately.
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    approved = Exemption.objects.filter(status=Exemption.Status.APPROVED, decided_at__isnull=True)
    moments = {
        Exemption.Status.APPROVED: datetime.datetime(today.year, 1, 6, 9, 0, tzinfo=tz),
        Exemption.Status.PENDING: datetime.datetime.combine(
            data_date - datetime.timedelta(days=5), datetime.time(9, 0), tzinfo=tz
        ),
    }
    approved.update(decided_at=datetime.datetime(today.year, 1, 10, 8, 0, tzinfo=tz))
    for status, moment in moments.items():
        ids = list(Exemption.objects.filter(status=status).values_list("pk", flat=True))
        Exemption.objects.filter(pk__in=ids).update(proposed_at=moment)
        Exemption.history.filter(id__in=ids).update(history_date=moment, proposed_at=moment)
    Member.objects.filter(pk__in=approved_ids).update(is_exempt=True)

    result = {
        "organizations": len(tree.nodes),
        "branches": len(branches),
        "members": len(members),
        "exempt": len(approved_ids),
        "accounts": sorted(accounts),
    }
    return result
