"""The pledge lifecycle (DESIGN §4): campaigns, 调研提诺, drafting, 审诺, 定诺, 亮诺 and 践诺.

Every function is one action a person takes. It locks the row it changes, asks the permission module, takes
the django-fsm transition declared on the model (organizations.transitions.take), saves, which writes the
history record with the acting user, the transition's label and the comment (organizations.audit), and queues
notifications for after commit.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import can_proceed, has_transition_perm

from organizations.audit import stamp
from organizations.errors import DomainError
from organizations.models import Member, Organization, User
from organizations.permissions import may, refusal, require
from organizations.transitions import check, take

from . import signing
from .content_areas import areas_for_pledge
from .models import (
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
    first_of_month,
    overdue_q,
)
from .notifications import notify, pledger_users, reviewers_of
from .permissions import PledgeAction
from .uploads import check_attachment, check_signature_png, signature_has_ink


class ItemErrors(Exception):
    """Problems with drafted items: {item index: {field: [Chinese messages]}}; nothing was saved."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__("承诺事项填写有误，请按提示修改。")
        self.errors = errors


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


def _lock(pledge: Pledge) -> Pledge:
    return (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("campaign", "organization", "member__user", "pledger_organization")
        .get(pk=pledge.pk)
    )


def _take(pledge: Pledge, name: str, by: User, *, comment: str = "") -> None:
    """Take the transition `name` if the state, its conditions and the user allow it, and save: the history
    record names the user, the transition and the comment."""
    blocked = pledge.item_count_problem if name in ("submit", "approve") else None
    take(pledge, name, by, comment=comment, blocked=blocked)
    pledge.save()


def _url(pledge: Pledge) -> str:
    return pledge.get_absolute_url()


# --- campaigns -------------------------------------------------------------------------------------------


def campaign_for(organization: Organization) -> Campaign | None:
    """The running campaign whose subtree contains `organization`: open, and not past its end date.

    A campaign past its end date is over on every page the day after, whether or not the nightly job
    (close_ended_campaigns) has closed it yet; see `require_running` for what stays open after the end.
    """
    return (
        Campaign.objects.filter(
            status=Campaign.Status.OPEN,
            ends_on__gte=timezone.localdate(),
            organization__path__in=organization.ancestor_paths(),
        )
        .select_related("organization")
        .order_by("-organization__depth")
        .first()
    )


@transaction.atomic
def campaign_open(*, organization: Organization, by: User, **fields) -> Campaign:
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    require(by, PledgeAction.OPEN_CAMPAIGN, organization)
    overlapping = Campaign.objects.filter(status=Campaign.Status.OPEN, ends_on__gte=timezone.localdate()).filter(
        Q(organization__path__in=organization.ancestor_paths()) | Q(organization__path__startswith=organization.path)
    )
    if overlapping.exists():
        other = overlapping.select_related("organization").first()
        raise DomainError(f"“{other.organization.name}”已有进行中的承诺批次“{other.name}”，同一范围同时只能有一个。")
    campaign = Campaign(organization=organization, opened_by=by, **fields)
    campaign.full_clean(exclude=["opened_by", "organization"])
    stamp(campaign, by, "开启承诺批次")
    campaign.save()
    return campaign


def require_running(campaign: Campaign, act: str) -> None:
    """The rule at the end of a campaign (issue 13 §3), read from the dates, not from the nightly job.

    From the day after its end date (结束日期), or once closed, a campaign is over. Frozen then: new pledges and
    new opinions for it, editing and submitting pledges, review (审诺), signing and countersigning (定诺, online
    or on paper) and amendments — the promises of the year are what was signed by then. Still open: reading
    everything, publishing a pledge already signed (亮诺), fulfilment logs, 申请销号 and 确认销号 of items,
    help flags, monthly self-checks and quarterly inspections of the year, the evaluations (一诺一评, appraisals,
    rectifications) and answering the public's supervision — the year's promises are still kept and judged.
    """
    if campaign.status != Campaign.Status.OPEN or campaign.has_ended():
        raise DomainError(
            f"承诺批次“{campaign.name}”已于{date_format(campaign.ends_on)}结束，不能再{act}。"
            "已签约的承诺仍可践诺、申请销号和接受监督。"
        )


@transaction.atomic
def campaign_close(*, campaign: Campaign, by: User) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
    take(campaign, "close", by, refused="该承诺批次已经结束。")
    campaign.save(update_fields=["status"])
    return campaign


# --- 调研提诺 --------------------------------------------------------------------------------------------


@transaction.atomic
def opinion_create(*, organization: Organization, by: User, **fields) -> Opinion:
    require(by, PledgeAction.MANAGE_OPINIONS, organization)
    campaign = fields.pop("campaign", None) or campaign_for(organization)
    if campaign is None:
        raise DomainError("目前没有进行中的承诺批次，不能录入意见建议。")
    require_running(campaign, "录入意见建议")
    opinion = Opinion(organization=organization, campaign=campaign, created_by=by, **fields)
    opinion.full_clean(exclude=["created_by"])
    stamp(opinion, by)
    opinion.save()
    return opinion


@transaction.atomic
def opinion_decline(*, opinion: Opinion, by: User, reason: str) -> Opinion:
    opinion = Opinion.objects.select_for_update().select_related("organization").get(pk=opinion.pk)
    require(by, PledgeAction.MANAGE_OPINIONS, opinion.organization)
    if not reason.strip():
        raise DomainError("请填写未采纳的原因。")
    adopted = "这条意见已被承诺事项采纳，不能标为未采纳。"
    take(
        opinion,
        "decline",
        by,
        comment=reason.strip(),
        refused=adopted if opinion.status == Opinion.Status.ANSWERED else "这条意见已经标为未采纳。",
        blocked=adopted,
    )
    opinion.not_adopted_reason = reason.strip()
    opinion.save()
    return opinion


