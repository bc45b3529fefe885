"""统计表 (DESIGN §11; 篇十二 附件2《创先争优活动有关项目统计》): a superior's form of sentences with blanks, each
blank bound to a computed indicator or to a value the organization enters; issued for a period to a subtree,
filled, submitted, returned or accepted, and rolled up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from organizations.models import Organization
from organizations.transitions import StateMachineMixin, ask

from .permissions import ReportAction


class ReportTemplate(models.Model):
    """A statistics form: a title and ordered items (sentences with blanks). Built-in forms belong to nobody
    and cannot be edited; a committee's own forms belong to its organization and are seen in its subtree."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    source = models.TextField(
        "表样", help_text="每行一项；空格处写 {指标代码} 或 {填报:说明}、{填报金额:说明}、{填报文字:说明}。"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="制定单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_templates",
    )
    is_built_in = models.BooleanField("内置", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("制定时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "统计表模板"
        verbose_name_plural = "统计表模板"
        ordering = ["-is_built_in", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ReportItem(models.Model):
    """One numbered item of a form: the sentence as written, with its blanks in `ReportBlank` rows."""

    template = models.ForeignKey(ReportTemplate, verbose_name="统计表", on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    text = models.TextField("表述")

    class Meta:
        verbose_name = "统计项目"
        verbose_name_plural = "统计项目"
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "position"], name="one_item_per_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:30]}"


class ReportBlank(models.Model):
    """A blank of an item: computed from an indicator (`indicator`), or entered by the organization."""

    class Source(models.TextChoices):
        COMPUTED = "computed", "系统统计"
        ENTERED = "entered", "组织填报"

    class ValueType(models.TextChoices):
        COUNT = "count", "数量"
        AMOUNT = "amount", "金额"
        TEXT = "text", "文字"
        PERCENT = "percent", "比例"

    item = models.ForeignKey(ReportItem, verbose_name="统计项目", on_delete=models.CASCADE, related_name="blanks")
    key = models.CharField("空格编号", max_length=20)
    position = models.PositiveSmallIntegerField("在项目中的序号")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    indicator = models.CharField("指标代码", max_length=80, blank=True)
    label = models.CharField("说明", max_length=100)
    value_type = models.CharField("类型", max_length=10, choices=ValueType.choices, default=ValueType.COUNT)

    class Meta:
        verbose_name = "统计空格"
        verbose_name_plural = "统计空格"
        ordering = ["item__position", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "position"], name="one_blank_per_position")]

    def __str__(self) -> str:
        return self.label

    @property
    def summable(self) -> bool:
        """Entered values add up over a subtree, except text (listed instead) and ratios."""
        return self.value_type in (self.ValueType.COUNT, self.ValueType.AMOUNT)


class ReportIssue(models.Model):
    """A form issued by a committee for a period to every organization of its subtree."""

    template = models.ForeignKey(ReportTemplate, verbose_name="统计表", on_delete=models.PROTECT, related_name="issues")
    organization = models.ForeignKey(
        Organization, verbose_name="下发单位", on_delete=models.PROTECT, related_name="report_issues"
    )
    period = models.CharField("统计期间", max_length=10, help_text="2025（年度）、2025H1（半年）、2025Q3（季度）")
    due_on = models.DateField("报送截止日期")
    note = models.TextField("填报说明", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下发人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("下发时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "统计表下发"
        verbose_name_plural = "统计表下发"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "organization", "period"], name="one_issue_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.template.name}（{self.period}）"


class ReportSubmission(StateMachineMixin, models.Model):
    """One organization's copy of an issued form: the values it entered for itself (本级), and, once
    submitted, the computed values of its subtree as they stood then."""

    class Status(models.TextChoices):
        PENDING = "pending", "待填报"
        SUBMITTED = "submitted", "已上报"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已审核"

    issue = models.ForeignKey(ReportIssue, verbose_name="下发", on_delete=models.CASCADE, related_name="submissions")
    organization = models.ForeignKey(
        Organization, verbose_name="填报单位", on_delete=models.PROTECT, related_name="report_submissions"
    )
    status = FSMField("状态", max_length=12, choices=Status.choices, default=Status.PENDING, protected=True)
    entered = models.JSONField("填报数值", default=dict, blank=True)
    computed = models.JSONField("系统统计（上报时）", default=dict, blank=True)
    comment = models.TextField("审核意见", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("填报时间", null=True, blank=True)
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "统计表填报"
        verbose_name_plural = "统计表填报"
        ordering = ["issue", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "organization"], name="one_submission_per_organization")
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.organization.name}：{self.issue}"

    @transition(
        field=status,
        source=[Status.PENDING, Status.RETURNED],
        target=Status.SUBMITTED,
        permission=ask(ReportAction.FILL_REPORT),
        custom={"label": "上报", "confirm": "上报后不能再修改，除非上级退回。确定上报吗？"},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=ask(ReportAction.CHECK_REPORT),
        custom={"label": "退回修改"},
    )
    def send_back(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=ask(ReportAction.CHECK_REPORT),
        custom={"label": "审核通过"},
    )
    def accept(self):
        pass
