"""群众评议 and 整改 (DESIGN §6; 篇六 “着力抓好群众评议”).

Every half-year a superior committee holds an appraisal meeting of an organization: at least 30 participants
(20 for 非公有制经济组织 and 社会组织) judge its pledge fulfilment as 满意 / 基本满意 / 不满意, by one-time codes
voted on a phone or by paper forms counted afterwards. Closing the session computes the satisfaction and
publishes it; below 90%, or with 意见较大 (a share of 不满意 above the campaign's threshold), the organization
must rectify: it reports problems, targets, measures and a deadline
to the superior, who approves or returns the report; when the work is done a new appraisal is held, and only
a passing one closes the rectification.

Participants (篇六): the session records, group by group, how many were planned and how many came. The planned
total below the sector's minimum refuses to open the session; the recorded attendance below it refuses to close
it; attendance not recorded is shown as a warning (the valid ballots, which must reach the minimum anyway, are
then the only count of who took part). The secretary's 述诺 report (“党组织书记要报告……”) must be on record
before the session can close.

Window units (篇五 “三亮三创三评”) also hold, once a year, an appraisal by their 服务对象 with the same codes,
paper forms, minimum and results: `kind=Appraisal.Kind.WINDOW`.

Each function is one action: it locks the row it changes, asks the permission module, changes, and queues
notifications for after commit. `ballot_cast` is the one public action: it needs no login, only a valid code.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from commitments.models import Campaign, Notification, Pledge
from commitments.notifications import notify
from commitments.services import campaign_for
from organizations.audit import stamp
from organizations.errors import DomainError
from organizations.models import Organization, User
from organizations.permissions import require
from organizations.transitions import check, take

from ..models import (
    Appraisal,
    Ballot,
    BallotCode,
    LeaderReview,
    PaperTally,
    Rectification,
    new_ballot_code,
    participant_minimum,
)
from ..permissions import EvaluationAction
from ..selectors import (
    DEFAULT_UNSATISFIED_THRESHOLD,
    UNFINISHED,
    BallotRefused,
    appraisal_tally,
    ballot_code_lookup,
    campaign_weights,
    rectification_org_users,
    rectification_superior_users,
    satisfaction_text,
)

PLANNED_FIELDS = tuple(f"planned_{name}" for name, _ in Appraisal.GROUPS)
MAX_CODES_PER_BATCH = 500
MAX_CODES_PER_APPRAISAL = 2000
REASON_MAX_LENGTH = 500
PUBLIC_PLEDGE_STATUSES = (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)


# --- 群众评议 -----------------------------------------------------------------------------------------------


def _lock_appraisal(appraisal: Appraisal) -> Appraisal:
    return (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("organization", "campaign")
        .get(pk=appraisal.pk)
    )


def _require_open(appraisal: Appraisal, doing: str) -> None:
    if appraisal.status != Appraisal.Status.OPEN:
        raise DomainError(f"该群众评议已经结束，不能再{doing}。")


@transaction.atomic
def appraisal_open(
    *,
    organization: Organization,
    by: User,
    year: int,
    half: int,
    held_on: datetime.date,
    place: str,
    report_text: str = "",
    planned_superior_leaders: int = 0,
    planned_own_leaders: int = 0,
    planned_deputies: int = 0,
    planned_cadres: int = 0,
    planned_masses: int = 0,
    planned_service_users: int = 0,
    member_pledges=(),
    rectification: Rectification | None = None,
    kind: str = Appraisal.Kind.HALF_YEARLY,
) -> Appraisal:
    """A superior committee opens an appraisal session of `organization` (with `rectification`: the new session
    after the rectification was done). Member pledges, when given, are also appraised one by one.

    `kind=Appraisal.Kind.WINDOW`: the yearly appraisal of a window unit by its 服务对象 (篇五); `half` is then
    ignored and the session covers the whole year."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    require(by, EvaluationAction.MANAGE_APPRAISAL, organization)
    if not organization.is_active:
        raise DomainError("该党组织已停用，不能组织群众评议。")
    if kind not in Appraisal.Kind.values:
        raise DomainError("请选择评议类别。")
    window = kind == Appraisal.Kind.WINDOW
    if window:
        if not organization.is_window_unit:
            raise DomainError(f"“{organization.name}”不是窗口单位，不能组织窗口服务对象测评。")
        half = Appraisal.FULL_YEAR
        if planned_service_users < 1:
            raise DomainError("窗口服务对象测评由服务对象评议，请填写参加评议的服务对象人数。")
    elif half not in (1, 2):
        raise ValidationError({"half": "请选择上半年或下半年。"})
    if rectification is not None:
        rectification = Rectification.objects.select_for_update(of=("self",)).get(pk=rectification.pk)
        if rectification.organization_id != organization.pk:
            raise DomainError("再次评议须针对整改的党组织本身。")
        if rectification.status != Rectification.Status.DONE:
            raise DomainError(f"整改当前为“{rectification.get_status_display()}”，整改完成后才能组织再次评议。")
    running = Appraisal.objects.filter(organization=organization, status=Appraisal.Status.OPEN).first()
    if running is not None:
        raise DomainError(
            f"“{organization.name}”还有一场正在进行的群众评议（{running.held_on:%Y年%-m月%-d日}），请先结束它。"
        )
    if (
        rectification is None
        and Appraisal.objects.filter(
            organization=organization, kind=kind, year=year, half=half, rectification__isnull=True
        ).exists()
    ):
        if window:
            raise DomainError(f"“{organization.name}”{year}年已经组织过窗口服务对象测评，每年一次。")
        label = "上半年" if half == 1 else "下半年"
        raise DomainError(f"“{organization.name}”{year}年{label}已经组织过群众评议；整改后的再次评议请从整改页面发起。")
    planned = {
        "planned_superior_leaders": planned_superior_leaders,
        "planned_own_leaders": planned_own_leaders,
        "planned_deputies": planned_deputies,
        "planned_cadres": planned_cadres,
        "planned_masses": planned_masses,
        "planned_service_users": planned_service_users,
    }
    appraisal = Appraisal(
        kind=kind,
        organization=organization,
        campaign=campaign_for(organization),
        year=year,
        half=half,
        held_on=held_on,
        place=(place or "").strip(),
        report_text=(report_text or "").strip(),
        rectification=rectification,
        created_by=by,
        **planned,
    )
    appraisal.full_clean(exclude=["organization", "campaign", "created_by", "rectification"])
    if year and not 2000 <= year <= 2100:
        raise ValidationError({"year": "请填写正确的年度。"})
    minimum = participant_minimum(organization)
    if appraisal.planned_total < minimum:
        raise DomainError(
            f"计划参加评议的人数合计 {appraisal.planned_total} 人，"
            f"{organization.get_sector_display()}领域的党组织群众评议不少于 {minimum} 人，请补足各方面代表。"
        )
    pledges = _member_questions(organization, appraisal.campaign, member_pledges)
    appraisal.save()
    if pledges:
        appraisal.member_questions.set(pledges)
    return appraisal


