"""评诺 (DESIGN §6) and statistics (§7): leader reviews, mass appraisals with ballots, rectification,
final grades, awards, rankings, monthly records, bulletins and tally snapshots."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from commitments.models import Campaign, Pledge
from organizations.models import Member, Organization
from organizations.transitions import StateMachineMixin, ask

from .permissions import EvaluationAction


class Grade(models.TextChoices):
    GOOD = "good", "好"
    FAIRLY_GOOD = "fairly_good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


GRADE_POINTS = {Grade.GOOD: 4, Grade.FAIRLY_GOOD: 3, Grade.FAIR: 2, Grade.POOR: 1}


class LeaderReview(models.Model):
    """领导点评 of a member (by his branch secretary) or of an organization (by a superior committee)."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "一月一提醒"
        QUARTERLY = "quarterly", "一季一点评"
        HALF_YEAR = "half_year", "半年一检查"
        ANNUAL = "annual", "一年一总评"

    MEMBER_ASPECTS = (("de", "德"), ("neng", "能"), ("qin", "勤"), ("ji", "绩"), ("lian", "廉"))
    ORGANIZATION_ASPECTS = (
        ("lead_development", "引领发展"),
        ("serve_masses", "服务群众"),
        ("build_harmony", "构建和谐"),
        ("strengthen_base", "加强基层组织"),
    )

    member = models.ForeignKey(
        Member,
        verbose_name="点评的党员",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leader_reviews",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="点评的党组织",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leader_reviews",
    )
    campaign = models.ForeignKey(Campaign, verbose_name="承诺批次", on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField("点评方式", max_length=20, choices=Kind.choices)
    period = models.CharField("期间", max_length=10, help_text="如 2025-07、2025Q3、2025H2、2025")
    text = models.TextField("点评意见", max_length=2000)
    de = models.CharField("德", max_length=12, choices=Grade.choices, blank=True)
    neng = models.CharField("能", max_length=12, choices=Grade.choices, blank=True)
    qin = models.CharField("勤", max_length=12, choices=Grade.choices, blank=True)
    ji = models.CharField("绩", max_length=12, choices=Grade.choices, blank=True)
    lian = models.CharField("廉", max_length=12, choices=Grade.choices, blank=True)
    lead_development = models.CharField("引领发展", max_length=12, choices=Grade.choices, blank=True)
    serve_masses = models.CharField("服务群众", max_length=12, choices=Grade.choices, blank=True)
    build_harmony = models.CharField("构建和谐", max_length=12, choices=Grade.choices, blank=True)
    strengthen_base = models.CharField("加强基层组织", max_length=12, choices=Grade.choices, blank=True)
    requires_rectification = models.BooleanField("要求整改", default=False)
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    is_published = models.BooleanField("在公开栏公布", default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="点评人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("点评时间", default=timezone.now)

    class Meta:
        verbose_name = "领导点评"
        verbose_name_plural = "领导点评"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(organization__isnull=True))
                | (Q(member__isnull=True) & Q(organization__isnull=False)),
                name="leader_review_one_subject",
            )
        ]
        indexes = [models.Index(fields=["kind", "period"], name="leader_review_period_idx")]

    def __str__(self) -> str:
        subject = self.member.name if self.member_id else self.organization.name
        return f"{self.get_kind_display()}：{subject}（{self.period}）"

    def aspects(self):
        pairs = self.MEMBER_ASPECTS if self.member_id else self.ORGANIZATION_ASPECTS
        return [(label, getattr(self, f"get_{name}_display")()) for name, label in pairs if getattr(self, name)]


def participant_minimum(org: Organization) -> int:
    """Minimum participants of an appraisal: 20 for 非公 and 社会组织, 30 for the others (篇六)."""
    if org.sector in (Organization.Sector.PRIVATE_ENTERPRISE, Organization.Sector.SOCIAL_ORGANIZATION):
        return 20
    return 30


def has_report(appraisal: Appraisal) -> bool:
    """篇六: “在评议会上，党组织书记要报告本单位推进创先争优活动、兑现公开承诺……等情况” before the vote counts."""
    return bool((appraisal.report_text or "").strip())


