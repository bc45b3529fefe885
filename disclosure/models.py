"""Public supervision from the boards, board settings, and background jobs (printing, ledgers)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commitments.models import Campaign, Opinion, PledgeItem
from organizations import background
from organizations.models import Organization


def new_tracking_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "JD" + "".join(secrets.choice(alphabet) for _ in range(10))


class SupervisionReport(models.Model):
    """群众监督: an opinion or a supervision report sent by the public from a board, and its answer."""

    class Kind(models.TextChoices):
        OPINION = "opinion", "意见建议"
        SUPERVISION = "supervision", "监督举报"

    class Channel(models.TextChoices):
        """How it reached the organization. Besides the board, people phone, drop a note in the 意见箱, write a
        letter or send an SMS; the clerk logs those into the same inbox, with the same deadline and tracking."""

        ONLINE = "online", "网上"
        PHONE = "phone", "电话"
        BOX = "box", "意见箱"
        LETTER = "letter", "来信"
        SMS = "sms", "短信"

    OFFLINE_CHANNELS = (Channel.PHONE, Channel.BOX, Channel.LETTER, Channel.SMS)

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="supervision_reports"
    )
    item = models.ForeignKey(
        PledgeItem,
        verbose_name="针对的承诺事项",
        on_delete=models.SET_NULL,
        related_name="supervision_reports",
        null=True,
        blank=True,
    )
    opinion = models.OneToOneField(
        Opinion, verbose_name="转入的意见建议", on_delete=models.SET_NULL, null=True, blank=True, related_name="report"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SUPERVISION)
    channel = models.CharField("收到渠道", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    # The answer deadline counts from this day: the day of submission online, the day the phone call, the
    # letter or the note reached the organization for the others.
    received_on = models.DateField("收到日期", default=timezone.localdate)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField("内容", max_length=1000)
    name = models.CharField("姓名（不公开）", max_length=30, blank=True)
    phone = models.CharField("联系电话（不公开）", max_length=20, blank=True)
    tracking_number = models.CharField("查询编号", max_length=12, unique=True, default=new_tracking_number)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    due_on = models.DateField("答复期限")
    answer = models.TextField("答复", max_length=2000, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    flagged_at = models.DateTimeField("超期报上级时间", null=True, blank=True)
    # When a board receives more than its hourly threshold, reports are still accepted but held for a clerk to
    # sort genuine ones from a flood; a genuine citizen is never refused because others flooded the board.
    held_at = models.DateTimeField("暂存待甄别时间", null=True, blank=True)
    discarded_at = models.DateTimeField("作为无效信息作废的时间", null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "群众监督意见"
        verbose_name_plural = "群众监督意见"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["organization", "answered_at"], name="report_org_answered_idx")]

    def __str__(self) -> str:
        return f"{self.tracking_number}：{self.text[:20]}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_offline(self) -> bool:
        return self.channel != self.Channel.ONLINE

    @property
    def is_overdue(self) -> bool:
        return (
            not self.is_answered and not self.is_held and not self.is_discarded and timezone.localdate() > self.due_on
        )

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def is_discarded(self) -> bool:
        return self.discarded_at is not None


class BoardSetting(models.Model):
    """An organization's board: which finished campaign stays on it once no campaign is open, and whether it
    shows the results of 评诺 (篇六: 评议结果要通过一定形式向群众通报)."""

    class Results(models.TextChoices):
        AUTO = "auto", "自动（批次结束后公布）"
        SHOW = "show", "公布"
        HIDE = "hide", "不公布"

    organization = models.OneToOneField(
        Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="board_setting"
    )
    pinned_campaign = models.ForeignKey(
        Campaign, verbose_name="保留展示的承诺批次", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    show_results = models.CharField(
        "公布一诺一评和评议结果", max_length=10, choices=Results.choices, default=Results.AUTO
    )

    class Meta:
        verbose_name = "公开栏设置"
        verbose_name_plural = "公开栏设置"

    def __str__(self) -> str:
        return f"{self.organization}的公开栏"

    def results_shown(self, campaign: Campaign | None, today=None) -> bool:
        """Whether the board shows the campaign's 一诺一评 grades and the members' appraisal results now.

        自动 is read at page time: shown once the campaign's end date has passed (or it was closed), no job needed.
        """
        if campaign is None or self.show_results == self.Results.HIDE:
            return False
        if self.show_results == self.Results.SHOW:
            return True
        today = today or timezone.localdate()
        return campaign.ends_on < today or campaign.status == Campaign.Status.CLOSED


def job_kinds() -> list[tuple[str, str]]:
    """This app's own kinds, then those the lower apps registered (organizations.background)."""
    return [*Job.Kind.choices, *background.kind_choices()]


class Job(models.Model):
    """A background job started by a person, with progress and a result: batch printing, a large ledger, or a
    kind a lower app registered (a large Excel import), whose outcome is kept as JSON and shown by its template.
    """

    class Kind(models.TextChoices):
        MEMBER_REGISTERS = "member_registers", "附件4 党员承诺事项登记（公示）表（各支部）"
        MEMBER_PLEDGES = "member_pledges", "附件1 党员承诺书（全部党员）"
        ORGANIZATION_PLEDGES = "organization_pledges", "附件2 党组织承诺书（全部党组织）"
        LEDGER = "ledger", "承诺台帐 Excel"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务类型", max_length=30, choices=job_kinds)
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, verbose_name="承诺批次", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    params = models.JSONField("任务参数", default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    result = models.FileField("结果文件", upload_to="private/jobs/", blank=True)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    outcome = models.JSONField("任务结果", default=dict, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["started_by", "kind", "state"], name="job_dedupe_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:job", args=[self.pk])

    @property
    def outcome_template(self) -> str:
        """The template of a registered kind that shows the outcome; empty for this app's own kinds."""
        kind = background.get_kind(self.kind)
        return kind.outcome_template if kind else ""

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.progress_done * 100 / self.progress_total) if self.progress_total else 0

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