def _member_questions(organization: Organization, campaign: Campaign | None, member_pledges) -> list[Pledge]:
    ids = {p.pk if isinstance(p, Pledge) else int(p) for p in member_pledges}
    if not ids:
        return []
    found = list(
        Pledge.objects.filter(
            pk__in=ids,
            organization=organization,
            member__isnull=False,
            is_current=True,
            status__in=PUBLIC_PLEDGE_STATUSES,
            campaign=campaign,
        )
    )
    if len(found) != len(ids):
        raise DomainError("逐人测评只能选择本组织本批次已公示的党员承诺。")
    return found


@transaction.atomic
def appraisal_generate_codes(*, appraisal: Appraisal, by: User, count: int) -> list[BallotCode]:
    """Make `count` new one-time codes for the session (to be printed as slips)."""
    appraisal = _lock_appraisal(appraisal)
    require(by, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization)
    _require_open(appraisal, "生成票码")
    if not isinstance(count, int) or not 1 <= count <= MAX_CODES_PER_BATCH:
        raise DomainError(f"每次可生成 1 到 {MAX_CODES_PER_BATCH} 个票码。")
    existing = appraisal.codes.count()
    if existing + count > MAX_CODES_PER_APPRAISAL:
        raise DomainError(f"一场评议最多 {MAX_CODES_PER_APPRAISAL} 个票码，已有 {existing} 个。")
    for _attempt in range(3):
        codes = {new_ballot_code() for _ in range(count)}
        while len(codes) < count:
            codes.add(new_ballot_code())
        try:
            with transaction.atomic():
                return BallotCode.objects.bulk_create([BallotCode(appraisal=appraisal, code=c) for c in sorted(codes)])
        except IntegrityError:
            # 80 random bits per code: a clash with an existing code is all but impossible; draw again if it happens.
            continue
    raise DomainError("生成票码失败，请重试。")


