"""The forms the product ships with: 篇十二 附件2《创先争优活动有关项目统计》 in the source's own words, and the
统计表 of the statistics page written as sentences. Installed after every migrate (and flush); never edited.
"""

from __future__ import annotations

from evaluations.statistics import INDICATORS, PERCENT, SECTIONS

# 篇十二 附件2, item by item as the source words them (its 14 numbered items; "处以" is the source's own).
PIAN12_SOURCE = """\
1. 创先争优活动以来，本部门共组织{activity.study.count}次理论学习，{activity.study.participants}人次党员干部参加学习。
2. 创先争优活动以来，本部门（支部）共有{activity.identity.organizations}个基层党组织、{activity.identity.members}名党员挂牌亮身份、{stat.members_pledged}名党员作出公开承诺。
3. 创先争优活动以来，本部门（支部）共收集整理师生反映的突出问题{stat.opinions}个，已解决{stat.opinions_solved}个。
4. 创先争优活动中，为迎接建党90周年、91周年本部门（支部）组织开展{activity.anniversary.count}项活动，共有{activity.anniversary.members}名党员参加活动。
5. 创先争优活动以来，本部门（支部）共有{stat.awards}人次受到校级以上各类表彰，其中{填报:被评为先进的人次}人次被评为{填报文字:称号}受到{填报文字:表彰单位}表彰、{填报:受到其他表彰的人次}人次受到{填报文字:其他表彰单位}表彰。
6. 创先争优活动中，本部门（支部）制作了宣传板块{activity.publicity_board.quantity}块，党建园地共出{activity.garden.quantity}期、编发创先争优活动新闻（简报）{activity.news.quantity}件。
7. 创先争优活动以来，本部门（支部）组织专题辅导报告{activity.lecture.count}场，处以党员领导干部共上党课{activity.party_class.count}次，听课{activity.party_class.participants}人次。
8. 创先争优活动中，本部门（支部）与{activity.pairing.quantity}个学生支部结对；{activity.pairing.members}党员帮扶{activity.pairing.beneficiaries}困难学生，帮扶金额{activity.pairing.amount}元，创建{activity.window.quantity}个文明窗口。
9. 创先争优活动中，本部门（支部）{activity.donation.participants}人次参与爱心捐助共计金额{activity.donation.amount}元；帮扶{activity.employment.beneficiaries}名学生就业、举办{填报:义务讲座场次}义务讲座、结对{填报:结对新生班级数}新生班级。
10. 创先争优活动以来，本部门（支部）组织{activity.welfare.count}次{activity.welfare.participants}人次参加社会公益活动；{填报:结对的学生党员数}名学生党员结对{填报:学业困难学生数}名学业困难学生、{填报:联系积极分子的学生党员数}名学生党员联系{填报:入党积极分子数}名入党积极分子。
11. 创先争优活动以来，本部门党组织（支部）和党员为师生办实事好事{activity.good_deeds.quantity}件；共有{activity.volunteer.members}名党员参加志愿服务活动，组织党员开展志愿服务{activity.volunteer.participants}人次。
12. 创先争优活动以来，本部门处级以上党员领导干部建立创先争优或基层党建工作联系点{activity.contact_point.quantity}个。
13. 创先争优活动以来，市级以上新闻媒体共宣传本部门（支部）创先争优先进典型{activity.media_person.quantity}人，先进集体{activity.media_group.quantity}个。
14. 创先争优活动以来，本部门（支部）共建立{activity.institution.quantity}项涉及创先争优的制度，其中总支层面{activity.institution.quantity@general_branch}个，支部层面{activity.institution.quantity@branch}个。制度名称：{activity.institution.titles}。
"""


def _statistics_source() -> str:
    """The statistics page's 统计表 as one sentence per section: “组织和党员承诺：基层党组织{…}个，……。”"""
    lines = []
    for section in SECTIONS:
        parts = []
        for ind in INDICATORS:
            if ind.section != section:
                continue
            unit = "" if ind.unit == PERCENT else ind.unit
            parts.append(f"{ind.label}{{stat.{ind.key}}}{unit}")
        lines.append(f"{section}：" + "，".join(parts) + "。")
    return "\n".join(lines)


BUILT_IN = (
    (
        "pian12",
        "创先争优活动有关项目统计",
        "篇十二 附件2 的统计表，按原文表述；空格由系统根据承诺、群众意见、表彰和活动记实统计，其余由各组织填报。",
        PIAN12_SOURCE,
    ),
    (
        "tongji",
        "公开承诺工作统计表",
        "统计页面的统计表：承诺覆盖、调研提诺、践诺和评诺的各项指标，全部由系统统计。",
        None,
    ),
)


def install_built_in_templates() -> None:
    """Create the built-in forms that are missing (idempotent)."""
    from .models import ReportTemplate
    from .services import template_build_items

    for code, name, description, source in BUILT_IN:
        if ReportTemplate.objects.filter(code=code).exists():
            continue
        template = ReportTemplate.objects.create(
            code=code,
            name=name,
            description=description,
            source=source if source is not None else _statistics_source(),
            is_built_in=True,
        )
        template_build_items(template)
