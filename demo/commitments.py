"""Deterministic demo data for the pledge lifecycle (DESIGN §4, §9), on top of `demo.organizations`.

One open campaign “<year>年度公开承诺” for the county, opinions collected by every organization, an
organization pledge for every organization below the county and member pledges for almost every member
who is not exempt, spread over every state of the lifecycle with the rows each state implies: status
changes, reviews, both signatures (with the hash of the text actually saved), publication, 销号, fulfilment
logs, monthly self-checks, quarterly inspections and notifications for the demo accounts.

Everything is planned in memory organization by organization and inserted in bulk, a few thousand pledges
at a time, so the county size stays fast and memory stays flat. The same seed and day always give the same
data; `today` is passed in so the data does not depend on the real clock.

Which campaign, up to which day (`data_date`): the demo is built up to the day it is loaded
(`seed_demo --today YYYY-MM-DD`, by default the real date), so the pages, which open on today's month and
quarter, show it at once. From 1 April to 31 December that day is today itself and the campaign is the
current year's: opinions in early January, pledges made and signed by 31 March (the campaign's
sign_deadline; 篇四: 公开承诺在每年年初进行, 篇五: 年初至春节前…全面开展新一轮公开承诺), so from April on
there is something in every state of the lifecycle, and each later module
adds only what has happened by then (no 上半年群众评议 before July, and so on). From 1 January to 31 March the
new year's pledges are still being collected and signed, which would leave a newcomer with an almost empty
site: the demo then shows the previous year's campaign as it stood on 31 December of that year, the whole
year run up to 年底 (篇五: 年底前后…开展评议), and says so where `seed_demo` prints the data date. Nothing is ever dated after the data date; deadlines may be.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import DO_NOTHING, SET_NULL, Count
from faker import Faker
from simple_history.utils import bulk_create_with_history

from commitments import signing
from commitments.content_areas import areas_for_member, areas_for_organization
from commitments.models import (
    Attachment,
    Campaign,
    FulfilmentLog,
    Inspection,
    Notification,
    Opinion,
    Pledge,
    PledgeItem,
    Review,
    ReviewItemComment,
    SelfCheck,
    Signature,
    overdue_q,
)
from organizations.models import Exemption, Member, Organization, OrganizationUserObjectPermission, User
from organizations.permissions import CODENAME_ROLES, Role

from .history import record as history_record
from .history import set_state
from .history import write as write_history

# The day the tests seed with (`seed_demo --today 2025-09-15`), so their expectations do not move with the clock.
DEMO_TODAY = datetime.date(2025, 9, 15)
# Before this (month, day) the current year's campaign has not run long enough: the demo shows the previous one.
CURRENT_YEAR_FROM = (4, 1)


def data_date(today: datetime.date) -> datetime.date:
    """The last day the demo has data for when loaded on `today` (see the module's docstring)."""
    if (today.month, today.day) < CURRENT_YEAR_FROM:
        return datetime.date(today.year - 1, 12, 31)
    return today


def campaign_name(year: int) -> str:
    return f"{year}年度公开承诺"


TZ = ZoneInfo("Asia/Shanghai")
S = Organization.Sector
P = Pledge.Status
BATCH = 1000
FLUSH_AT = 1500  # pledges planned before they are written


# --- the content catalog ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One kind of pledge item. `{x}` in the texts are filled from `params`; `{base}`/`{target}` from `quant`."""

    area: str
    content: str
    measures: str
    params: tuple = ()
    quant: tuple | None = None  # (indicator, unit, ((baseline, target), ...)); a str value names a param
    opinions: tuple = ()  # what the masses said that this item answers
    logs: tuple = ()
    yearly: bool = False  # a standing promise ("每周…", "全年…"): due at the end of the year


def t(area, content, measures, *, p=None, q=None, op=(), logs=(), yearly=False) -> Template:
    return Template(area, content, measures, tuple(sorted((p or {}).items())), q, tuple(op), tuple(logs), yearly)


MEMBER_TEMPLATES: dict[str, list[Template]] = {
    S.RURAL: [
        t(
            "增强致富带富能力",
            "帮助{a}户困难群众发展{b}",
            "结对帮扶，无偿提供种苗和技术指导，帮助联系销路",
            p={"a": (2, 3, 3, 4, 5), "b": ("生猪养殖", "林下养鸡", "特色果蔬种植", "稻虾共养", "黄牛养殖")},
            q=("结对帮扶困难户", "户", ((None, "a"),)),
            op=("村里几户困难户想搞养殖，缺技术缺本钱，希望党员能带一带。",),
            logs=("上门指导结对户搞好{b}，讲解防疫和饲养管理要点。", "帮结对户联系收购商，卖出第一批产品。"),
        ),
        t(
            "增强致富带富能力",
            "带动{a}户村民种植{b}{c}亩",
            "组织外出考察学习，统一购种、统一技术标准、统一收购",
            p={"a": (5, 8, 10, 12), "b": ("油茶", "优质稻", "柑橘", "蔬菜", "中药材"), "c": (30, 50, 80, 100)},
            q=("带动种植面积", "亩", ((None, "c"),)),
            logs=("组织{a}户村民到邻县考察{b}种植基地。", "统一采购{b}种苗，分发到户并现场指导栽种。"),
        ),
        t(
            "增强致富带富能力",
            "学习掌握一门实用技术，家庭经营收入由{base}万元增加到{target}万元",
            "参加县农业农村局组织的实用技术培训，扩大经营规模",
            q=("家庭经营收入", "万元", ((6, 8), (4.5, 6), (8, 10), (10, 12.5))),
            logs=("参加县里的实用技术培训班，取得结业证书。", "扩大种养规模，上半年收入已过半。"),
        ),
        t(
            "服务农民群众",
            "每月至少走访联系户{a}次，帮助解决生产生活困难",
            "建立走访台账，能当场办的当场办，不能办的及时向支部反映",
            p={"a": (1, 2)},
            yearly=True,
            op=("有些党员平时不跟群众走动，希望党员多到群众家里坐一坐、问一问。",),
            logs=("走访联系户，了解到一户老人看病报销有困难，已帮助办理。", "走访联系户，帮助修缮漏雨的屋顶。"),
        ),
        t(
            "服务农民群众",
            "为留守老人和留守儿童义务代购代办{a}次以上",
            "与村里留守老人、留守儿童家庭结对，定期上门了解需要",
            p={"a": (10, 12, 20)},
            q=("义务代购代办", "次", ((None, "a"),)),
            op=("留守老人买药、交电费不方便，希望有人帮忙跑跑腿。",),
            logs=("帮留守老人到镇上代买药品、代缴电费。", "为留守儿童代购学习用品。"),
        ),
        t(
            "服务农民群众",
            "农忙时节帮助{a}户缺劳力家庭抢收抢种",
            "摸清缺劳力家庭名单，农忙前组织党员和青年志愿者分组包户",
            p={"a": (2, 3, 4)},
            logs=("帮助缺劳力家庭抢收早稻。", "组织志愿者帮助缺劳力家庭插秧。"),
        ),
        t(
            "弘扬新风正气",
            "带头移风易俗，家中红白喜事简办，不大操大办",
            "签订移风易俗承诺书，劝导亲友邻里喜事新办、丧事简办",
            yearly=True,
            op=("村里办酒席越办越大，人情负担重，希望党员带头刹住这股风。",),
            logs=("劝导邻居丧事简办，节省开支两万余元。",),
        ),
        t(
            "弘扬新风正气",
            "带头参与“美丽庭院”创建，房前屋后干净整洁",
            "清理房前屋后杂物，拆除旱厕，种植花草",
            logs=("清理房前屋后杂物，自家庭院通过村里验收。",),
        ),
        t(
            "参与公益事业",
            "义务投工投劳{a}个工日，参与通组道路硬化和沟渠清淤",
            "服从村里统一安排，带动家人和邻居一起出工",
            p={"a": (5, 8, 10, 15)},
            q=("义务投工", "个工日", ((None, "a"),)),
            logs=("参加沟渠清淤义务劳动。", "参与通组道路硬化，负责运送砂石。"),
        ),
        t(
            "参与公益事业",
            "每月参加村里环境卫生整治志愿服务不少于{a}次",
            "参加每月一次的“清洁家园”行动，负责所在村民小组公共区域",
            p={"a": (1, 2)},
            yearly=True,
            op=("村道两边垃圾多，希望党员带头搞好卫生。",),
            logs=("参加“清洁家园”行动，清理村道两侧垃圾。",),
        ),
    ],
    S.COMMUNITY: [
        t(
            "提高服务水平",
            "每周到包联网格走访不少于{a}户，群众诉求24小时内回应",
            "建立网格民情台账，诉求当天登记、限时办结、及时回访",
            p={"a": (5, 8, 10)},
            yearly=True,
            op=("有事找社区不知道找谁，希望每栋楼有固定的党员联系人。",),
            logs=("走访网格住户，登记诉求并转交社区办理。", "回访上周反映下水道堵塞的住户，问题已解决。"),
        ),
        t(
            "维护群众利益",
            "帮助辖区{a}名失业人员实现再就业",
            "收集辖区企业用工信息，推荐参加职业技能培训",
            p={"a": (2, 3, 5)},
            q=("帮助再就业", "人", ((None, "a"),)),
            op=("小区里有下岗的居民找不到工作，希望社区帮忙介绍。",),
            logs=("推荐一名失业居民到辖区超市就业。", "组织失业人员参加家政服务培训。"),
        ),
        t(
            "化解社会矛盾",
            "参与调解楼栋邻里纠纷，化解矛盾{a}起以上",
            "担任楼栋调解员，发现矛盾苗头及时上门做工作",
            p={"a": (3, 5, 6)},
            q=("化解邻里纠纷", "起", ((None, "a"),)),
            logs=("调解一起楼上漏水引发的邻里纠纷。", "调解一起占用公共楼道引发的纠纷。"),
        ),
        t(
            "参与文明创建和志愿服务",
            "与{a}名独居老人结对，每月上门看望并提供代购、陪诊等服务",
            "建立结对联系卡，留下联系电话，节假日上门看望",
            p={"a": (1, 2, 3)},
            op=("小区独居老人多，希望有人经常去看看。",),
            logs=("上门看望结对独居老人，帮助代购生活用品。", "陪同结对老人到医院复诊。"),
        ),
        t(
            "参与文明创建和志愿服务",
            "每月参加“周末大扫除”等志愿服务不少于{a}次",
            "按社区志愿服务安排参加活动，服务时长记入志愿服务档案",
            p={"a": (1, 2)},
            yearly=True,
            logs=("参加“周末大扫除”志愿服务，清理小区卫生死角。",),
        ),
    ],
    S.GOVERNMENT: [
        t(
            "带头学习、提升能力",
            "全年自学业务知识不少于{a}学时，撰写调研报告{b}篇",
            "制定个人学习计划，结合分管工作开展专题调研",
            p={"a": (40, 50, 60), "b": (1, 2)},
            yearly=True,
            logs=("参加单位组织的业务培训，完成学习笔记。", "完成一篇调研报告初稿。"),
        ),
        t(
            "改革创新、推动发展",
            "梳理优化本岗位办事流程，办件时限压缩{a}%以上",
            "对照办事指南逐项梳理，精简申请材料，推行容缺受理",
            p={"a": (20, 30)},
            op=("到部门办事要跑好几趟，材料要交好几遍，希望简化流程。",),
            logs=("梳理本岗位办事事项，提出精简材料建议。", "推行容缺受理，当月办件时限明显缩短。"),
        ),
        t(
            "认真履职、服务群众",
            "窗口办件群众满意率达到98%以上",
            "落实首问负责、一次性告知和限时办结制度，公开办事指南",
            q=("窗口办件群众满意率", "%", ((95.5, 98), (96, 98), (94, 98))),
            op=("窗口工作人员态度有时生硬，希望热情一些、讲解清楚一些。",),
            logs=("本月窗口评价器满意率统计达到要求。", "对群众反映的一起办事不畅问题当天回访。"),
        ),
        t(
            "认真履职、服务群众",
            "下村（社区）联系帮扶困难户{a}户，每季度至少走访一次",
            "建立帮扶台账，帮助落实低保、医保、就业等政策",
            p={"a": (2, 3)},
            q=("联系帮扶困难户", "户", ((None, "a"),)),
            logs=("走访帮扶户，帮助申请临时救助。", "为帮扶户子女联系职业技能培训。"),
        ),
        t(
            "遵纪守法、勤政廉政",
            "严守廉洁纪律，不收受服务对象任何礼品礼金",
            "签订廉洁承诺书，主动公开监督电话，接受群众监督",
            yearly=True,
            logs=("参加单位警示教育大会。",),
        ),
    ],
    S.STATE_ENTERPRISE: [
        t(
            "投身改革、提高技能",
            "参加技能培训，年内取得{b}证书",
            "利用业余时间参加培训，向技术骨干请教",
            p={"b": ("高级工", "技师", "安全管理")},
            logs=("参加公司组织的技能培训。", "通过理论考试，准备实操考核。"),
        ),
        t(
            "攻坚克难、节能降耗",
            "所在班组综合能耗由{base}吨标煤降到{target}吨标煤",
            "开展节能小改小革，杜绝跑冒滴漏",
            q=("班组综合能耗", "吨标煤", ((120, 110), (86, 80), (200, 185))),
            logs=("完成一项节能小改造，水泵运行时间缩短。",),
        ),
        t(
            "攻坚克难、节能降耗",
            "提出合理化建议{a}条以上",
            "结合岗位查找生产和服务中的问题，提出改进办法",
            p={"a": (3, 5)},
            q=("合理化建议", "条", ((None, "a"),)),
            logs=("提出抄表路线优化建议，被公司采纳。",),
        ),
        t(
            "凝聚职工、团结群众",
            "与{a}名青年职工结成“师带徒”对子",
            "签订师徒协议，每月至少开展一次现场教学",
            p={"a": (1, 2)},
            logs=("带徒弟开展管网抢修现场教学。",),
        ),
    ],
    S.SCHOOL: [
        t(
            "关爱学生",
            "每周为学困生义务辅导两次",
            "建立学困生成长档案，利用课后服务时间分层辅导",
            yearly=True,
            op=("希望老师多关心成绩落后的孩子，课后能帮着辅导一下。",),
            logs=("利用课后服务时间为学困生辅导数学。", "与学困生家长沟通学习情况。"),
        ),
        t(
            "关爱学生",
            "与{a}名留守儿童结对，每月至少谈心一次",
            "建立留守儿童联系卡，节假日家访，定期与外出务工家长视频通话",
            p={"a": (1, 2, 3)},
            op=("孩子父母在外打工，希望学校多关心留守孩子的心理。",),
            logs=("与结对留守儿童谈心，了解学习和生活情况。", "组织结对留守儿童与父母视频通话。"),
        ),
        t(
            "廉洁从教",
            "不从事有偿家教，不向学生推销教辅资料",
            "签订师德承诺书，向家长公开承诺，接受监督",
            yearly=True,
            op=("个别老师搞有偿补课，家长有意见。",),
        ),
        t(
            "为人师表",
            "每学期家访不少于{a}户",
            "结合“万师访万家”活动，每次家访填写家访记录",
            p={"a": (10, 15, 20)},
            q=("家访", "户", ((None, "a"),)),
            logs=("走访{a}户学生家庭中的几户，了解学生在家学习情况。",),
        ),
        t(
            "做好教育教学工作",
            "所任班级学科及格率由{base}%提高到{target}%",
            "集体备课、分层作业、周周清，对学困生跟踪辅导",
            q=("学科及格率", "%", ((82, 88), (75, 85), (88, 92))),
            logs=("期中考试及格率较上学期提高。", "组织一次单元过关测试并逐一讲评。"),
        ),
        t(
            "爱岗敬业",
            "上好一节校级公开课，主持或参与一项校本课题研究",
            "参加教研组集体备课和听评课活动",
            logs=("在教研组上公开课一节。",),
        ),
    ],
    S.HEALTH: [
        t(
            "提供优质服务",
            "全年下乡义诊{a}次",
            "随医院“健康快车”到乡镇开展义诊和健康讲座",
            p={"a": (4, 6, 8)},
            q=("下乡义诊", "次", ((None, "a"),)),
            op=("乡下老人看病远，希望专家能到镇上坐诊。",),
            logs=("到乡镇卫生院开展义诊，接诊群众60余人。", "在村卫生室举办高血压防治讲座。"),
        ),
        t(
            "提供优质服务",
            "与{a}名慢病患者结对，开展“一对一”健康随访",
            "建立随访档案，每月电话随访，每季度上门随访一次",
            p={"a": (5, 10)},
            logs=("电话随访结对慢病患者，指导按时服药。",),
        ),
        t(
            "爱岗敬业",
            "不收红包、不拿回扣，合理检查、合理用药",
            "签订医德医风承诺书，公开监督电话",
            yearly=True,
            op=("看病检查项目多、花钱多，希望医生合理检查。",),
        ),
        t(
            "刻苦钻研",
            "发表专业论文{a}篇，掌握一项新技术",
            "参加上级医院进修和学术交流，开展新技术临床应用",
            p={"a": (1, 2)},
            logs=("参加市级学术交流会。", "完成论文初稿并投稿。"),
        ),
        t(
            "锐意创新",
            "门诊患者平均候诊时间由{base}分钟缩短到{target}分钟",
            "推行分时段预约诊疗，优化就诊流程",
            q=("平均候诊时间", "分钟", ((40, 25), (35, 20), (30, 20))),
            op=("在医院排队时间太长，希望能预约看病。",),
            logs=("推行分时段预约，本月平均候诊时间下降。",),
        ),
    ],
    S.PUBLIC_INSTITUTION: [
        t(
            "优质服务",
            "组织送文化下乡演出{a}场",
            "编排群众喜闻乐见的节目，到村（社区）巡回演出",
            p={"a": (6, 8, 10)},
            q=("送文化下乡演出", "场", ((None, "a"),)),
            op=("村里文化活动少，希望多送些演出下乡。",),
            logs=("到村里开展送文化下乡演出。",),
        ),
        t(
            "爱岗敬业",
            "全年免费开放服务群众{a}万人次以上",
            "落实免费开放制度，延长节假日开放时间",
            p={"a": (3, 5)},
            yearly=True,
            logs=("暑期延长开放时间，接待学生参观。",),
        ),
        t(
            "刻苦钻研",
            "开展公益培训{a}期",
            "开设书法、舞蹈、科普等公益培训班",
            p={"a": (4, 6)},
            q=("公益培训", "期", ((None, "a"),)),
            logs=("举办一期少儿书法公益培训班。",),
        ),
        t(
            "锐意创新",
            "策划一项线上服务项目，实现场馆资源网上预约",
            "利用微信公众号开设网上预约和线上展览",
            logs=("微信公众号开通线上预约。",),
        ),
    ],
    S.PRIVATE_ENTERPRISE: [
        t(
            "技术攻关",
            "牵头攻关一项工艺难题，产品一次合格率由{base}%提高到{target}%",
            "成立党员技术攻关小组，对关键工序逐项分析改进",
            q=("产品一次合格率", "%", ((95, 97), (96.5, 98), (93, 96))),
            logs=("攻关小组完成工序分析，试行新工艺。",),
        ),
        t(
            "节能减耗",
            "所在车间用电量比上年下降{a}%",
            "开展节能小改小革，合理安排设备运行时间",
            p={"a": (3, 5)},
            logs=("完成空压机节能改造。",),
        ),
        t(
            "安全生产",
            "所在班组全年安全生产无事故",
            "每天班前安全讲话，每周安全隐患排查",
            yearly=True,
            logs=("组织班组安全隐患排查，整改隐患两处。",),
        ),
        t(
            "奉献爱心",
            "结对帮扶{a}名困难职工",
            "帮助困难职工申请救助，节日上门慰问",
            p={"a": (1, 2)},
            logs=("看望生病住院的困难职工。",),
        ),
    ],
    S.SOCIAL_ORGANIZATION: [
        t(
            "提高执业本领",
            "参加行业培训{a}次以上",
            "参加协会组织的政策法规和经营管理培训",
            p={"a": (2, 3)},
            logs=("参加协会组织的食品安全培训。",),
        ),
        t(
            "依法诚信执业",
            "诚信经营、明码标价，全年无消费投诉",
            "公开经营承诺，接受消费者监督",
            yearly=True,
        ),
        t(
            "提供优质服务",
            "为{a}户个体工商户提供政策咨询和办证指导",
            "利用协会服务窗口，宣传减税降费等政策",
            p={"a": (10, 20)},
            q=("提供政策咨询", "户", ((None, "a"),)),
            logs=("为个体工商户讲解小规模纳税人减免政策。",),
        ),
        t(
            "促进社会和谐",
            "参加社区公益活动{a}次",
            "参加社区组织的义诊、义卖和清洁家园活动",
            p={"a": (4, 6)},
            logs=("参加社区义卖活动，所得捐给困难家庭。",),
        ),
    ],
}

FLAG_TEMPLATES: dict[str, list[Template]] = {
    "is_village_cadre": [
        t(
            "“双培双带”",
            "把{a}名致富能手培养成党员，把{b}名党员培养成致富能手",
            "建立致富能手和党员“双向培养”名单，逐人明确培养联系人",
            p={"a": (1, 2), "b": (2, 3)},
            logs=("与致富能手谈心，动员其向党组织靠拢。",),
        ),
        t(
            "发展党员",
            "培养入党积极分子{a}名，其中35岁以下青年不少于{b}名",
            "从返乡青年、致富能手中物色发展对象，落实培养联系人",
            p={"a": (2, 3), "b": (1, 2)},
            logs=("召开支委会研究确定入党积极分子。",),
        ),
        t(
            "增强党组织凝聚力",
            "每月按时召开主题党日，党员参会率由{base}%提高到{target}%",
            "提前通知、对外出党员开展线上参会，会后通报参会情况",
            q=("党员参会率", "%", ((82, 90), (78, 90), (85, 95))),
            yearly=True,
            logs=("组织主题党日活动，外出党员线上参会。",),
        ),
        t(
            "协调“两委”关系",
            "落实“四议两公开”，村级重大事项全部提交村民代表会议决策",
            "重大事项先由党支部提议、两委商议，再提交党员大会审议和村民代表会议决议",
            yearly=True,
        ),
        t(
            "明确发展思路",
            "牵头制定村集体经济发展三年规划",
            "走访群众和能人，召开座谈会论证，报镇党委审定",
            logs=("召开座谈会，征求群众对发展规划的意见。",),
        ),
        t(
            "廉洁自律",
            "严格执行村级财务制度，村务财务每季度公开一次",
            "落实村账镇代管，非生产性开支一律报镇审核",
            yearly=True,
            op=("村里的账目希望按时公开，让大家心里明白。",),
            logs=("在村务公开栏公布本季度财务收支。",),
        ),
    ],
    "is_unposted": [
        t(
            "勤劳致富",
            "扩大{b}规模，年内家庭收入增加{a}万元",
            "向种养大户学习技术，申请小额贴息贷款",
            p={"a": (1, 2, 3), "b": ("养殖", "种植", "经营")},
            logs=("新购入一批种苗，扩大{b}规模。",),
        ),
        t(
            "扶贫帮困",
            "结对帮扶{a}户困难群众，每月上门看望一次",
            "帮助困难户解决生产生活中的实际困难",
            p={"a": (1, 2)},
            logs=("上门看望结对困难户，帮助修缮房屋。",),
        ),
        t(
            "社会公益活动",
            "担任义务{b}，每周巡查不少于{a}次",
            "做好巡查记录，发现问题及时报告村委会",
            p={"a": (2, 3), "b": ("护林员", "河道巡查员", "安全劝导员")},
            yearly=True,
            logs=("按时巡查，发现问题及时报告。",),
        ),
    ],
    "is_sanlao": [
        t(
            "发挥余热",
            "每季度给青少年讲一次革命传统故事",
            "结合自身经历讲述，在村（社区）“四点半课堂”开讲",
            yearly=True,
            logs=("在“四点半课堂”给孩子们讲革命故事。",),
        ),
        t(
            "带头移风易俗",
            "参加红白理事会，劝导群众喜事新办、丧事简办",
            "发挥老党员威望，上门做工作",
            logs=("劝导一户村民丧事简办。",),
        ),
        t(
            "调解邻里纠纷",
            "调解邻里纠纷{a}起以上",
            "发现矛盾苗头及时上门劝解，调解不了的及时报告",
            p={"a": (2, 3, 5)},
            q=("调解邻里纠纷", "起", ((None, "a"),)),
            logs=("调解一起宅基地边界纠纷。",),
        ),
    ],
    "is_student": [
        t("刻苦学习", "本学年专业课程全部合格", "制定学习计划，参加学习互助小组"),
        t("参加志愿服务活动", "参加志愿服务不少于{a}小时", "参加校内外志愿服务", p={"a": (20, 40)}),
    ],
    "is_leader": [
        t(
            "贯彻党的方针政策",
            "带头学习宣讲党的方针政策，全年为党员群众讲党课{a}次",
            "结合中心工作备课，讲党课前征求党员意见",
            p={"a": (2, 3, 4)},
            q=("讲党课", "次", ((None, "a"),)),
            yearly=True,
            logs=("为党员群众讲专题党课。",),
        ),
        t(
            "提高管理水平",
            "健全完善内部管理制度{a}项，落实责任到人",
            "对照上级要求查漏补缺，制度上墙公开",
            p={"a": (3, 5)},
            logs=("修订完善考勤和财务管理制度。",),
        ),
        t(
            "自觉廉洁从政",
            "严格落实中央八项规定精神，招待费由{base}万元压减到{target}万元以内",
            "公务接待实行公函制度和清单管理，每季度公开一次",
            q=("招待费", "万元", ((5.2, 4), (3.6, 3), (2.5, 2), (8.5, 6.8))),
            op=("希望干部带头勤俭节约，减少吃喝招待。",),
            logs=("公开上半年招待费支出，较上年同期下降。",),
        ),
    ],
}

FIVE_LEADS_TEMPLATES = [
    t(
        "带头学习提高",
        "按时参加“三会一课”，全年撰写学习笔记不少于{a}篇",
        "坚持每天学习“学习强国”，每月交流一次学习体会",
        p={"a": (10, 12, 20)},
        yearly=True,
        logs=("参加支部“三会一课”，交流学习体会。",),
    ),
    t(
        "带头争创佳绩",
        "立足岗位争创佳绩，年度考核争取“优秀”等次",
        "对标先进查找差距，制定个人提升计划",
        yearly=True,
    ),
    t(
        "带头服务群众",
        "为群众办实事好事{a}件以上",
        "结合“我为群众办实事”活动，收集群众需求，逐件办理并登记",
        p={"a": (3, 5, 6)},
        q=("为群众办实事", "件", ((None, "a"),)),
        logs=("帮助邻居办理医保参保手续。", "为群众代办证照一件。"),
    ),
    t(
        "带头遵纪守法",
        "带头遵守法律法规和党的纪律，不参与赌博，不酒后驾车",
        "签订遵纪守法承诺书，接受党员群众监督",
        yearly=True,
    ),
    t(
        "带头弘扬正气",
        "每年无偿献血一次，积极参加见义勇为等活动",
        "参加县里组织的无偿献血活动",
        logs=("参加县中心血站组织的无偿献血。",),
    ),
]

ORG_TEMPLATES: dict[str, list[Template]] = {
    S.RURAL: [
        t(
            "落实惠农政策",
            "耕地地力保护补贴等惠农资金100%足额发放到户，张榜公示",
            "核实到户面积，公示无异议后一卡通发放，接受群众查询",
            op=("补贴发了多少、发给谁，希望张榜公布。",),
            logs=("张榜公示耕地地力保护补贴发放名单。",),
        ),
        t(
            "落实惠农政策",
            "完成{a}公里通组道路硬化",
            "争取“一事一议”财政奖补项目，群众投工投劳，党员分段包干",
            p={"a": (1.2, 1.5, 2, 3)},
            q=("通组道路硬化", "公里", ((None, "a"),)),
            op=("通组道路还是泥巴路，下雨天孩子上学难走，希望尽快硬化。",),
            logs=("召开村民代表会议，确定道路硬化方案。", "道路路基平整完成，开始浇筑路面。"),
        ),
        t(
            "带领群众致富",
            "发展{b}产业基地{a}亩，带动{c}户农户增收",
            "引进龙头企业，采取“支部+合作社+农户”模式，党员示范户先行",
            p={"a": (100, 200, 300), "b": ("油茶", "优质稻", "蔬菜", "柑橘"), "c": (30, 50, 80)},
            q=("产业基地面积", "亩", ((None, "a"),)),
            op=("村里没有像样的产业，年轻人都出去了，希望村里带头搞个产业。",),
            logs=("与企业签订{b}收购协议。", "完成{b}基地土地流转。"),
        ),
        t(
            "带领群众致富",
            "组织农民工技能培训{a}期，帮助{b}人实现转移就业",
            "联系县人社局和职业学校，按需开设电工、焊工、家政等培训",
            p={"a": (2, 3), "b": (20, 30, 50)},
            logs=("举办一期电工技能培训班。",),
        ),
        t(
            "发展壮大村级集体经济",
            "村集体经济收入由{base}万元增加到{target}万元",
            "盘活闲置资产，发展光伏发电和物业出租，成立村级劳务合作社",
            q=("村集体经济收入", "万元", ((3.5, 5), (5, 8), (8, 12), (12, 15))),
            op=("村集体没有收入，办点公益事都要找上面要钱，希望想办法增加集体收入。",),
            logs=("村光伏电站并网发电。", "出租闲置村小学校舍，签订租赁合同。"),
        ),
        t(
            "培养新型农民",
            "举办农业实用技术培训{a}期，培训农民{b}人次",
            "邀请农技专家进村授课，田间地头现场教学",
            p={"a": (3, 4, 6), "b": (150, 200, 300)},
            q=("培训农民", "人次", ((None, "b"),)),
            logs=("邀请农技站专家开展水稻病虫害防治培训。",),
        ),
        t(
            "培育文明乡风",
            "修订村规民约，成立红白理事会，评选“好媳妇”“好婆婆”和文明家庭{a}户",
            "召开村民代表会议讨论修订，评选结果张榜公示",
            p={"a": (5, 8, 10)},
            op=("村里有人不孝敬老人，希望评评好媳妇好婆婆，树树榜样。",),
            logs=("召开村民代表会议，表决通过新修订的村规民约。",),
        ),
        t(
            "维护农村稳定",
            "矛盾纠纷排查化解率达到98%以上，不发生越级上访",
            "每月开展一次矛盾纠纷排查，党员中心户包片调解",
            q=("矛盾纠纷化解率", "%", ((95, 98), (96, 98))),
            yearly=True,
            logs=("开展矛盾纠纷集中排查，化解纠纷3起。",),
        ),
        t(
            "维护农村稳定",
            "安装{a}盏太阳能路灯，实现主干道亮化",
            "争取项目资金，党员带头参与安装和维护",
            p={"a": (30, 50, 60)},
            q=("安装路灯", "盏", ((None, "a"),)),
            op=("晚上村道黑漆漆的，老人孩子出门不安全，希望装路灯。",),
            logs=("路灯采购完成，开始安装。",),
        ),
    ],
    S.COMMUNITY: [
        t(
            "服务群众",
            "建成居家养老服务站，为{a}名高龄老人提供助餐服务",
            "利用社区闲置用房，引入专业机构运营，困难老人给予补贴",
            p={"a": (30, 50, 80)},
            q=("助餐服务高龄老人", "人", ((None, "a"),)),
            op=("社区老人多，子女上班没空做饭，希望办个老年食堂。",),
            logs=("养老服务站完成装修，开始试运营。",),
        ),
        t(
            "服务群众",
            "社区服务大厅实行“一站式”服务，群众办事满意率达到98%以上",
            "推行全科受理、延时服务和预约服务",
            q=("群众办事满意率", "%", ((94, 98), (95, 98))),
            yearly=True,
            logs=("服务大厅开通周六上午延时服务。",),
        ),
        t(
            "凝聚人心",
            "组织在职党员到社区报到，开展志愿服务{a}场",
            "建立在职党员报到台账，按特长分组认领服务项目",
            p={"a": (12, 20, 24)},
            q=("志愿服务", "场", ((None, "a"),)),
            logs=("组织报到党员开展“周末大扫除”志愿服务。",),
        ),
        t(
            "推动发展",
            "帮助辖区{a}名下岗失业人员实现再就业",
            "举办社区招聘会，开展家政、电商等技能培训",
            p={"a": (20, 30)},
            q=("帮助再就业", "人", ((None, "a"),)),
            logs=("举办社区招聘会，20余家企业参加。",),
        ),
        t(
            "维护稳定",
            "完成{a}个老旧小区监控全覆盖，治安案件同比下降",
            "争取平安建设资金，组建党员治安巡逻队",
            p={"a": (2, 3, 4)},
            op=("老小区没有监控，电动车经常被偷，希望装上监控。",),
            logs=("完成一个小区监控安装并接入社区平台。",),
        ),
        t(
            "构建文明和谐社区",
            "整治小区乱停乱放和楼道堆物，创建文明楼栋{a}个",
            "党员楼栋长牵头，开展“文明楼栋”评比",
            p={"a": (10, 15, 20)},
            op=("楼道里堆满杂物，有安全隐患，希望社区管一管。",),
            logs=("集中清理楼道堆物。",),
        ),
    ],
    S.GOVERNMENT: [
        t(
            "改进作风",
            "严格落实八项规定精神，公务接待费由{base}万元压减到{target}万元",
            "公务接待实行公函和清单制度，每季度在单位内部公开",
            q=("公务接待费", "万元", ((5.2, 4), (6.8, 5), (3.5, 2.8))),
            op=("希望机关少一些吃喝招待，把钱用在为群众办事上。",),
            logs=("公开一季度公务接待费支出情况。",),
        ),
        t(
            "提高效能",
            "行政审批事项平均办理时限由{base}个工作日压缩到{target}个工作日",
            "推行并联审批、容缺受理和网上办理",
            q=("平均办理时限", "个工作日", ((12, 8), (10, 5), (15, 10))),
            op=("办个证要等好久，希望提高办事效率。",),
            logs=("梳理审批事项清单，推行容缺受理。",),
        ),
        t(
            "服务群众",
            "窗口办件群众满意率达到98%以上",
            "落实首问负责、一次性告知、限时办结，设立群众评价器",
            q=("窗口办件群众满意率", "%", ((95.5, 98), (96, 98))),
            yearly=True,
            op=("窗口办事要排长队，希望增加窗口、提高效率。",),
            logs=("增设一个综合受理窗口。",),
        ),
        t(
            "建设队伍",
            "每月开展一次业务培训，干部职工培训覆盖率100%",
            "制定年度培训计划，以考促学",
            yearly=True,
            logs=("开展业务知识培训和测试。",),
        ),
        t(
            "服务中心",
            "完成县委县政府交办的{a}项重点工作任务",
            "建立重点任务清单，明确责任领导和完成时限，每月调度",
            p={"a": (3, 5, 6)},
            logs=("召开月度重点工作调度会。",),
        ),
        t(
            "改善民生",
            "单位党员结对帮扶{a}户困难群众，落实帮扶措施",
            "每名党员结对一户，每季度走访，帮助落实政策",
            p={"a": (10, 20)},
            q=("结对帮扶困难户", "户", ((None, "a"),)),
            logs=("组织党员集中走访结对帮扶户。",),
        ),
    ],
    S.STATE_ENTERPRISE: [
        t(
            "促进企业改革发展",
            "供水管网漏损率由{base}%降到{target}%",
            "分区计量，开展管网普查和老旧管网改造",
            q=("管网漏损率", "%", ((18, 15), (15, 12), (20, 16))),
            op=("停水太频繁，希望把老旧水管换一换。",),
            logs=("完成一段老旧管网改造。",),
        ),
        t(
            "带头执行",
            "客户报修2小时内到场，故障处理及时率达到99%以上",
            "设立党员抢修突击队，24小时值班",
            q=("故障处理及时率", "%", ((96, 99), (97, 99))),
            yearly=True,
            op=("报修后等半天没人来，希望维修快一点。",),
            logs=("党员突击队连夜抢修爆管。",),
        ),
        t(
            "加强队伍建设",
            "培养技术骨干{a}名，组织职工技能培训{b}人次",
            "开展岗位练兵和技能比武，落实“师带徒”",
            p={"a": (5, 8), "b": (100, 200)},
            logs=("举办职工技能比武。",),
        ),
        t(
            "有效监督",
            "“三重一大”事项全部经党支部前置研究",
            "建立前置研究事项清单，会议记录存档备查",
            yearly=True,
        ),
        t(
            "加强思想政治工作",
            "每季度开展一次职工思想动态分析，帮助困难职工{a}名",
            "班组长定期谈心谈话，建立困难职工档案",
            p={"a": (5, 10)},
            logs=("开展职工思想动态分析会。",),
        ),
    ],
    S.SCHOOL: [
        t(
            "提高办学质量",
            "学业水平测试合格率由{base}%提高到{target}%",
            "落实集体备课和分层教学，建立学困生帮扶档案",
            q=("学业水平测试合格率", "%", ((88, 92), (85, 90), (90, 95))),
            logs=("召开教学质量分析会。",),
        ),
        t(
            "加强师德师风建设",
            "开展师德师风专项整治，杜绝有偿补课",
            "签订师德承诺书，公开举报电话，聘请家长监督员",
            yearly=True,
            op=("希望学校管住老师有偿补课的问题。",),
            logs=("召开师德师风专题会，全体教师签订承诺书。",),
        ),
        t(
            "办人民满意学校",
            "开展“万师访万家”，家访覆盖率达到100%",
            "班主任牵头、科任教师参与，每生每学期至少家访一次",
            q=("家访覆盖率", "%", ((70, 100), (85, 100))),
            op=("家长和老师沟通少，希望老师多来家里看看。",),
            logs=("组织教师开展暑期家访。",),
        ),
        t(
            "培养合格人才",
            "建立留守儿童档案，落实“一对一”结对帮扶全覆盖",
            "党员教师每人结对留守儿童，开设亲情视频室",
            op=("留守孩子多，希望学校多关心。",),
            logs=("建成亲情视频室。",),
        ),
        t(
            "办人民满意学校",
            "学校食堂满意率达到95%以上",
            "实行食堂陪餐制度和家长开放日，公开食材来源",
            q=("食堂满意率", "%", ((88, 95), (90, 95))),
            op=("学校食堂饭菜不太好，希望改进。",),
            logs=("组织家长开放日，邀请家长陪餐。",),
        ),
        t(
            "加强思想政治工作",
            "上好开学第一课，每学期开展主题教育活动{a}次",
            "结合重大节日开展爱国主义教育",
            p={"a": (2, 3)},
            logs=("开展“开学第一课”主题教育。",),
        ),
    ],
    S.HEALTH: [
        t(
            "落实医改任务",
            "家庭医生签约服务覆盖{a}户",
            "组建家庭医生团队，入户签约，为重点人群提供随访",
            p={"a": (500, 800, 1000)},
            q=("家庭医生签约", "户", ((None, "a"),)),
            logs=("家庭医生团队入户签约。",),
        ),
        t(
            "提高服务水平",
            "推行预约诊疗，门诊平均候诊时间由{base}分钟缩短到{target}分钟",
            "开通电话和微信预约，分时段就诊",
            q=("门诊平均候诊时间", "分钟", ((40, 25), (35, 20))),
            op=("看病排队时间太长，希望能预约。",),
            logs=("开通微信预约挂号。",),
        ),
        t(
            "加强医德医风",
            "收受红包回扣“零容忍”，患者满意度达到95%以上",
            "开展医德医风专项检查，出院患者电话回访",
            q=("患者满意度", "%", ((91, 95), (92, 95))),
            yearly=True,
            logs=("开展出院患者电话回访。",),
        ),
        t(
            "促进医患和谐",
            "设立医患沟通办公室，医疗纠纷处理满意率达到95%以上",
            "专人接待投诉，限时答复",
            logs=("医患沟通办公室挂牌运行。",),
        ),
    ],
    S.PUBLIC_INSTITUTION: [
        t(
            "提升服务效能",
            "全年免费开放{a}天，接待群众{b}万人次",
            "落实免费开放制度，节假日不闭馆",
            p={"a": (300, 310), "b": (5, 8)},
            q=("接待群众", "万人次", ((None, "b"),)),
            yearly=True,
            logs=("暑期开放接待人数创新高。",),
        ),
        t(
            "促进事业科学发展",
            "开展送文化（科普）下乡{a}场",
            "到乡镇、村开展演出、展览和科普讲座",
            p={"a": (10, 12, 20)},
            q=("送文化下乡", "场", ((None, "a"),)),
            op=("希望多到乡下来办展览、演节目。",),
            logs=("到乡镇开展科普巡展。",),
        ),
        t(
            "规范服务行为",
            "公开服务项目、标准和时限，群众投诉办结率100%",
            "服务项目上墙公开，设立意见箱",
            yearly=True,
        ),
        t(
            "做好思想政治工作",
            "每月开展一次主题党日，职工政治理论学习全覆盖",
            "制定学习计划，党员职工结对学习",
            yearly=True,
        ),
    ],
    S.PRIVATE_ENTERPRISE: [
        t(
            "维护各方合法权益",
            "依法为全体职工缴纳社会保险，劳动合同签订率100%",
            "党支部会同工会每季度检查一次",
            q=("劳动合同签订率", "%", ((92, 100), (95, 100))),
            op=("有的职工还没签劳动合同，希望企业依法签订。",),
            logs=("督促补签劳动合同。",),
        ),
        t(
            "促进企业健康发展",
            "企业年产值由{base}万元增长到{target}万元",
            "党员骨干牵头开拓市场，推进技术改造",
            q=("企业年产值", "万元", ((8000, 9000), (5200, 6000))),
            logs=("新增两家长期客户。",),
        ),
        t(
            "团结凝聚职工群众",
            "组织职工技能比武，培养技术能手{a}名",
            "每季度一次技能比武，获奖职工优先晋级",
            p={"a": (5, 10)},
            logs=("举办车间技能比武。",),
        ),
        t(
            "引导和监督遵守法律法规",
            "安全生产零事故，环保排放100%达标",
            "党员安全监督岗每天巡查",
            yearly=True,
        ),
    ],
    S.SOCIAL_ORGANIZATION: [
        t(
            "团结凝聚群众",
            "为会员开展政策法规培训{a}场",
            "邀请市场监管、税务部门讲解政策",
            p={"a": (4, 6)},
            q=("政策法规培训", "场", ((None, "a"),)),
            op=("个体户对新政策不了解，希望协会多讲讲。",),
            logs=("邀请税务部门讲解减税降费政策。",),
        ),
        t(
            "维护各方合法权益",
            "协调解决会员经营纠纷，调处成功率达到90%以上",
            "设立会员服务站，专人受理",
            logs=("调处一起会员租赁纠纷。",),
        ),
        t(
            "促进社会组织健康发展",
            "发展新会员{a}户，把{b}名优秀个体户培养为入党积极分子",
            "党员会员一对一联系，做好思想引导",
            p={"a": (20, 30), "b": (1, 2)},
            logs=("召开新会员座谈会。",),
        ),
        t("贯彻党的方针政策", "组织会员学习党的方针政策，每季度一次", "结合行业实际开展学习讨论", yearly=True),
    ],
}

# Towns and the organs work committee pledge for their whole area, not for one village.
COMMITTEE_TEMPLATES: dict[str, list[Template]] = {
    S.RURAL: [
        t(
            "发展壮大村级集体经济",
            "全镇集体经济收入10万元以上的村由{base}个增加到{target}个",
            "每村制定集体经济发展方案，镇领导包村指导",
            q=("集体经济收入10万元以上的村", "个", ((3, 6), (5, 8), (4, 7))),
            op=("各村集体经济发展不平衡，希望镇里统筹帮扶薄弱村。",),
            logs=("召开村级集体经济发展推进会。",),
        ),
        t(
            "落实惠农政策",
            "完成{a}公里农村公路提质改造",
            "争取交通项目资金，镇村两级共同推进",
            p={"a": (10, 15, 20)},
            q=("农村公路提质改造", "公里", ((None, "a"),)),
            logs=("农村公路提质改造项目开工。",),
        ),
        t(
            "带领群众致富",
            "新培育种养大户{a}户、农民专业合作社{b}家",
            "落实产业扶持资金，组织致富带头人培训",
            p={"a": (20, 30), "b": (3, 5)},
            logs=("举办致富带头人培训班。",),
        ),
        t(
            "维护农村稳定",
            "建成镇村两级矛盾纠纷调处中心，信访案件按期办结率100%",
            "实行领导包案，每月排查调处",
            yearly=True,
        ),
    ],
    S.GOVERNMENT: [
        t(
            "建设队伍",
            "指导{a}个机关党支部开展“五型机关”创建",
            "分类指导，每季度督查通报",
            p={"a": (10, 15, 20)},
            logs=("召开“五型机关”创建推进会。",),
        ),
        t(
            "改进作风",
            "开展机关作风明察暗访{a}次，通报问题全部整改",
            "联合县纪委监委开展明察暗访",
            p={"a": (4, 6)},
            q=("作风明察暗访", "次", ((None, "a"),)),
            op=("有的机关干部上班时间办私事，希望加强作风检查。",),
            logs=("开展一次机关作风明察暗访。",),
        ),
        t(
            "服务群众",
            "组织机关党员到社区报到全覆盖，开展志愿服务{a}场",
            "建立机关党员报到台账，与社区双向评价",
            p={"a": (50, 80)},
            logs=("组织机关党员到社区开展志愿服务。",),
        ),
    ],
}

FIVE_GOOD_TEMPLATES = [
    t(
        "领导班子好",
        "班子成员每人联系{a}个基层点，每季度开展一次调研",
        "建立班子成员联系点制度，调研成果在班子会上交流",
        p={"a": (1, 2)},
        yearly=True,
        logs=("班子成员到联系点开展调研。",),
    ),
    t(
        "党员队伍好",
        "发展党员{a}名，党员教育培训全覆盖",
        "落实发展党员“十六字”方针，每季度集中培训一次",
        p={"a": (1, 2, 3)},
        q=("发展党员", "名", ((None, "a"),)),
        logs=("召开党员大会讨论接收预备党员。",),
    ),
    t(
        "工作机制好",
        "严格落实“三会一课”和党务公开制度，按季度公开党务",
        "建立党务公开栏，会议记录规范存档",
        yearly=True,
        logs=("更新党务公开栏内容。",),
    ),
    t(
        "群众反映好",
        "群众满意度测评满意率达到95%以上",
        "每半年开展一次群众满意度测评，问题逐项整改",
        q=("群众满意率", "%", ((90, 95), (91, 95), (92, 96))),
        logs=("开展上半年群众满意度测评。",),
    ),
    t(
        "工作业绩好",
        "年度目标管理考核进入上级表彰行列",
        "分解年度目标任务，每月调度推进",
        yearly=True,
    ),
]

# How an opinion was solved, by what became of it (已解决 is recorded apart from the status).
SOLVED_HOW: dict[str, list[str]] = {
    Opinion.Status.ANSWERED: [
        "承诺事项已按期完成，支部书记上门回访，群众表示满意。",
        "结合承诺事项落实，问题已整改到位，并在公开栏公示了办理结果。",
        "已协调资金和人力办结，提出意见的群众在回访时表示认可。",
        "通过承诺事项推动解决，办理情况已在党员大会上通报。",
    ],
    Opinion.Status.NOT_ADOPTED: [
        "已转交有关部门办理，相关部门已解决并回复群众。",
        "虽未列入本级承诺，经向上级反映后已由主管部门解决。",
    ],
    Opinion.Status.OPEN: [
        "座谈会后当场协调，问题已解决。",
        "属于日常工作范围，已由网格员跟进处理完毕。",
    ],
}

# Opinions the organization decided not to take up, with the reason it gives.
DECLINED_OPINIONS: dict[str, list[tuple[str, str]]] = {
    S.RURAL: [
        ("希望村里建一个大型农贸市场。", "超出村级能力范围，已向镇党委反映，纳入镇区规划统筹考虑。"),
        ("要求给每户发放取暖补贴。", "不符合现行补贴政策，已向群众做好解释。"),
        ("希望把村部搬到集镇上去。", "村部选址须经村民代表会议和镇政府审批，目前条件不成熟。"),
    ],
    S.COMMUNITY: [
        ("希望社区免费提供停车位。", "小区用地有限，暂不具备条件，已协调周边单位错时共享停车。"),
        ("希望社区出钱给每栋楼加装电梯。", "加装电梯须业主共同出资，社区将协助申请政府补助。"),
    ],
    S.GOVERNMENT: [("希望周末全天开放办事大厅。", "已实行周六上午延时服务，全天开放暂不具备条件。")],
    S.SCHOOL: [("希望学校取消所有家庭作业。", "不符合教学要求，已向家长解释“双减”政策对作业的规定。")],
    S.HEALTH: [("希望医院所有专科门诊24小时开放。", "受医生数量限制暂不能实现，已开通急诊绿色通道。")],
}
GENERIC_DECLINED = [("希望单位给周边群众免费提供午餐。", "超出单位职责和经费范围，已向群众做好解释。")]

GENERIC_LOGS = {
    S.RURAL: (
        "召开支委会研究推进措施，明确责任人和时间节点。",
        "入户走访群众，收集到意见建议，已逐条落实。",
        "组织党员义务劳动，推进事项落实。",
    ),
    S.COMMUNITY: ("召开居民议事会，通报事项进展。", "在网格群里公布办理进度，接受居民监督。"),
}
DEFAULT_LOGS = ("按计划推进，完成阶段性任务。", "召开专题会议研究推进措施。", "对照承诺查找差距，制定下步措施。")

TICK_NOTES = (
    "已按承诺完成，附工作台账和现场照片，请予销号。",
    "事项已全部落实到位，群众满意，申请销号。",
    "已完成承诺目标，相关佐证材料已上传。",
)
HELP_NOTES = (
    "资金缺口较大，需要上级党组织协调项目资金支持。",
    "技术力量不足，需要有关部门派员指导。",
    "涉及多个部门，需要上级党组织协调解决。",
    "本人身体原因行动不便，需要支部安排党员协助。",
)
REFUSAL_REASONS = ("佐证材料不全，请补充现场照片和群众签字后再申请。", "量化指标未达到承诺目标，请继续推进。")
APPROVE_COMMENTS = ("同意。", "承诺事项具体实在，体现岗位特点，同意。", "符合要求，同意签约。", "")
RETURN_COMMENTS = (
    (
        "承诺事项过于笼统，请写明具体数量和完成时限。",
        {"reflects_advanced_nature": True, "meets_public_wishes": True},
        "请写明具体户数（人数）。",
    ),
    (
        "承诺事项与岗位职责结合不够，请结合本职工作修改。",
        {"reflects_advanced_nature": True, "is_feasible": True},
        "与岗位职责结合不够。",
    ),
    (
        "个别事项超出个人能力，不切实际，请调整。",
        {"reflects_advanced_nature": True, "fits_post_duties": True, "meets_public_wishes": True},
        "目标偏高，建议调整。",
    ),
)
AMEND_REASONS = (
    "因项目资金调整，第{n}项承诺的完成时限需要顺延。",
    "岗位调整，第{n}项承诺需结合新岗位修改措施。",
    "上级规划调整，第{n}项承诺内容需要变更。",
)
SELF_CHECK_NOTES = {
    SelfCheck.Result.BEHIND: ("受天气影响进度滞后，下月加快推进。", "资金未到位，正在协调。", "人手不足，进度滞后。"),
    SelfCheck.Result.ON_TRACK: ("", "", "按计划推进中。"),
    SelfCheck.Result.DONE: ("已完成，申请销号。", "已完成。"),
}
INSPECTION_FAIL_NOTES = {
    "problem_unsolved": "群众反映的问题尚未解决",
    "not_in_place": "措施落实不到位，进度明显滞后",
    "masses_unsatisfied": "群众评价不高",
}

EARLY_DEADLINES = (
    (3, 31),
    (4, 30),
    (5, 31),
    (6, 15),
    (6, 30),
    (6, 30),
    (7, 31),
    (8, 31),
    (9, 10),
    (9, 30),
    (9, 30),
    (10, 31),
    (11, 30),
    (12, 15),
    (12, 31),
    (12, 31),
    (12, 31),
)
LATE_DEADLINES = ((10, 31), (11, 15), (11, 30), (12, 20), (12, 31), (12, 31))
COMPLETED_DEADLINES = ((4, 30), (5, 31), (6, 30), (6, 30), (7, 31), (8, 31), (9, 10), (9, 30), (10, 31), (12, 31))

MEMBER_WEIGHTS = {
    P.DRAFT: 3,
    P.SUBMITTED: 4,
    P.RETURNED: 2,
    P.APPROVED: 3,
    P.SIGNED: 4,
    P.PUBLISHED: 70,
    P.COMPLETED: 12,
    P.SUPERSEDED: 2,
}
ORG_WEIGHTS = {
    P.DRAFT: 3,
    P.SUBMITTED: 5,
    P.RETURNED: 3,
    P.APPROVED: 4,
    P.SIGNED: 5,
    P.PUBLISHED: 73,
    P.COMPLETED: 3,
    P.SUPERSEDED: 4,
}
REVISION_WEIGHTS = {P.DRAFT: 10, P.SUBMITTED: 12, P.APPROVED: 10, P.SIGNED: 8, P.PUBLISHED: 60}
LATE_STATES = (P.DRAFT, P.SUBMITTED, P.RETURNED, P.APPROVED, P.SIGNED)
# The item fields an amendment copies into the new revision (as services.pledge_amend does).
ITEM_FIELDS = (
    "content_area",
    "content",
    "measures",
    "deadline",
    "responsible_person",
    "indicator",
    "unit",
    "baseline_value",
    "target_value",
)
GAPS = {
    "submit": (1, 10),
    "return": (1, 4),
    "resubmit": (1, 5),
    "approve": (1, 6),
    "sign": (0, 4),
    "countersign": (0, 4),
    "publish": (0, 5),
}


def all_templates():
    """Every template with the list of areas it must come from (for the catalog test)."""
    from commitments.content_areas import FIVE_GOOD, FIVE_LEADS, MEMBER_AREAS, MEMBER_FLAG_AREAS, ORGANIZATION_AREAS

    for sector, tpls in MEMBER_TEMPLATES.items():
        yield from ((tpl, MEMBER_AREAS[sector]) for tpl in tpls)
    for flag, tpls in FLAG_TEMPLATES.items():
        yield from ((tpl, MEMBER_FLAG_AREAS[flag]) for tpl in tpls)
    yield from ((tpl, FIVE_LEADS) for tpl in FIVE_LEADS_TEMPLATES)
    for sector, tpls in (*ORG_TEMPLATES.items(), *COMMITTEE_TEMPLATES.items()):
        yield from ((tpl, ORGANIZATION_AREAS[sector]) for tpl in tpls)
    yield from ((tpl, FIVE_GOOD) for tpl in FIVE_GOOD_TEMPLATES)


# --- helpers ---------------------------------------------------------------------------------------------


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _fmt(value) -> str:
    if isinstance(value, int | float | Decimal):
        text = f"{Decimal(str(value)):f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _label(name: str) -> str:
    """The Chinese action label the services record for a transition (declared on the model)."""
    meta = getattr(Pledge, name)._django_fsm
    return next(iter(meta.transitions.values())).custom.get("label", name)


ACTIONS = {
    "submit": _label("submit"),
    "resubmit": _label("submit"),
    "return": _label("return_for_changes"),
    "approve": _label("approve"),
    "sign": _label("sign_as_pledger"),
    "countersign": _label("countersign"),
    "publish": _label("publish"),
    "amend": _label("amend"),
    "complete": "全部事项销号",
    "revision": "由变更生成",
}
STEP_STATES = {
    "submit": (P.DRAFT, P.SUBMITTED),
    "resubmit": (P.RETURNED, P.SUBMITTED),
    "return": (P.SUBMITTED, P.RETURNED),
    "approve": (P.SUBMITTED, P.APPROVED),
    "sign": (P.APPROVED, P.APPROVED),
    "countersign": (P.APPROVED, P.SIGNED),
    "publish": (P.SIGNED, P.PUBLISHED),
}


@contextlib.contextmanager
def _explicit_timestamps(*models):
    """Let bulk inserts keep the creation times we give (the demo is dated, not stamped with the clock)."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class _Actors:
    """Who acts for each side of one pledge, and the names written under the two signatures."""

    pledger: User
    reviewer: User
    publisher: User
    pledger_name: str
    reviewer_name: str
    notify_pledger: list
    notify_reviewer: list


@dataclass
class _Buffer:
    opinions: list = field(default_factory=list)
    pledges: list = field(default_factory=list)
    revisions: list = field(default_factory=list)
    items: list = field(default_factory=list)
    cites: list = field(default_factory=list)
    history: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    item_comments: list = field(default_factory=list)
    signatures: list = field(default_factory=list)
    logs: list = field(default_factory=list)
    self_checks: list = field(default_factory=list)
    inspections: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def delete_commitments() -> None:
    """Remove every row of the pledge lifecycle (for `seed_demo --reset`), children first.

    Plain DELETE statements: going through the ORM would write a history row per deleted object.
    """
    Pledge.objects.filter(previous__isnull=False).update(previous=None)
    tables = [
        Notification,
        Attachment,
        FulfilmentLog,
        SelfCheck,
        Inspection,
        Signature,
        ReviewItemComment,
        Review,
        PledgeItem.cited_opinions.through,
        PledgeItem,
        Pledge,
        Opinion,
        Campaign,
        PledgeItem.history.model,
        Pledge.history.model,
        Opinion.history.model,
        Campaign.history.model,
    ]
    existing = set(connection.introspection.table_names())
    # Rows of other apps that point here get what their on_delete says (SET_NULL, CASCADE, PROTECT).
    for model in tables:
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
                continue
            if rel.related_model in tables or rel.on_delete is DO_NOTHING:
                continue  # deleted below, or a history table without a constraint
            if rel.related_model._meta.db_table not in existing:
                continue
            linked = rel.related_model._base_manager.filter(**{f"{rel.field.name}__isnull": False})
            if rel.on_delete is SET_NULL:
                linked.update(**{rel.field.name: None})
            else:
                linked.delete()
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def seed_commitments(*, seed_value: int, today: datetime.date) -> dict:
    """Build the campaign and its pledges on the organizations and accounts made by `demo.organizations`."""
    seeder = _Seeder(seed_value, today)
    with _explicit_timestamps(Campaign, Opinion, Pledge, FulfilmentLog, SelfCheck, Inspection):
        seeder.run()
    return seeder.counts()


class _Seeder:
    """Plans the data organization by organization in memory and writes it in bulk every few thousand pledges.

    Unsaved model instances point at each other (an item at its pledge, a status change at its pledge); the
    bulk inserts run parents first, so each child picks up its parent's new primary key.
    """

    def __init__(self, seed_value: int, today: datetime.date):
        self.rng = random.Random(seed_value * 7919 + 104729)
        self.solve_rng = random.Random(seed_value * 7919 + 12)
        self.fresh_rng = random.Random(seed_value * 7919 + 31)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed_value)
        self.today = today
        self.year = today.year
        self.buf = _Buffer()
        self.cited: set[int] = set()  # id() of the opinions cited in the organization being planned
        self._pools: dict = {}

    # --- dates -------------------------------------------------------------------------------------------

    def day(self, month: int, day: int) -> datetime.date:
        return datetime.date(self.year, month, day)

    def between(self, lo: datetime.date, hi: datetime.date) -> datetime.date:
        if hi <= lo:
            return lo
        return lo + datetime.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def at(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=TZ) + datetime.timedelta(
            minutes=self.rng.randint(0, 540)
        )

    def after(self, moment: datetime.datetime, days: int) -> datetime.datetime:
        if days == 0:
            return moment + datetime.timedelta(minutes=self.rng.randint(10, 90))
        return self.at(moment.astimezone(TZ).date() + datetime.timedelta(days=days))

    def choose(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # --- setup -------------------------------------------------------------------------------------------

    def load(self) -> None:
        self.orgs = list(Organization.objects.filter(is_active=True).order_by("path"))
        self.org_by_id = {o.pk: o for o in self.orgs}
        self.org_by_path = {o.path: o for o in self.orgs}
        self.root = next(o for o in self.orgs if o.depth == 1)
        users = list(User.objects.order_by("username"))
        self.users = {u.username: u for u in users}
        self.user_by_id = {u.pk: u for u in users}
        self.admin = self.users["admin"]
        self.secretary_of, self.clerk_of, committees = {}, {}, []
        rows = (
            OrganizationUserObjectPermission.objects.filter(permission__codename__in=list(CODENAME_ROLES))
            .values_list("permission__codename", "content_object_id", "user__username")
            .order_by("user__username")
        )
        for codename, org_id, username in rows:
            role, user, org = CODENAME_ROLES[codename], self.users[username], self.org_by_id.get(org_id)
            if org is None:
                continue
            if role == Role.SECRETARY:
                self.secretary_of.setdefault(org.pk, user)
            elif role == Role.CLERK:
                self.clerk_of.setdefault(org.pk, user)
            else:
                committees.append((org, user))
        self.committees = sorted(committees, key=lambda c: -c[0].depth)
        self.members = list(Member.objects.filter(is_active=True).order_by("id"))
        self.name_of_user = {}
        for m in self.members:
            m.organization = self.org_by_id[m.organization_id]
            if m.user_id:
                m.user = self.user_by_id[m.user_id]
                self.name_of_user[m.user_id] = m.name
        self.pending_exemption = set(
            Exemption.objects.filter(status=Exemption.Status.PENDING).values_list("member_id", flat=True)
        )
        self.leaders_of: dict[int, list[str]] = {}
        for m in self.members:
            if m.is_leader or m.is_village_cadre:
                self.leaders_of.setdefault(m.organization_id, []).append(m.name)

    def committee_above(self, org: Organization) -> User | None:
        """The account of the nearest committee above `org` (the reviewing side of its pledges)."""
        for committee, user in self.committees:
            if org.path.startswith(committee.path) and len(committee.path) < len(org.path):
                return user
        return None

    def display(self, user: User) -> str:
        return self.name_of_user.get(user.pk) or user.full_name or user.username

    def parent_of(self, org: Organization) -> Organization | None:
        return self.org_by_path.get(org.path[: -Organization.steplen])

    def age(self, member: Member) -> int:
        b, d = member.birth_date, self.today
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))

    def eligible(self, member: Member) -> bool:
        return not member.is_exempt and member.pk not in self.pending_exemption

    def old(self, member: Member) -> bool:
        return self.age(member) >= 70 or member.is_sanlao

    # --- the plan ----------------------------------------------------------------------------------------

    def run(self) -> None:
        self.load()
        xianwei = self.users.get("xianwei") or self.admin
        opened = datetime.datetime(self.year - 1, 12, 27, 10, 0, tzinfo=TZ)
        self.campaign = Campaign(
            name=campaign_name(self.year),
            year=self.year,
            organization=self.root,
            starts_on=self.day(1, 1),
            sign_deadline=self.day(3, 31),
            ends_on=self.day(12, 31),
            opened_by=xianwei,
            created_at=opened,
        )
        self.campaign.full_clean(exclude=["opened_by", "organization"])
        self.campaign._history_user, self.campaign._history_date = xianwei, opened
        self.campaign._change_reason = "开启承诺批次"
        self.campaign.save()
        self.forced_members, self.forced_orgs = self.demo_assignments()
        places: dict[int, list] = {}
        for m in self.members:
            if not self.eligible(m):
                continue
            places.setdefault(m.organization_id, []).append((m, "home"))
            if m.inflow_organization_id in self.org_by_id and self.rng.random() < 0.6:
                places.setdefault(m.inflow_organization_id, []).append((m, "inflow"))
            if m.residence_organization_id in self.org_by_id and self.rng.random() < 0.5:
                places.setdefault(m.residence_organization_id, []).append((m, "residence"))
        for org in self.orgs:
            if org.pk == self.root.pk or not org.path.startswith(self.root.path):
                continue
            self.plan_organization(org, places.get(org.pk, []))
            if len(self.buf.pledges) + len(self.buf.revisions) >= FLUSH_AT:
                self.flush()
        self.flush()

    def demo_assignments(self) -> tuple[dict, dict]:
        """Fixed states around the demo accounts, so every queue of the browser demo has something in it."""
        members, orgs = {}, {}
        shuji = self.users.get("shuji")
        branch = next((o for o in self.orgs if shuji and self.secretary_of.get(o.pk) == shuji), None)
        if branch is None:
            return members, orgs
        orgs[branch.pk] = {"state": P.PUBLISHED, "tick": True}
        town = self.parent_of(branch)
        if town is not None:
            orgs[town.pk] = {"state": P.PUBLISHED}
        for username, spec in (("shuji2", {"state": P.SUBMITTED}), ("shuji3", {"state": P.APPROVED, "signed": True})):
            other = next((o for o in self.orgs if self.secretary_of.get(o.pk) == self.users.get(username)), None)
            if other is not None:
                orgs[other.pk] = spec
        towns = [o for o in self.orgs if o.depth == 2 and o.level == Organization.Level.COMMITTEE]
        if len(towns) > 1:
            orgs[towns[-1].pk] = {"state": P.SUBMITTED}
        roster = [m for m in self.members if m.organization_id == branch.pk and self.eligible(m)]
        by_user = {m.user.username: m for m in roster if m.user_id}
        for username, spec in (
            ("shuji", {"state": P.PUBLISHED, "tick": True}),
            ("ganshi", {"state": P.PUBLISHED}),
            ("dangyuan1", {"state": P.PUBLISHED, "special": "in_progress"}),
            ("dangyuan2", {"state": P.DRAFT, "items": 2}),
        ):
            if username in by_user:
                members[by_user[username].pk] = {**spec, "oral": False}
        others = [m for m in roster if not m.user_id]
        written = [m for m in others if not self.old(m)]
        for m, spec in zip(
            written,
            (
                {"state": P.SUBMITTED},
                {"state": P.SUBMITTED},
                {"state": P.APPROVED, "signed": True},
                {"state": P.RETURNED},
                {"state": P.SIGNED},
                {"state": P.COMPLETED},
                {"state": P.SUPERSEDED, "revision_state": P.PUBLISHED},
                {"state": P.PUBLISHED, "tick": True},
            ),
            strict=False,
        ):
            members[m.pk] = {**spec, "oral": False}
        oral = next((m for m in others if self.old(m) and m.pk not in members), None)
        if oral is not None:
            members[oral.pk] = {"state": P.APPROVED, "oral": True}
        return members, orgs

    def plan_organization(self, org: Organization, pledgers: list) -> None:
        self.cited = set()
        opinions = self.plan_opinions(org)
        org_opinions = [(tpl, op) for tpl, op, level in opinions if level == "org"]
        member_opinions = {id(tpl): op for tpl, op, level in opinions if level == "member"}
        self.plan_org_pledge(org, org_opinions)
        for member, kind in pledgers:
            self.plan_member_pledge(member, org, kind, member_opinions)
        for _, op, _ in opinions:
            if id(op) in self.cited:
                op.status = Opinion.Status.ANSWERED
            elif op.status == Opinion.Status.OPEN and self.rng.random() < 0.25:
                op.status = Opinion.Status.NOT_ADOPTED
                op.not_adopted_reason = "已纳入下一年度承诺事项统筹考虑。"
            self.plan_solved(op)

    def plan_solved(self, op: Opinion) -> None:
        """已解决, apart from the status: about half of the adopted opinions, some declined ones that another
        department took care of, a few settled on the spot. A separate random stream, so the rest of the demo
        does not change with it."""
        rng = self.solve_rng
        share = {Opinion.Status.ANSWERED: 0.45, Opinion.Status.NOT_ADOPTED: 0.2, Opinion.Status.OPEN: 0.1}
        latest = self.today - datetime.timedelta(days=1)
        if op.received_on >= latest or rng.random() >= share[op.status]:
            return
        span = (latest - op.received_on).days
        op.solved_on = op.received_on + datetime.timedelta(days=rng.randint(min(7, span), span))
        op.solved_how = rng.choice(SOLVED_HOW[op.status])
        op.solved_recorded_by_id = op.created_by_id

    # --- 调研提诺 -----------------------------------------------------------------------------------------

    def org_templates(self, org: Organization) -> list[Template]:
        if org.depth == 2 and org.sector in COMMITTEE_TEMPLATES:
            return COMMITTEE_TEMPLATES[org.sector]
        return ORG_TEMPLATES.get(org.sector, [])

    def recorder(self, org: Organization) -> User:
        own = next((u for o, u in self.committees if o.pk == org.pk), None)
        return self.clerk_of.get(org.pk) or self.secretary_of.get(org.pk) or own or self.admin

    def plan_opinions(self, org: Organization) -> list:
        rng = self.rng
        is_branch = org.level == Organization.Level.BRANCH
        first_branch = org.pk in self.forced_orgs and self.forced_orgs[org.pk].get("tick")
        with_org = [tpl for tpl in self.org_templates(org) if tpl.opinions]
        with_member = [tpl for tpl in MEMBER_TEMPLATES.get(org.sector, []) if tpl.opinions] if is_branch else []
        k_org = min(len(with_org), 3 if first_branch else rng.randint(1, 3 if is_branch else 2))
        k_member = min(len(with_member), 2 if first_branch else rng.randint(0, 2))
        picked = [(tpl, "org") for tpl in rng.sample(with_org, k_org)]
        picked += [(tpl, "member") for tpl in rng.sample(with_member, k_member)]
        if is_branch and (first_branch or rng.random() < 0.4):
            text, reason = rng.choice(DECLINED_OPINIONS.get(org.sector, GENERIC_DECLINED))
            picked.append((None, (text, reason)))
        recorder = self.recorder(org)
        result = []
        for tpl, level in picked:
            received = self.between(self.day(1, 3), self.day(1, 18))
            channel = rng.choice(Opinion.Channel.values)
            group = self.choose(
                {
                    Opinion.SourceGroup.MASSES: 6,
                    Opinion.SourceGroup.MEMBERS: 2,
                    Opinion.SourceGroup.CLIENTS: 3 if org.sector not in (S.RURAL, S.COMMUNITY) else 0,
                    Opinion.SourceGroup.OTHER: 1,
                }
            )
            if tpl is None:
                text, reason = level
                status = Opinion.Status.NOT_ADOPTED
            else:
                text, reason, status = rng.choice(tpl.opinions), "", Opinion.Status.OPEN
            created = self.at(received + datetime.timedelta(days=rng.randint(0, 3)))
            op = Opinion(
                organization=org,
                campaign=self.campaign,
                channel=channel,
                source_group=group,
                received_on=received,
                text=text,
                status=status,
                not_adopted_reason=reason,
                created_by_id=recorder.pk,
                created_at=created,
            )
            op._history_user, op._history_date = recorder, created
            self.buf.opinions.append(op)
            result.append((tpl, op, "declined" if tpl is None else level))
        if first_branch and with_org:
            self.fresh_opinion(org, recorder, with_org)
        return result

    def fresh_opinion(self, org: Organization, recorder: User, templates: list) -> None:
        """One opinion received in the last fortnight in the demo branch, still to be dealt with (待办理): the
        year's pledges were made long before, so whatever the day, the opinions page has one open. Its own
        random stream, so the rest of the demo does not change with it."""
        rng = self.fresh_rng
        received = self.today - datetime.timedelta(days=rng.randint(3, 14))
        created = datetime.datetime.combine(received, datetime.time(9, 0), tzinfo=TZ) + datetime.timedelta(
            minutes=rng.randint(0, 480)
        )
        op = Opinion(
            organization=org,
            campaign=self.campaign,
            channel=rng.choice(Opinion.Channel.values),
            source_group=Opinion.SourceGroup.MASSES,
            received_on=received,
            text=rng.choice(rng.choice(templates).opinions),
            status=Opinion.Status.OPEN,
            created_by_id=recorder.pk,
            created_at=created,
        )
        op._history_user, op._history_date = recorder, created
        self.buf.opinions.append(op)

    # --- pledges -----------------------------------------------------------------------------------------

    def pick(self, pool: list, n: int, *, first: list = ()) -> list[Template]:
        chosen = list(first)
        rest = [(tpl, w) for tpl, w in pool if all(tpl is not c for c in chosen)]
        while rest and len(chosen) < n:
            i = self.rng.choices(range(len(rest)), weights=[w for _, w in rest])[0]
            chosen.append(rest.pop(i)[0])
        return chosen

    def member_pool(self, member: Member, place: Organization) -> list:
        flags = tuple(f for f in FLAG_TEMPLATES if getattr(member, f, False))
        key = (place.sector, flags)
        if key not in self._pools:
            allowed = set(areas_for_member(member, place))
            pool = [(tpl, 3) for tpl in MEMBER_TEMPLATES.get(place.sector, [])]
            for flag in flags:
                pool += [(tpl, 4 if flag == "is_leader" else 3) for tpl in FLAG_TEMPLATES[flag]]
            pool += [(tpl, 1) for tpl in FIVE_LEADS_TEMPLATES]
            self._pools[key] = [(tpl, w) for tpl, w in pool if tpl.area in allowed]
        return self._pools[key]

    def org_pool(self, org: Organization) -> list:
        key = ("org", org.sector, org.depth == 2)
        if key not in self._pools:
            allowed = set(areas_for_organization(org))
            pool = [(tpl, 3) for tpl in self.org_templates(org)] + [(tpl, 1) for tpl in FIVE_GOOD_TEMPLATES]
            self._pools[key] = [(tpl, w) for tpl, w in pool if tpl.area in allowed]
        return self._pools[key]

    def make_item(self, pledge, tpl: Template, position: int, deadlines, responsible: str = "") -> PledgeItem:
        rng = self.rng
        params = {k: rng.choice(v) for k, v in tpl.params}
        indicator = unit = ""
        base = target = None
        if tpl.quant:
            indicator, unit, pairs = tpl.quant
            base, target = (params[v] if isinstance(v, str) else v for v in rng.choice(pairs))
            params["base"], params["target"] = _fmt(base) if base is not None else "", _fmt(target)
        text = {k: _fmt(v) for k, v in params.items()}
        deadline = self.day(12, 31) if tpl.yearly else self.day(*rng.choice(deadlines))
        if deadlines is LATE_DEADLINES:
            # A pledge still being drafted or signed late in the year promises what it can still do.
            deadline = min(max(deadline, self.today + datetime.timedelta(days=30)), self.day(12, 31))
        item = PledgeItem(
            pledge=pledge,
            position=position,
            content_area=tpl.area,
            content=tpl.content.format(**text),
            measures=tpl.measures.format(**text),
            deadline=deadline,
            responsible_person=responsible,
            indicator=indicator,
            unit=unit,
            baseline_value=_dec(base),
            target_value=_dec(target),
        )
        item._logs = tuple(line.format(**text) for line in tpl.logs)
        return item

    def deadlines_for(self, state: str):
        if state == P.COMPLETED:
            return COMPLETED_DEADLINES
        return LATE_DEADLINES if state in LATE_STATES else EARLY_DEADLINES

    def plan_org_pledge(self, org: Organization, org_opinions: list) -> None:
        rng = self.rng
        spec = self.forced_orgs.get(org.pk, {})
        state = spec.get("state") or self.choose(ORG_WEIGHTS)
        pledger = self.secretary_of.get(org.pk) or self.clerk_of.get(org.pk) or self.admin
        reviewer = self.committee_above(org) or self.admin
        parent = self.parent_of(org)
        actors = _Actors(
            pledger=pledger,
            reviewer=reviewer,
            publisher=pledger if pledger != self.admin else reviewer,
            pledger_name=self.display(pledger) if pledger != self.admin else org.secretary_name,
            reviewer_name=(
                self.display(reviewer) if reviewer != self.admin else (parent.secretary_name if parent else "")
            )
            or "系统管理员",
            notify_pledger=[u for u in (self.secretary_of.get(org.pk), self.clerk_of.get(org.pk)) if u],
            notify_reviewer=[reviewer] if reviewer != self.admin else [],
        )
        pledge = Pledge(
            campaign=self.campaign,
            organization=org,
            pledger_organization=org,
            status=state,
            is_current=state != P.SUPERSEDED,
            created_by_id=pledger.pk,
        )
        answered = [(tpl, op) for tpl, op in org_opinions if rng.random() < 0.85]
        n = max(len(answered), rng.randint(4, 7))
        pool = self.org_pool(org)
        if state == P.COMPLETED:
            pool = [(tpl, w) for tpl, w in pool if not tpl.yearly] or pool
        templates = self.pick(pool, n, first=[tpl for tpl, _ in answered])
        people = self.leaders_of.get(org.pk, []) + [org.secretary_name or self.fake.name()]
        if org.level != Organization.Level.BRANCH:
            people.append(self.fake.name())
        deadlines = self.deadlines_for(state)
        items = [
            self.make_item(pledge, tpl, i, deadlines, rng.choice(people)) for i, tpl in enumerate(templates[:10], 1)
        ]
        # An item doing what the masses asked for answers that opinion, whether or not it was drafted for it.
        asked = {id(tpl): op for tpl, op in org_opinions}
        cites = [(item, asked[id(tpl)]) for item, tpl in zip(items, templates, strict=False) if id(tpl) in asked]
        self.plan_pledge(pledge, items, cites, state, actors, spec, early_window=(self.day(1, 20), self.day(2, 10)))

    def plan_member_pledge(self, member: Member, place: Organization, kind: str, member_opinions: dict) -> None:
        rng = self.rng
        spec = self.forced_members.get(member.pk, {}) if kind == "home" else {}
        if not spec and kind == "home" and rng.random() < 0.05:
            return  # not pledged yet: coverage is not complete
        state = spec.get("state") or self.choose(MEMBER_WEIGHTS)
        oral = spec.get("oral")
        if oral is None:
            # 口头承诺 for the frail and old (DESIGN §4); younger 三老 members still write theirs.
            oral = kind == "home" and not member.user_id and self.age(member) >= 75 and rng.random() < 0.5
        secretary, clerk = self.secretary_of.get(place.pk), self.clerk_of.get(place.pk)
        officer = clerk or secretary or self.admin
        if secretary is not None and member.user_id == secretary.pk:
            reviewer = self.committee_above(place) or self.admin
        else:
            reviewer = secretary or self.admin
        pledger = officer if oral or not member.user_id else member.user
        if oral:
            notify_pledger = [u for u in (secretary, clerk, member.user if member.user_id else None) if u]
        else:
            notify_pledger = [member.user] if member.user_id else []
        actors = _Actors(
            pledger=pledger,
            reviewer=reviewer,
            publisher=officer if officer != self.admin else reviewer,
            pledger_name=member.name,
            reviewer_name=(self.display(reviewer) if reviewer != self.admin else place.secretary_name) or "系统管理员",
            notify_pledger=notify_pledger,
            notify_reviewer=[reviewer] if reviewer != self.admin else [],
        )
        pledge = Pledge(
            campaign=self.campaign,
            organization=place,
            member=member,
            form=Pledge.Form.ORAL if oral else Pledge.Form.WRITTEN,
            witness_name=self.fake.name() if oral else "",
            status=state,
            is_current=state != P.SUPERSEDED,
            created_by_id=pledger.pk,
        )
        pool = self.member_pool(member, place)
        leader_first = []
        if oral:
            n = rng.choice((1, 2, 2))
        elif member.is_leader:
            n = rng.randint(3, 6) if state != P.COMPLETED else 3
            leader_first = [rng.choice([tpl for tpl, _ in pool if tpl.area in ("自觉廉洁从政", "贯彻党的方针政策")])]
        elif state == P.COMPLETED:
            n = rng.choice((2, 2, 3, 3))
        else:
            n = rng.choice((3, 3, 4, 4, 4, 5, 5, 5, 6, 6))
        n = spec.get("items", 4 if spec.get("special") else n)
        if member.is_leader:
            n = max(n, self.campaign.leader_min_items)
        if state == P.COMPLETED or spec.get("special"):
            pool = [(tpl, w) for tpl, w in pool if not tpl.yearly] or pool
        templates = self.pick(pool, n, first=leader_first)
        items = [self.make_item(pledge, tpl, i, self.deadlines_for(state)) for i, tpl in enumerate(templates, 1)]
        if spec.get("special") == "in_progress":
            # dangyuan1: one item done some weeks ago, one overdue for a fortnight, two still running.
            end = self.day(12, 31)
            for item, deadline in zip(
                items,
                (
                    self.today - datetime.timedelta(days=40),
                    self.today - datetime.timedelta(days=15),
                    min(self.today + datetime.timedelta(days=60), end - datetime.timedelta(days=20)),
                    end,
                ),
                strict=False,
            ):
                item.deadline = max(deadline, self.day(1, 31))
        cites = []
        for item, tpl in zip(items, templates, strict=True):
            op = member_opinions.get(id(tpl))
            if op is not None and rng.random() < 0.6:
                cites.append((item, op))
        window = (self.day(1, 22), self.day(2, 20)) if kind == "home" else (self.day(2, 10), self.day(3, 5))
        self.plan_pledge(pledge, items, cites, state, actors, spec, early_window=window)

    def plan_pledge(self, pledge, items, cites, state, actors: _Actors, spec: dict, *, early_window) -> None:
        rng, buf = self.rng, self.buf
        buf.pledges.append(pledge)
        buf.items.extend(items)
        self.add_cites(cites)
        oral = pledge.form == Pledge.Form.ORAL
        signed_if_approved = spec.get("signed", rng.random() < 0.5)
        if state == P.SUPERSEDED:
            steps = self.steps(P.PUBLISHED, oral=oral, signed_if_approved=False)
            start = self.at(self.between(*early_window))
            created, times = self.times(steps, start=start, latest=self.today - datetime.timedelta(days=50))
            self.apply(pledge, items, created, times, actors)
            self.supersede(pledge, items, cites, actors, spec.get("revision_state") or self.choose(REVISION_WEIGHTS))
            return
        steps = self.steps(state, oral=oral, signed_if_approved=signed_if_approved)
        if state in LATE_STATES:
            if state == P.DRAFT:
                created, times = self.at(self.today - datetime.timedelta(days=rng.randint(2, 25))), []
            else:
                created, times = self.times(steps, end=self.today - datetime.timedelta(days=rng.randint(1, 12)))
        else:
            start = self.at(self.between(*early_window))
            created, times = self.times(steps, start=start, latest=self.today - datetime.timedelta(days=15))
        self.apply(pledge, items, created, times, actors)
        self.fulfil(pledge, items, state, actors, spec)

    def add_cites(self, cites) -> None:
        through = PledgeItem.cited_opinions.through
        for item, op in cites:
            self.buf.cites.append(through(pledgeitem=item, opinion=op))
            self.cited.add(id(op))

    def steps(self, state: str, *, oral: bool, signed_if_approved: bool) -> list[str]:
        if state == P.DRAFT:
            return []
        steps = ["submit"]
        if state == P.RETURNED:
            return steps + ["return"]
        if self.rng.random() < 0.1:
            steps += ["return", "resubmit"]
        if state == P.SUBMITTED:
            return steps
        steps.append("approve")
        if state == P.APPROVED:
            return steps + (["sign"] if signed_if_approved and not oral else [])
        steps += ([] if oral else ["sign"]) + ["countersign"]
        if state == P.SIGNED:
            return steps
        return steps + ["publish"]

    def times(self, steps, *, start=None, end=None, latest=None):
        """The moments of `steps` from `start`, or leading up to `end`; from `start` unless that would go past
        `latest` (early in the year the pledges are made early enough for their 践诺 to have begun)."""
        gaps = [self.rng.randint(*GAPS[s]) for s in steps]
        if start is not None and latest is not None and start.date() + datetime.timedelta(days=sum(gaps)) > latest:
            start, end = None, latest
        if start is None:
            start = self.at(end - datetime.timedelta(days=sum(gaps) + 1))
        moments, now = [], start
        for gap in gaps:
            now = self.after(now, gap)
            moments.append(now)
        return start, list(zip(steps, moments, strict=True))

    def note(self, recipients, kind, text, pledge, at, key) -> None:
        for user in recipients:
            self.buf.notes.append((user, kind, text, pledge, at, key))

    def apply(self, pledge, items, created, times, actors: _Actors) -> None:
        """Walk the pledge through its steps: status changes, reviews, signatures, notifications."""
        rng, buf = self.rng, self.buf
        pledge.created_at = pledge.updated_at = created
        if not getattr(pledge, "_changes", 0):  # a revision was created by its amendment
            label = "代录口头承诺" if pledge.form == Pledge.Form.ORAL else "起草承诺书"
            self.history(pledge, at=created, by=actors.pledger, label=label, kind="+", status=P.DRAFT)
        for item in items:
            copied = pledge.previous is not None
            self.history(
                item,
                at=created,
                by=actors.pledger,
                label="由变更生成" if copied else "",
                comment=f"由第{pledge.revision - 1}版第{item.position}项复制" if copied else "",
                kind="+",
                state=item.state,
            )
        name = pledge.member.name if pledge.member_id else pledge.pledger_organization.name
        for step, at in times:
            before, after = STEP_STATES[step]
            by = actors.reviewer if step in ("return", "approve", "countersign") else actors.pledger
            if step == "publish":
                by = actors.publisher
            comment = ""
            if step in ("submit", "resubmit"):
                pledge.submitted_at = at
                self.note(
                    actors.notify_reviewer,
                    Notification.Kind.SUBMITTED,
                    f"{name}提交了承诺书，请审核。",
                    pledge,
                    at,
                    lambda p=pledge, a=at: f"submitted:{p.pk}:{a.timestamp()}",
                )
            elif step == "return":
                comment, checks, item_comment = rng.choice(RETURN_COMMENTS)
                review = Review(
                    pledge=pledge, by_id=by.pk, at=at, decision=Review.Decision.RETURN, comment=comment, **checks
                )
                buf.reviews.append(review)
                buf.item_comments.append(ReviewItemComment(review=review, item=rng.choice(items), comment=item_comment))
                self.note(
                    actors.notify_pledger,
                    Notification.Kind.RETURNED,
                    f"您的承诺书被退回修改：{comment[:60]}",
                    pledge,
                    at,
                    lambda r=review: f"returned:{r.pk}",
                )
            elif step == "approve":
                comment = rng.choice(APPROVE_COMMENTS)
                pledge.approved_at = at
                review = Review(
                    pledge=pledge,
                    by_id=by.pk,
                    at=at,
                    decision=Review.Decision.APPROVE,
                    comment=comment,
                    **{check: True for check, _ in Review.CHECKS},
                )
                buf.reviews.append(review)
                if pledge.form == Pledge.Form.ORAL:
                    self.note(
                        actors.notify_reviewer,
                        Notification.Kind.TO_SIGN,
                        f"{name}的口头承诺已审定，请审定方签署。",
                        pledge,
                        at,
                        lambda r=review: f"to_sign:r:{r.pk}",
                    )
                else:
                    self.note(
                        actors.notify_pledger,
                        Notification.Kind.TO_SIGN,
                        "您的承诺书已审定，请签署。",
                        pledge,
                        at,
                        lambda r=review: f"to_sign:p:{r.pk}",
                    )
            elif step == "sign":
                self.signature(pledge, items, Signature.Role.PLEDGER, by, actors.pledger_name, at)
                self.note(
                    actors.notify_reviewer,
                    Notification.Kind.TO_SIGN,
                    f"{name}已签署承诺书，请审定方签署。",
                    pledge,
                    at,
                    lambda p=pledge: f"to_sign:r:{p.pk}:{p.revision}",
                )
            elif step == "countersign":
                self.signature(pledge, items, Signature.Role.REVIEWER, by, actors.reviewer_name, at)
                pledge.signed_at = at
                self.note(
                    actors.notify_pledger,
                    Notification.Kind.SIGNED,
                    "您的承诺书已由双方签署。",
                    pledge,
                    at,
                    lambda p=pledge: f"signed:{p.pk}:{p.revision}",
                )
            elif step == "publish":
                pledge.published_at, pledge.published_by_id = at, by.pk
                self.note(
                    actors.notify_pledger,
                    Notification.Kind.PUBLISHED,
                    "您的承诺书已在公开栏公示，请按承诺践诺。",
                    pledge,
                    at,
                    lambda p=pledge: f"published:{p.pk}:{p.revision}",
                )
            self.change(pledge, before, after, step, by, at, comment)

    def change(self, pledge, before, after, step, by, at, comment="") -> None:
        """A transition of the pledge, recorded in its history as the service would (the label and comment)."""
        kind = "+" if step == "revision" else "~"
        self.history(pledge, at=at, by=by, label=ACTIONS[step], comment=comment, kind=kind, status=after)
        pledge.updated_at = at
        pledge._changes = getattr(pledge, "_changes", 0) + 1

    def history(self, obj, **event) -> None:
        """A history record of `obj` to write once it has its primary key (demo.history.record)."""
        self.buf.history.append((obj, event))

    def signature(self, pledge, items, role, by, name, at) -> None:
        self.buf.signatures.append(
            Signature(
                **signing.signature_fields(
                    pledge,
                    items=items,
                    role=role,
                    signer_id=by.pk,
                    signer_name=name,
                    method=Signature.Method.TYPED,
                    signed_at=at,
                )
            )
        )

    # --- 践诺 ---------------------------------------------------------------------------------------------

    def fulfil(self, pledge, items, state, actors: _Actors, spec: dict) -> None:
        """Item states, 销号, overdue flags, logs, self-checks and inspections of a signed pledge."""
        if state == P.SIGNED:
            self.mark_overdue(pledge, items, actors, notify=True)
            return
        if state not in (P.PUBLISHED, P.COMPLETED):
            return
        rng = self.rng
        start = pledge.published_at.astimezone(TZ).date()
        yesterday = self.today - datetime.timedelta(days=1)
        if state == P.COMPLETED:
            last = None
            for item in items:
                if item.state == PledgeItem.State.TICKED_OFF:
                    continue
                lo = start + datetime.timedelta(days=10)
                confirmed = self.tick(item, self.between(lo, min(item.deadline, yesterday)), pledge, actors)
                last = confirmed if last is None else max(last, confirmed)
            if last is None:
                last = self.after(pledge.published_at, 1)
            pledge.completed_at = last
            self.change(pledge, P.PUBLISHED, P.COMPLETED, "complete", actors.reviewer, last)
        elif spec.get("special") == "in_progress":
            lo = max(start + datetime.timedelta(days=1), self.today - datetime.timedelta(days=50))
            self.tick(
                items[0], self.between(lo, max(lo, items[0].deadline - datetime.timedelta(days=2))), pledge, actors
            )
        else:
            open_items = [i for i in items if i.state != PledgeItem.State.TICKED_OFF]
            keep_open = max(open_items, key=lambda i: (i.deadline, i.position))
            for item in open_items:
                d, r = item.deadline, rng.random()
                if d < self.today:
                    if r < 0.8 and item is not keep_open:
                        lo = max(start + datetime.timedelta(days=7), d - datetime.timedelta(days=75))
                        self.tick(
                            item, self.between(lo, min(d + datetime.timedelta(days=10), yesterday)), pledge, actors
                        )
                    elif r < 0.92:
                        self.struggle(item, pledge, actors, refused=rng.random() < 0.15, help_rate=0.3)
                    else:
                        lo = max(start + datetime.timedelta(days=7), d - datetime.timedelta(days=20))
                        self.request(item, self.between(lo, yesterday), pledge, actors)
                elif r < 0.12 and item is not keep_open:
                    self.tick(item, self.between(start + datetime.timedelta(days=14), yesterday), pledge, actors)
                elif r < 0.18:
                    lo = max(start + datetime.timedelta(days=14), self.today - datetime.timedelta(days=30))
                    self.request(item, self.between(lo, yesterday), pledge, actors)
                else:
                    self.struggle(item, pledge, actors, refused=False, help_rate=0.05)
            requested = [i for i in items if i.state == PledgeItem.State.TICK_REQUESTED]
            if spec.get("tick") and not requested:
                item = next(i for i in items if i.state == PledgeItem.State.IN_PROGRESS)
                item.needs_help, item.help_note, item.tick_refusal_reason = False, "", ""
                self.request(item, self.between(self.today - datetime.timedelta(days=10), yesterday), pledge, actors)
        self.mark_overdue(pledge, items, actors, notify=True)
        self.add_logs(pledge, items, actors, start)
        self.add_self_checks(pledge, items, actors, start)
        self.add_inspections(pledge, items, actors)

    def achieved(self, item: PledgeItem) -> Decimal | None:
        if not item.indicator or item.target_value is None:
            return None
        target, base = float(item.target_value), item.baseline_value
        spread = abs(target) * self.rng.choice((0, 0, 0.02, 0.05, 0.1))
        value = target - spread if base is not None and float(base) > target else target + spread
        if item.unit == "%":
            value = min(value, 100.0)
        elif float(item.target_value) == int(item.target_value) and item.unit not in ("万元", "公里", "万人次"):
            value = round(value)
        return _dec(round(value, 2))

    def request(self, item, day, pledge, actors: _Actors) -> datetime.datetime:
        at = self.at(day)
        set_state(item, "state", PledgeItem.State.TICK_REQUESTED)
        item.tick_request_note = self.rng.choice(TICK_NOTES)
        item.tick_requested_at, item.tick_requested_by_id = at, actors.pledger.pk
        item.achieved_value = self.achieved(item)
        item.needs_help, item.help_note = False, ""
        self.history(item, at=at, by=actors.pledger, label="申请销号", comment=item.tick_request_note, state=item.state)
        self.note(
            actors.notify_reviewer,
            Notification.Kind.TICK_REQUESTED,
            f"{pledge.pledger_name}申请销号：{item.content[:40]}",
            pledge,
            at,
            lambda i=item, a=at: f"tick_requested:{i.pk}:{a.timestamp()}",
        )
        return at

    def tick(self, item, day, pledge, actors: _Actors) -> datetime.datetime:
        published = pledge.published_at.astimezone(TZ).date()
        asked = self.request(
            item, max(published, day - datetime.timedelta(days=self.rng.randint(0, 3))), pledge, actors
        )
        confirmed = self.at(day)
        if confirmed <= asked:
            confirmed = asked + datetime.timedelta(minutes=self.rng.randint(20, 240))
        set_state(item, "state", PledgeItem.State.TICKED_OFF)
        item.ticked_off_on, item.ticked_off_by_id = confirmed.astimezone(TZ).date(), actors.reviewer.pk
        self.history(item, at=confirmed, by=actors.reviewer, label="确认销号", state=item.state)
        self.note(
            actors.notify_pledger,
            Notification.Kind.TICK_CONFIRMED,
            f"承诺事项已销号：{item.content[:40]}",
            pledge,
            confirmed,
            lambda i=item: f"tick_confirmed:{i.pk}",
        )
        return confirmed

    def struggle(self, item, pledge, actors: _Actors, *, refused: bool, help_rate: float) -> None:
        """An item still in progress: sometimes a refused 销号 request, sometimes a call for help."""
        rng = self.rng
        if refused:
            published = pledge.published_at.astimezone(TZ).date()
            at = self.at(self.between(max(published, item.deadline - datetime.timedelta(days=15)), item.deadline))
            item.tick_request_note = rng.choice(TICK_NOTES)
            item.tick_requested_at, item.tick_requested_by_id = at, actors.pledger.pk
            item.tick_refusal_reason = rng.choice(REFUSAL_REASONS)
            asked, refused_state = PledgeItem.State.TICK_REQUESTED, PledgeItem.State.IN_PROGRESS
            self.history(item, at=at, by=actors.pledger, label="申请销号", comment=item.tick_request_note, state=asked)
            self.history(
                item,
                at=at + datetime.timedelta(days=1),
                by=actors.reviewer,
                label="不予销号",
                comment=item.tick_refusal_reason,
                state=refused_state,
            )
            self.note(
                actors.notify_pledger,
                Notification.Kind.TICK_REFUSED,
                f"销号申请未通过：{item.tick_refusal_reason[:60]}",
                pledge,
                at + datetime.timedelta(days=1),
                lambda i=item, a=at: f"tick_refused:{i.pk}:{a.timestamp()}",
            )
        if rng.random() < help_rate:
            item.needs_help, item.help_note = True, rng.choice(HELP_NOTES)

    def mark_overdue(self, pledge, items, actors: _Actors, *, notify: bool, until=None) -> None:
        until = until or self.today
        for item in items:
            if item.state == PledgeItem.State.TICKED_OFF or item.deadline >= until:
                continue
            item.overdue_notified = True
            if notify:
                at = datetime.datetime.combine(
                    item.deadline + datetime.timedelta(days=1), datetime.time(2, 0), tzinfo=TZ
                )
                self.note(
                    actors.notify_pledger + actors.notify_reviewer,
                    Notification.Kind.OVERDUE,
                    f"承诺事项已逾期未销号：{pledge.pledger_name}——{item.content[:40]}",
                    pledge,
                    at,
                    lambda i=item: f"overdue:{i.pk}",
                )

    def add_logs(self, pledge, items, actors: _Actors, start: datetime.date) -> None:
        rng = self.rng
        generic = GENERIC_LOGS.get(pledge.organization.sector, DEFAULT_LOGS)
        yesterday = self.today - datetime.timedelta(days=1)
        for item in items:
            if item.state == PledgeItem.State.TICKED_OFF:
                end, k = item.ticked_off_on, rng.choice((1, 1, 2, 3))
            elif item.state == PledgeItem.State.TICK_REQUESTED:
                end, k = item.tick_requested_at.astimezone(TZ).date(), rng.choice((1, 1, 2, 3))
            else:
                end, k = yesterday, rng.choice((0, 0, 1, 1, 2))
            if end < start:
                continue
            lo = min(start + datetime.timedelta(days=3), end)
            texts = item._logs + generic
            for day in sorted(self.between(lo, end) for _ in range(k)):
                created = datetime.datetime.combine(day, datetime.time(19, 0), tzinfo=TZ) + datetime.timedelta(
                    minutes=rng.randint(0, 150)
                )
                self.buf.logs.append(
                    FulfilmentLog(
                        item=item, happened_on=day, text=rng.choice(texts), by_id=actors.pledger.pk, created_at=created
                    )
                )

    def add_self_checks(self, pledge, items, actors: _Actors, start: datetime.date) -> None:
        rng = self.rng
        this_month = self.today.replace(day=1)
        months = []
        for back in (2, 1, 0):
            y, m = divmod(this_month.year * 12 + this_month.month - 1 - back, 12)
            months.append(datetime.date(y, m + 1, 1))
        yesterday = self.today - datetime.timedelta(days=1)
        for month, rate in zip(months, (0.8, 0.75, 0.4), strict=True):
            next_month = (month + datetime.timedelta(days=32)).replace(day=1)
            if start >= next_month or rng.random() > rate:
                continue
            if month == this_month:
                if yesterday < month:
                    continue
                check_day = self.between(month, yesterday)
            else:
                check_day = self.between(month + datetime.timedelta(days=19), month + datetime.timedelta(days=27))
            at = self.at(check_day)
            for item in items:
                if item.ticked_off_on and item.ticked_off_on < month:
                    continue
                asked = item.tick_requested_at and item.tick_requested_at.astimezone(TZ).date() <= check_day
                if (item.ticked_off_on and item.ticked_off_on <= check_day) or (
                    asked and item.state != PledgeItem.State.IN_PROGRESS
                ):
                    result = SelfCheck.Result.DONE
                elif item.deadline < check_day or item.needs_help or rng.random() < 0.05:
                    result = SelfCheck.Result.BEHIND
                else:
                    result = SelfCheck.Result.ON_TRACK
                self.buf.self_checks.append(
                    SelfCheck(
                        item=item,
                        month=month,
                        result=result,
                        note=rng.choice(SELF_CHECK_NOTES[result]),
                        by_id=actors.pledger.pk,
                        created_at=at,
                    )
                )

    def add_inspections(self, pledge, items, actors: _Actors) -> None:
        rng = self.rng
        signed = pledge.signed_at.astimezone(TZ).date()
        for quarter in (1, 2, 3, 4):
            end = (datetime.date(self.year, quarter * 3, 1) + datetime.timedelta(days=32)).replace(
                day=1
            ) - datetime.timedelta(days=1)
            if end >= self.today:
                break
            if signed > end:
                continue
            late = any(i.deadline < end and not (i.ticked_off_on and i.ticked_off_on <= end) for i in items)
            failed = rng.random() < (0.3 if late else 0.04)
            reasons = rng.sample(sorted(INSPECTION_FAIL_NOTES), rng.randint(1, 2)) if failed else []
            if failed:
                note = "；".join(INSPECTION_FAIL_NOTES[r] for r in reasons) + "，责令限期整改。"
            else:
                note = rng.choice(("", "按进度落实。", "落实较好，群众认可。"))
            self.buf.inspections.append(
                Inspection(
                    pledge=pledge,
                    year=self.year,
                    quarter=quarter,
                    result=Inspection.Result.FAIL if failed else Inspection.Result.PASS,
                    problem_unsolved="problem_unsolved" in reasons,
                    not_in_place="not_in_place" in reasons,
                    masses_unsatisfied="masses_unsatisfied" in reasons,
                    note=note,
                    by_id=actors.reviewer.pk,
                    created_at=self.at(
                        min(end + datetime.timedelta(days=rng.randint(3, 15)), self.today - datetime.timedelta(days=1))
                    ),
                )
            )

    # --- 变更 ---------------------------------------------------------------------------------------------

    def supersede(self, pledge, items, cites, actors: _Actors, new_state: str) -> None:
        """The published first revision is amended: it stays as it was, a second revision carries on."""
        rng = self.rng
        oral = pledge.form == Pledge.Form.ORAL
        changed = rng.randrange(len(items))
        reason = rng.choice(AMEND_REASONS).format(n=changed + 1)
        steps = self.steps(new_state, oral=oral, signed_if_approved=rng.random() < 0.5)
        if new_state == P.PUBLISHED:
            # In May to July, or as late as leaves the new revision time to be published by the data date.
            published = pledge.published_at.astimezone(TZ).date()
            hi = min(self.day(7, 31), self.today - datetime.timedelta(days=42))
            lo = max(published + datetime.timedelta(days=3), min(self.day(5, 6), hi))
            amend_at = self.at(self.between(lo, max(lo, hi)))
            created, times = self.times(steps, start=amend_at + datetime.timedelta(minutes=10))
        else:
            if new_state == P.DRAFT:
                created, times = self.at(self.today - datetime.timedelta(days=rng.randint(2, 20))), []
            else:
                created, times = self.times(steps, end=self.today - datetime.timedelta(days=rng.randint(1, 10)))
            amend_at = created - datetime.timedelta(minutes=10)
        amend_day = amend_at.astimezone(TZ).date()
        published = pledge.published_at.astimezone(TZ).date()
        for i, item in enumerate(items):
            if i != changed and item.deadline < amend_day and rng.random() < 0.7:
                hi = min(item.deadline, amend_day - datetime.timedelta(days=1))
                if hi >= published + datetime.timedelta(days=10):
                    self.tick(item, self.between(published + datetime.timedelta(days=10), hi), pledge, actors)
        self.mark_overdue(pledge, items, actors, notify=False, until=amend_day)
        self.change(pledge, P.PUBLISHED, P.SUPERSEDED, "amend", actors.pledger, amend_at, reason)

        new = Pledge(
            campaign=pledge.campaign,
            organization=pledge.organization,
            member=pledge.member,
            pledger_organization=pledge.pledger_organization,
            form=pledge.form,
            witness_name=pledge.witness_name,
            status=new_state,
            revision=pledge.revision + 1,
            previous=pledge,
            is_current=True,
            created_by_id=actors.pledger.pk,
        )
        self.buf.revisions.append(new)
        copies = []
        for item in items:
            copy = PledgeItem(pledge=new, position=item.position, **{f: getattr(item, f) for f in ITEM_FIELDS})
            if item.state == PledgeItem.State.TICKED_OFF:
                set_state(copy, "state", item.state)
                copy.ticked_off_on, copy.ticked_off_by_id = item.ticked_off_on, item.ticked_off_by_id
                copy.achieved_value = item.achieved_value
            copy._logs = item._logs
            copies.append(copy)
        moved = copies[changed]
        moved.deadline = self.day(12, 31) if moved.deadline < self.day(12, 31) else self.day(12, 20)
        moved.measures = f"{moved.measures}；按变更后的时限加快推进"
        self.buf.items.extend(copies)
        self.add_cites([(copies[items.index(item)], op) for item, op in cites])
        self.change(
            new, P.DRAFT, P.DRAFT, "revision", actors.pledger, created, f"由第{pledge.revision}版变更：{reason}"
        )
        self.apply(new, copies, created, times, actors)
        self.fulfil(new, copies, new_state, actors, {})

    # --- writing -----------------------------------------------------------------------------------------

    def flush(self) -> None:
        buf = self.buf
        if buf.opinions:
            bulk_create_with_history(buf.opinions, Opinion, batch_size=BATCH)
        # Pledges and items get the history records of what happened to them (self.history), not one of each
        # as they end up.
        for rows, model in ((buf.pledges, Pledge), (buf.revisions, Pledge), (buf.items, PledgeItem)):
            if rows:
                model.objects.bulk_create(rows, batch_size=BATCH)
        write_history([history_record(obj, **event) for obj, event in buf.history], batch_size=BATCH)
        for signature in buf.signatures:
            # The pledge got its id only now; the seal covers it.
            signature.pledge_id = signature.pledge.pk
            signature.seal = signing.seal_of(signature)
        for model, rows in (
            (PledgeItem.cited_opinions.through, buf.cites),
            (Review, buf.reviews),
            (ReviewItemComment, buf.item_comments),
            (Signature, buf.signatures),
            (FulfilmentLog, buf.logs),
            (SelfCheck, buf.self_checks),
            (Inspection, buf.inspections),
        ):
            if rows:
                model.objects.bulk_create(rows, batch_size=BATCH)
        read_before = self.today - datetime.timedelta(days=10)
        notifications = [
            Notification(
                recipient_id=user.pk,
                kind=kind,
                text=text[:300],
                url=pledge.get_absolute_url(),
                dedupe_key=key()[:120],
                created_at=at,
                read_at=at + datetime.timedelta(hours=20) if at.astimezone(TZ).date() < read_before else None,
            )
            for user, kind, text, pledge, at, key in buf.notes
        ]
        Notification.objects.bulk_create(notifications, batch_size=BATCH, ignore_conflicts=True)
        self.buf = _Buffer()

    def counts(self) -> dict:
        statuses = dict(Pledge.objects.order_by().values_list("status").annotate(n=Count("id")))
        items = PledgeItem.objects.filter(pledge__campaign=self.campaign)
        states = Counter(dict(items.order_by().values_list("state").annotate(n=Count("id"))))
        return {
            "campaigns": Campaign.objects.count(),
            "opinions": Opinion.objects.count(),
            "opinions_answered": Opinion.objects.filter(status=Opinion.Status.ANSWERED).count(),
            "opinions_not_adopted": Opinion.objects.filter(status=Opinion.Status.NOT_ADOPTED).count(),
            "opinions_solved": Opinion.objects.filter(solved_on__isnull=False).count(),
            "pledges": sum(statuses.values()),
            "org_pledges": Pledge.objects.filter(pledger_organization__isnull=False).count(),
            "member_pledges": Pledge.objects.filter(member__isnull=False).count(),
            "oral_pledges": Pledge.objects.filter(form=Pledge.Form.ORAL).count(),
            "by_status": {value: statuses.get(value, 0) for value in P.values},
            "items": sum(states.values()),
            "ticked_off": states[PledgeItem.State.TICKED_OFF],
            "tick_requested": states[PledgeItem.State.TICK_REQUESTED],
            "overdue": items.filter(overdue_q(today=self.today)).count(),
            "needs_help": items.filter(needs_help=True).count(),
            "signatures": Signature.objects.count(),
            "reviews": Review.objects.count(),
            "logs": FulfilmentLog.objects.count(),
            "self_checks": SelfCheck.objects.count(),
            "inspections": Inspection.objects.count(),
            "inspections_failed": Inspection.objects.filter(result=Inspection.Result.FAIL).count(),
            "notifications": Notification.objects.count(),
        }