@transaction.atomic
def opinion_mark_solved(
    *, opinion: Opinion, by: User, solved_on: datetime.date, how: str, item: PledgeItem | None = None
) -> Opinion:
    """Record that the problem raised by `opinion` has been solved: when, how, and by which item if any.

    已解决 is a fact apart from the status: an adopted opinion is solved once the item answering it has been
    carried out, and a declined one may still be solved (转交有关部门后已解决). The item, when named, must be
    one that cites this opinion: in the source documents an opinion reaches a pledge only through the item that
    takes it up (调研提诺 → 承诺事项 → 践诺), so only such an item can be said to have solved it.
    """
    opinion = Opinion.objects.select_for_update().select_related("organization").get(pk=opinion.pk)
    require(by, PledgeAction.MANAGE_OPINIONS, opinion.organization)
    how = (how or "").strip()
    errors = {}
    if solved_on is None:
        errors["solved_on"] = ["请填写解决日期。"]
    elif solved_on > timezone.localdate():
        errors["solved_on"] = ["解决日期不能晚于今天。"]
    elif solved_on < opinion.received_on:
        errors["solved_on"] = [f"解决日期不能早于征集日期（{date_format(opinion.received_on)}）。"]
    if not how:
        errors["how"] = ["请填写怎样解决的。"]
    elif len(how) > 1000:
        errors["how"] = ["解决情况最多 1000 字。"]
    if item is not None and not opinion.answering_items.filter(pk=item.pk).exists():
        errors["item"] = ["只能选择采纳了这条意见的承诺事项。"]
    if errors:
        raise ValidationError(errors)
    opinion.solved_on = solved_on
    opinion.solved_how = how
    opinion.solved_by_item = item
    opinion.solved_recorded_by = by
    stamp(opinion, by, "标为已解决", how)
    opinion.save(update_fields=["solved_on", "solved_how", "solved_by_item", "solved_recorded_by"])
    return opinion


@transaction.atomic
def opinion_unmark_solved(*, opinion: Opinion, by: User, reason: str) -> Opinion:
    """Undo a mistaken 已解决: the opinion goes back to unsolved, its status untouched."""
    opinion = Opinion.objects.select_for_update().select_related("organization").get(pk=opinion.pk)
    require(by, PledgeAction.MANAGE_OPINIONS, opinion.organization)
    if opinion.solved_on is None:
        raise DomainError("这条意见还没有标为已解决。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤销的原因。")
    opinion.solved_on = None
    opinion.solved_how = ""
    opinion.solved_by_item = None
    opinion.solved_recorded_by = None
    stamp(opinion, by, "撤销已解决", reason)
    opinion.save(update_fields=["solved_on", "solved_how", "solved_by_item", "solved_recorded_by"])
    return opinion


def _refresh_opinion_status(opinion_ids) -> None:
    """An opinion cited by an item is answered; one no longer cited goes back to waiting."""
    if not opinion_ids:
        return
    cited = set(
        PledgeItem.cited_opinions.through.objects.filter(opinion_id__in=opinion_ids).values_list(
            "opinion_id", flat=True
        )
    )
    Opinion.objects.filter(pk__in=cited).exclude(status=Opinion.Status.ANSWERED).update(status=Opinion.Status.ANSWERED)
    Opinion.objects.filter(pk__in=set(opinion_ids) - cited, status=Opinion.Status.ANSWERED).update(
        status=Opinion.Status.OPEN
    )


# --- drafting --------------------------------------------------------------------------------------------


def pledge_places(member: Member) -> list[Organization]:
    """Where a member may pledge: his branch, his inflow branch, his residential community."""
    return [o for o in (member.organization, member.inflow_organization, member.residence_organization) if o]


ORAL_ONLY_FOR_UNABLE = (
    "口头承诺仅限支部标记为“不能书写”（年老体弱、文化程度低）的党员。{name}未作此标记："
    "请让其在纸质承诺书上签字，录入“书面（纸质签字）”承诺；确属不能书写的，先在党员信息中标记“不能书写”。"
)