def _appraisal_status_for_vote(appraisal_id: int) -> str | None:
    """The session's status, read so that it cannot be closed until this vote commits.

    On PostgreSQL a FOR SHARE row lock: voters do not wait for each other, but `appraisal_close` (FOR UPDATE)
    waits for the votes in flight, and a vote that comes after the close sees it closed. SQLite runs one
    writing transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {Appraisal._meta.db_table} WHERE id = %s FOR SHARE", [appraisal_id])
            row = cursor.fetchone()
        return row[0] if row else None
    return Appraisal.objects.filter(pk=appraisal_id).values_list("status", flat=True).first()


def _clean_choices(appraisal: Appraisal, choices: dict) -> tuple[str, str, dict[int, str]]:
    valid = set(Ballot.Choice.values)
    overall = (choices or {}).get("overall") or ""
    if overall not in valid:
        raise DomainError("请选择您对党组织践诺情况的总体评价：满意、基本满意或不满意。")
    reason = ((choices or {}).get("reason") or "").strip()
    if overall != Ballot.Choice.UNSATISFIED:
        reason = ""
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(f"不满意的原因最多 {REASON_MAX_LENGTH} 字，请精简后再提交。")
    asked = set(appraisal.member_questions.values_list("pk", flat=True))
    per_pledge = {}
    for raw_id, choice in ((choices or {}).get("pledges") or {}).items():
        if not choice:
            continue  # a member's question left unanswered
        try:
            pledge_id = int(raw_id)
        except (TypeError, ValueError):
            pledge_id = None
        if pledge_id not in asked:
            raise DomainError("测评的党员不在本次评议之列，请刷新页面后重试。")
        if choice not in valid:
            raise DomainError("对党员的评价只能是满意、基本满意或不满意。")
        per_pledge[pledge_id] = choice
    return overall, reason, per_pledge


def ballot_cast(*, code: str, choices: dict) -> BallotCode:
    """A participant votes with a one-time code (public, no login).

    `choices` = {"overall": "satisfied" | "basically" | "unsatisfied", "reason": "…" (kept only with
    不满意), "pledges": {pledge id: choice, …} (optional, only the member questions of this session)}.

    The code is marked used by a conditional UPDATE (only where it is still unused) inside the transaction
    that writes the ballots, so of several submissions with one code exactly one succeeds; the unique
    constraints on Ballot are the second line of defence.
    """
    found = ballot_code_lookup(code)
    appraisal = found.appraisal
    overall, reason, per_pledge = _clean_choices(appraisal, choices)
    with transaction.atomic():
        if _appraisal_status_for_vote(appraisal.pk) != Appraisal.Status.OPEN:
            raise BallotRefused(BallotRefused.CLOSED, appraisal)
        now = timezone.now()
        if BallotCode.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now) != 1:
            raise BallotRefused(BallotRefused.USED, appraisal)
        ballots = [Ballot(appraisal=appraisal, code=found, choice=overall, reason=reason, created_at=now)]
        ballots += [
            Ballot(appraisal=appraisal, code=found, pledge_id=pledge_id, choice=choice, created_at=now)
            for pledge_id, choice in sorted(per_pledge.items())
        ]
        try:
            with transaction.atomic():
                Ballot.objects.bulk_create(ballots)
        except IntegrityError:
            raise BallotRefused(BallotRefused.USED, appraisal) from None
    found.used_at = now
    return found


def _count(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(f"{label}应填写不小于 0 的整数。")
    return value


@transaction.atomic
def paper_tally_enter(
    *,
    appraisal: Appraisal,
    by: User,
    satisfied: int,
    basically_satisfied: int,
    unsatisfied: int,
    valid_forms: int,
    invalid_forms: int,
    pledge: Pledge | None = None,
) -> PaperTally:
    """Enter (or correct) the counts from the paper forms, overall or for one member's pledge."""
    appraisal = _lock_appraisal(appraisal)
    require(by, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization)
    _require_open(appraisal, "录入纸质测评表")
    counts = {
        "satisfied": _count(satisfied, "“满意”票数"),
        "basically_satisfied": _count(basically_satisfied, "“基本满意”票数"),
        "unsatisfied": _count(unsatisfied, "“不满意”票数"),
        "valid_forms": _count(valid_forms, "有效表数"),
        "invalid_forms": _count(invalid_forms, "无效表数"),
    }
    votes = counts["satisfied"] + counts["basically_satisfied"] + counts["unsatisfied"]
    if votes != counts["valid_forms"]:
        raise DomainError(f"满意、基本满意、不满意的票数之和（{votes}）应等于有效表数（{counts['valid_forms']}）。")
    if counts["valid_forms"] + counts["invalid_forms"] == 0:
        raise DomainError("请填写收回的测评表数量。")
    if pledge is not None and not appraisal.member_questions.filter(pk=pledge.pk).exists():
        raise DomainError("该党员的承诺不在本次逐人测评之列。")
    tally, _ = PaperTally.objects.update_or_create(
        appraisal=appraisal,
        pledge=pledge,
        defaults={**counts, "entered_by": by, "entered_at": timezone.now()},
    )
    return tally


