"""日常记实 (DESIGN §6, 篇六 “党员每月公开记实内容”): each member writes, each month, what he did for his post
and his pledge; his branch secretary may comment; the records are shown on the branch board. The secretary
sees who has not written this month's record yet.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from commitments.models import first_of_month
from commitments.notifications import notify
from organizations.errors import DomainError
from organizations.models import Member, User
from organizations.permissions import require

from ..models import MonthlyRecord
from ..permissions import EvaluationAction
from ..selectors import month_label

NOTIFY_RECORD_COMMENT = "record_comment"
NOTIFY_RECORD_DUE = "record_due"
TEXT_LIMIT = 3000
COMMENT_LIMIT = 500


@transaction.atomic
def monthly_record_save(
    *, member: Member, by: User, month: datetime.date, text: str, is_published: bool = True
) -> MonthlyRecord:
    """Write (or rewrite, until the secretary has commented) the member's own record of one month."""
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    require(by, EvaluationAction.WRITE_MONTHLY_RECORD, member)
    if not member.is_active:
        raise DomainError("您已不在册，不能填写每月记实。")
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise DomainError("只能填写本月或以前月份的记实。")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写本月的记实内容。")
    if len(text) > TEXT_LIMIT:
        raise DomainError(f"记实内容不能超过 {TEXT_LIMIT} 字。")
    record = MonthlyRecord.objects.select_for_update().filter(member=member, month=month).first()
    if record is not None:
        if record.comment:
            raise DomainError(f"{month_label(month)}的记实书记已经点评，不能再修改。")
        record.text = text
        record.is_published = is_published
        record.save(update_fields=["text", "is_published"])
        return record
    try:
        with transaction.atomic():
            return MonthlyRecord.objects.create(member=member, month=month, text=text, is_published=is_published)
    except IntegrityError:
        raise DomainError(f"{month_label(month)}的记实已经填写过了，请刷新页面后修改。") from None


@transaction.atomic
def monthly_record_comment(*, record: MonthlyRecord, by: User, comment: str) -> MonthlyRecord:
    """The branch secretary's comment on a member's monthly record."""
    record = (
        MonthlyRecord.objects.select_for_update(of=("self",))
        .select_related("member__organization", "member__user")
        .get(pk=record.pk)
    )
    require(by, EvaluationAction.COMMENT_MONTHLY_RECORD, record.member)
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("请填写点评内容。")
    if len(comment) > COMMENT_LIMIT:
        raise DomainError(f"点评不能超过 {COMMENT_LIMIT} 字。")
    record.comment = comment
    record.commented_by = by
    record.save(update_fields=["comment", "commented_by"])
    if record.member.user_id:
        notify(
            [record.member.user_id],
            kind=NOTIFY_RECORD_COMMENT,
            text=f"书记点评了您{month_label(record.month)}的记实：{comment[:60]}",
            url=reverse("evaluations:record_mine"),
            key=f"record_comment:{record.pk}:{timezone.now().timestamp()}",
        )
    return record


# --- scheduled job ---------------------------------------------------------------------------------------


def remind_monthly_records(*, today: datetime.date | None = None) -> int:
    """Remind every member with an account who has not written this month's record yet; each member once a
    month however often it runs (meant for the last days of the month). Returns how many were reminded."""
    today = today or timezone.localdate()
    month = first_of_month(today)
    written = MonthlyRecord.objects.filter(member=OuterRef("pk"), month=month)
    user_ids = list(
        Member.objects.filter(is_active=True, is_exempt=False, user__isnull=False, user__is_active=True)
        .exclude(Exists(written))
        .values_list("user_id", flat=True)
    )
    notify(
        user_ids,
        kind=NOTIFY_RECORD_DUE,
        text=f"请填写{month_label(month)}的每月记实，如实记录本月履职践诺情况。",
        url=reverse("evaluations:record_mine"),
        key=f"record_due:{month:%Y-%m}",
    )
    return len(user_ids)
