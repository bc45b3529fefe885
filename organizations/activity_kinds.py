"""The activity kinds the product ships with (DESIGN §11, 日常活动记实), named as 篇十二 附件2《创先争优活动有关项目
统计》 counts them. The county adds its own kinds in the admin; codes here are what the built-in statistics
forms bind to, so they never change.

Each entry: code, name, quantity label and unit, amount label, beneficiaries label, description.
"""

BUILT_IN_KINDS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("study", "理论学习", "", "", "", "", "集中学习、学习讨论、读书会等（附件2第1项）"),
    ("identity", "挂牌亮身份", "挂牌的党组织", "个", "", "", "党组织挂牌、党员佩戴党徽亮身份（附件2第2项）"),
    ("anniversary", "纪念活动", "", "", "", "", "建党周年等纪念、庆祝活动（附件2第4项）"),
    ("theme", "主题活动", "", "", "", "", "主题党日、专题活动等"),
    ("publicity_board", "宣传板块", "制作宣传板块", "块", "", "", "附件2第6项"),
    ("garden", "党建园地", "出刊", "期", "", "", "附件2第6项"),
    ("news", "新闻简报", "编发新闻（简报）", "件", "", "", "附件2第6项"),
    ("lecture", "专题辅导报告", "", "", "", "", "专题辅导报告会（附件2第7项）"),
    ("party_class", "党课", "", "", "", "", "党员领导干部上党课，参加人次即听课人次（附件2第7项）"),
    ("pairing", "结对帮扶", "结对对象", "个", "帮扶金额", "帮扶困难群众", "附件2第8项"),
    ("window", "文明窗口创建", "创建文明窗口", "个", "", "", "附件2第8项"),
    ("donation", "爱心捐助", "", "", "捐助金额", "", "参加人次即参与捐助人次（附件2第9项）"),
    ("employment", "就业帮扶", "", "", "", "帮扶就业", "附件2第9项"),
    ("welfare", "社会公益", "", "", "", "", "附件2第10项"),
    ("good_deeds", "办实事好事", "办实事好事", "件", "", "", "附件2第11项"),
    ("volunteer", "志愿服务", "", "", "", "", "参加人次即开展志愿服务人次（附件2第11项）"),
    ("contact_point", "联系点", "建立联系点", "个", "", "", "领导干部建立的创先争优或党建工作联系点（附件2第12项）"),
    ("media_person", "媒体宣传先进典型", "宣传的先进个人", "人", "", "", "市级以上新闻媒体（附件2第13项）"),
    ("media_group", "媒体宣传先进集体", "宣传的先进集体", "个", "", "", "市级以上新闻媒体（附件2第13项）"),
    ("institution", "制度建设", "建立的制度", "项", "", "", "活动名称填制度名称（附件2第14项）"),
)


def install_kinds(ActivityKind, using: str = "default") -> None:
    """Create the built-in kinds that are missing (a migration passes its historical model)."""
    if ActivityKind.objects.using(using).filter(code__in=[k[0] for k in BUILT_IN_KINDS]).count() == len(BUILT_IN_KINDS):
        return
    for position, (code, name, q_label, q_unit, a_label, b_label, description) in enumerate(BUILT_IN_KINDS, 1):
        ActivityKind.objects.using(using).get_or_create(
            code=code,
            defaults={
                "name": name,
                "quantity_label": q_label,
                "quantity_unit": q_unit,
                "amount_label": a_label,
                "beneficiaries_label": b_label,
                "description": description,
                "position": position * 10,
            },
        )