@transaction.atomic
def pledge_create_for_member(
    *, member: Member, organization: Organization, by: User, form: str = Pledge.Form.WRITTEN, witness_name: str = ""
) -> Pledge:
    """A member's pledge in one of its three forms (篇一: 可采取书面承诺、口头承诺等形式).

    - written (书面): drafted and signed online by the member himself;
    - paper (书面（纸质签字）): the member signed the printed 承诺书 by hand; an officer of the branch types the
      items in, and once it is approved records the signature with a scan of the signed page;
    - oral (口头): only for a member the branch marked unable to write (篇四: 对年老体弱、文化程度低的党员……
      可以只进行口头承诺), entered by the branch with a witness.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    if organization.pk not in {o.pk for o in pledge_places(member)}:
        raise DomainError("承诺只能在本人所在支部、流入地支部或居住地社区作出。")
    if form == Pledge.Form.ORAL:
        require(by, PledgeAction.ENTER_ORAL_PLEDGE, organization)
        if not member.unable_to_write:
            raise DomainError(ORAL_ONLY_FOR_UNABLE.format(name=member.name))
        if not witness_name.strip():
            raise DomainError("口头承诺须填写见证人。")
    elif form == Pledge.Form.PAPER:
        require(by, PledgeAction.ENTER_PAPER_PLEDGE, organization)
        if member.user_id == by.pk:
            raise DomainError("您本人的承诺书请在网上起草和签署，不必录入纸质签字。")
        witness_name = ""
    elif form == Pledge.Form.WRITTEN:
        if member.user_id != by.pk:
            raise PermissionDenied(
                "书面承诺须由党员本人起草；党员在纸质承诺书上签字的，由支部录入“书面（纸质签字）”承诺。"
            )
        witness_name = ""
    else:
        raise DomainError("承诺形式无效。")
    if member.is_exempt:
        raise DomainError("该党员已经上级批准免于承诺。")
    if not member.is_active:
        raise DomainError("该党员已不在册。")
    campaign = campaign_for(organization)
    if campaign is None:
        raise DomainError("目前没有进行中的承诺批次。")
    pledge = Pledge(
        campaign=campaign,
        organization=organization,
        member=member,
        form=form,
        witness_name=witness_name.strip(),
        created_by=by,
    )
    label = {Pledge.Form.ORAL: "代录口头承诺", Pledge.Form.PAPER: "代录纸质承诺书"}.get(form, "起草承诺书")
    stamp(pledge, by, label)
    try:
        with transaction.atomic():
            pledge.save()
    except IntegrityError:
        raise DomainError(f"{member.name}在“{organization.name}”已有本批次的承诺书。") from None
    return pledge


@transaction.atomic
def pledge_create_for_organization(*, organization: Organization, by: User) -> Pledge:
    require(by, PledgeAction.CREATE_ORG_PLEDGE, organization)
    campaign = campaign_for(organization)
    if campaign is None:
        raise DomainError("目前没有进行中的承诺批次。")
    pledge = Pledge(campaign=campaign, organization=organization, pledger_organization=organization, created_by=by)
    stamp(pledge, by, "起草承诺书")
    try:
        with transaction.atomic():
            pledge.save()
    except IntegrityError:
        raise DomainError(f"“{organization.name}”已有本批次的组织承诺书。") from None
    return pledge


def _clean_item(pledge: Pledge, data: dict, allowed_areas: list[str]) -> dict:
    errors = {}
    area = (data.get("content_area") or "").strip()
    if area not in allowed_areas:
        errors["content_area"] = "请从列表中选择承诺方面。"
    if not (data.get("content") or "").strip():
        errors["content"] = "请填写承诺事项。"
    deadline = data.get("deadline")
    campaign = pledge.campaign
    if not deadline:
        errors["deadline"] = "请填写完成时限。"
    elif not campaign.starts_on <= deadline <= campaign.ends_on:
        errors["deadline"] = (
            f"完成时限应在 {campaign.starts_on:%Y年%-m月%-d日} 至 {campaign.ends_on:%Y年%-m月%-d日} 之间。"
        )
    if pledge.pledger_organization_id and not (data.get("responsible_person") or "").strip():
        errors["responsible_person"] = "组织承诺的每个事项都要明确责任人。"
    has_values = data.get("baseline_value") not in (None, "") or data.get("target_value") not in (None, "")
    if has_values and not (data.get("indicator") or "").strip():
        errors["indicator"] = "填写了数值时请写明量化指标。"
    if (data.get("indicator") or "").strip() and data.get("target_value") in (None, ""):
        errors["target_value"] = "量化承诺请填写目标值。"
    if errors:
        raise ValidationError(errors)
    fields = {}
    for key in ITEM_FIELDS:
        value = data.get(key)
        if key in ("deadline", "baseline_value", "target_value"):
            fields[key] = value if value not in ("", None) else None
        else:
            fields[key] = (value or "").strip()
    return fields


@transaction.atomic
def pledge_update(*, pledge: Pledge, by: User, items: list[dict] | None, witness_name: str | None = None) -> Pledge:
    """Save the drafted items: each dict has the item fields, optional `id`, `delete` and `opinions` (ids).

    The list must mention every existing item (kept or deleted); `items=None` leaves the items alone.

    Raises ItemErrors keyed by the index among the kept items when an item is wrong; nothing is saved then.
    """
    pledge = _lock(pledge)
    require(by, PledgeAction.EDIT_PLEDGE, pledge)
    require_running(pledge.campaign, "修改承诺书")
    if not pledge.is_editable:
        raise DomainError(f"承诺书当前为“{pledge.get_status_display()}”，不能修改。")
    if witness_name is not None and pledge.is_oral:
        if not witness_name.strip():
            raise DomainError("口头承诺须填写见证人。")
        pledge.witness_name = witness_name.strip()
    if items is None:  # only the pledge's own fields change
        stamp(pledge, by)
        pledge.save()
        return pledge
    allowed = areas_for_pledge(pledge)
    existing = {i.pk: i for i in pledge.items.prefetch_related("cited_opinions")}
    mentioned = {d.get("id") for d in items if d.get("id")}
    if set(existing) - mentioned or mentioned - set(existing):
        # The form was filled in against an older version of the pledge (another tab, another device).
        raise DomainError("承诺书已在别处修改过，请刷新页面后再改。")
    keep = [d for d in items if not d.get("delete")]
    if len(keep) > Campaign.MAX_ITEMS:
        raise DomainError(f"一份承诺最多 {Campaign.MAX_ITEMS} 项事项。")
    opinion_scope = Opinion.objects.filter(
        campaign=pledge.campaign, organization__path__in=pledge.organization.ancestor_paths()
    ) | Opinion.objects.filter(campaign=pledge.campaign, organization__path__startswith=pledge.organization.path)
    errors = {}
    cleaned = []
    for index, data in enumerate(keep):
        try:
            fields = _clean_item(pledge, data, allowed)
        except ValidationError as e:
            errors[index] = e.message_dict
            continue
        opinion_ids = set(data.get("opinions") or [])
        valid = set(opinion_scope.filter(pk__in=opinion_ids).values_list("pk", flat=True))
        if opinion_ids - valid:
            errors[index] = {"opinions": ["只能引用本组织及上级组织在本批次征集的意见。"]}
            continue
        cleaned.append((data.get("id"), fields, valid))
    if errors:
        raise ItemErrors(errors)
    touched_opinions = {o.pk for i in existing.values() for o in i.cited_opinions.all()}
    for data in items:
        if data.get("delete") and data.get("id") in existing:
            existing.pop(data["id"]).delete()
    # Positions are renumbered 1..n; park the kept items on 101.. first so the unique index never clashes.
    for offset, pk in enumerate(pk for pk, _, _ in cleaned if pk in existing):
        PledgeItem.objects.filter(pk=pk).update(position=101 + offset)
        existing[pk].position = 101 + offset
    for position, (pk, fields, opinion_ids) in enumerate(cleaned, 1):
        item = existing.get(pk) or PledgeItem(pledge=pledge)
        for key, value in fields.items():
            setattr(item, key, value)
        item.position = position
        item.full_clean(exclude=["pledge", "position"])
        stamp(item, by)
        item.save()
        item.cited_opinions.set(opinion_ids)
        touched_opinions |= opinion_ids
    _refresh_opinion_status(touched_opinions)
    stamp(pledge, by)
    pledge.save()
    return pledge


# --- 审诺 ------------------------------------------------------------------------------------------------

CHINESE_COUNTS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}


def _checklist(pledge: Pledge, checks: dict | None) -> list[dict]:
    """The campaign's 审诺 points (issue 13 §7, 篇六 and 篇四) with the reviewer's answer to each."""
    checks = checks or {}
    return [
        {"key": key, "label": label, "passed": bool(checks.get(key))}
        for key, label in pledge.campaign.review_checklist()
    ]


@transaction.atomic
def pledge_submit(*, pledge: Pledge, by: User) -> Pledge:
    pledge = _lock(pledge)
    require_running(pledge.campaign, "提交承诺书")
    _take(pledge, "submit", by)
    notify(
        reviewers_of(pledge),
        kind=Notification.Kind.SUBMITTED,
        text=f"{pledge.pledger_name}提交了承诺书，请审核。",
        url=_url(pledge),
        key=f"submitted:{pledge.pk}:{pledge.submitted_at.timestamp()}",
    )
    return pledge


@transaction.atomic
def pledge_return(
    *, pledge: Pledge, by: User, comment: str, checks: dict | None = None, item_comments: dict | None = None
) -> Pledge:
    pledge = _lock(pledge)
    require_running(pledge.campaign, "审核承诺书")
    if not comment.strip():
        raise DomainError("退回修改时请填写审核意见，说明需要怎样修改。")
    _take(pledge, "return_for_changes", by, comment=comment.strip())
    review = Review.objects.create(
        pledge=pledge,
        by=by,
        decision=Review.Decision.RETURN,
        comment=comment.strip(),
        checklist=_checklist(pledge, checks),
    )
    items = {i.pk: i for i in pledge.items.all()}
    ReviewItemComment.objects.bulk_create(
        [
            ReviewItemComment(review=review, item=items[int(item_id)], comment=text.strip()[:500])
            for item_id, text in (item_comments or {}).items()
            if text and text.strip() and int(item_id) in items
        ]
    )
    notify(
        pledger_users(pledge),
        kind=Notification.Kind.RETURNED,
        text=f"您的承诺书被退回修改：{comment.strip()[:60]}",
        url=_url(pledge),
        key=f"returned:{review.pk}",
    )
    return pledge


@transaction.atomic
def pledge_approve(*, pledge: Pledge, by: User, checks: dict, comment: str = "") -> Pledge:
    pledge = _lock(pledge)
    require_running(pledge.campaign, "审核承诺书")
    checklist = _checklist(pledge, checks)
    missing = [p["label"] for p in checklist if not p["passed"]]
    if missing:
        count = CHINESE_COUNTS.get(len(checklist), str(len(checklist)))
        raise DomainError(f"审定通过须{count}项审核要点全部符合，尚未勾选：" + "、".join(missing) + "。")
    _take(pledge, "approve", by, comment=comment.strip())
    review = Review.objects.create(
        pledge=pledge,
        by=by,
        decision=Review.Decision.APPROVE,
        comment=comment.strip(),
        checklist=checklist,
    )
    if pledge.is_oral:
        text = f"{pledge.pledger_name}的口头承诺已审定，请审定方签署。"
        notify(
            reviewers_of(pledge),
            kind=Notification.Kind.TO_SIGN,
            text=text,
            url=_url(pledge),
            key=f"to_sign:r:{review.pk}",
        )
    elif pledge.is_paper:
        notify(
            pledger_users(pledge),
            kind=Notification.Kind.TO_SIGN,
            text=f"{pledge.pledger_name}的承诺书已审定，请打印后由其本人签字，再登记签字页扫描件。",
            url=_url(pledge),
            key=f"to_sign:p:{review.pk}",
        )
    else:
        notify(
            pledger_users(pledge),
            kind=Notification.Kind.TO_SIGN,
            text="您的承诺书已审定，请签署。",
            url=_url(pledge),
            key=f"to_sign:p:{review.pk}",
        )
    return pledge


# --- 定诺 ------------------------------------------------------------------------------------------------


OWN_PASSWORD_NEEDED = "您的密码是他人为您设置或重置的，请先在“修改密码”中设置只有您自己知道的密码，然后再签署。"


def _signature(
    pledge: Pledge,
    by: User,
    role: str,
    *,
    password: str,
    image_png: bytes | None,
    typed_name: str,
    expected_name: str,
    shown_sha256: str | None,
) -> Signature:
    if not by.has_own_password:
        # A password someone else set (an initial one, or a reset) is known to him: it proves nothing.
        raise DomainError(OWN_PASSWORD_NEEDED)
    if shown_sha256 is not None and shown_sha256 != pledge.text_sha256():
        raise DomainError("承诺书的内容在您打开签署页之后发生了变化，未签署。请重新阅读全文后再签署。")
    if not by.check_password(password or ""):
        raise DomainError("密码不正确，未签署。")
    if image_png:
        check_signature_png(image_png)
        if not signature_has_ink(image_png):
            raise DomainError("签名板上没有笔迹，请重新签名。")
        method = Signature.Method.DRAWN
    else:
        if not typed_name or typed_name.strip() != expected_name:
            raise DomainError(f"输入的姓名须与登记的姓名“{expected_name}”一致。")
        method = Signature.Method.TYPED
    signature = Signature(
        **signing.signature_fields(
            pledge,
            role=role,
            signer_id=by.pk,
            signer_name=expected_name,
            method=method,
            signed_at=timezone.now(),
            image_sha256=hashlib.sha256(image_png).hexdigest() if image_png else "",
        )
    )
    if image_png:
        signature.image.save("signature.png", ContentFile(image_png), save=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise DomainError("这一方已经签署过了。") from None
    return signature


def _signer_name(pledge: Pledge, by: User, role: str) -> str:
    if role == Signature.Role.PLEDGER and pledge.member_id:
        return pledge.member.name
    member = getattr(by, "member", None) if hasattr(by, "member") else None
    return (member.name if member else "") or by.full_name or by.username


@transaction.atomic
def pledge_sign(
    *,
    pledge: Pledge,
    by: User,
    password: str,
    image_png: bytes | None = None,
    typed_name: str = "",
    shown_sha256: str | None = None,
) -> Pledge:
    """The pledging side signs the approved text."""
    pledge = _lock(pledge)
    require_running(pledge.campaign, "签署承诺书")
    if pledge.status != Pledge.Status.APPROVED:
        raise DomainError(f"承诺书当前为“{pledge.get_status_display()}”，不能签署。")
    if pledge.is_oral:
        raise DomainError("口头承诺无需承诺人电子签名，由审定方签署即可。")
    if pledge.is_paper:
        raise DomainError("这份承诺书由党员在纸上签字，请由支部登记纸质签字及扫描件。")
    require(by, PledgeAction.SIGN_PLEDGE, pledge)
    if not can_proceed(pledge.sign_as_pledger):
        raise DomainError("承诺方已经签署过了。" if pledge.pledger_has_signed() else "口头承诺无需承诺人电子签名。")
    # The transition is checked and recorded first; a wrong password below rolls both back.
    _take(pledge, "sign_as_pledger", by)
    _signature(
        pledge,
        by,
        Signature.Role.PLEDGER,
        password=password,
        image_png=image_png,
        typed_name=typed_name,
        expected_name=_signer_name(pledge, by, Signature.Role.PLEDGER),
        shown_sha256=shown_sha256,
    )
    notify(
        reviewers_of(pledge),
        kind=Notification.Kind.TO_SIGN,
        text=f"{pledge.pledger_name}已签署承诺书，请审定方签署。",
        url=_url(pledge),
        key=f"to_sign:r:{pledge.pk}:{pledge.revision}",
    )
    return pledge


SCAN_KINDS = ("jpg", "png", "pdf")


def check_scan(upload) -> str:
    """The scan of a signed paper 承诺书: a photo or a PDF, checked by its content (organizations.uploads)."""
    if upload is None:
        raise ValidationError({"scan": ["请上传党员签字的纸质承诺书扫描件或照片。"]})
    try:
        kind = check_attachment(upload)
    except DomainError as e:
        raise ValidationError({"scan": [str(e)]}) from None
    if kind not in SCAN_KINDS:
        raise ValidationError({"scan": ["扫描件只能是照片（jpg、png）或 PDF。"]})
    return kind


@transaction.atomic
def pledge_record_paper_signature(*, pledge: Pledge, by: User, scan, signed_on: datetime.date) -> Signature:
    """定诺 on paper (篇一: 党支部与党员分别签订《公开承诺书》): the member signed the printed, approved 承诺书 by
    hand; an officer of the branch records it.

    The signature row says what happened, not more: method 纸质签字, the member's name as the signer's name,
    the officer as the user who recorded it (`signer`), the day written on the paper (`signed_at`, at noon) and the
    time of recording (`recorded_at`). The scan of the signed page is kept with the signature and its SHA-256 is
    under the seal (commitments.signing) together with the digest of the text as typed in, so neither the text nor
    the scan can be swapped later unnoticed. The date must be in the campaign and not in the future.
    """
    pledge = _lock(pledge)
    require_running(pledge.campaign, "登记签字")
    if not pledge.is_paper:
        raise DomainError("只有纸质签字的书面承诺才登记纸质签字。")
    if pledge.status != Pledge.Status.APPROVED:
        raise DomainError(f"承诺书当前为“{pledge.get_status_display()}”，审定通过后才能登记签字。")
    require(by, PledgeAction.SIGN_PLEDGE, pledge)
    if pledge.pledger_has_signed():
        raise DomainError("这份承诺书的纸质签字已经登记过了。")
    errors = {}
    campaign = pledge.campaign
    if signed_on is None:
        errors["signed_on"] = ["请填写党员在纸质承诺书上签字的日期。"]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = ["签字日期不能晚于今天。"]
    elif not campaign.contains(signed_on):
        errors["signed_on"] = [
            f"签字日期应在承诺批次的 {date_format(campaign.starts_on)} 至 {date_format(campaign.ends_on)} 之间。"
        ]
    try:
        kind = check_scan(scan)
    except ValidationError as e:
        errors |= e.message_dict
    if errors:
        raise ValidationError(errors)
    scan.seek(0)
    data = scan.read()
    scan.seek(0)
    take(pledge, "sign_as_pledger", by, comment=f"纸质承诺书签字日期：{date_format(signed_on)}")
    pledge.save()
    signed_at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12)))
    signature = Signature(
        **signing.signature_fields(
            pledge,
            role=Signature.Role.PLEDGER,
            signer_id=by.pk,
            signer_name=pledge.member.name,
            method=Signature.Method.PAPER,
            signed_at=signed_at,
            image_sha256=hashlib.sha256(data).hexdigest(),
        ),
        scan_kind=kind,
        recorded_at=timezone.now(),
    )
    signature.scan.save(f"scan.{kind}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        default_storage.delete(signature.scan.name)
        raise DomainError("这份承诺书的纸质签字已经登记过了。") from None
    notify(
        reviewers_of(pledge),
        kind=Notification.Kind.TO_SIGN,
        text=f"{pledge.pledger_name}已在纸质承诺书上签字（已登记扫描件），请审定方签署。",
        url=_url(pledge),
        key=f"to_sign:r:{pledge.pk}:{pledge.revision}",
    )
    return signature


@transaction.atomic
def pledge_countersign(
    *,
    pledge: Pledge,
    by: User,
    password: str,
    image_png: bytes | None = None,
    typed_name: str = "",
    shown_sha256: str | None = None,
) -> Pledge:
    """The reviewing side signs; the pledge is then signed (and published when the campaign says so)."""
    pledge = _lock(pledge)
    require_running(pledge.campaign, "签署承诺书")
    if pledge.status == Pledge.Status.APPROVED and not pledge.ready_for_countersign():
        raise DomainError("承诺人还没有签署，审定方暂不能签署。")
    if not has_transition_perm(pledge.countersign, by):
        if pledge.status != Pledge.Status.APPROVED:
            raise DomainError(f"承诺书当前为“{pledge.get_status_display()}”，不能签署。")
        raise PermissionDenied(refusal("countersign_pledge"))
    pledger_signature = pledge.signatures.filter(role=Signature.Role.PLEDGER).first()
    if pledger_signature and not signing.check(pledger_signature).ok:
        raise DomainError("承诺书内容与承诺人签署时不一致，不能签署，请联系系统管理员。")
    _signature(
        pledge,
        by,
        Signature.Role.REVIEWER,
        password=password,
        image_png=image_png,
        typed_name=typed_name,
        expected_name=_signer_name(pledge, by, Signature.Role.REVIEWER),
        shown_sha256=shown_sha256,
    )
    _take(pledge, "countersign", by)
    notify(
        pledger_users(pledge),
        kind=Notification.Kind.SIGNED,
        text="您的承诺书已由双方签署。",
        url=_url(pledge),
        key=f"signed:{pledge.pk}:{pledge.revision}",
    )
    if pledge.campaign.auto_publish:
        _publish(pledge, by)
    return pledge


def _publish(pledge: Pledge, by: User) -> None:
    take(pledge, "publish", by)
    pledge.published_by = by
    pledge.save()
    notify(
        pledger_users(pledge),
        kind=Notification.Kind.PUBLISHED,
        text="您的承诺书已在公开栏公示，请按承诺践诺。",
        url=_url(pledge),
        key=f"published:{pledge.pk}:{pledge.revision}",
    )


@transaction.atomic
def pledge_publish(*, pledge: Pledge, by: User) -> Pledge:
    pledge = _lock(pledge)
    _publish(pledge, by)
    return pledge


@transaction.atomic
def pledge_amend(*, pledge: Pledge, by: User, reason: str) -> Pledge:
    """变更: the signed revision is kept as it is; a new revision starts in draft with the same items."""
    pledge = _lock(pledge)
    require_running(pledge.campaign, "变更承诺")
    if not reason.strip():
        raise DomainError("请说明变更原因。")
    _take(pledge, "amend", by, comment=reason.strip())
    new = Pledge(
        campaign=pledge.campaign,
        organization=pledge.organization,
        member=pledge.member,
        pledger_organization=pledge.pledger_organization,
        form=pledge.form,
        witness_name=pledge.witness_name,
        revision=pledge.revision + 1,
        previous=pledge,
        created_by=by,
    )
    stamp(new, by, "由变更生成", f"由第{pledge.revision}版变更：{reason.strip()}")
    new.save()
    for item in pledge.items.prefetch_related("cited_opinions"):
        ticked = item.state == PledgeItem.State.TICKED_OFF
        copy = PledgeItem(
            pledge=new,
            position=item.position,
            state=PledgeItem.State.TICKED_OFF if ticked else PledgeItem.State.IN_PROGRESS,
            ticked_off_on=item.ticked_off_on,
            ticked_off_by=item.ticked_off_by,
            achieved_value=item.achieved_value,
            **{f: getattr(item, f) for f in ITEM_FIELDS},
        )
        stamp(copy, by, "由变更生成", f"由第{pledge.revision}版第{item.position}项复制")
        copy.save()
        copy.cited_opinions.set(item.cited_opinions.all())
    return new


# --- 践诺 ------------------------------------------------------------------------------------------------

FULFILLING = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED)


def _lock_item(item: PledgeItem) -> PledgeItem:
    item = PledgeItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    item.pledge = _lock(item.pledge)
    return item


@transaction.atomic
def fulfilment_log_add(*, item: PledgeItem, by: User, happened_on: datetime.date, text: str, files=()) -> FulfilmentLog:
    item = _lock_item(item)
    require(by, PledgeAction.FULFIL_PLEDGE, item.pledge)
    if item.pledge.status not in FULFILLING or not item.pledge.is_current:
        raise DomainError("只有已签约、践诺中的承诺才能记录践诺情况。")
    if not text.strip():
        raise DomainError("请填写践诺情况。")
    if happened_on > timezone.localdate():
        raise DomainError("践诺日期不能晚于今天。")
    if len(files) > 5:
        raise DomainError("每条记录最多上传 5 个佐证材料。")
    kinds = [check_attachment(f) for f in files]
    log = FulfilmentLog.objects.create(item=item, happened_on=happened_on, text=text.strip(), by=by)
    saved = []
    try:
        _save_attachments(log, files, kinds, saved)
    except Exception:
        for name in saved:  # the rows roll back with the transaction; the files must go too
            default_storage.delete(name)
        raise
    return log


def _save_attachments(log, files, kinds, saved: list) -> None:
    for upload, kind in zip(files, kinds, strict=True):
        # Name and extension follow the detected content, never the name the browser sent.
        stem = Path(upload.name).stem[:150] or "佐证材料"
        attachment = Attachment(log=log, original_name=f"{stem}.{kind}", kind=kind, size=upload.size)
        attachment.file.save(f"evidence.{kind}", upload, save=False)
        saved.append(attachment.file.name)
        attachment.save()


@transaction.atomic
def item_request_tick_off(
    *, item: PledgeItem, by: User, note: str, achieved_value: Decimal | None = None
) -> PledgeItem:
    item = _lock_item(item)
    require(by, PledgeAction.FULFIL_PLEDGE, item.pledge)
    if item.pledge.status != Pledge.Status.PUBLISHED or not item.pledge.is_current:
        raise DomainError("承诺书公示后才能申请销号。")
    refused = f"该事项当前为“{item.get_state_display()}”，不能再申请销号。"
    check(item, "request_tick_off", by, refused=refused)
    if not note.strip():
        raise DomainError("请说明事项的完成情况。")
    if item.is_quantified and achieved_value is None:
        raise DomainError(f"这是量化承诺，请填写“{item.indicator}”的完成值。")
    take(item, "request_tick_off", by, comment=note.strip(), refused=refused)
    item.tick_request_note = note.strip()
    item.tick_requested_by = by
    if achieved_value is not None:
        item.achieved_value = achieved_value
    item.save(
        update_fields=[
            "state",
            "tick_request_note",
            "tick_requested_at",
            "tick_requested_by",
            "tick_refusal_reason",
            "achieved_value",
        ]
    )
    notify(
        reviewers_of(item.pledge),
        kind=Notification.Kind.TICK_REQUESTED,
        text=f"{item.pledge.pledger_name}申请销号：{item.content[:40]}",
        url=_url(item.pledge),
        key=f"tick_requested:{item.pk}:{item.tick_requested_at.timestamp()}",
    )
    return item


NOT_IN_FULFILMENT = "这份承诺书已变更或不在践诺中，请在当前版本上办理销号。"


@transaction.atomic
def item_confirm_tick_off(*, item: PledgeItem, by: User) -> PledgeItem:
    item = _lock_item(item)
    require(by, PledgeAction.CONFIRM_TICK_OFF, item.pledge)
    take(
        item,
        "confirm_tick_off",
        by,
        refused=f"该事项当前为“{item.get_state_display()}”，没有待确认的销号申请。可能已被他人处理。",
        blocked=NOT_IN_FULFILMENT,
    )
    item.ticked_off_by = by
    item.save(update_fields=["state", "ticked_off_on", "ticked_off_by", "needs_help"])
    notify(
        pledger_users(item.pledge),
        kind=Notification.Kind.TICK_CONFIRMED,
        text=f"承诺事项已销号：{item.content[:40]}",
        url=_url(item.pledge),
        key=f"tick_confirmed:{item.pk}",
    )
    pledge = item.pledge
    if can_proceed(pledge.complete):
        _take(pledge, "complete", by)
    return item


@transaction.atomic
def item_refuse_tick_off(*, item: PledgeItem, by: User, reason: str) -> PledgeItem:
    item = _lock_item(item)
    require(by, PledgeAction.CONFIRM_TICK_OFF, item.pledge)
    refused = "该事项没有待确认的销号申请。可能已被他人处理。"
    check(item, "refuse_tick_off", by, refused=refused, blocked=NOT_IN_FULFILMENT)
    if not reason.strip():
        raise DomainError("不予销号时请说明原因。")
    take(item, "refuse_tick_off", by, comment=reason.strip(), refused=refused, blocked=NOT_IN_FULFILMENT)
    item.tick_refusal_reason = reason.strip()
    item.save(update_fields=["state", "tick_refusal_reason"])
    notify(
        pledger_users(item.pledge),
        kind=Notification.Kind.TICK_REFUSED,
        text=f"销号申请未通过：{reason.strip()[:60]}",
        url=_url(item.pledge),
        key=f"tick_refused:{item.pk}:{item.tick_requested_at.timestamp() if item.tick_requested_at else 0}",
    )
    return item


@transaction.atomic
def item_flag_help(*, item: PledgeItem, by: User, needs_help: bool, note: str = "") -> PledgeItem:
    item = _lock_item(item)
    if not (
        may(by, PledgeAction.FULFIL_PLEDGE, item.pledge)
        or may(by, PledgeAction.ENTER_ORAL_PLEDGE, item.pledge.organization)
    ):
        raise PermissionDenied("您无权标记该事项需帮扶。")
    if item.state == PledgeItem.State.TICKED_OFF:
        raise DomainError("已销号的事项无需帮扶。")
    if needs_help and not note.strip():
        raise DomainError("请说明需要组织帮扶解决的困难。")
    item.needs_help = needs_help
    item.help_note = note.strip() if needs_help else ""
    stamp(item, by)
    item.save(update_fields=["needs_help", "help_note"])
    return item


# --- 一月一自查 / 一季一检查 -----------------------------------------------------------------------------


@transaction.atomic
def self_check_record(*, pledge: Pledge, by: User, month: datetime.date, results: dict) -> list[SelfCheck]:
    """results: item id → (result, note). Re-recording a month replaces that month's answers."""
    pledge = _lock(pledge)
    require(by, PledgeAction.FULFIL_PLEDGE, pledge)
    if pledge.status not in (*FULFILLING, Pledge.Status.COMPLETED):
        raise DomainError("承诺书签约后才开始月度自查。")
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise DomainError("不能为以后的月份自查。")
    items = {i.pk: i for i in pledge.items.all()}
    missing = [i.position for pk, i in items.items() if pk not in results and i.state != PledgeItem.State.TICKED_OFF]
    if missing:
        raise DomainError("请为每个未销号的事项填写自查结果（缺第 " + "、".join(map(str, missing)) + " 项）。")
    saved = []
    for pk, (result, note) in results.items():
        if int(pk) not in items:
            continue
        if result not in SelfCheck.Result.values:
            raise DomainError("自查结果无效。")
        check, _ = SelfCheck.objects.update_or_create(
            item=items[int(pk)], month=month, defaults={"result": result, "note": (note or "").strip()[:500], "by": by}
        )
        saved.append(check)
    return saved


