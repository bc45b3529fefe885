"""Keeping the organization tree, the roster, exemptions and role grants (DESIGN §3), and the register of what
organizations did (日常活动记实, DESIGN §11).

Every function is one action a person takes: it is atomic, takes the acting user as `by`, checks the
permission module, takes the model's transition where the state changes (organizations.transitions), and leaves
a history row (django-simple-history, organizations.audit) naming who did it and, for a transition, what.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .audit import stamp
from .errors import DomainError
from .models import (
    Activity,
    ActivityAttachment,
    ActivityKind,
    Exemption,
    FormerCode,
    Member,
    Organization,
    OrganizationUserObjectPermission,
    PasswordReset,
    User,
)
from .permissions import (
    CODENAME_ROLES,
    ROLE_CODENAMES,
    OrgAction,
    Role,
    forget_grants,
    grantable_roles,
    manages_from_above,
    may_create_root_organization,
    may_decide_own_proposal,
    may_revoke_own_role,
    password_reset_refusal,
    require,
)
from .selectors import activity_roster
from .signals import password_reset_done
from .transitions import take
from .uploads import check_attachment
from .validators import normalize_id_number

ORGANIZATION_FIELDS = (
    "code",
    "name",
    "level",
    "sector",
    "is_window_unit",
    "supervision_phone",
    "secretary_name",
)
MEMBER_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "political_status",
    "join_date",
    "post",
    *Member.FLAG_FIELDS,
    "unable_to_write",
    "organization",
    "inflow_organization",
    "residence_organization",
    "is_active",
)


# --- organizations ---------------------------------------------------------------------------------------


@transaction.atomic
def organization_create(*, parent: Organization | None, by: User, **fields) -> Organization:
    if parent is None:
        if not may_create_root_organization(by):
            raise PermissionDenied("只有系统管理员可以创建顶级党组织。")
    else:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        require(by, OrgAction.MANAGE_ORG, parent)
        if not parent.is_active:
            raise DomainError("上级党组织已停用，不能在其下新建组织。")
    org = Organization(**{k: v for k, v in fields.items() if k in ORGANIZATION_FIELDS})
    org.full_clean(exclude=["path", "depth", "numchild"])
    if FormerCode.objects.filter(code=org.code).exists():
        raise ValidationError({"code": f"代码 {org.code} 是另一个党组织的曾用代码，印出的二维码仍指向它，不能再用。"})
    stamp(org, by)
    if parent is None:
        return Organization.objects.add_root(instance=org)
    return Organization.objects.add_child(parent, instance=org)


@transaction.atomic
def organization_update(*, organization: Organization, by: User, **fields) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    require(by, OrgAction.MANAGE_ORG, org)
    old_code = org.code
    for key, value in fields.items():
        if key not in ORGANIZATION_FIELDS:
            raise ValueError(f"organization_update: {key} cannot be changed here")
        setattr(org, key, value)
    org.full_clean(exclude=["path", "depth", "numchild"])
    if org.code != old_code:
        _change_code(org, old_code, by)
    stamp(org, by)
    org.save()
    return org


def _change_code(org: Organization, old_code: str, by: User) -> None:
    """Keep the old code answering: boards and QR codes already printed with it must never stop working."""
    taken = FormerCode.objects.filter(code=org.code).exclude(organization=org).select_related("organization").first()
    if taken is not None:
        raise ValidationError(
            {"code": f"代码 {org.code} 曾是“{taken.organization.name}”的代码，印出的二维码仍指向它，不能再用。"}
        )
    # Taking back one of its own former codes simply makes it current again.
    FormerCode.objects.filter(organization=org, code=org.code).delete()
    FormerCode.objects.update_or_create(
        code=old_code, defaults={"organization": org, "replaced_at": timezone.now(), "replaced_by": by}
    )


@transaction.atomic
def organization_move(*, organization: Organization, new_parent: Organization, by: User) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    require(by, OrgAction.MANAGE_ORG, org)
    require(by, OrgAction.MANAGE_ORG, new_parent)
    if new_parent.path.startswith(org.path):
        raise DomainError("不能把党组织移动到它自己或它的下级组织之下。")
    if Organization.objects.get_parent(org) == new_parent:
        raise DomainError("该党组织已在所选上级组织之下。")
    if not new_parent.is_active:
        raise DomainError("目标上级党组织已停用。")
    if not manages_from_above(by, org):
        # Moving the node a role is granted on would take it out of the mover's own reach.
        raise PermissionDenied("不能移动您被授权的党组织本身，请联系上级党委。")
    Organization.objects.move(org, new_parent, pos="sorted-child")
    org.refresh_from_db()
    stamp(org, by)
    org.save()  # a history row records who moved it
    forget_grants(by)
    return org


@transaction.atomic
def organization_set_active(
    *, organization: Organization, active: bool, by: User, merged_into: Organization | None = None
) -> Organization:
    """Deactivate (optionally as merged into another organization) or reactivate an organization.

    A deactivated organization's public board stays reachable and says what happened and where to look now.
    """
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    require(by, OrgAction.MANAGE_ORG, org)
    if merged_into is not None:
        if active:
            raise DomainError("重新启用时不能指定并入的党组织。")
        if merged_into.path.startswith(org.path):
            raise DomainError("不能并入它自己或它的下级组织。")
        if not merged_into.is_active:
            raise DomainError("并入的党组织已停用。")
        require(by, OrgAction.VIEW_ORG, merged_into)
    if not active and org.subtree().filter(is_active=True).exclude(pk=org.pk).exists():
        raise DomainError("该党组织还有在用的下级组织，请先停用或移走下级组织。")
    if not active and not manages_from_above(by, org):
        raise PermissionDenied("不能停用您被授权的党组织本身，请联系上级党委。")
    parent = Organization.objects.get_parent(org)
    if active and parent is not None and not parent.is_active:
        raise DomainError("上级党组织已停用，请先启用上级党组织。")
    org.is_active = active
    org.merged_into = merged_into
    stamp(org, by)
    org.save()
    return org


@transaction.atomic
def organization_delete(*, organization: Organization, by: User) -> None:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    require(by, OrgAction.MANAGE_ORG, org)
    if org.numchild:
        raise DomainError("该党组织有下级组织，不能删除。")
    if (
        Member.objects.filter(organization=org).exists()
        or Member.objects.filter(inflow_organization=org).exists()
        or Member.objects.filter(residence_organization=org).exists()
    ):
        raise DomainError("该党组织已有党员，不能删除，只能停用。")
    if Activity.objects.filter(organization=org).exists():
        raise DomainError("该党组织已有活动记实，不能删除，只能停用。")
    if not manages_from_above(by, org):
        raise PermissionDenied("不能删除您被授权的党组织本身。")
    stamp(org, by)
    org.delete()


# --- members ---------------------------------------------------------------------------------------------


def _check_member_orgs(by: User, member: Member) -> None:
    for field in ("organization", "inflow_organization", "residence_organization"):
        org = getattr(member, field)
        if org is not None and not org.is_active:
            raise ValidationError({field: "所选党组织已停用。"})
    require(by, OrgAction.MANAGE_MEMBERS, member.organization)


@transaction.atomic
def member_create(*, by: User, **fields) -> Member:
    member = Member(**{k: v for k, v in fields.items() if k in MEMBER_FIELDS})
    member.id_number = normalize_id_number(member.id_number)
    _check_member_orgs(by, member)
    member.full_clean()
    stamp(member, by)
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, by: User, **fields) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    require(by, OrgAction.MANAGE_MEMBERS, member)
    for key, value in fields.items():
        if key not in MEMBER_FIELDS:
            raise ValueError(f"member_update: {key} cannot be changed here")
        setattr(member, key, value)
    member.id_number = normalize_id_number(member.id_number)
    _check_member_orgs(by, member)
    member.full_clean()
    stamp(member, by)
    member.save()
    return member


def _initial_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def member_account_create(*, member: Member, by: User, username: str) -> tuple[User, str]:
    """Give a member a login account with an initial password he must change at first login."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require(by, OrgAction.MANAGE_MEMBERS, member)
    if member.user_id:
        raise DomainError("该党员已有登录账号。")
    username = username.strip()
    if not username:
        raise DomainError("请填写登录名。")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("该登录名已被使用，请换一个。")
    password = _initial_password()
    user = User.objects.create_user(
        username=username,
        password=password,
        full_name=member.name,
        must_change_password=True,
        password_set_by=by,
        password_set_at=timezone.now(),
    )
    member.user = user
    stamp(member, by)
    member.save(update_fields=["user", "updated_at"])
    return user, password


