"""Campaigns, opinions, pledges and their items, review, signing, fulfilment, checks and notifications."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from organizations.models import Member, Organization
from organizations.transitions import StateMachineMixin, ask
from organizations.uploads import IMAGE_KINDS, content_type_of

from . import signing
from .permissions import PledgeAction


class LockedError(Exception):
    """Signed pledge text may not change; amendments make a new revision."""


# 审诺 points a campaign may ask (issue 13 §7). 篇六: 重点要看承诺事项是否体现先进性要求，是否体现岗位、职责特点，
# 是否符合群众意愿，确保承诺切实可行 — the four asked by default. 篇四 adds 是否体现以正在干的事情为中心, which a campaign
# may choose. The keys are those of the four columns reviews had before, so old data and callers keep their names.
REVIEW_POINTS = {
    "reflects_advanced_nature": ("体现先进性要求", "篇六"),
    "centres_on_current_work": ("以正在干的事情为中心", "篇四"),
    "fits_post_duties": ("体现岗位职责特点", "篇六"),
    "meets_public_wishes": ("符合群众意愿", "篇六"),
    "is_feasible": ("切实可行", "篇六"),
}
DEFAULT_REVIEW_POINTS = ("reflects_advanced_nature", "fits_post_duties", "meets_public_wishes", "is_feasible")


def default_review_points() -> list[str]:
    return list(DEFAULT_REVIEW_POINTS)


class Campaign(StateMachineMixin, models.Model):
    """承诺批次: the yearly round of public commitments, opened by a committee for its subtree."""

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    name = models.CharField("批次名称", max_length=100)
    year = models.PositiveIntegerField("年度")
    organization = models.ForeignKey(
        Organization, verbose_name="发起党组织", on_delete=models.PROTECT, related_name="campaigns"
    )
    starts_on = models.DateField("开始日期")
    sign_deadline = models.DateField("签约截止日期")
    ends_on = models.DateField("结束日期")
    min_items = models.PositiveSmallIntegerField("每份承诺最少事项数", default=1)
    leader_min_items = models.PositiveSmallIntegerField("领导干部最少事项数", default=3)
    auto_publish = models.BooleanField("签约后自动公示", default=False)
    weight_satisfied = models.DecimalField("“满意”权重", max_digits=4, decimal_places=2, default=Decimal("1.00"))
    weight_basically = models.DecimalField("“基本满意”权重", max_digits=4, decimal_places=2, default=Decimal("1.00"))
    weight_unsatisfied = models.DecimalField("“不满意”权重", max_digits=4, decimal_places=2, default=Decimal("0.00"))
    # 篇六: “凡群众评议意见较大、满意度低于90%的党组织” rectify — 意见较大 is a share of 不满意 above this.
    unsatisfied_threshold = models.DecimalField(
        "“意见较大”的不满意票比例",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.10"),
        help_text="群众评议中“不满意”票占有效票的比例超过此值，即视为意见较大，须整改（如 0.10 即 10%）。",
    )
    review_points = models.JSONField(
        "审核要点",
        default=default_review_points,
        help_text="审核承诺事项时逐项把关的要点；默认为篇六的四项，可加选篇四的“以正在干的事情为中心”。",
    )
    status = FSMField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords()

    MAX_ITEMS = 10

    class Meta:
        verbose_name = "承诺批次"
        verbose_name_plural = "承诺批次"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.CLOSED,
        permission=ask(PledgeAction.OPEN_CAMPAIGN, "organization"),
        custom={"label": "结束承诺批次"},
    )
    def close(self):
        pass

    def clean(self):
        errors = {}
        if self.starts_on and self.sign_deadline and self.sign_deadline < self.starts_on:
            errors["sign_deadline"] = "签约截止日期不能早于开始日期。"
        if self.sign_deadline and self.ends_on and self.ends_on < self.sign_deadline:
            errors["ends_on"] = "结束日期不能早于签约截止日期。"
        if self.min_items is not None and not 1 <= self.min_items <= self.MAX_ITEMS:
            errors["min_items"] = f"最少事项数应在 1 到 {self.MAX_ITEMS} 之间。"
        if (
            self.leader_min_items is not None
            and self.min_items is not None
            and not self.min_items <= self.leader_min_items <= self.MAX_ITEMS
        ):
            errors["leader_min_items"] = f"领导干部最少事项数应不少于一般最少事项数，且不超过 {self.MAX_ITEMS}。"
        points = self.review_points
        if not isinstance(points, list) or not points or any(p not in REVIEW_POINTS for p in points):
            errors["review_points"] = "请至少选择一项审核要点。"
        if errors:
            raise ValidationError(errors)

    def review_checklist(self) -> list[tuple[str, str]]:
        """The campaign's 审诺 points as (key, label), in the order of the catalogue."""
        chosen = set(self.review_points or DEFAULT_REVIEW_POINTS)
        return [(key, label) for key, (label, _) in REVIEW_POINTS.items() if key in chosen]

    def is_open(self, today: datetime.date | None = None) -> bool:
        """Running: open and not past its end date (read from the dates, whether or not the job closed it)."""
        return self.status == self.Status.OPEN and not self.has_ended(today)

    def get_status_display(self) -> str:
        # A campaign past its end date reads as ended on every page before the nightly job closes it.
        return self.Status.OPEN.label if self.is_open() else self.Status.CLOSED.label

    def default_date(self, today: datetime.date | None = None) -> datetime.date:
        """The date a form offers by default (issue 13 §8): today while the campaign runs, else the nearest of its
        days (its last day once it has ended), so a default never falls outside the campaign."""
        today = today or timezone.localdate()
        if today < self.starts_on:
            return self.starts_on
        return min(today, self.ends_on)

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def has_ended(self, today: datetime.date | None = None) -> bool:
        """Past its end date (whether or not the nightly job has closed it yet)."""
        return self.ends_on < (today or timezone.localdate())

    def sign_deadline_passed(self, today: datetime.date | None = None) -> bool:
        return self.sign_deadline < (today or timezone.localdate())

    def signed_late(self, signed_at: datetime.datetime | None) -> bool:
        """逾期签约: the signing was completed after the day of the signing deadline (local time)."""
        return signed_at is not None and timezone.localdate(signed_at) > self.sign_deadline

    def late_after(self) -> datetime.datetime:
        """The first instant that is late: the start of the day after the signing deadline, local time."""
        day = self.sign_deadline + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Opinion(StateMachineMixin, models.Model):
    """调研提诺: one opinion or suggestion collected from the masses before pledging."""

    class Channel(models.TextChoices):
        MEETING = "meeting", "座谈会"
        BOX = "box", "意见箱"
        VISIT = "visit", "调研走访"
        SURVEY = "survey", "问卷"
        ONLINE = "online", "网上"
        # Opinions reaching the supervision inbox off line (issue 13 §6), logged by the clerk.
        PHONE = "phone", "电话"
        LETTER = "letter", "来信"
        SMS = "sms", "短信"

    class SourceGroup(models.TextChoices):
        MASSES = "masses", "群众"
        MEMBERS = "members", "党员"
        CLIENTS = "clients", "服务对象"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待采纳"
        ANSWERED = "answered", "已转化为承诺事项"
        NOT_ADOPTED = "not_adopted", "未采纳"

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="opinions"
    )
    campaign = models.ForeignKey(Campaign, verbose_name="承诺批次", on_delete=models.PROTECT, related_name="opinions")
    channel = models.CharField("征集渠道", max_length=20, choices=Channel.choices)
    source_group = models.CharField("提出人群", max_length=20, choices=SourceGroup.choices)
    received_on = models.DateField("征集日期")
    text = models.TextField("意见建议", max_length=2000)
    # Only 未采纳 is a person's decision (a transition). 已转化为承诺事项 is derived: it follows from an item citing the
    # opinion and is written in bulk when items are saved (commitments.services._refresh_opinion_status), so the
    # field is not protected.
    status = FSMField("处理状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    not_adopted_reason = models.CharField("未采纳原因", max_length=500, blank=True)
    # 已解决 is a fact apart from the status: an adopted opinion is solved when the item answering it is done,
    # a declined one may be solved elsewhere (转交有关部门后已解决). Recorded by commitments.services.
    solved_on = models.DateField("解决日期", null=True, blank=True)
    solved_how = models.TextField("怎样解决的", max_length=1000, blank=True)
    solved_by_item = models.ForeignKey(
        "PledgeItem",
        verbose_name="由哪一项承诺事项解决",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solved_opinions",
    )
    solved_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="标为已解决的人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "群众意见建议"
        verbose_name_plural = "群众意见建议"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["organization", "campaign", "status"], name="opinion_org_campaign_idx")]

    def __str__(self) -> str:
        return self.text[:30]

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.NOT_ADOPTED,
        conditions=[lambda opinion: not opinion.answering_items.exists()],
        permission=ask(PledgeAction.MANAGE_OPINIONS, "organization"),
        custom={"label": "标为未采纳"},
    )
    def decline(self):
        pass