class Appraisal(StateMachineMixin, models.Model):
    """群众评议: a half-yearly satisfaction appraisal of an organization (篇六), or the yearly appraisal of a
    window unit by its 服务对象 (篇五 “三亮三创三评”)."""

    class Kind(models.TextChoices):
        HALF_YEARLY = "half_yearly", "群众评议"
        WINDOW = "window", "窗口服务对象测评"

    class Status(models.TextChoices):
        OPEN = "open", "评议中"
        CLOSED = "closed", "已结束"

    # 篇六: “上一级党组织领导班子成员和本单位领导班子全体成员、‘两代表一委员’、党员干部和基层群众等各个层面的
    # 代表”; 服务对象 are the participants of a window unit's appraisal (篇五).
    GROUPS = (
        ("superior_leaders", "上级党组织领导班子成员"),
        ("own_leaders", "本单位领导班子"),
        ("deputies", "两代表一委员"),
        ("cadres", "党员干部"),
        ("masses", "基层群众"),
        ("service_users", "服务对象"),
    )
    FULL_YEAR = 0

    organization = models.ForeignKey(
        Organization, verbose_name="被评议党组织", on_delete=models.PROTECT, related_name="appraisals"
    )
    campaign = models.ForeignKey(Campaign, verbose_name="承诺批次", on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField("评议类别", max_length=20, choices=Kind.choices, default=Kind.HALF_YEARLY)
    year = models.PositiveIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=[(0, "全年"), (1, "上半年"), (2, "下半年")])
    held_on = models.DateField("评议日期")
    place = models.CharField("地点", max_length=100)
    report_text = models.TextField("书记报告", max_length=5000, blank=True)
    planned_superior_leaders = models.PositiveIntegerField("上级党组织领导班子成员（计划人数）", default=0)
    planned_own_leaders = models.PositiveIntegerField("本单位领导班子（计划人数）", default=0)
    planned_deputies = models.PositiveIntegerField("两代表一委员（计划人数）", default=0)
    planned_cadres = models.PositiveIntegerField("党员干部（计划人数）", default=0)
    planned_masses = models.PositiveIntegerField("基层群众（计划人数）", default=0)
    planned_service_users = models.PositiveIntegerField("服务对象（计划人数）", default=0)
    # Who came, group by group (篇六 names the groups); empty until the organizer records the attendance.
    attended_superior_leaders = models.PositiveIntegerField("上级党组织领导班子成员（实到）", null=True, blank=True)
    attended_own_leaders = models.PositiveIntegerField("本单位领导班子（实到）", null=True, blank=True)
    attended_deputies = models.PositiveIntegerField("两代表一委员（实到）", null=True, blank=True)
    attended_cadres = models.PositiveIntegerField("党员干部（实到）", null=True, blank=True)
    attended_masses = models.PositiveIntegerField("基层群众（实到）", null=True, blank=True)
    attended_service_users = models.PositiveIntegerField("服务对象（实到）", null=True, blank=True)
    member_questions = models.ManyToManyField(
        Pledge, verbose_name="逐人测评的党员承诺", blank=True, related_name="appraisals"
    )
    rectification = models.ForeignKey(
        "Rectification",
        verbose_name="整改后的再次评议",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_appraisals",
    )
    status = FSMField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    valid_ballots = models.PositiveIntegerField("有效票", default=0)
    invalid_ballots = models.PositiveIntegerField("无效票", default=0)
    satisfied = models.PositiveIntegerField("满意", default=0)
    basically_satisfied = models.PositiveIntegerField("基本满意", default=0)
    unsatisfied = models.PositiveIntegerField("不满意", default=0)
    satisfaction = models.DecimalField("满意度", max_digits=6, decimal_places=4, null=True, blank=True)
    # The campaign's weights and 意见较大 threshold the result was computed with, kept as they were at closing:
    # {"satisfied": "1.00", "basically": "1.00", "unsatisfied": "0.00", "unsatisfied_threshold": "0.10"}.
    computed_with = models.JSONField("计算依据", default=dict, blank=True)
    is_published = models.BooleanField("结果已公开", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="组织者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    history = HistoricalRecords()

    THRESHOLD = Decimal("0.90")

    class Meta:
        verbose_name = "群众评议"
        verbose_name_plural = "群众评议"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "year", "half"], name="appraisal_org_half_idx")]

    def __str__(self) -> str:
        return f"{self.organization.name}{self.year}年{self.get_half_display()}群众评议"

    @property
    def minimum(self) -> int:
        return participant_minimum(self.organization)

    @property
    def planned_total(self) -> int:
        return sum(getattr(self, f"planned_{name}") for name, _ in self.GROUPS)

    @property
    def attendance_recorded(self) -> bool:
        return any(getattr(self, f"attended_{name}") is not None for name, _ in self.GROUPS)

    @property
    def attended_total(self) -> int | None:
        if not self.attendance_recorded:
            return None
        return sum(getattr(self, f"attended_{name}") or 0 for name, _ in self.GROUPS)

    def participant_rows(self) -> list[tuple[str, int, int | None]]:
        """(group, planned, attended) for each group with anyone planned or present."""
        rows = []
        for name, label in self.GROUPS:
            planned, attended = getattr(self, f"planned_{name}"), getattr(self, f"attended_{name}")
            if planned or attended:
                rows.append((label, planned, attended))
        return rows

    @property
    def unsatisfied_share(self) -> Decimal | None:
        if not self.valid_ballots:
            return None
        return Decimal(self.unsatisfied) / Decimal(self.valid_ballots)

    @property
    def unsatisfied_threshold(self) -> Decimal | None:
        """The 意见较大 threshold of the result: as stored at closing, else the campaign's current one."""
        stored = (self.computed_with or {}).get("unsatisfied_threshold")
        if stored is not None:
            return Decimal(stored)
        return self.campaign.unsatisfied_threshold if self.campaign_id else None

    @property
    def strong_objection(self) -> bool:
        """意见较大 (篇六 “凡群众评议意见较大、满意度低于90%的党组织”): 不满意 above the campaign's share."""
        share, threshold = self.unsatisfied_share, self.unsatisfied_threshold
        return share is not None and threshold is not None and share > threshold

    @property
    def below_threshold(self) -> bool:
        return self.satisfaction is not None and self.satisfaction < self.THRESHOLD

    @property
    def passed(self) -> bool | None:
        """Neither 满意度低于90% nor 意见较大: no rectification needed."""
        if self.satisfaction is None:
            return None
        return not self.below_threshold and not self.strong_objection

    def rectification_reasons(self) -> list[str]:
        """Why the result calls for 整改, in the words of the results page."""
        from .selectors import satisfaction_text

        reasons = []
        if self.below_threshold:
            reasons.append(f"满意度 {satisfaction_text(self.satisfaction)}，低于90%")
        if self.strong_objection:
            share = satisfaction_text(self.unsatisfied_share.quantize(Decimal("0.0001")))
            limit = satisfaction_text(self.unsatisfied_threshold)
            reasons.append(f"“不满意”票占 {share}，超过 {limit}，群众意见较大")
        return reasons

    @property
    def weights_used(self) -> tuple[Decimal, Decimal, Decimal] | None:
        """满意 / 基本满意 / 不满意 weights the result was computed with (None for a result from before they were
        kept)."""
        data = self.computed_with or {}
        if "satisfied" not in data:
            return None
        return (Decimal(data["satisfied"]), Decimal(data["basically"]), Decimal(data["unsatisfied"]))

    @property
    def satisfaction_display(self) -> str:
        from .selectors import satisfaction_text

        return satisfaction_text(self.satisfaction)

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.CLOSED,
        permission=ask(EvaluationAction.MANAGE_APPRAISAL, "organization"),
        conditions=[has_report],
        custom={"label": "结束评议并公布结果"},
    )
    def close(self):
        self.closed_at = timezone.now()


