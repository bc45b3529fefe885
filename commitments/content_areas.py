"""Content areas (承诺内容方面) suggested for pledge items, from the source documents (篇一、篇四、篇五、篇七).

An organization's pledge draws on the areas of its sector and the “五个好” standards; a member's pledge on
the areas of his sector, on those for his kind of post (村干部, 无职党员, “三老”, 学生 …) and the “五带头”.
"""

from organizations.models import Organization

S = Organization.Sector

FIVE_GOOD = ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
FIVE_LEADS = ["带头学习提高", "带头争创佳绩", "带头服务群众", "带头遵纪守法", "带头弘扬正气"]

ORGANIZATION_AREAS = {
    S.RURAL: ["落实惠农政策", "带领群众致富", "发展壮大村级集体经济", "培养新型农民", "培育文明乡风", "维护农村稳定"],
    # 篇七: 社区党组织重点从落实“三有一化”、服务群众、凝聚人心、推动发展、维护稳定等方面作出承诺.
    S.COMMUNITY: ["落实“三有一化”", "服务群众", "凝聚人心", "推动发展", "维护稳定", "构建文明和谐社区"],
    S.GOVERNMENT: ["服务中心", "建设队伍", "改进作风", "提高效能", "服务群众", "改善民生"],
    S.STATE_ENTERPRISE: ["参与决策", "带头执行", "有效监督", "加强思想政治工作", "加强队伍建设", "促进企业改革发展"],
    S.SCHOOL: [
        "贯彻党的教育方针",
        "加强师德师风建设",
        "加强思想政治工作",
        "提高办学质量",
        "培养合格人才",
        "办人民满意学校",
    ],
    S.HEALTH: ["落实医改任务", "提高服务水平", "加强医德医风", "促进医患和谐"],
    # 篇四: 科研单位 and 文化系统 each stress their own contents besides the four common to 事业单位.
    S.PUBLIC_INSTITUTION: [
        "做好思想政治工作",
        "规范服务行为",
        "提升服务效能",
        "促进事业科学发展",
        "推动自主创新",
        "培育科研人才",
        "提升科研水平",
        "服务文化强省",
        "服务基层群众",
        "繁荣先进文化",
    ],
    S.PRIVATE_ENTERPRISE: [
        "贯彻党的方针政策",
        "引导和监督遵守法律法规",
        "团结凝聚职工群众",
        "维护各方合法权益",
        "促进企业健康发展",
    ],
    S.SOCIAL_ORGANIZATION: ["贯彻党的方针政策", "团结凝聚群众", "维护各方合法权益", "促进社会组织健康发展"],
}

MEMBER_AREAS = {
    S.RURAL: ["增强致富带富能力", "服务农民群众", "弘扬新风正气", "参与公益事业"],
    S.COMMUNITY: ["提高服务水平", "维护群众利益", "化解社会矛盾", "参与文明创建和志愿服务"],
    S.GOVERNMENT: ["带头学习、提升能力", "改革创新、推动发展", "认真履职、服务群众", "遵纪守法、勤政廉政"],
    S.STATE_ENTERPRISE: ["投身改革、提高技能", "攻坚克难、节能降耗", "凝聚职工、团结群众"],
    S.SCHOOL: ["爱岗敬业", "廉洁从教", "为人师表", "关爱学生", "做好教育教学工作"],
    S.HEALTH: ["爱岗敬业", "刻苦钻研", "锐意创新", "提供优质服务"],
    S.PUBLIC_INSTITUTION: ["爱岗敬业", "刻苦钻研", "锐意创新", "优质服务"],
    S.PRIVATE_ENTERPRISE: ["技术攻关", "节能减耗", "市场开拓", "安全生产", "产品质量", "奉献爱心"],
    S.SOCIAL_ORGANIZATION: ["提高执业本领", "提供优质服务", "依法诚信执业", "促进社会和谐"],
}

# Extra areas for particular kinds of members (by Member flag).
MEMBER_FLAG_AREAS = {
    "is_village_cadre": ["“双培双带”", "发展党员", "增强党组织凝聚力", "协调“两委”关系", "明确发展思路", "廉洁自律"],
    "is_unposted": ["勤劳致富", "扶贫帮困", "社会公益活动"],
    # 篇一: “三老”党员 … 发挥余热，带头移风易俗、破除封建迷信、调解邻里纠纷、反对非法宗教活动.
    "is_sanlao": ["发挥余热", "带头移风易俗", "破除封建迷信", "调解邻里纠纷", "反对非法宗教活动"],
    "is_student": ["刻苦学习", "道德养成", "遵守法纪", "参加志愿服务活动"],
    "is_leader": ["贯彻党的方针政策", "提高管理水平", "自觉廉洁从政"],
}

# Leaders of an enterprise pledge on their own areas (篇四): 国有企业党员领导人员, and 党员业主 in a 非公企业.
LEADER_SECTOR_AREAS = {
    S.STATE_ENTERPRISE: ["贯彻党的方针政策", "提高经营管理水平", "实现增产增效", "履行社会责任", "自觉廉洁从业"],
    S.PRIVATE_ENTERPRISE: ["诚信守法经营", "尊重和维护员工权益", "支持党建工作", "履行社会责任"],
}

# 窗口单位 (服务大厅、医院、学校的服务窗口…): 篇七's areas for 机关和窗口单位, and 篇五's “三亮三创”.
WINDOW_ORGANIZATION_AREAS = ["优化服务环境", "改进作风", "提升服务质量", "创群众满意窗口", "创优秀服务品牌"]
WINDOW_MEMBER_AREAS = ["亮身份、亮承诺、亮形象", "创岗位奉献先锋", "认真履职", "服务群众", "勤政廉政"]

OTHER = "其他"


def _merge(*groups) -> list[str]:
    merged: list[str] = []
    for group in groups:
        merged += [a for a in group if a not in merged]
    return merged


def areas_for_organization(org) -> list[str]:
    window = WINDOW_ORGANIZATION_AREAS if org.is_window_unit else []
    return _merge(ORGANIZATION_AREAS.get(org.sector, []), window, FIVE_GOOD, [OTHER])


def areas_for_member(member, org) -> list[str]:
    groups = [MEMBER_AREAS.get(org.sector, [])]
    if getattr(member, "is_leader", False):
        groups.append(LEADER_SECTOR_AREAS.get(org.sector, []))
    groups += [extra for flag, extra in MEMBER_FLAG_AREAS.items() if getattr(member, flag, False)]
    if org.is_window_unit:
        groups.append(WINDOW_MEMBER_AREAS)
    return _merge(*groups, FIVE_LEADS, [OTHER])


def areas_for_pledge(pledge) -> list[str]:
    if pledge.member_id:
        return areas_for_member(pledge.member, pledge.organization)
    return areas_for_organization(pledge.pledger_organization)