class Pledge(StateMachineMixin, models.Model):
    """承诺书: the pledge of one member or one organization in a campaign, made in an organization."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        SUBMITTED = "submitted", "待审"
        RETURNED = "returned", "退回修改"
        APPROVED = "approved", "已审定"
        SIGNED = "signed", "已签约"
        PUBLISHED = "published", "已公示（践诺中）"
        COMPLETED = "completed", "已兑现"
        SUPERSEDED = "superseded", "已变更"

    class Form(models.TextChoices):
        WRITTEN = "written", "书面承诺"
        # 篇一: 可采取书面承诺、口头承诺等形式. A member without a smartphone signs the 承诺书 on paper; the branch
        # types it in and keeps a scan of the signed page (commitments.services.pledge_record_paper_signature).
        PAPER = "paper", "书面（纸质签字）"
        ORAL = "oral", "口头承诺"

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    COVERED = (Status.SIGNED, Status.PUBLISHED, Status.COMPLETED)

    campaign = models.ForeignKey(Campaign, verbose_name="承诺批次", on_delete=models.PROTECT, related_name="pledges")
    organization = models.ForeignKey(
        Organization,
        verbose_name="承诺所在党组织",
        on_delete=models.PROTECT,
        related_name="pledges_made_here",
        help_text="党员的所在支部、流动党员的流入地支部，或在职党员报到的居住地社区。",
    )
    member = models.ForeignKey(
        Member, verbose_name="承诺党员", on_delete=models.PROTECT, related_name="pledges", null=True, blank=True
    )
    pledger_organization = models.ForeignKey(
        Organization,
        verbose_name="承诺党组织",
        on_delete=models.PROTECT,
        related_name="own_pledges",
        null=True,
        blank=True,
    )
    form = models.CharField("承诺形式", max_length=10, choices=Form.choices, default=Form.WRITTEN)
    witness_name = models.CharField("见证人", max_length=50, blank=True, help_text="口头承诺须填写见证人。")
    status = FSMField("状态", default=Status.DRAFT, choices=Status.choices, protected=True)
    revision = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="上一版本", on_delete=models.PROTECT, related_name="next_revision", null=True, blank=True
    )
    is_current = models.BooleanField("当前版本", default=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    signed_at = models.DateTimeField("签约时间", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公示人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField("兑现时间", null=True, blank=True)
    final_grade = models.CharField("一诺一评等次", max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "承诺书"
        verbose_name_plural = "承诺书"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(pledger_organization__isnull=True))
                | (Q(member__isnull=True) & Q(pledger_organization__isnull=False)),
                name="pledge_has_exactly_one_pledger",
            ),
            models.UniqueConstraint(
                fields=["campaign", "member", "organization"],
                condition=Q(is_current=True, member__isnull=False),
                name="one_current_member_pledge_per_place",
            ),
            models.UniqueConstraint(
                fields=["campaign", "pledger_organization"],
                condition=Q(is_current=True, pledger_organization__isnull=False),
                name="one_current_org_pledge",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="pledge_org_status_idx"),
            models.Index(fields=["campaign", "status"], name="pledge_campaign_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pledger_name}的承诺书" + (f"（第{self.revision}版）" if self.revision > 1 else "")

    def get_absolute_url(self) -> str:
        return reverse("commitments:pledge_detail", args=[self.pk])

    @property
    def pledger_name(self) -> str:
        return self.member.name if self.member_id else self.pledger_organization.name

    @property
    def is_member_pledge(self) -> bool:
        return self.member_id is not None

    @property
    def is_oral(self) -> bool:
        return self.form == self.Form.ORAL

    @property
    def is_paper(self) -> bool:
        return self.form == self.Form.PAPER

    @property
    def signed_late(self) -> bool:
        """逾期签约: both sides signed the first version only after the campaign's signing deadline (a later
        version made by 变更承诺 is signed when the change is made, which is never late)."""
        return self.previous_id is None and self.campaign.signed_late(self.signed_at)

    @property
    def entered_by_branch(self) -> bool:
        """Oral and paper pledges of members are typed in by the branch, not by the member himself."""
        return self.member_id is not None and self.form in (self.Form.ORAL, self.Form.PAPER)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_locked(self) -> bool:
        return self.status not in self.EDITABLE

    # --- conditions -----------------------------------------------------------------------------------

    def min_items_required(self) -> int:
        if self.member_id and self.member.is_leader:
            return max(self.campaign.leader_min_items, self.campaign.min_items)
        return self.campaign.min_items

    def item_count_problem(self) -> str | None:
        n = self.items.count()
        need = self.min_items_required()
        if n < need:
            who = (
                "领导干部的承诺"
                if self.member_id and self.member.is_leader and need > self.campaign.min_items
                else "承诺"
            )
            return f"{who}至少需要 {need} 项承诺事项，现在只有 {n} 项。"
        if n > Campaign.MAX_ITEMS:
            return f"一份承诺最多 {Campaign.MAX_ITEMS} 项事项，现在有 {n} 项。"
        return None

    def has_valid_item_count(self) -> bool:
        return self.item_count_problem() is None

    def pledger_has_signed(self) -> bool:
        return self.signatures.filter(role=Signature.Role.PLEDGER).exists()

    def pledger_may_sign(self) -> bool:
        return not self.is_oral and not self.pledger_has_signed()

    def ready_for_countersign(self) -> bool:
        return self.is_oral or self.pledger_has_signed()

    def all_items_ticked_off(self) -> bool:
        items = self.items.all()
        return bool(items) and all(i.state == PledgeItem.State.TICKED_OFF for i in items)

    # --- transitions (they change state and stamp times only; services do the rest) ------------------

    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        conditions=[has_valid_item_count],
        permission=ask(PledgeAction.SUBMIT_PLEDGE),
        custom={"label": "提交审核", "confirm": "提交后在审核完成前不能修改，确定提交吗？"},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=ask(PledgeAction.REVIEW_PLEDGE),
        custom={"label": "退回修改"},
    )
    def return_for_changes(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.APPROVED,
        conditions=[has_valid_item_count],
        permission=ask(PledgeAction.REVIEW_PLEDGE),
        custom={"label": "审定通过"},
    )
    def approve(self):
        self.approved_at = timezone.now()

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.APPROVED,
        conditions=[pledger_may_sign],
        permission=ask(PledgeAction.SIGN_PLEDGE),
        custom={"label": "签署承诺书"},
    )
    def sign_as_pledger(self):
        pass

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.SIGNED,
        conditions=[ready_for_countersign],
        permission=ask(PledgeAction.COUNTERSIGN_PLEDGE),
        custom={"label": "审定方签署"},
    )
    def countersign(self):
        self.signed_at = timezone.now()

    @transition(
        field=status,
        source=Status.SIGNED,
        target=Status.PUBLISHED,
        permission=ask(PledgeAction.PUBLISH_PLEDGE),
        custom={"label": "公示", "confirm": "公示后承诺书将出现在公开栏上，确定公示吗？"},
    )
    def publish(self):
        self.published_at = timezone.now()

    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.COMPLETED,
        conditions=[all_items_ticked_off],
        custom={"label": "全部事项销号"},
    )
    def complete(self):
        self.completed_at = timezone.now()

    @transition(
        field=status,
        source=[Status.SIGNED, Status.PUBLISHED],
        target=Status.SUPERSEDED,
        permission=ask(PledgeAction.AMEND_PLEDGE),
        custom={"label": "变更承诺", "confirm": "变更将生成新版本并重新审核，现有版本保留备查。确定变更吗？"},
    )
    def amend(self):
        self.is_current = False

    # --- the text that is signed ------------------------------------------------------------------------

    def signed_content(self, items=None) -> dict:
        """What both parties read and sign (see commitments.signing); `items` may be given to save a query."""
        return signing.pledge_content(self, items)

    def canonical_text(self, items=None) -> str:
        return signing.canonical(self.signed_content(items))

    def text_sha256(self, items=None) -> str:
        return signing.sha256(self.canonical_text(items))


# Pledges whose items run against their deadlines: signed (awaiting publication) or published.
IN_FORCE = (Pledge.Status.SIGNED, Pledge.Status.PUBLISHED)


def overdue_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """Items past their deadline and not ticked off, of a current pledge in force, as of `today` (read time).

    `prefix` reaches the item from another model (e.g. ``"items__"`` from Pledge).
    """
    today = today or timezone.localdate()
    return (
        Q(**{f"{prefix}deadline__lt": today, f"{prefix}pledge__is_current": True})
        & Q(**{f"{prefix}pledge__status__in": IN_FORCE})
        & ~Q(**{f"{prefix}state": "ticked_off"})
    )


class PledgeItemQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None):
        return self.filter(overdue_q(today=today))


class PledgeItem(StateMachineMixin, models.Model):
    """承诺事项: one concrete promise of a pledge; once the pledge is published, ticked off one by one (销号)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "进行中"
        TICK_REQUESTED = "tick_requested", "申请销号"
        TICKED_OFF = "ticked_off", "已销号"

    # Fields that belong to the signed text; they cannot change once the pledge left draft.
    CONTENT_FIELDS = frozenset(
        {
            "position",
            "content_area",
            "content",
            "measures",
            "deadline",
            "responsible_person",
            "indicator",
            "unit",
            "baseline_value",
            "target_value",
            "pledge",
            "pledge_id",
        }
    )

    pledge = models.ForeignKey(Pledge, verbose_name="承诺书", on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    content_area = models.CharField("承诺方面", max_length=50)
    content = models.TextField("承诺事项", max_length=1000)
    measures = models.TextField("践诺措施", max_length=1000, blank=True)
    deadline = models.DateField("完成时限")
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    indicator = models.CharField("量化指标", max_length=100, blank=True, help_text="如“村集体经济收入”“招待费”。")
    unit = models.CharField("单位", max_length=20, blank=True, help_text="如“万元”“户”“人次”。")
    baseline_value = models.DecimalField("基数", max_digits=14, decimal_places=2, null=True, blank=True)
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    achieved_value = models.DecimalField("完成值", max_digits=14, decimal_places=2, null=True, blank=True)
    cited_opinions = models.ManyToManyField(
        Opinion, verbose_name="回应的群众意见", related_name="answering_items", blank=True
    )
    state = FSMField("践诺状态", max_length=20, choices=State.choices, default=State.IN_PROGRESS, protected=True)
    tick_request_note = models.TextField("销号申请说明", max_length=1000, blank=True)
    tick_requested_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    tick_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticked_off_on = models.DateField("销号日期", null=True, blank=True)
    ticked_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tick_refusal_reason = models.CharField("不予销号原因", max_length=500, blank=True)
    needs_help = models.BooleanField("需帮扶", default=False)
    help_note = models.CharField("帮扶说明", max_length=500, blank=True)
    # Whether the overdue reminder went out (the nightly job); whether an item *is* overdue is read from its
    # deadline and today's date (`is_overdue`, `PledgeItemQuerySet.overdue`), so no page depends on the job.
    overdue_notified = models.BooleanField("已发逾期提醒", default=False)

    history = HistoricalRecords()

    objects = PledgeItemQuerySet.as_manager()

    class Meta:
        verbose_name = "承诺事项"
        verbose_name_plural = "承诺事项"
        ordering = ["pledge_id", "position"]
        constraints = [models.UniqueConstraint(fields=["pledge", "position"], name="item_position_unique")]
        indexes = [models.Index(fields=["state", "deadline"], name="item_state_deadline_idx")]

    def __str__(self) -> str:
        return f"{self.position}. {self.content[:30]}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        touches_content = update_fields is None or bool(set(update_fields) & self.CONTENT_FIELDS)
        if self.pk and touches_content:
            status = Pledge.objects.filter(pk=self.pledge_id).values_list("status", flat=True).first()
            if status not in Pledge.EDITABLE:
                raise LockedError("承诺书已提交或签约，事项内容不能再修改；如需修改请走变更流程。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        status = Pledge.objects.filter(pk=self.pledge_id).values_list("status", flat=True).first()
        if status not in Pledge.EDITABLE:
            raise LockedError("承诺书已提交或签约，事项不能删除。")
        return super().delete(*args, **kwargs)

    @property
    def is_quantified(self) -> bool:
        return bool(self.indicator) and self.target_value is not None

    def quantified_text(self) -> str:
        if not self.is_quantified:
            return ""
        unit = self.unit
        base = f"由 {_num(self.baseline_value)}{unit} " if self.baseline_value is not None else ""
        return f"{self.indicator}：{base}到 {_num(self.target_value)}{unit}"

    # --- the tick-off: 申请销号 → 确认销号, or back to 进行中 when refused ------------------------------------

    @property
    def is_overdue(self) -> bool:
        """Past its deadline today and not ticked off, in a pledge in force: read now, not from the nightly job."""
        return (
            self.state != self.State.TICKED_OFF
            and self.deadline < timezone.localdate()
            and self.pledge.is_current
            and self.pledge.status in IN_FORCE
        )

    def pledge_in_fulfilment(self) -> bool:
        return self.pledge.is_current and self.pledge.status == Pledge.Status.PUBLISHED

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.TICK_REQUESTED,
        conditions=[pledge_in_fulfilment],
        permission=ask(PledgeAction.FULFIL_PLEDGE),
        custom={"label": "申请销号"},
    )
    def request_tick_off(self):
        self.tick_requested_at = timezone.now()
        self.tick_refusal_reason = ""

    @transition(
        field=state,
        source=State.TICK_REQUESTED,
        target=State.TICKED_OFF,
        conditions=[pledge_in_fulfilment],
        permission=ask(PledgeAction.CONFIRM_TICK_OFF),
        custom={"label": "确认销号", "confirm": "确认该事项已兑现并销号吗？"},
    )
    def confirm_tick_off(self):
        self.ticked_off_on = timezone.localdate()
        self.needs_help = False

    @transition(
        field=state,
        source=State.TICK_REQUESTED,
        target=State.IN_PROGRESS,
        conditions=[pledge_in_fulfilment],
        permission=ask(PledgeAction.CONFIRM_TICK_OFF),
        custom={"label": "不予销号"},
    )
    def refuse_tick_off(self):
        pass

    def clean(self):
        errors = {}
        if (self.baseline_value is not None or self.target_value is not None) and not self.indicator:
            errors["indicator"] = "填写了数值时请写明量化指标。"
        if self.indicator and self.target_value is None:
            errors["target_value"] = "量化承诺请填写目标值。"
        if errors:
            raise ValidationError(errors)


def _num(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text or "0"


def _legacy_point(key: str):
    """The old boolean column `key` of a review, read from and written to its checklist (callers and the demo
    still name the four points this way)."""

    def get(review) -> bool:
        return any(p["key"] == key and p["passed"] for p in review.checklist)

    def set_(review, passed: bool) -> None:
        review.checklist = [p for p in review.checklist if p["key"] != key] + [
            {"key": key, "label": REVIEW_POINTS[key][0], "passed": bool(passed)}
        ]
        review.checklist.sort(key=lambda p: list(REVIEW_POINTS).index(p["key"]) if p["key"] in REVIEW_POINTS else 99)

    return property(get, set_)


class Review(models.Model):
    """审诺: the reviewer's decision with the campaign's checklist, point by point."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "审定通过"
        RETURN = "return", "退回修改"

    # The four points of 篇六, the default checklist (kept for callers that name them).
    CHECKS = tuple((key, REVIEW_POINTS[key][0]) for key in DEFAULT_REVIEW_POINTS)

    pledge = models.ForeignKey(Pledge, verbose_name="承诺书", on_delete=models.CASCADE, related_name="reviews")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("审核时间", default=timezone.now)
    decision = models.CharField("审核结论", max_length=10, choices=Decision.choices)
    # One entry per point asked: {"key", "label", "passed"}. The label is stored as it read at the review, so an
    # old review stays readable whatever the campaign or the catalogue says later.
    checklist = models.JSONField("审核要点", default=list, blank=True)
    comment = models.TextField("审核意见", max_length=2000, blank=True)

    reflects_advanced_nature = _legacy_point("reflects_advanced_nature")
    fits_post_duties = _legacy_point("fits_post_duties")
    meets_public_wishes = _legacy_point("meets_public_wishes")
    is_feasible = _legacy_point("is_feasible")
    centres_on_current_work = _legacy_point("centres_on_current_work")

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}：{self.pledge}"

    def points(self) -> list[tuple[str, bool]]:
        """(label, passed) for each point asked, as the PDF and the pages show the checklist."""
        return [(p["label"], bool(p["passed"])) for p in self.checklist]

    def passed_checks(self) -> list[str]:
        return [label for label, passed in self.points() if passed]


class ReviewItemComment(models.Model):
    review = models.ForeignKey(Review, verbose_name="审核记录", on_delete=models.CASCADE, related_name="item_comments")
    item = models.ForeignKey(
        PledgeItem, verbose_name="承诺事项", on_delete=models.CASCADE, related_name="review_comments"
    )
    comment = models.CharField("意见", max_length=500)

    class Meta:
        verbose_name = "事项审核意见"
        verbose_name_plural = "事项审核意见"

    def __str__(self) -> str:
        return self.comment


def signature_upload_to(instance, filename) -> str:
    return f"private/signatures/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.png"


def scan_upload_to(instance, filename) -> str:
    # The extension is the kind found by looking at the content (organizations.uploads), never the sent name.
    return f"private/paper/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{instance.scan_kind}"


class Signature(models.Model):
    """定诺: one party's signature on one revision, with the SHA-256 of the text signed."""

    class Role(models.TextChoices):
        PLEDGER = "pledger", "承诺方"
        REVIEWER = "reviewer", "审定方"

    class Method(models.TextChoices):
        DRAWN = "drawn", "手写签名"
        TYPED = "typed", "输入姓名"
        # The member signed the printed 承诺书 by hand; `signer` is the officer who recorded it, `signed_at` the
        # day on the paper (at noon), `scan` the signed page and `image_sha256` its digest, under the seal.
        PAPER = "paper", "纸质签字"

    pledge = models.ForeignKey(Pledge, verbose_name="承诺书", on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField("签署方", max_length=10, choices=Role.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签署人", on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField("签署人姓名", max_length=50)
    method = models.CharField("签署方式", max_length=10, choices=Method.choices)
    image = models.FileField("签名图片", upload_to=signature_upload_to, blank=True)
    scan = models.FileField("纸质承诺书扫描件", upload_to=scan_upload_to, blank=True)
    scan_kind = models.CharField("扫描件类型", max_length=10, blank=True)
    signed_at = models.DateTimeField("签署时间", default=timezone.now)
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True, help_text="纸质签字录入系统的时间。")
    # What was signed, exactly (see commitments.signing): the canonical text, its digest, and a seal over both
    # and the facts above, keyed outside the database.
    format = models.PositiveSmallIntegerField("签署文本格式", default=2)
    signed_text = models.TextField("签署的承诺文本", blank=True)
    text_sha256 = models.CharField("承诺文本摘要（SHA-256）", max_length=64)
    image_sha256 = models.CharField("签名图片摘要（SHA-256）", max_length=64, blank=True)
    seal = models.CharField("防篡改封印（HMAC-SHA256）", max_length=64, blank=True)
    seal_key_id = models.CharField("封印密钥标识", max_length=12, blank=True)

    class Meta:
        verbose_name = "签名"
        verbose_name_plural = "签名"
        constraints = [models.UniqueConstraint(fields=["pledge", "role"], name="one_signature_per_side")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.signer_name}"

    @property
    def is_paper(self) -> bool:
        return self.method == self.Method.PAPER

    @property
    def signed_on(self) -> datetime.date:
        return timezone.localdate(self.signed_at)

    @property
    def scan_is_image(self) -> bool:
        return self.scan_kind in IMAGE_KINDS


def attachment_upload_to(instance, filename) -> str:
    # The extension is the kind found by looking at the content (see commitments.uploads).
    return f"private/evidence/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{instance.kind}"


class FulfilmentLog(models.Model):
    """践诺: a progress entry on an item, with evidence."""

    item = models.ForeignKey(PledgeItem, verbose_name="承诺事项", on_delete=models.CASCADE, related_name="logs")
    happened_on = models.DateField("日期")
    text = models.TextField("践诺情况", max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "践诺记录"
        verbose_name_plural = "践诺记录"
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return self.text[:30]


class Attachment(models.Model):
    log = models.ForeignKey(
        FulfilmentLog, verbose_name="践诺记录", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_upload_to)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def content_type(self) -> str:
        return content_type_of(self.kind)


class SelfCheck(models.Model):
    """一月一自查: per item per month."""

    class Result(models.TextChoices):
        DONE = "done", "已完成"
        ON_TRACK = "on_track", "按计划推进"
        BEHIND = "behind", "滞后"

    item = models.ForeignKey(PledgeItem, verbose_name="承诺事项", on_delete=models.CASCADE, related_name="self_checks")
    month = models.DateField("月份", help_text="该月的第一天")
    result = models.CharField("自查结果", max_length=10, choices=Result.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="自查人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("填写时间", auto_now_add=True)

    class Meta:
        verbose_name = "月度自查"
        verbose_name_plural = "月度自查"
        constraints = [models.UniqueConstraint(fields=["item", "month"], name="one_self_check_per_item_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_result_display()}"


class Inspection(models.Model):
    """一季一检查: the reviewing side's quarterly verdict on a pledge."""

    class Result(models.TextChoices):
        PASS = "pass", "通过"
        FAIL = "fail", "不通过"

    pledge = models.ForeignKey(Pledge, verbose_name="承诺书", on_delete=models.CASCADE, related_name="inspections")
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField(
        "季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
    )
    result = models.CharField("检查结果", max_length=10, choices=Result.choices)
    problem_unsolved = models.BooleanField("问题不解决", default=False)
    not_in_place = models.BooleanField("落实不到位", default=False)
    masses_unsatisfied = models.BooleanField("群众不满意", default=False)
    note = models.CharField("检查意见", max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("检查时间", auto_now_add=True)

    REASONS = (("problem_unsolved", "问题不解决"), ("not_in_place", "落实不到位"), ("masses_unsatisfied", "群众不满意"))

    class Meta:
        verbose_name = "季度检查"
        verbose_name_plural = "季度检查"
        constraints = [models.UniqueConstraint(fields=["pledge", "year", "quarter"], name="one_inspection_per_quarter")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度：{self.get_result_display()}"

    def reasons(self) -> list[str]:
        return [label for name, label in self.REASONS if getattr(self, name)]


class Notification(models.Model):
    """In-app notification; the dedupe key makes one event notify each person once."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "承诺书待审核"
        RETURNED = "returned", "承诺书被退回"
        APPROVED = "approved", "承诺书已审定"
        TO_SIGN = "to_sign", "待签署"
        SIGNED = "signed", "承诺书已签约"
        PUBLISHED = "published", "承诺书已公示"
        TICK_REQUESTED = "tick_requested", "申请销号"
        TICK_CONFIRMED = "tick_confirmed", "销号已确认"
        TICK_REFUSED = "tick_refused", "销号未通过"
        OVERDUE = "overdue", "事项逾期"
        SELF_CHECK_DUE = "self_check_due", "月度自查提醒"
        SUPERVISION_NEW = "supervision_new", "群众监督意见待答复"
        SUPERVISION_OVERDUE = "supervision_overdue", "群众监督意见超期未答复"
        LEADER_REVIEW = "leader_review", "领导点评"
        REVIEW_DUE = "review_due", "一季一点评提醒"
        RECORD_COMMENT = "record_comment", "记实点评"
        RECORD_DUE = "record_due", "每月记实提醒"
        AWARD_NOMINATED = "award_nominated", "表彰待审批"
        AWARD_DECIDED = "award_decided", "表彰审批结果"
        FINAL_GRADE = "final_grade", "一诺一评结果"
        RECTIFICATION = "rectification", "整改"
        PASSWORD_RESET = "password_reset", "密码被重置"
        SIGN_DEADLINE = "sign_deadline", "签约截止提醒"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("事件标识", max_length=120)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notify_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1
