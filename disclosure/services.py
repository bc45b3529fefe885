"""三公开: public supervision from the boards and the board settings (DESIGN §5).

Public submissions come without a login; everything else is an action of a signed-in person, checked by the
permission module like every other service.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from commitments.models import Campaign, Notification, Opinion, PledgeItem
from commitments.notifications import notify
from commitments.permissions import PledgeAction
from commitments.services import campaign_for
from organizations.errors import DomainError
from organizations.models import Organization, OrganizationUserObjectPermission, User
from organizations.permissions import ROLE_CODENAMES, OrgAction, Role, require
from organizations.validators import validate_phone

from .models import BoardSetting, SupervisionReport
from .permissions import DisclosureAction
from .selectors import PUBLIC_STATUSES

ANSWER_DAYS = getattr(settings, "SUPERVISION_ANSWER_DAYS", 7)
RATE_PER_ADDRESS = (5, 60 * 60)  # at most 5 submissions an hour from one address
RATE_PER_BOARD = (30, 60 * 60)  # and 30 an hour to one board


class RateLimited(DomainError):
    pass


def answer_due(received_on: datetime.date) -> datetime.date:
    """The answer deadline: ANSWER_DAYS after the day the report reached the organization, whatever the channel."""
    return received_on + datetime.timedelta(days=ANSWER_DAYS)


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one hit; False when the limit of the window is already reached."""
    if cache.add(key, 1, window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        return True
    return count <= limit


def _officers(org: Organization, roles) -> list[User]:
    codenames = [ROLE_CODENAMES[r] for r in roles]
    return list(
        User.objects.filter(
            pk__in=OrganizationUserObjectPermission.objects.filter(
                content_object=org, permission__codename__in=codenames
            ).values("user_id"),
            is_active=True,
        )
    )


def _checked(*, organization: Organization, text: str, name: str, phone: str, item: PledgeItem | None):
    """The checks every report passes, from the board or logged by the clerk; returns the cleaned texts."""
    text = (text or "").strip()
    if not organization.is_active:
        raise DomainError("该党组织已停用。")
    if len(text) < 5:
        raise DomainError("请把意见写清楚一些（至少 5 个字）。")
    if len(text) > 1000:
        raise DomainError("内容不能超过 1000 字。")
    name, phone = (name or "").strip()[:30], (phone or "").strip()
    if phone:
        try:
            validate_phone(phone)
        except Exception:
            raise DomainError("联系电话格式不正确。") from None
    if item is not None and (
        item.pledge.status not in PUBLIC_STATUSES
        or not item.pledge.is_current
        or organization.pk not in (item.pledge.organization_id, item.pledge.pledger_organization_id)
    ):
        raise DomainError("只能对本公开栏上公示的承诺事项提出监督意见。")
    return text, name, phone


@transaction.atomic
def supervision_submit(
    *,
    organization: Organization,
    text: str,
    address: str,
    kind: str = SupervisionReport.Kind.SUPERVISION,
    item: PledgeItem | None = None,
    name: str = "",
    phone: str = "",
) -> SupervisionReport:
    """A member of the public sends an opinion or a supervision report from a board."""
    text, name, phone = _checked(organization=organization, text=text, name=name, phone=phone, item=item)
    if not _hit(f"supervision:address:{address}", *RATE_PER_ADDRESS):
        raise RateLimited("提交太频繁了，请过一段时间再试。")
    # Past the board's hourly threshold a flood is likely: accept, but hold for the clerk to sort out.
    held = not _hit(f"supervision:board:{organization.pk}", *RATE_PER_BOARD)
    report = SupervisionReport(
        organization=organization,
        item=item,
        kind=kind,
        text=text,
        name=name,
        phone=phone,
        received_on=timezone.localdate(),
        due_on=answer_due(timezone.localdate()),
        held_at=timezone.now() if held else None,
    )
    if held:
        report.save()
        hour = timezone.localtime().strftime("%Y%m%d%H")
        notify(
            _officers(organization, (Role.CLERK, Role.SECRETARY)),
            kind=Notification.Kind.SUPERVISION_NEW,
            text="公开栏短时间内收到大量留言，已暂存待甄别，请核对后确认有效的留言。",
            url=f"/orgs/{organization.code}/supervision/?status=held",
            key=f"supervision_held:{organization.pk}:{hour}",
        )
        return report
    _accept(report)
    return report


@transaction.atomic
def supervision_log(
    *,
    organization: Organization,
    by: User,
    channel: str,
    received_on: datetime.date,
    text: str,
    kind: str = SupervisionReport.Kind.SUPERVISION,
    item: PledgeItem | None = None,
    name: str = "",
    phone: str = "",
) -> SupervisionReport:
    """The clerk logs a complaint received by phone, in the 意见箱, by letter or by SMS into the inbox.

    It is then one report like those from the board: a tracking number to pass on to the complainant, the answer
    due ANSWER_DAYS after the day it was received, the answer published without the complainant's name or phone,
    and the superior told when it is overdue.
    """
    require(by, DisclosureAction.LOG_SUPERVISION, organization)
    if channel not in SupervisionReport.OFFLINE_CHANNELS:
        raise DomainError("请选择收到的渠道：电话、意见箱、来信或短信。")
    if kind not in SupervisionReport.Kind.values:
        raise DomainError("请选择类型。")
    today = timezone.localdate()
    if received_on is None or received_on > today:
        raise DomainError("收到日期不能晚于今天。")
    if received_on < today - datetime.timedelta(days=366):
        raise DomainError("收到日期不能早于一年以前。")
    text, name, phone = _checked(organization=organization, text=text, name=name, phone=phone, item=item)
    report = SupervisionReport(
        organization=organization,
        item=item,
        kind=kind,
        channel=channel,
        received_on=received_on,
        text=text,
        name=name,
        phone=phone,
        logged_by=by,
        due_on=answer_due(received_on),
    )
    _accept(report)
    return report


# An opinion joins the 调研提诺 inbox under its channel where Opinion has the same one. Opinion has no 电话, 来信
# or 短信 yet: those are filed under 调研走访 and their text says how they came.
_OPINION_CHANNEL = {
    SupervisionReport.Channel.ONLINE: Opinion.Channel.ONLINE,
    SupervisionReport.Channel.BOX: Opinion.Channel.BOX,
    SupervisionReport.Channel.PHONE: Opinion.Channel.PHONE,
    SupervisionReport.Channel.LETTER: Opinion.Channel.LETTER,
    SupervisionReport.Channel.SMS: Opinion.Channel.SMS,
}


def _opinion_text(report: SupervisionReport) -> str:
    if report.channel in _OPINION_CHANNEL:
        return report.text
    return f"（{report.get_channel_display()}反映）{report.text}"


def _accept(report: SupervisionReport) -> None:
    """Save a report as one to answer: it joins the 调研提诺 inbox if it is an opinion; the officers are told."""
    organization = report.organization
    campaign = campaign_for(organization)
    if report.kind == SupervisionReport.Kind.OPINION and campaign is not None and report.opinion_id is None:
        # An opinion from the public joins the organization's 调研提诺 inbox like any other.
        report.opinion = Opinion.objects.create(
            organization=organization,
            campaign=campaign,
            channel=_OPINION_CHANNEL.get(report.channel, Opinion.Channel.VISIT),
            source_group=Opinion.SourceGroup.MASSES,
            received_on=report.received_on,
            text=_opinion_text(report),
            created_by=report.logged_by or _system_user(),
        )
    report.save()
    notify(
        _officers(organization, (Role.CLERK, Role.SECRETARY)),
        kind=Notification.Kind.SUPERVISION_NEW,
        text=(
            f"公开栏收到一条{report.get_kind_display()}，请在 {report.due_on:%-m月%-d日} 前答复。"
            if not report.is_offline
            else f"已登记一条{report.get_channel_display()}收到的{report.get_kind_display()}"
            f"（{report.tracking_number}），请在 {report.due_on:%-m月%-d日} 前答复。"
        ),
        url=f"/orgs/{organization.code}/supervision/",
        key=f"supervision_new:{report.pk}",
    )


@transaction.atomic
def supervision_release(*, report: SupervisionReport, by: User) -> SupervisionReport:
    """A held report is genuine: it is answered like any other, its deadline counted from now."""
    report = SupervisionReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    require(by, PledgeAction.MANAGE_OPINIONS, report.organization)
    if not report.is_held or report.is_discarded:
        raise DomainError("这条留言不在待甄别之列。")
    report.held_at = None
    report.due_on = answer_due(timezone.localdate())
    _accept(report)
    return report


@transaction.atomic
def supervision_discard(*, report: SupervisionReport, by: User) -> SupervisionReport:
    """A held report is part of a flood (无效信息): it is kept for the record but never answered or published."""
    report = SupervisionReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    require(by, PledgeAction.MANAGE_OPINIONS, report.organization)
    if not report.is_held or report.is_discarded:
        raise DomainError("只有待甄别的留言可以作废。")
    report.discarded_at = timezone.now()
    report.discarded_by = by
    report.save(update_fields=["discarded_at", "discarded_by"])
    return report


def _system_user() -> User:
    user, _ = User.objects.get_or_create(
        username="system", defaults={"full_name": "公开栏（系统）", "is_active": False}
    )
    return user


@transaction.atomic
def supervision_answer(*, report: SupervisionReport, by: User, answer: str) -> SupervisionReport:
    report = SupervisionReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    require(by, PledgeAction.MANAGE_OPINIONS, report.organization)
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("请填写答复内容。")
    if report.is_answered:
        raise DomainError("这条意见已经答复过了。")
    if report.is_discarded:
        raise DomainError("这条留言已作为无效信息作废，不能答复。")
    report.answer = answer[:2000]
    report.answered_at = timezone.now()
    report.answered_by = by
    report.held_at = None  # answering it says it is genuine
    report.save(update_fields=["answer", "answered_at", "answered_by", "held_at"])
    return report


def flag_overdue_reports(*, today: datetime.date | None = None) -> int:
    """Tell the superior organization about reports not answered in time (once per report)."""
    today = today or timezone.localdate()
    flagged = 0
    for report in SupervisionReport.objects.filter(
        answered_at__isnull=True,
        flagged_at__isnull=True,
        held_at__isnull=True,
        discarded_at__isnull=True,
        due_on__lt=today,
    ).select_related("organization"):
        with transaction.atomic():
            updated = SupervisionReport.objects.filter(pk=report.pk, flagged_at__isnull=True).update(
                flagged_at=timezone.now()
            )
            if not updated:
                continue
            parent = Organization.objects.get_parent(report.organization)
            recipients = _officers(parent, (Role.SECRETARY, Role.COMMITTEE)) if parent else []
            notify(
                recipients,
                kind=Notification.Kind.SUPERVISION_OVERDUE,
                text=f"{report.organization.name}有一条群众监督意见（{report.tracking_number}）超过期限未答复。",
                url=f"/orgs/{report.organization.code}/supervision/",
                key=f"supervision_overdue:{report.pk}",
            )
            flagged += 1
    return flagged


@transaction.atomic
def board_pin_campaign(*, organization: Organization, by: User, campaign: Campaign | None) -> BoardSetting:
    return board_setting_update(organization=organization, by=by, campaign=campaign)


_UNCHANGED = object()


@transaction.atomic
def board_setting_update(
    *, organization: Organization, by: User, campaign=_UNCHANGED, show_results: str | None = None
) -> BoardSetting:
    """The secretary sets what the board shows: the campaign kept after it ends, and whether the results of 评诺
    (一诺一评 grades, members' appraisal results) are public — 篇六: 评议结果要通过一定形式向群众通报."""
    require(by, OrgAction.MANAGE_ORG, organization)
    if campaign not in (_UNCHANGED, None) and campaign.organization.path not in organization.ancestor_paths():
        raise DomainError("只能选择覆盖本组织的承诺批次。")
    if show_results is not None and show_results not in BoardSetting.Results.values:
        raise DomainError("请选择是否公布一诺一评和评议结果。")
    setting, _ = BoardSetting.objects.select_for_update().get_or_create(organization=organization)
    if campaign is not _UNCHANGED:
        setting.pinned_campaign = campaign
    if show_results is not None:
        setting.show_results = show_results
    setting.save()
    return setting