@transaction.atomic
def member_password_reset(*, member: Member, by: User) -> str:
    """Give a member's account a new initial password (he forgot his own), if `by` stands above the account.

    The reset is recorded, the owner is told in-app, and until he sets his own password the account may not
    sign anything (see `User.has_own_password`).
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    if not member.user_id:
        require(by, OrgAction.MANAGE_MEMBERS, member)
        raise DomainError("该党员还没有登录账号。")
    account = User.objects.select_for_update().get(pk=member.user_id)
    refusal = password_reset_refusal(by, account, member)
    if refusal:
        raise PermissionDenied(refusal)
    password = _initial_password()
    now = timezone.now()
    account.set_password(password)
    account.must_change_password = True
    account.password_set_by = by
    account.password_set_at = now
    account.save(update_fields=["password", "must_change_password", "password_set_by", "password_set_at"])
    reset = PasswordReset.objects.create(user=account, by=by, at=now)
    transaction.on_commit(lambda: password_reset_done.send(sender=PasswordReset, account=account, by=by, reset=reset))
    return password


def user_set_own_password(*, user: User, password: str) -> User:
    """The owner sets his own password (after an initial or reset one, or any time he wishes)."""
    user.set_own_password(password)
    user.save(update_fields=["password", "must_change_password", "password_set_by", "password_set_at"])
    return user


# --- exemptions ------------------------------------------------------------------------------------------


@transaction.atomic
def exemption_propose(*, member: Member, by: User, reason: str, explanation: str) -> Exemption:
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    require(by, OrgAction.PROPOSE_EXEMPTION, member.organization)
    if member.is_exempt:
        raise DomainError("该党员已经免于承诺。")
    if not explanation.strip():
        raise DomainError("请填写情况说明。")
    exemption = Exemption(member=member, reason=reason, explanation=explanation.strip(), proposed_by=by)
    exemption.full_clean(exclude=["proposed_by", "member"])
    stamp(exemption, by, "提出免于承诺")
    try:
        with transaction.atomic():
            exemption.save()
    except IntegrityError:
        raise DomainError("该党员已有一份待审批的免于承诺申请。") from None
    return exemption


@transaction.atomic
def exemption_decide(*, exemption: Exemption, by: User, approve: bool, comment: str = "") -> Exemption:
    exemption = Exemption.objects.select_for_update().select_related("member__organization").get(pk=exemption.pk)
    require(by, OrgAction.DECIDE_EXEMPTION, exemption.member.organization)
    if exemption.status != Exemption.Status.PENDING:
        raise DomainError("该申请已经审批过了。")
    if exemption.proposed_by_id == by.pk and not may_decide_own_proposal(by):
        raise PermissionDenied("不能审批自己提出的免于承诺申请。")
    if not approve and not comment.strip():
        raise DomainError("不批准时请填写审批意见。")
    take(exemption, "approve" if approve else "reject", by, comment=comment.strip())
    exemption.decided_by = by
    exemption.decision_comment = comment.strip()
    exemption.save()
    if approve:
        member = Member.objects.select_for_update().get(pk=exemption.member_id)
        member.is_exempt = True
        stamp(member, by, "批准免于承诺", comment.strip())
        member.save(update_fields=["is_exempt", "updated_at"])
    return exemption


@transaction.atomic
def exemption_revoke(*, exemption: Exemption, by: User, comment: str) -> Exemption:
    """End an approved exemption (e.g. the member has recovered); the member counts again in coverage."""
    exemption = Exemption.objects.select_for_update().select_related("member__organization").get(pk=exemption.pk)
    require(by, OrgAction.DECIDE_EXEMPTION, exemption.member.organization)
    if exemption.status != Exemption.Status.APPROVED:
        raise DomainError("只有已批准的免于承诺可以撤销。")
    if not comment.strip():
        raise DomainError("请填写撤销原因。")
    take(exemption, "revoke", by, comment=comment.strip())
    exemption.decision_comment = comment.strip()
    exemption.decided_by = by
    exemption.save()
    member = Member.objects.select_for_update().get(pk=exemption.member_id)
    member.is_exempt = False
    stamp(member, by, "撤销免于承诺", comment.strip())
    member.save(update_fields=["is_exempt", "updated_at"])
    return exemption


# --- roles -----------------------------------------------------------------------------------------------


@transaction.atomic
def role_grant(*, user: User, role: Role | str, organization: Organization, by: User):
    role = Role(role)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    require(by, OrgAction.GRANT_ROLES, organization)
    if role not in grantable_roles(by, organization):
        raise PermissionDenied(f"您不能授予“{role.label}”角色。")
    if not user.is_active:
        raise DomainError("该账号已停用，不能授予角色。")
    permission = Permission.objects.get(codename=ROLE_CODENAMES[role], content_type__app_label="organizations")
    grant, created = OrganizationUserObjectPermission.objects.get_or_create(
        user=user, permission=permission, content_object=organization, defaults={"granted_by": by}
    )
    if not created:
        raise DomainError(f"{user} 已在{organization.name}担任“{role.label}”角色。")
    forget_grants(user)
    return grant


@transaction.atomic
def role_revoke(*, grant: OrganizationUserObjectPermission, by: User) -> None:
    grant = (
        OrganizationUserObjectPermission.objects.select_for_update()
        .select_related("permission", "content_object")
        .get(pk=grant.pk)
    )
    role = CODENAME_ROLES[grant.permission.codename]
    require(by, OrgAction.GRANT_ROLES, grant.content_object)
    if role not in grantable_roles(by, grant.content_object):
        raise PermissionDenied(f"您不能撤销“{role.label}”角色。")
    if grant.user_id == by.pk and not may_revoke_own_role(by):
        raise DomainError("不能撤销您自己的角色，请联系上级。")
    grant._history_user = by
    grant.delete()
    forget_grants(grant.user)


# --- 日常活动记实 -------------------------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "kind",
    "held_on",
    "title",
    "description",
    "participants_count",
    "quantity",
    "amount",
    "beneficiaries",
)
MAX_FILES_PER_UPLOAD = 10
MAX_ATTACHMENTS_PER_ACTIVITY = 30


def activity_problems(activity: Activity, *, chosen: int, today: datetime.date | None = None) -> dict[str, list[str]]:
    """What is wrong with an activity about to be saved, by field, in Chinese ({} when nothing is): the rules of the
    register that the form, the Excel import and the demo all go through. `chosen` is the number of members
    named as participants (checked against the roster by the caller)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    today = today or timezone.localdate()
    if activity.held_on is not None and activity.held_on > today:
        add("held_on", "活动日期不能晚于今天。")
    if not (activity.title or "").strip():
        add("title", "请填写活动名称。")
    count = activity.participants_count
    if count is not None and count < chosen:
        add("participants_count", f"参加人次（{count}）不能少于所选参加党员的人数（{chosen}人）。")
    kind = activity.kind if activity.kind_id else None
    if kind is not None:
        for measure in ActivityKind.MEASURES:
            value = getattr(activity, measure)
            if value is not None and not kind.label_of(measure):
                verbose = Activity._meta.get_field(measure).verbose_name.removesuffix("（元）")
                add(measure, f"“{kind.name}”类活动不填{verbose}，请清空该项或改选活动类别。")
    if activity.amount is not None and activity.amount < Decimal(0):
        add("amount", "金额不能为负数。")
    return problems