ATTENDED_FIELDS = tuple(f"attended_{name}" for name, _ in Appraisal.GROUPS)


@transaction.atomic
def appraisal_record_attendance(*, appraisal: Appraisal, by: User, **attended: int) -> Appraisal:
    """Record how many of each group came (篇六's groups, and 服务对象), while the session is open."""
    appraisal = _lock_appraisal(appraisal)
    require(by, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization)
    _require_open(appraisal, "登记实到人数")
    unknown = set(attended) - set(ATTENDED_FIELDS)
    if unknown:
        raise DomainError("参加评议人员的类别不对。")
    labels = {f"attended_{name}": label for name, label in Appraisal.GROUPS}
    values = {name: _count(attended.get(name) or 0, f"{labels[name]}实到人数") for name in ATTENDED_FIELDS}
    if sum(values.values()) == 0:
        raise DomainError("请填写各方面实到的人数。")
    for name, value in values.items():
        setattr(appraisal, name, value)
    stamp(appraisal, by, "登记实到人数")
    appraisal.save(update_fields=list(ATTENDED_FIELDS))
    return appraisal


def _report_missing() -> str:
    return "书记尚未报告践诺情况：请先在评议页面填写党组织书记在评议会上所作的报告，再结束评议。"


@transaction.atomic
def appraisal_record_report(*, appraisal: Appraisal, by: User, report_text: str) -> Appraisal:
    """Put the secretary's 述诺 report on record (篇六 “党组织书记要报告……”), while the session is open."""
    appraisal = _lock_appraisal(appraisal)
    require(by, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization)
    _require_open(appraisal, "修改书记报告")
    text = (report_text or "").strip()
    if not text:
        raise DomainError("请填写书记报告。")
    if len(text) > 5000:
        raise DomainError("书记报告最多 5000 字。")
    appraisal.report_text = text
    stamp(appraisal, by, "记录书记报告")
    appraisal.save(update_fields=["report_text"])
    return appraisal


@transaction.atomic
def appraisal_close(*, appraisal: Appraisal, by: User) -> Appraisal:
    """End the session: count, publish the result, and open a rectification when the satisfaction is below 90%
    or 不满意 exceeds the campaign's 意见较大 share (篇六 “凡群众评议意见较大、满意度低于90%的党组织”).

    The secretary's report must be on record (a condition of the transition), and recorded attendance must
    reach the sector's minimum. The weights and the threshold used are kept with the result.

    A session held after a rectification closes that rectification when it passes; when it fails again the
    rectification goes back to 整改中 with a note, and the organization rectifies and reports done again (no
    second rectification is opened for the same problem).
    """
    appraisal = _lock_appraisal(appraisal)
    require(by, EvaluationAction.MANAGE_APPRAISAL, appraisal.organization)
    check(appraisal, "close", by, refused="该群众评议已经结束。", blocked=_report_missing)
    tally = appraisal_tally(appraisal)
    overall = tally.overall
    organization = appraisal.organization
    if overall.valid < tally.minimum:
        raise DomainError(
            f"目前有效票 {overall.valid} 张，{organization.get_sector_display()}领域党组织的群众评议"
            f"参加人数不少于 {tally.minimum} 人，还差 {tally.minimum - overall.valid} 人，暂不能结束评议。"
        )
    attended = appraisal.attended_total
    if attended is not None and attended < tally.minimum:
        raise DomainError(
            f"登记的实到人数合计 {attended} 人，{organization.get_sector_display()}领域党组织的群众评议"
            f"参加人数不少于 {tally.minimum} 人（篇六），请核对实到人数后再结束评议。"
        )
    weights = campaign_weights(appraisal.campaign)
    threshold = appraisal.campaign.unsatisfied_threshold if appraisal.campaign else DEFAULT_UNSATISFIED_THRESHOLD
    appraisal.computed_with = {
        "satisfied": str(weights[0]),
        "basically": str(weights[1]),
        "unsatisfied": str(weights[2]),
        "unsatisfied_threshold": str(threshold),
    }
    appraisal.valid_ballots = overall.valid
    appraisal.invalid_ballots = overall.paper_invalid
    appraisal.satisfied = overall.satisfied
    appraisal.basically_satisfied = overall.basically
    appraisal.unsatisfied = overall.unsatisfied
    appraisal.satisfaction = overall.satisfaction
    appraisal.is_published = True
    reasons = appraisal.rectification_reasons()
    comment = f"满意度 {satisfaction_text(overall.satisfaction)}" + (f"；{'；'.join(reasons)}" if reasons else "")
    take(appraisal, "close", by, comment=comment, blocked=_report_missing)
    appraisal.save()
    passed = not reasons
    if appraisal.rectification_id:
        _settle_rectification(appraisal, passed, by)
    elif not passed:
        rectification = Rectification(
            organization=organization, source=Rectification.Source.APPRAISAL, appraisal=appraisal
        )
        stamp(rectification, by, "启动整改", "；".join(reasons))
        rectification.save()
    return appraisal


