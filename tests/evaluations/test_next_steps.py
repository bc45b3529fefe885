"""下一步 on the 群众评议 and 整改 pages (issue 14 §6): one line saying who acts next and by when, for each state."""

import datetime

from django.urls import reverse
from django.utils import timezone

from evaluations.next_steps import appraisal_next_step, rectification_next_step

from .conftest_appraisals import *  # noqa: F403
from .conftest_appraisals import Appraisal, cast, fresh, services


def test_an_open_appraisal_says_what_is_missing_before_it_can_close(world, open_appraisal):
    appraisal = open_appraisal(report_text="")
    assert appraisal_next_step(appraisal, world.committee).text == (
        "请记录书记在评议会上的报告；有效票达到 30 张（现有 0 张）后结束评议、公布结果"
    )
    assert appraisal_next_step(appraisal, world.secretary).text == (
        "等待上级党委记录书记报告、收齐评议票（不少于 30 张，现有 0 张）后结束评议、公布结果"
    )
    services.appraisal_record_report(appraisal=appraisal, by=world.committee, report_text="上半年兑现承诺事项8件。")
    appraisal = fresh(appraisal)
    cast(appraisal, satisfied=10)
    assert appraisal_next_step(appraisal, world.committee).text == (
        "继续收集评议票，还差 20 张；达到 30 张后结束评议、公布结果"
    )
    assert (
        appraisal_next_step(appraisal, world.secretary).text
        == "等待上级党委收齐评议票（还差 20 张）后结束评议、公布结果"
    )
    cast(appraisal, satisfied=20)
    assert appraisal_next_step(appraisal, world.committee).text == "有效票已达到最低人数，请结束评议、公布结果"
    assert appraisal_next_step(appraisal, world.secretary).text == "等待上级党委结束评议、公布结果"


def test_a_closed_appraisal_says_whether_to_rectify(world, open_appraisal, failed_appraisal):
    assert (
        appraisal_next_step(failed_appraisal, world.secretary).text
        == "请向上级党委报送整改报告，写明整改目标、措施和时限"
    )
    assert appraisal_next_step(failed_appraisal, world.committee).text == "等待甲镇一村党支部向上级党委报送整改报告"
    passed = open_appraisal(org=world.tree.branch_a2)
    cast(passed, satisfied=30)
    passed = services.appraisal_close(appraisal=passed, by=world.committee)
    step = appraisal_next_step(passed, world.committee)
    assert str(step) == "下一步：无需办理。满意度达到90%，群众没有较大意见，无需整改。"


def test_each_state_of_a_rectification_names_who_acts(world, rectification, report, open_appraisal):
    deadline = report["deadline"]
    by = f"（整改时限 {deadline.year}年{deadline.month}月{deadline.day}日）"
    assert rectification_next_step(rectification, world.committee).text == "等待甲镇一村党支部向上级党委报送整改报告"
    services.rectification_submit(rectification=rectification, by=world.secretary, **report)
    r = fresh(rectification)
    assert rectification_next_step(r, world.committee).text == f"请您审批甲镇一村党支部的整改报告{by}"
    assert rectification_next_step(r, world.secretary).text == f"等待上级党委审批整改报告{by}"
    services.rectification_return(rectification=r, by=world.committee, comment="整改措施要落实到人。")
    r = fresh(r)
    assert rectification_next_step(r, world.clerk).text == f"请按审批意见修改后重新报送整改报告{by}"
    assert rectification_next_step(r, world.committee).text == f"等待甲镇一村党支部按审批意见修改后重新报送整改报告{by}"
    services.rectification_submit(rectification=r, by=world.clerk, **report)
    services.rectification_approve(rectification=r, by=world.committee)
    r = fresh(r)
    assert rectification_next_step(r, world.secretary).text == f"请按整改方案整改，完成后报告整改完成{by}"
    assert rectification_next_step(r, world.committee).text == f"等待甲镇一村党支部按整改方案整改并报告整改完成{by}"
    late = rectification_next_step(r, world.committee, today=deadline + datetime.timedelta(days=1))
    assert late.urgent and late.text.endswith(" 已过）")
    services.rectification_mark_done(rectification=r, by=world.clerk, evidence="道路已修好。")
    r = fresh(r)
    assert rectification_next_step(r, world.committee).text == "请组织再次评议，满意度达到90%即整改销号"
    assert rectification_next_step(r, world.secretary).text == "等待上级党委组织再次评议，满意度达到90%即整改销号"
    again = open_appraisal(rectification=r)
    assert rectification_next_step(r, world.secretary).text == "再次评议进行中，结束后满意度达到90%即整改销号"
    cast(again, satisfied=30)
    services.appraisal_close(appraisal=again, by=world.committee)
    r = fresh(r)
    today = timezone.localdate(r.closed_at)
    assert rectification_next_step(r, world.secretary).text == (
        f"无需办理。再次评议满意度达到90%，整改已于 {today.year}年{today.month}月{today.day}日 销号。"
    )
    assert appraisal_next_step(fresh(again), world.secretary).text == "无需办理。再次评议满意度达到90%，整改已销号。"


def test_the_pages_show_the_line(client, world, rectification, failed_appraisal):
    client.force_login(world.committee)
    page = client.get(reverse("evaluations:rectification_detail", args=[rectification.pk])).content.decode()
    assert 'role="status" id="next-step"><strong>下一步：</strong>等待甲镇一村党支部向上级党委报送整改报告' in page
    page = client.get(reverse("evaluations:appraisal_detail", args=[failed_appraisal.pk])).content.decode()
    assert "<strong>下一步：</strong>等待甲镇一村党支部向上级党委报送整改报告" in page
    assert Appraisal.objects.filter(pk=failed_appraisal.pk, status="closed").exists()