def _check_activity(activity: Activity, participants: list[Member], *, new_kind: bool, named=frozenset()) -> None:
    """Raise ValidationError (by field, in Chinese) unless the activity and its participants may be saved.
    Members already `named` (ids) stay valid after they left the roster: the record is of what happened."""
    problems: dict[str, list[str]] = {}
    try:
        activity.full_clean(exclude=["organization", "recorded_by", "kind"])
    except ValidationError as e:
        problems.update(e.message_dict)
    if activity.kind_id is None:
        problems.setdefault("kind", []).append("请选择活动类别。")
    elif new_kind and not activity.kind.is_active:
        problems.setdefault("kind", []).append(f"活动类别“{activity.kind.name}”已停用，请改选其他类别。")
    for field, messages in activity_problems(activity, chosen=len(participants)).items():
        problems.setdefault(field, [])
        problems[field] += [m for m in messages if m not in problems[field]]
    ids = {m.pk for m in participants} - set(named)
    if ids:
        on_roster = set(activity_roster(activity.organization).filter(pk__in=ids).values_list("pk", flat=True))
        outside = [m.name for m in participants if m.pk in ids and m.pk not in on_roster]
        if outside:
            problems.setdefault("participants", []).append(
                f"{'、'.join(outside[:5])}{'等' if len(outside) > 5 else ''}不在“{activity.organization.name}”"
                "及其下级组织的党员名册中，不能选为参加党员。"
            )
    if problems:
        raise ValidationError(problems)