def _settle_rectification(appraisal: Appraisal, passed: bool, by: User) -> None:
    rectification = Rectification.objects.select_for_update(of=("self",)).get(pk=appraisal.rectification_id)
    if rectification.status != Rectification.Status.DONE:
        return  # settled some other way meanwhile; the session's own result stands
    text = satisfaction_text(appraisal.satisfaction)
    held = f"{appraisal.held_on:%Y年%-m月%-d日}再次评议满意度为 {text}"
    if passed:
        take(rectification, "close", by, comment=f"{held}。")
        rectification.save(update_fields=["status", "closed_at"])
        return
    why = ["仍低于90%"] if appraisal.below_threshold else []
    if appraisal.strong_objection:
        why.append(appraisal.rectification_reasons()[-1])
    note = f"{held}，{'；'.join(why)}，请继续整改后再报整改完成。"
    comment = f"{rectification.review_comment}\n{note}".strip()
    rectification.review_comment = comment[-1000:]
    take(rectification, "reopen", by, comment=note)
    rectification.save(update_fields=["review_comment", "status", "done_at", "overdue_notified_at"])


# --- 整改 --------------------------------------------------------------------------------------------------


def _lock_rectification(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("organization", "member__user")
        .get(pk=rectification.pk)
    )


def _status_refusal(rectification: Rectification, doing: str) -> str:
    return f"整改当前为“{rectification.get_status_display()}”，不能{doing}。可能已被他人处理，请刷新页面。"


@transaction.atomic
def rectification_submit(
    *, rectification: Rectification, by: User, problems: str, targets: str, measures: str, deadline: datetime.date
) -> Rectification:
    """The organization reports its self-check: problems found, targets, measures and deadline."""
    rectification = _lock_rectification(rectification)
    require(by, EvaluationAction.FILE_RECTIFICATION, rectification.organization)
    check(rectification, "submit", by, refused=_status_refusal(rectification, "报送整改报告"))
    fields = {"problems": problems, "targets": targets, "measures": measures}
    labels = {"problems": "查摆的问题", "targets": "整改目标", "measures": "整改措施"}
    errors = {}
    for name, value in fields.items():
        fields[name] = (value or "").strip()
        if not fields[name]:
            errors[name] = f"请填写{labels[name]}。"
        elif len(fields[name]) > 3000:
            errors[name] = f"{labels[name]}最多 3000 字。"
    if not deadline:
        errors["deadline"] = "请填写整改时限。"
    elif deadline < timezone.localdate():
        errors["deadline"] = "整改时限不能早于今天。"
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(rectification, name, value)
    rectification.deadline = deadline
    take(rectification, "submit", by)
    rectification.save()
    return rectification


@transaction.atomic
def rectification_return(*, rectification: Rectification, by: User, comment: str) -> Rectification:
    rectification = _lock_rectification(rectification)
    require(by, EvaluationAction.APPROVE_RECTIFICATION, rectification.organization)
    check(rectification, "return_for_changes", by, refused=_status_refusal(rectification, "退回"))
    if not (comment or "").strip():
        raise DomainError("退回时请填写审批意见，说明需要怎样修改。")
    take(rectification, "return_for_changes", by, comment=comment.strip()[:1000])
    rectification.review_comment = comment.strip()[:1000]
    rectification.save(update_fields=["status", "review_comment"])
    return rectification