@transaction.atomic
def inspection_record(
    *, pledge: Pledge, by: User, year: int, quarter: int, passed: bool, reasons: list[str] = (), note: str = ""
) -> Inspection:
    pledge = _lock(pledge)
    require(by, PledgeAction.INSPECT_PLEDGE, pledge)
    if pledge.status not in (*FULFILLING, Pledge.Status.COMPLETED):
        raise DomainError("承诺书签约后才能进行季度检查。")
    valid = {name for name, _ in Inspection.REASONS}
    reasons = [r for r in reasons if r in valid]
    if not passed and not reasons:
        raise DomainError("不通过时请至少选择一项原因：问题不解决、落实不到位或群众不满意。")
    if passed and reasons:
        raise DomainError("检查通过时不应选择不通过的原因。")
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                pledge=pledge,
                year=year,
                quarter=quarter,
                by=by,
                note=note.strip()[:500],
                result=Inspection.Result.PASS if passed else Inspection.Result.FAIL,
                **{name: name in reasons for name in valid},
            )
    except IntegrityError:
        raise DomainError(f"{year}年第{quarter}季度已经检查过这份承诺书。") from None
    return inspection


# --- scheduled jobs --------------------------------------------------------------------------------------


def mark_overdue_items(*, today: datetime.date | None = None) -> int:
    """Tell both sides once of each item past its deadline and not ticked off (pages read overdue themselves)."""
    today = today or timezone.localdate()
    due = PledgeItem.objects.filter(overdue_q(today=today), overdue_notified=False)
    marked = 0
    for item_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                PledgeItem.objects.select_for_update(of=("self",))
                .select_related(
                    "pledge__member__user", "pledge__organization", "pledge__pledger_organization", "pledge__campaign"
                )
                .get(pk=item_id)
            )
            if item.overdue_notified or item.state == PledgeItem.State.TICKED_OFF:
                continue
            item.overdue_notified = True
            item.save(update_fields=["overdue_notified"])
            marked += 1
            text = f"承诺事项已逾期未销号：{item.pledge.pledger_name}——{item.content[:40]}"
            recipients = pledger_users(item.pledge) + reviewers_of(item.pledge)
            notify(
                recipients, kind=Notification.Kind.OVERDUE, text=text, url=_url(item.pledge), key=f"overdue:{item.pk}"
            )
    return marked