def _set_participants(activity: Activity, participants: list[Member]) -> tuple[list[Member], list[Member]]:
    """Replace the participants without a history record of their own (the caller's save records them);
    returns (added, removed)."""
    before = {m.pk: m for m in activity.participants.all()}
    after = {m.pk: m for m in participants}
    activity.skip_history_when_saving = True
    try:
        activity.participants.set(list(after))
    finally:
        del activity.skip_history_when_saving
    added = [m for pk, m in after.items() if pk not in before]
    removed = [m for pk, m in before.items() if pk not in after]
    return added, removed


def _names(members: list[Member], limit: int = 10) -> str:
    names = "、".join(m.name for m in members[:limit])
    return names + (f"等{len(members)}人" if len(members) > limit else "")


@transaction.atomic
def activity_record(
    *,
    organization: Organization,
    by: User,
    kind: ActivityKind,
    held_on: datetime.date,
    title: str,
    description: str = "",
    participants_count: int = 0,
    participants=(),
    quantity: int | None = None,
    amount: Decimal | None = None,
    beneficiaries: int | None = None,
    files=(),
) -> Activity:
    """Record what `organization` did: the kind, the day, who took part (a count, and members of its roster),
    the measures the kind has, and photos or sign-in sheets."""
    organization = Organization.objects.get(pk=organization.pk)
    require(by, OrgAction.RECORD_ACTIVITY, organization)
    if not organization.is_active:
        raise DomainError("该党组织已停用，不能再记录活动。")
    participants = list(participants)
    activity = Activity(
        organization=organization,
        kind=kind,
        held_on=held_on,
        title=(title or "").strip(),
        description=(description or "").strip(),
        participants_count=participants_count if participants_count is not None else 0,
        quantity=quantity,
        amount=amount,
        beneficiaries=beneficiaries,
        recorded_by=by,
    )
    _check_activity(activity, participants, new_kind=True)
    try:
        kinds = _check_files(files, already=0)
    except DomainError as e:
        raise ValidationError({"files": str(e)}) from None
    stamp(activity, by)
    activity.save()
    if participants:
        _set_participants(activity, participants)
        _snapshot_participants(activity)
    _save_attachments(activity, files, kinds, by)
    return activity