@transaction.atomic
def rectification_approve(*, rectification: Rectification, by: User, comment: str = "") -> Rectification:
    rectification = _lock_rectification(rectification)
    require(by, EvaluationAction.APPROVE_RECTIFICATION, rectification.organization)
    take(
        rectification,
        "approve",
        by,
        comment=(comment or "").strip()[:1000],
        refused=_status_refusal(rectification, "批准"),
    )
    rectification.review_comment = (comment or "").strip()[:1000]
    rectification.approved_by = by
    rectification.save(update_fields=["status", "review_comment", "approved_at", "approved_by"])
    return rectification


@transaction.atomic
def rectification_mark_done(*, rectification: Rectification, by: User, evidence: str) -> Rectification:
    """The organization reports the work done; the superior then holds a new appraisal."""
    rectification = _lock_rectification(rectification)
    require(by, EvaluationAction.FILE_RECTIFICATION, rectification.organization)
    check(rectification, "mark_done", by, refused=_status_refusal(rectification, "报告整改完成"))
    evidence = (evidence or "").strip()
    if not evidence:
        raise DomainError("请填写整改完成情况。")
    if len(evidence) > 3000:
        raise DomainError("整改完成情况最多 3000 字。")
    take(rectification, "mark_done", by)
    rectification.evidence = evidence
    rectification.save(update_fields=["status", "evidence", "done_at"])
    return rectification


@transaction.atomic
def rectification_open_from_review(leader_review: LeaderReview) -> Rectification | None:
    """A leader review that requires rectification opens one (once); called by the service that saved it."""
    if not leader_review.requires_rectification:
        return None
    existing = Rectification.objects.filter(leader_review=leader_review).first()
    if existing is not None:
        return existing
    if leader_review.member_id:
        organization, member = leader_review.member.organization, leader_review.member
    else:
        organization, member = leader_review.organization, None
    rectification = Rectification(
        organization=organization,
        member=member,
        source=Rectification.Source.LEADER_REVIEW,
        leader_review=leader_review,
        deadline=leader_review.rectify_by,
    )
    stamp(rectification, leader_review.reviewer, "启动整改", Rectification.Source.LEADER_REVIEW.label)
    rectification.save()
    return rectification


@transaction.atomic
def rectification_open_for_unfulfilled(pledge: Pledge) -> Rectification:
    """一诺一评: a pledge with items not fulfilled at campaign end opens a rectification (once per pledge)."""
    existing = Rectification.objects.filter(pledge=pledge, source=Rectification.Source.UNFULFILLED).first()
    if existing is not None:
        return existing
    rectification = Rectification(
        organization=pledge.organization if pledge.member_id else pledge.pledger_organization,
        member=pledge.member if pledge.member_id else None,
        source=Rectification.Source.UNFULFILLED,
        pledge=pledge,
    )
    stamp(rectification, None, "启动整改", Rectification.Source.UNFULFILLED.label)
    rectification.save()
    return rectification


def rectification_notify_overdue(today: datetime.date | None = None) -> int:
    """Daily: a rectification past its deadline and not reported done tells both sides, once."""
    today = today or timezone.localdate()
    due = Rectification.objects.filter(
        status__in=UNFINISHED, deadline__lt=today, overdue_notified_at__isnull=True
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            rectification = _lock_rectification(Rectification(pk=pk))
            if (
                rectification.status not in UNFINISHED
                or rectification.overdue_notified_at is not None
                or not rectification.deadline
                or rectification.deadline >= today
            ):
                continue
            rectification.overdue_notified_at = timezone.now()
            rectification.save(update_fields=["overdue_notified_at"])
            who = rectification.organization.name
            if rectification.member_id:
                who += f"（{rectification.member.name}）"
            notify(
                rectification_org_users(rectification) + rectification_superior_users(rectification.organization),
                kind=Notification.Kind.OVERDUE,
                text=f"整改已超过时限（{rectification.deadline:%Y年%-m月%-d日}）仍未完成：{who}",
                url=reverse("evaluations:rectification_detail", args=[rectification.pk]),
                key=f"rectification_overdue:{rectification.pk}:{rectification.deadline:%Y%m%d}",
            )
            sent += 1
    return sent
