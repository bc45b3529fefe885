"""下一步 on the pages of 群众评议 and 整改 (issue 14 §6): one line saying who acts next and by when, in the same words
and look as on a pledge's page (commitments.next_steps). It decides nothing; the forms and buttons still come from
the transitions and permissions."""

from __future__ import annotations

import datetime

from django.utils import timezone

from commitments.next_steps import NextStep, day
from organizations.permissions import may

from .models import Appraisal, Rectification
from .permissions import EvaluationAction

# Before the work is reported done, a rectification runs against its deadline (as selectors.UNFINISHED).
_UNFINISHED = (
    Rectification.Status.OPEN,
    Rectification.Status.RETURNED,
    Rectification.Status.SUBMITTED,
    Rectification.Status.APPROVED,
)


def _may(user, action, obj) -> bool:
    return user is not None and may(user, action, obj)


def appraisal_next_step(
    appraisal: Appraisal, user=None, *, tally=None, rectification: Rectification | None = None
) -> NextStep:
    """The 下一步 line of an appraisal session. `tally` (selectors.appraisal_tally) and the rectification it opened
    may be given by the page; otherwise they are read."""
    manages = _may(user, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization)
    if appraisal.status == Appraisal.Status.OPEN:
        if tally is None:
            from .selectors import appraisal_tally

            tally = appraisal_tally(appraisal)
        minimum, have = tally.minimum, tally.participants
        if not appraisal.report_text:
            if manages:
                return NextStep(
                    f"请记录书记在评议会上的报告；有效票达到 {minimum} 张（现有 {have} 张）后结束评议、公布结果"
                )
            return NextStep(
                f"等待上级党委记录书记报告、收齐评议票（不少于 {minimum} 张，现有 {have} 张）后结束评议、公布结果"
            )
        if not tally.reaches_minimum:
            if manages:
                return NextStep(f"继续收集评议票，还差 {tally.missing} 张；达到 {minimum} 张后结束评议、公布结果")
            return NextStep(f"等待上级党委收齐评议票（还差 {tally.missing} 张）后结束评议、公布结果")
        attended = appraisal.attended_total
        if attended is not None and attended < minimum:
            if manages:
                return NextStep(f"登记的实到人数 {attended} 人少于 {minimum} 人，请核对实到人数后结束评议", urgent=True)
            return NextStep(f"等待上级党委核对实到人数（不少于 {minimum} 人）后结束评议、公布结果")
        if manages:
            return NextStep("有效票已达到最低人数，请结束评议、公布结果")
        return NextStep("等待上级党委结束评议、公布结果")

    if appraisal.passed is None:
        return NextStep("无需办理。评议已结束。")
    if appraisal.passed:
        if appraisal.rectification_id:
            return NextStep("无需办理。再次评议满意度达到90%，整改已销号。")
        return NextStep("无需办理。满意度达到90%，群众没有较大意见，无需整改。")
    if rectification is None:
        # A re-appraisal that fails sends its rectification back to work; a first one opens a rectification.
        if appraisal.rectification_id:
            rectification = appraisal.rectification
        else:
            rectification = Rectification.objects.filter(appraisal=appraisal).first()
    if rectification is None:
        return NextStep("须整改：等待上级党委启动整改", urgent=True)
    return rectification_next_step(rectification, user)


# The states in which one side works on the rectification: (the superior acts?, the line for the side that acts,
# the line for everyone else); {org} and {deadline} are filled in.
_WORK_STEPS = {
    Rectification.Status.OPEN: (
        False,
        "请向上级党委报送整改报告，写明整改目标、措施和时限{deadline}",
        "等待{org}向上级党委报送整改报告{deadline}",
    ),
    Rectification.Status.RETURNED: (
        False,
        "请按审批意见修改后重新报送整改报告{deadline}",
        "等待{org}按审批意见修改后重新报送整改报告{deadline}",
    ),
    Rectification.Status.SUBMITTED: (True, "请您审批{org}的整改报告{deadline}", "等待上级党委审批整改报告{deadline}"),
    Rectification.Status.APPROVED: (
        False,
        "请按整改方案整改，完成后报告整改完成{deadline}",
        "等待{org}按整改方案整改并报告整改完成{deadline}",
    ),
}


def rectification_next_step(
    rectification: Rectification,
    user=None,
    *,
    follow_ups: list[Appraisal] | None = None,
    today: datetime.date | None = None,
) -> NextStep:
    """The 下一步 line of a rectification: the organization reports, the superior approves, the organization
    rectifies and reports done, the superior holds a new appraisal; it closes when that one passes."""
    today = today or timezone.localdate()
    org = rectification.organization
    status = rectification.status
    S = Rectification.Status
    files = _may(user, EvaluationAction.FILE_RECTIFICATION, org)
    approves = _may(user, EvaluationAction.APPROVE_RECTIFICATION, org)
    deadline, late = "", False
    if rectification.deadline and status in _UNFINISHED:
        late = rectification.deadline < today
        deadline = f"（整改时限 {day(rectification.deadline)}{' 已过' if late else ''}）"

    if status in _WORK_STEPS:
        by_superior, to_actor, to_others = _WORK_STEPS[status]
        acts = approves if by_superior else files
        text = (to_actor if acts else to_others).format(org=org.name, deadline=deadline)
        return NextStep(text, urgent=late)
    if status == S.DONE:
        if follow_ups is None:
            follow_ups = list(rectification.follow_up_appraisals.all())
        if any(a.status == Appraisal.Status.OPEN for a in follow_ups):
            return NextStep("再次评议进行中，结束后满意度达到90%即整改销号")
        if approves:
            return NextStep("请组织再次评议，满意度达到90%即整改销号")
        return NextStep("等待上级党委组织再次评议，满意度达到90%即整改销号")
    closed = f"于 {day(timezone.localdate(rectification.closed_at))} " if rectification.closed_at else ""
    return NextStep(f"无需办理。再次评议满意度达到90%，整改已{closed}销号。")
