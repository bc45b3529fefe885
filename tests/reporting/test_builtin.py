"""The built-in forms: 篇十二 附件2 in the source's words with every blank bound, and the statistics page's 统计表."""

import re

import pytest

from evaluations.statistics import INDICATORS
from reporting.models import ReportBlank, ReportTemplate
from reporting.selectors import template_blanks

pytestmark = pytest.mark.django_db

# 篇十二 附件2 as the source documents print it (half-width marks, items 10 and 11 on one line, item 3 broken).
SOURCE = """\
1.创先争优活动以来,本部门共组织____次理论学习,____人次党员干部参加学习。
2.创先争优活动以来,本部门(支部)共有____个基层党组织、____名党员挂牌亮身份、____名党员作出公开承诺。
3.创先争优活动以来,本部门(支部)共收集整理师生反映的突出问题____
个,已解决____个。
4.创先争优活动中,为迎接建党90周年、91周年本部门(支部)组织开展____项活动,共有____名党员参加活动。
5.创先争优活动以来,本部门(支部)共有____人次受到校级以上各类表彰,其中____人次被评为______受到______表彰、____人次受到______表彰。
6.创先争优活动中,本部门(支部)制作了宣传板块____块,党建园地共出____期、编发创先争优活动新闻(简报)____件。
7.创先争优活动以来,本部门(支部)组织专题辅导报告____场,处以党员领导干部共上党课____次,听课____人次。
8.创先争优活动中,本部门(支部)与____个学生支部结对;____党员帮扶____困难学生,帮扶金额____元,创建____个文明窗口。
9.创先争优活动中,本部门(支部)____人次参与爱心捐助共计金额____元;帮扶____名学生就业、举办____义务讲座、结对____新生班级。
10.创先争优活动以来,本部门(支部)组织____次____人次参加社会公益活动;____名学生党员结对____名学业困难学生、____名学生党员联系____名入党积极分子,11.创先争优活动以来,本部门党组织(支部)和党员为师生办实事好事____件;共有____名党员参加志愿服务活动,组织党员开展志愿服务____人次。
12.创先争优活动以来,本部门处级以上党员领导干部建立创先争优或基层党建工作联系点____个。
13.创先争优活动以来,市级以上新闻媒体共宣传本部门(支部)创先争优先进典型____人,先进集体____个。
14.创先争优活动以来,本部门(支部)共建立____项涉及创先争优的制度,其中总支层面____个,支部层面____个。制度名称:_________________、________________、_______________。
"""


def _words(text: str) -> str:
    """The wording without blanks, numbers and punctuation (the source mixes half- and full-width marks)."""
    text = re.sub(r"\{[^}]*\}|_+", "", text)
    return re.sub(r"[\s\d.,;:，。；：、()（）]", "", text)


def test_pian12_has_the_fourteen_items_of_the_source_in_its_words():
    """篇十二 附件2《创先争优活动有关项目统计》: every item's words are the source's, in order."""
    template = ReportTemplate.objects.get(code="pian12")
    items = template_blanks(template)
    assert template.is_built_in and len(items) == 14
    # The source runs items 10 and 11 together on one line; split before each number.
    numbered = re.split(r"(?:^|\n|(?<=,))(\d{1,2})\.(?=创先争优)", SOURCE)
    source_items = {int(numbered[i]): numbered[i + 1] for i in range(1, len(numbered) - 1, 2)}
    assert sorted(source_items) == list(range(1, 15))
    for item in items:
        ours = template.source.splitlines()[item.position - 1]
        assert _words(ours.split(".", 1)[1]) == _words(source_items[item.position]), item.position


def test_every_blank_of_pian12_is_bound():
    blanks = ReportBlank.objects.filter(item__template__code="pian12")
    assert blanks.count() == 47
    computed = blanks.filter(source=ReportBlank.Source.COMPUTED)
    assert all(b.indicator for b in computed)
    # What the system counts: the items 2, 3 and 5 from pledges, opinions and awards, the rest of the
    # numbers from the activity register; entered are what no record holds (titles of awards, student pairs).
    assert set(computed.filter(indicator__startswith="stat.").values_list("indicator", flat=True)) == {
        "stat.members_pledged",
        "stat.opinions",
        "stat.opinions_solved",
        "stat.awards",
    }
    assert blanks.filter(source=ReportBlank.Source.ENTERED).count() == 11


def test_the_statistics_table_is_a_form_with_every_indicator():
    template = ReportTemplate.objects.get(code="tongji")
    indicators = list(
        ReportBlank.objects.filter(item__template=template)
        .order_by("item__position", "position")
        .values_list("indicator", flat=True)
    )
    assert indicators == [f"stat.{i.key}" for i in INDICATORS]


def test_built_in_forms_come_back_after_every_migrate():
    """Tests flush the database between transactional tests; the forms (and the activity kinds they count)
    are put back by post_migrate, which a flush sends too. (Not a real flush here: inside the test's
    transaction it would leave stale content types in this process's cache.)"""
    from django.core.management.sql import emit_post_migrate_signal

    from organizations.models import ActivityKind

    ReportTemplate.objects.filter(is_built_in=True).delete()
    ActivityKind.objects.filter(code="pairing").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(ReportTemplate.objects.values_list("code", flat=True)) >= {"pian12", "tongji"}
    assert ActivityKind.objects.get(code="pairing").amount_label == "帮扶金额"
