"""Organizations (the party organization tree), people, accounts, exemptions and role grants."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from .permissions import OrgAction
from .transitions import StateMachineMixin, ask
from .uploads import IMAGE_KINDS, content_type_of
from .validators import validate_id_number, validate_phone


class User(AbstractUser):
    """A login account. Members may have one; clerks, secretaries and committee users always do."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    must_change_password = models.BooleanField(
        "须修改初始密码", default=False, help_text="以初始密码登录后必须先修改密码。"
    )
    # Who set the current password when it was not the account's owner (an initial password given out by a
    # clerk or secretary); None once the owner has set his own. Signing needs a password only the owner knows.
    password_set_by = models.ForeignKey(
        "self", verbose_name="当前密码设置人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    password_set_at = models.DateTimeField("密码设置时间", null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户账号"
        verbose_name_plural = "用户账号"

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def has_own_password(self) -> bool:
        """Did the owner himself set the password he logs in with (not an initial one given by someone else)?"""
        return not self.must_change_password and self.password_set_by_id is None

    def set_own_password(self, raw_password: str) -> None:
        self.set_password(raw_password)
        self.must_change_password = False
        self.password_set_by = None
        self.password_set_at = timezone.now()

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username


class Organization(MP_Node):
    """A party organization: one node of the tree 县委 → 乡镇党委 → 党总支 → 党支部."""

    class Level(models.TextChoices):
        COMMITTEE = "committee", "党委"
        WORK_COMMITTEE = "work_committee", "党工委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"

    class Sector(models.TextChoices):
        RURAL = "rural", "农村"
        COMMUNITY = "community", "社区"
        GOVERNMENT = "government", "机关"
        STATE_ENTERPRISE = "state_enterprise", "国有企业"
        SCHOOL = "school", "学校"
        HEALTH = "health", "医疗卫生"
        PUBLIC_INSTITUTION = "public_institution", "科研文化体育等事业单位"
        PRIVATE_ENTERPRISE = "private_enterprise", "非公有制经济组织"
        SOCIAL_ORGANIZATION = "social_organization", "社会组织"

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=100)
    level = models.CharField("组织层级", max_length=20, choices=Level.choices, default=Level.BRANCH)
    sector = models.CharField("所属领域", max_length=30, choices=Sector.choices, default=Sector.RURAL)
    is_window_unit = models.BooleanField("窗口单位", default=False)
    supervision_phone = models.CharField("监督电话", max_length=30, blank=True, validators=[validate_phone])
    secretary_name = models.CharField("书记姓名", max_length=50, blank=True)
    is_active = models.BooleanField("在用", default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入的党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="停用时如已并入另一个党组织，其公开栏会指向那里。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    node_order_by = ["code"]

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        permissions = [
            ("role_clerk", "党务干事"),
            ("role_secretary", "书记"),
            ("role_committee", "上级党委"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:detail", args=[self.code])

    def subtree(self):
        """This organization and every descendant: one indexed prefix query on the materialized path."""
        return Organization.objects.filter(path__startswith=self.path)

    def ancestor_paths(self) -> list[str]:
        """Paths of this node and all its ancestors, from the root down, computed without a query."""
        step = self.steplen
        return [self.path[: step * i] for i in range(1, len(self.path) // step + 1)]

    def is_in_subtree_of(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)


class MemberQuerySet(models.QuerySet):
    def obliged(self):
        """应作承诺: active party members (正式、预备) not exempted — the denominator of every coverage figure.

        篇一: 入党积极分子和非党干部“也可以参加”公开承诺 — they may pledge, but are counted apart (`volunteers`).
        """
        return self.filter(is_active=True, is_exempt=False, political_status__in=Member.PARTY_STATUSES)

    def volunteers(self):
        """自愿参加: active 入党积极分子 and 非党干部, who may pledge but are not expected to (篇一)."""
        return self.filter(is_active=True).exclude(political_status__in=Member.PARTY_STATUSES)


class Member(models.Model):
    """A party member, or an activist or non-party cadre who takes part in public commitments."""

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class PoliticalStatus(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"
        ACTIVIST = "activist", "入党积极分子"
        NON_PARTY_CADRE = "non_party_cadre", "非党干部"

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField("身份证号", max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField("联系电话", max_length=30, blank=True, validators=[validate_phone])
    political_status = models.CharField(
        "政治面貌", max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.FULL
    )
    join_date = models.DateField("入党时间", null=True, blank=True)
    post = models.CharField("职务/岗位", max_length=100, blank=True)

    is_leader = models.BooleanField("领导干部", default=False)
    is_village_cadre = models.BooleanField("村干部", default=False)
    is_unposted = models.BooleanField("无职党员", default=False)
    is_retired = models.BooleanField("离退休", default=False)
    is_sanlao = models.BooleanField("“三老”", default=False, help_text="老党员、老干部、老劳模")
    is_student = models.BooleanField("学生", default=False)
    is_teaching_staff = models.BooleanField("教职工", default=False)
    # 篇一: 年老体弱、文化程度低 members may pledge orally, with a witness; only they.
    unable_to_write = models.BooleanField(
        "不能书写", default=False, help_text="年老体弱、文化程度低等原因不能书写的党员，可作口头承诺（须有见证人）。"
    )

    organization = models.ForeignKey(
        Organization, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members"
    )
    inflow_organization = models.ForeignKey(
        Organization,
        verbose_name="流入地党组织",
        on_delete=models.PROTECT,
        related_name="inflow_members",
        null=True,
        blank=True,
        help_text="流动党员参加活动的党组织；非流动党员留空。",
    )
    residence_organization = models.ForeignKey(
        Organization,
        verbose_name="居住地社区党组织",
        on_delete=models.PROTECT,
        related_name="resident_members",
        null=True,
        blank=True,
        help_text="在职党员到居住地社区报到、作第二份承诺的社区党组织。",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.SET_NULL,
        related_name="member",
        null=True,
        blank=True,
    )
    is_exempt = models.BooleanField("免于承诺", default=False, editable=False)
    is_active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["organization__path", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"], name="member_org_name_idx"),
            models.Index(fields=["inflow_organization"], name="member_inflow_idx"),
        ]

    PARTY_STATUSES = (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY)

    FLAG_FIELDS = (
        "is_leader",
        "is_village_cadre",
        "is_unposted",
        "is_retired",
        "is_sanlao",
        "is_student",
        "is_teaching_staff",
    )

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:member_detail", args=[self.pk])

    @property
    def is_volunteer(self) -> bool:
        """入党积极分子 or 非党干部: may pledge (篇一 “也可以参加”), not counted in 应作承诺."""
        return self.political_status not in self.PARTY_STATUSES

    @property
    def is_floating(self) -> bool:
        return self.inflow_organization_id is not None

    def flag_labels(self) -> list[str]:
        return [self._meta.get_field(f).verbose_name for f in self.FLAG_FIELDS if getattr(self, f)]

    def clean(self):
        from .validators import id_number_birth_date, id_number_gender, validate_id_number

        errors = {}
        try:
            validate_id_number(self.id_number)
            id_number_ok = True
        except ValidationError:
            id_number_ok = False  # reported by the field's own validator
        if id_number_ok and self.birth_date:
            if id_number_birth_date(self.id_number) != self.birth_date:
                errors["birth_date"] = "出生日期与身份证号中的出生日期不一致。"
            if self.gender and id_number_gender(self.id_number) != self.gender:
                errors["gender"] = "性别与身份证号不一致（第17位奇数为男、偶数为女）。"
        is_party_member = self.political_status in self.PARTY_STATUSES
        if is_party_member and not self.join_date:
            errors["join_date"] = "党员须填写入党时间。"
        if self.join_date and self.birth_date and self.join_date <= self.birth_date:
            errors["join_date"] = "入党时间不能早于出生日期。"
        if self.inflow_organization_id and self.inflow_organization_id == self.organization_id:
            errors["inflow_organization"] = "流入地党组织不能与所在党组织相同。"
        if errors:
            raise ValidationError(errors)


class Exemption(StateMachineMixin, models.Model):
    """免于承诺: proposed by the branch for age or health, decided by the superior organization."""

    class Reason(models.TextChoices):
        AGE = "age", "年老体弱"
        HEALTH = "health", "身体健康原因"
        OTHER = "other", "其他原因"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"
        REVOKED = "revoked", "已撤销"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="exemptions")
    reason = models.CharField("免诺原因", max_length=20, choices=Reason.choices)
    explanation = models.TextField("情况说明", max_length=1000)
    status = FSMField("状态", max_length=20, choices=Status.choices, default=Status.PENDING, protected=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "免于承诺申请"
        verbose_name_plural = "免于承诺申请"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="one_pending_exemption_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name}：{self.get_reason_display()}（{self.get_status_display()}）"

    # --- transitions (they change state and stamp times only; services do the rest) ------------------

    def _decided(self):
        self.decided_at = timezone.now()

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.APPROVED,
        permission=ask(OrgAction.DECIDE_EXEMPTION, "member.organization"),
        custom={"label": "批准"},
    )
    def approve(self):
        self._decided()

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.REJECTED,
        permission=ask(OrgAction.DECIDE_EXEMPTION, "member.organization"),
        custom={"label": "不予批准"},
    )
    def reject(self):
        self._decided()

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.REVOKED,
        permission=ask(OrgAction.DECIDE_EXEMPTION, "member.organization"),
        custom={"label": "撤销"},
    )
    def revoke(self):
        self._decided()


class FormerCode(models.Model):
    """A code an organization used before, kept so that addresses and QR codes printed with it keep working."""

    code = models.CharField("原组织代码", max_length=32, unique=True)
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="former_codes"
    )
    replaced_at = models.DateTimeField("停用时间", default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "曾用组织代码"
        verbose_name_plural = "曾用组织代码"
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} → {self.organization.code}"


class PasswordReset(models.Model):
    """A password reset done for someone else: who reset whose account and when (the audit of 重置密码)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="password_resets"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="重置人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("重置时间", default=timezone.now)

    class Meta:
        verbose_name = "密码重置记录"
        verbose_name_plural = "密码重置记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} 由 {self.by} 重置"


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """A role held by a user on an organization (django-guardian direct foreign key table).

    The role holds for the whole subtree; `organizations.permissions` answers by comparing tree paths, so
    grants are never copied down the tree.
    """

    content_object = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.CASCADE)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField("授权时间", auto_now_add=True, null=True)

    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"


# --- 日常活动记实 (DESIGN §11; 篇十二 附件2 counts what organizations did) -----------------------------------


class ActivityKind(models.Model):
    """A kind of activity an organization records (理论学习, 党课, 结对帮扶 …). The list is data: the county adds
    kinds in the admin; `code` is what statistics-form bindings name, so it never changes once in use."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    quantity_label = models.CharField(
        "数量含义", max_length=40, blank=True, help_text="如“制作宣传板块”；留空则该类活动不填数量。"
    )
    quantity_unit = models.CharField("数量单位", max_length=10, blank=True, help_text="如“块”“期”“件”“人”。")
    amount_label = models.CharField(
        "金额含义", max_length=40, blank=True, help_text="如“帮扶金额”“捐助金额”；留空则该类活动不填金额。"
    )
    beneficiaries_label = models.CharField(
        "受益对象含义", max_length=40, blank=True, help_text="如“帮扶困难群众”；留空则不填受益对象人数。"
    )
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "活动类别"
        verbose_name_plural = "活动类别"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    # The measures an activity of this kind may carry, each with the kind's own words for it.
    MEASURES = ("quantity", "amount", "beneficiaries")

    def label_of(self, measure: str) -> str:
        """The kind's label of `measure` ("" when this kind does not record it)."""
        return getattr(self, f"{measure}_label")

    @property
    def measures(self) -> dict[str, str]:
        """{measure: label} for the measures this kind records, in form order."""
        return {m: self.label_of(m) for m in self.MEASURES if self.label_of(m)}


class Activity(models.Model):
    """What an organization did on a day: the kind, who took part (a count, and members of the roster when
    known), amounts and quantities where the kind has them, attachments, and who recorded it."""

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.ForeignKey(ActivityKind, verbose_name="活动类别", on_delete=models.PROTECT, related_name="activities")
    held_on = models.DateField("活动日期")
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动情况", blank=True)
    participants_count = models.PositiveIntegerField(
        "参加人次", default=0, help_text="参加活动的总人次（含群众）；选了参加党员时不少于所选人数。"
    )
    participants = models.ManyToManyField(Member, verbose_name="参加党员", blank=True, related_name="activities")
    quantity = models.PositiveIntegerField("数量", null=True, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    beneficiaries = models.PositiveIntegerField("受益对象人数", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        verbose_name = "活动记实"
        verbose_name_plural = "活动记实"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "held_on"]), models.Index(fields=["kind", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="activity_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:activity_detail", args=[self.pk])


def activity_attachment_upload_to(instance, filename) -> str:
    return f"private/activities/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{instance.kind}"


class ActivityAttachment(models.Model):
    """A photo, sign-in sheet or document of an activity (checked by its content like every upload)."""

    activity = models.ForeignKey(
        Activity, verbose_name="活动记实", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=activity_attachment_upload_to)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def organization(self):
        """Access to an attachment is access to its activity's organization (organizations.permissions)."""
        return self.activity.organization

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def content_type(self) -> str:
        return content_type_of(self.kind)