def new_ballot_code() -> str:
    """16 characters from a 32-letter alphabet: 80 random bits, unguessable, easy to type from a slip."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class BallotCode(models.Model):
    """A one-time code printed on a slip; it can be used for one ballot while the appraisal is open."""

    appraisal = models.ForeignKey(Appraisal, verbose_name="群众评议", on_delete=models.CASCADE, related_name="codes")
    code = models.CharField("票码", max_length=16, unique=True, default=new_ballot_code)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "评议票码"
        verbose_name_plural = "评议票码"

    def __str__(self) -> str:
        return self.code


class Ballot(models.Model):
    """One answer of one participant: the overall question (pledge empty) or one member's pledge."""

    class Choice(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    appraisal = models.ForeignKey(Appraisal, verbose_name="群众评议", on_delete=models.CASCADE, related_name="ballots")
    code = models.ForeignKey(BallotCode, verbose_name="票码", on_delete=models.CASCADE, related_name="ballots")
    pledge = models.ForeignKey(Pledge, verbose_name="测评的党员承诺", on_delete=models.CASCADE, null=True, blank=True)
    choice = models.CharField("评价", max_length=12, choices=Choice.choices)
    reason = models.CharField("不满意的原因", max_length=500, blank=True)
    created_at = models.DateTimeField("投票时间", default=timezone.now)

    class Meta:
        verbose_name = "评议票"
        verbose_name_plural = "评议票"
        constraints = [
            # A code answers the overall question once and each member's pledge once, even under concurrency.
            models.UniqueConstraint(
                fields=["code"], condition=Q(pledge__isnull=True), name="one_overall_ballot_per_code"
            ),
            models.UniqueConstraint(fields=["code", "pledge"], name="one_ballot_per_code_and_pledge"),
        ]

    def __str__(self) -> str:
        return self.get_choice_display()


class PaperTally(models.Model):
    """Counts entered from paper forms, overall (pledge empty) or for one member's pledge."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="群众评议", on_delete=models.CASCADE, related_name="paper_tallies"
    )
    pledge = models.ForeignKey(Pledge, verbose_name="测评的党员承诺", on_delete=models.CASCADE, null=True, blank=True)
    satisfied = models.PositiveIntegerField("满意", default=0)
    basically_satisfied = models.PositiveIntegerField("基本满意", default=0)
    unsatisfied = models.PositiveIntegerField("不满意", default=0)
    valid_forms = models.PositiveIntegerField("有效表", default=0)
    invalid_forms = models.PositiveIntegerField("无效表", default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "纸质测评表汇总"
        verbose_name_plural = "纸质测评表汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal"], condition=Q(pledge__isnull=True), name="one_overall_paper_tally"
            ),
            models.UniqueConstraint(fields=["appraisal", "pledge"], name="one_paper_tally_per_pledge"),
        ]

    def __str__(self) -> str:
        return f"{self.appraisal}：{self.valid_forms} 份有效"


class Rectification(StateMachineMixin, models.Model):
    """整改: report, approval by the superior, completion with evidence, closed after a passing re-appraisal."""

    class Source(models.TextChoices):
        APPRAISAL = "appraisal", "群众评议满意度低于90%或意见较大"
        LEADER_REVIEW = "leader_review", "领导点评要求整改"
        UNFULFILLED = "unfulfilled", "承诺未兑现（一诺一评）"

    class Status(models.TextChoices):
        OPEN = "open", "待报送整改报告"
        SUBMITTED = "submitted", "待上级审批"
        RETURNED = "returned", "退回修改"
        APPROVED = "approved", "整改中"
        DONE = "done", "整改完成，待再次评议"
        CLOSED = "closed", "已销号"

    organization = models.ForeignKey(
        Organization, verbose_name="整改党组织", on_delete=models.PROTECT, related_name="rectifications"
    )
    member = models.ForeignKey(Member, verbose_name="整改党员", on_delete=models.PROTECT, null=True, blank=True)
    source = models.CharField("整改来源", max_length=20, choices=Source.choices)
    appraisal = models.ForeignKey(
        Appraisal, verbose_name="引起整改的评议", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    leader_review = models.ForeignKey(
        LeaderReview, verbose_name="引起整改的点评", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pledge = models.ForeignKey(Pledge, verbose_name="未兑现的承诺书", on_delete=models.PROTECT, null=True, blank=True)
    problems = models.TextField("查摆的问题", max_length=3000, blank=True)
    targets = models.TextField("整改目标", max_length=3000, blank=True)
    measures = models.TextField("整改措施", max_length=3000, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    status = FSMField("状态", max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    review_comment = models.TextField("审批意见", max_length=1000, blank=True)
    evidence = models.TextField("整改情况", max_length=3000, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    overdue_notified_at = models.DateTimeField("超期提醒时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改"
        verbose_name_plural = "整改"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organization.name}整改（{self.get_source_display()}）"

    # --- transitions (they change state and stamp times only; services do the rest) ------------------

    @transition(
        field=status,
        source=[Status.OPEN, Status.RETURNED],
        target=Status.SUBMITTED,
        permission=ask(EvaluationAction.FILE_RECTIFICATION, "organization"),
        custom={"label": "报送整改报告"},
    )
    def submit(self):
        self.submitted_at = timezone.now()
        self.overdue_notified_at = None

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=ask(EvaluationAction.APPROVE_RECTIFICATION, "organization"),
        custom={"label": "退回修改"},
    )
    def return_for_changes(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.APPROVED,
        permission=ask(EvaluationAction.APPROVE_RECTIFICATION, "organization"),
        custom={"label": "同意整改方案"},
    )
    def approve(self):
        self.approved_at = timezone.now()

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.DONE,
        permission=ask(EvaluationAction.FILE_RECTIFICATION, "organization"),
        custom={"label": "报告整改完成"},
    )
    def mark_done(self):
        self.done_at = timezone.now()

    # The two outcomes of the re-appraisal: taken when its session is closed, not by a button.

    @transition(field=status, source=Status.DONE, target=Status.CLOSED, custom={"label": "再次评议达到90%，整改销号"})
    def close(self):
        self.closed_at = timezone.now()

    @transition(
        field=status, source=Status.DONE, target=Status.APPROVED, custom={"label": "再次评议仍低于90%，继续整改"}
    )
    def reopen(self):
        self.done_at = None
        self.overdue_notified_at = None


class Award(StateMachineMixin, models.Model):
    """组织评选 / 表彰: nominated by an organization, approved by the superior, shown on the honour roll."""

    class Kind(models.TextChoices):
        STAR_MEMBER = "star_member", "践诺明星党员"
        ADVANCED_ORGANIZATION = "advanced_organization", "先进基层党组织"
        EXCELLENT_MEMBER = "excellent_member", "优秀共产党员"
        EXCELLENT_WORKER = "excellent_worker", "优秀党务工作者"

    class Status(models.TextChoices):
        NOMINATED = "nominated", "已推荐"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    kind = models.CharField("表彰类别", max_length=30, choices=Kind.choices)
    year = models.PositiveIntegerField("年度")
    occasion = models.CharField("表彰时机", max_length=30, default="七一")
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, null=True, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    nominated_by_organization = models.ForeignKey(
        Organization, verbose_name="推荐单位", on_delete=models.PROTECT, related_name="award_nominations"
    )
    citation = models.TextField("主要事迹", max_length=2000)
    status = FSMField("状态", max_length=12, choices=Status.choices, default=Status.NOMINATED, protected=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=500, blank=True)
    created_at = models.DateTimeField("推荐时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "表彰"
        verbose_name_plural = "表彰"
        ordering = ["-year", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(organization__isnull=True))
                | (Q(member__isnull=True) & Q(organization__isnull=False)),
                name="award_one_recipient",
            )
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id else self.organization.name
        return f"{self.year}年{self.get_kind_display()}：{who}"

    @transition(
        field=status,
        source=Status.NOMINATED,
        target=Status.APPROVED,
        permission=ask(EvaluationAction.APPROVE_AWARD, "nominated_by_organization"),
        custom={"label": "批准"},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=status,
        source=Status.NOMINATED,
        target=Status.REJECTED,
        permission=ask(EvaluationAction.APPROVE_AWARD, "nominated_by_organization"),
        custom={"label": "不予批准"},
    )
    def reject(self):
        self.decided_at = timezone.now()


class Ranking(models.Model):
    """上评下议: a committee ranks its direct subordinate organizations every two months; a branch ranks its
    members every month. Reproducible from its stored weights and inputs."""

    class Level(models.TextChoices):
        ORGANIZATIONS = "organizations", "下级党组织"
        MEMBERS = "members", "党员"

    organization = models.ForeignKey(
        Organization, verbose_name="排名组织", on_delete=models.PROTECT, related_name="rankings"
    )
    level = models.CharField("排名对象", max_length=20, choices=Level.choices)
    period = models.CharField("期间", max_length=10, help_text="党员按月（2025-07），组织每两个月（2025-B4）")
    weights = models.JSONField("权重", default=dict)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)
    is_published = models.BooleanField("已公布", default=False)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "上评下议排名"
        verbose_name_plural = "上评下议排名"
        ordering = ["-computed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "level", "period"], name="one_ranking_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}{self.get_level_display()}排名（{self.period}）"


class RankingEntry(models.Model):
    ranking = models.ForeignKey(Ranking, verbose_name="排名", on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, null=True, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.CASCADE, null=True, blank=True
    )
    components = models.JSONField("各项得分", default=dict)
    score = models.DecimalField("计算得分", max_digits=7, decimal_places=2)
    adjustment = models.DecimalField("调整分", max_digits=6, decimal_places=2, default=Decimal("0"))
    adjustment_reason = models.CharField("调整理由", max_length=500, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    final_score = models.DecimalField("最终得分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次")

    # Adjustments are recorded here (who, when, the new adjustment, the reason); computing is not.
    history = HistoricalRecords(excluded_fields=["components"])

    class Meta:
        verbose_name = "排名明细"
        verbose_name_plural = "排名明细"
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return f"第{self.rank}名"


class MonthlyRecord(models.Model):
    """日常记实: what a member did for his post and pledge in a month."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="monthly_records")
    month = models.DateField("月份", help_text="该月的第一天")
    text = models.TextField("记实内容", max_length=3000)
    comment = models.CharField("书记点评", max_length=500, blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="点评人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_published = models.BooleanField("在公开栏公布", default=True)
    created_at = models.DateTimeField("填写时间", default=timezone.now)

    class Meta:
        verbose_name = "每月记实"
        verbose_name_plural = "每月记实"
        ordering = ["-month", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="one_record_per_member_month")]

    def __str__(self) -> str:
        return f"{self.member.name}{self.month:%Y年%-m月}记实"


class Bulletin(StateMachineMixin, models.Model):
    """通报: the quarterly 践诺情况通报 of an organization, drafted from the data, editable, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="bulletins"
    )
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", max_length=20000)
    status = FSMField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("起草时间", default=timezone.now)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "践诺情况通报"
        verbose_name_plural = "践诺情况通报"
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "quarter"], name="one_bulletin_per_quarter")
        ]

    def __str__(self) -> str:
        return self.title

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.PUBLISHED,
        permission=ask(EvaluationAction.MANAGE_BULLETIN, "organization"),
        custom={"label": "发布", "confirm": "发布后通报将出现在公开栏上，且不能再修改。确定发布吗？"},
    )
    def publish(self):
        self.published_at = timezone.now()


class Tally(models.Model):
    """统计: a snapshot of the indicators of an organization's subtree for one period, kept for comparison."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", "月"
        QUARTER = "quarter", "季度"
        HALF_YEAR = "half_year", "半年"
        YEAR = "year", "年度"

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="tallies"
    )
    period_kind = models.CharField("期间类型", max_length=12, choices=PeriodKind.choices)
    period = models.CharField("期间", max_length=10, help_text="如 2025-07、2025Q3、2025H2、2025")
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    indicators = models.JSONField("指标", default=dict)
    computed_at = models.DateTimeField("统计时间", default=timezone.now)

    class Meta:
        verbose_name = "统计快照"
        verbose_name_plural = "统计快照"
        ordering = ["-ends_on", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "period"], name="one_tally_per_period")]

    def __str__(self) -> str:
        return f"{self.organization.name}{self.period}统计"