def remind_self_checks(*, today: datetime.date | None = None) -> int:
    """Remind each pledging side whose pledge has no self-check for this month yet (once a month)."""
    today = today or timezone.localdate()
    month = first_of_month(today)
    pledges = (
        Pledge.objects.filter(is_current=True, status__in=FULFILLING)
        .exclude(items__self_checks__month=month)
        .select_related("member__user", "organization", "pledger_organization", "campaign")
        .distinct()
    )
    sent = 0
    for pledge in pledges:
        with transaction.atomic():
            notify(
                pledger_users(pledge),
                kind=Notification.Kind.SELF_CHECK_DUE,
                text=f"请完成{month:%Y年%-m月}的承诺事项自查。",
                url=_url(pledge),
                key=f"self_check:{pledge.pk}:{month:%Y-%m}",
            )
        sent += 1
    return sent


SIGN_REMINDER_DAYS = (3, 1)
NOT_YET_SIGNED = (Pledge.Status.DRAFT, Pledge.Status.SUBMITTED, Pledge.Status.RETURNED, Pledge.Status.APPROVED)


def remind_sign_deadline(*, today: datetime.date | None = None) -> int:
    """3 days and 1 day before a campaign's signing deadline (签约截止日期), remind whoever has not signed yet.

    The pledging side of each current pledge not yet signed, each member expected to pledge (应作承诺) with an
    account who has no pledge at all, and the secretaries of each branch with someone still unsigned (one line
    with the count). Each reminder goes once per person per step (the dedupe key names the step, 3 or 1): a day
    the job did not run is caught up the next day, and running it twice sends nothing new.
    """
    from organizations.models import OrganizationUserObjectPermission
    from organizations.permissions import ROLE_CODENAMES, Role

    today = today or timezone.localdate()
    sent = 0
    for campaign in Campaign.objects.filter(
        status=Campaign.Status.OPEN, sign_deadline__gte=today, starts_on__lte=today
    ).select_related("organization"):
        days_left = (campaign.sign_deadline - today).days
        if days_left > max(SIGN_REMINDER_DAYS):
            continue
        step = min(d for d in SIGN_REMINDER_DAYS if d >= days_left)
        deadline = date_format(campaign.sign_deadline)
        subtree = Organization.objects.filter(path__startswith=campaign.organization.path, is_active=True)
        unsigned = (
            Pledge.objects.filter(campaign=campaign, is_current=True, status__in=NOT_YET_SIGNED)
            .filter(Q(organization__in=subtree) | Q(pledger_organization__in=subtree))
            .select_related("member__user", "organization", "pledger_organization", "campaign")
        )
        per_branch: dict[int, int] = {}
        with transaction.atomic():
            for pledge in unsigned:
                notify(
                    pledger_users(pledge),
                    kind=Notification.Kind.SIGN_DEADLINE,
                    text=f"{campaign.name}的签约截止日期是{deadline}，{pledge.pledger_name}的承诺书还没有签约，请抓紧办理。",
                    url=_url(pledge),
                    key=f"sign_deadline:{pledge.pk}:{step}",
                )
                sent += 1
                if pledge.member_id:
                    per_branch[pledge.organization_id] = per_branch.get(pledge.organization_id, 0) + 1
            has_pledge = Pledge.objects.filter(campaign=campaign, is_current=True).values("member_id")
            missing = (
                Member.objects.obliged()
                .filter(organization__in=subtree)
                .exclude(pk__in=has_pledge.exclude(member_id=None))
                .select_related("user")
            )
            for member in missing:
                per_branch[member.organization_id] = per_branch.get(member.organization_id, 0) + 1
                if member.user_id:
                    notify(
                        [member.user],
                        kind=Notification.Kind.SIGN_DEADLINE,
                        text=f"{campaign.name}的签约截止日期是{deadline}，您还没有作出承诺，请尽快起草并签约。",
                        url=reverse("commitments:my_pledges"),
                        key=f"sign_deadline:m{member.pk}:{campaign.pk}:{step}",
                    )
                    sent += 1
            secretaries = OrganizationUserObjectPermission.objects.filter(
                content_object_id__in=list(per_branch),
                permission__codename=ROLE_CODENAMES[Role.SECRETARY],
                user__is_active=True,
            ).values_list("content_object_id", "user_id")
            for org_id, user_id in secretaries:
                notify(
                    [user_id],
                    kind=Notification.Kind.SIGN_DEADLINE,
                    text=f"{campaign.name}的签约截止日期是{deadline}，本组织还有 {per_branch[org_id]} 名党员未签约。",
                    url=reverse("commitments:ledger") + f"?view=unsigned&org={org_id}",
                    key=f"sign_deadline:o{org_id}:{campaign.pk}:{step}",
                )
                sent += 1
    return sent


def close_ended_campaigns(*, today: datetime.date | None = None) -> int:
    """The nightly job: each open campaign whose end date (结束日期) has passed is closed by the Campaign state
    machine's `close` transition, recorded in its history as closed by the system at its end date.

    Pages do not wait for this job: a campaign past its end date already reads as ended (Campaign.has_ended).
    """
    today = today or timezone.localdate()
    closed = 0
    for pk in list(
        Campaign.objects.filter(status=Campaign.Status.OPEN, ends_on__lt=today).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=pk)
            if campaign.status != Campaign.Status.OPEN:
                continue
            # The system acts here, not a person: the transition is taken directly (no user's permission to ask).
            campaign.close()
            stamp(campaign, None, "到期自动结束", f"结束日期 {date_format(campaign.ends_on)} 已过。")
            campaign.save(update_fields=["status"])
            closed += 1
    return closed


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