def _participants_history_model():
    """simple-history's table of the participants of each historical record of an activity."""
    return Activity.history.model._meta.get_field("historicalactivity_participants").related_model


def _snapshot_participants(activity: Activity) -> None:
    """Give the creation record of `activity` the participants set right after it (simple-history keeps the
    members of each historical record)."""
    record = Activity.history.filter(id=activity.pk).order_by("-history_id").first()
    history_through = _participants_history_model()
    links = Activity.participants.through.objects.filter(activity_id=activity.pk).order_by("id")
    history_through.objects.bulk_create(
        [
            history_through(history=record, id=link_id, activity_id=activity.pk, member_id=member_id)
            for link_id, member_id in links.values_list("id", "member_id")
        ]
    )


@transaction.atomic
def activity_update(*, activity: Activity, by: User, participants=None, **fields) -> Activity:
    """Correct a recorded activity; `participants`, when given, replaces the members who took part."""
    activity = (
        Activity.objects.select_for_update(of=("self",)).select_related("organization", "kind").get(pk=activity.pk)
    )
    require(by, OrgAction.RECORD_ACTIVITY, activity)
    old_kind = activity.kind_id
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"activity_update: {sorted(unknown)} cannot be changed here")
    tracked = [Activity._meta.get_field(k).attname for k in fields]
    before = {name: getattr(activity, name) for name in tracked}
    for key, value in fields.items():
        if key in ("title", "description"):
            value = (value or "").strip()
        if key == "participants_count" and value is None:
            value = 0
        setattr(activity, key, value)
    named = list(activity.participants.all())
    chosen = named if participants is None else list(participants)
    _check_activity(activity, chosen, new_kind=activity.kind_id != old_kind, named={m.pk for m in named})
    if any(before[name] != getattr(activity, name) for name in tracked):
        stamp(activity, by)
        activity.save()
    if participants is not None:
        added, removed = _set_participants(activity, chosen)
        if added or removed:
            parts = [f"增加：{_names(added)}" if added else "", f"减少：{_names(removed)}" if removed else ""]
            stamp(activity, by, "调整参加党员", "；".join(p for p in parts if p))
            activity.save(update_fields=["updated_at"])
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, by: User) -> None:
    activity = Activity.objects.select_for_update(of=("self",)).select_related("organization").get(pk=activity.pk)
    require(by, OrgAction.RECORD_ACTIVITY, activity)
    names = list(activity.attachments.values_list("file", flat=True))
    stamp(activity, by)
    activity.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _check_files(files, *, already: int) -> list[str]:
    files = list(files)
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise DomainError(f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个附件。")
    if already + len(files) > MAX_ATTACHMENTS_PER_ACTIVITY:
        raise DomainError(f"每条活动记实最多 {MAX_ATTACHMENTS_PER_ACTIVITY} 个附件，已有 {already} 个。")
    return [check_attachment(f) for f in files]


def _save_attachments(activity: Activity, files, kinds: list[str], by: User) -> list[ActivityAttachment]:
    saved_names: list[str] = []
    made = []
    try:
        for upload, kind in zip(files, kinds, strict=True):
            # Name and extension follow the detected content, never the name the browser sent.
            stem = Path(upload.name).stem[:150] or "活动附件"
            attachment = ActivityAttachment(
                activity=activity, original_name=f"{stem}.{kind}", kind=kind, size=upload.size, uploaded_by=by
            )
            attachment.file.save(f"activity.{kind}", upload, save=False)
            saved_names.append(attachment.file.name)
            attachment.save()
            made.append(attachment)
    except Exception:
        for name in saved_names:  # the rows roll back with the transaction; the files must go too
            default_storage.delete(name)
        raise
    return made


@transaction.atomic
def activity_attachments_add(*, activity: Activity, by: User, files) -> list[ActivityAttachment]:
    """Add photos, sign-in sheets or documents to a recorded activity (each checked by its content)."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("organization").get(pk=activity.pk)
    require(by, OrgAction.RECORD_ACTIVITY, activity)
    files = list(files)
    if not files:
        raise DomainError("请选择要上传的文件。")
    kinds = _check_files(files, already=activity.attachments.count())
    made = _save_attachments(activity, files, kinds, by)
    stamp(activity, by, "上传附件", "、".join(a.original_name for a in made))
    activity.save(update_fields=["updated_at"])
    return made


@transaction.atomic
def activity_attachment_delete(*, attachment: ActivityAttachment, by: User) -> None:
    attachment = ActivityAttachment.objects.select_related("activity__organization").get(pk=attachment.pk)
    activity = (
        Activity.objects.select_for_update(of=("self",)).select_related("organization").get(pk=attachment.activity_id)
    )
    require(by, OrgAction.RECORD_ACTIVITY, activity)
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    stamp(activity, by, "删除附件", attachment.original_name)
    activity.save(update_fields=["updated_at"])


def activities_insert_checked(
    rows: list[tuple[Activity, list[int]]], *, by: User | None, batch_size: int = 1000
) -> int:
    """Insert activities already checked with `activity_problems` and against the roster (the Excel import, the
    demo) with their participants (member ids) and a creation record each, in a few bulk queries."""
    historical = Activity.history.model
    through = Activity.participants.through
    history_through = _participants_history_model()
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        activities = [a for a, _ in chunk]
        bulk_create_with_history(activities, Activity, batch_size=batch_size, default_user=by)
        links = [(a.pk, m) for a, ids in chunk for m in sorted(set(ids))]
        if not links:
            continue
        # Participants run to hundreds of thousands of rows at county scale: plain inserts, not model instances.
        _insert_rows(through, ("activity_id", "member_id"), links)
        ids = [a.pk for a in activities]
        made = through.objects.filter(activity_id__in=ids).order_by("id").values_list("id", "activity_id", "member_id")
        records = dict(historical.objects.filter(id__in=ids, history_type="+").values_list("id", "history_id"))
        _insert_rows(
            history_through,
            ("history_id", "id", "activity_id", "member_id"),
            [(records[activity_id], link_id, activity_id, member_id) for link_id, activity_id, member_id in made],
        )
    return len(rows)


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