class ContactPoint(models.Model):
    """创先争优联系点: an organization a leader (处级以上 / 县级党员领导干部) has taken as his contact point.

    篇六: “县级党员领导干部重点点评联系点和分管单位党组织”; 篇四: leaders “已建立创先争优活动联系点” guide it; 篇十二 counts 处级以上领导干部’s 联系点.
    His leader reviews and visits of that organization count there as 联系领导点评.
    """

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="联系领导", on_delete=models.CASCADE, related_name="contact_points"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="联系点党组织", on_delete=models.CASCADE, related_name="contact_points"
    )
    since = models.DateField("建立联系点日期")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "联系点"
        verbose_name_plural = "联系点"
        ordering = ["organization__path", "since", "id"]
        constraints = [models.UniqueConstraint(fields=["leader", "organization"], name="one_contact_point_per_leader")]

    def __str__(self) -> str:
        return f"{self.organization.name}（联系点）"


class ContactVisit(models.Model):
    """A leader's visit of his contact point (走访、调研、指导), recorded by himself."""

    contact_point = models.ForeignKey(
        ContactPoint, verbose_name="联系点", on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField("走访日期")
    note = models.CharField("走访内容", max_length=500)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "联系点走访"
        verbose_name_plural = "联系点走访"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contact_point.organization.name}{self.visited_on:%Y年%-m月%-d日}走访"
