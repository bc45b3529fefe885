from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .activity_kinds import BUILT_IN_KINDS
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
from .validators import mask_id_number

BUILT_IN_CODES = frozenset(code for code, *_ in BUILT_IN_KINDS)


@admin.register(User)
class PledgeUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("账号状态", {"fields": ("full_name", "must_change_password", "password_set_by", "password_set_at")}),
    )
    readonly_fields = ("password_set_by", "password_set_at")

    # A password an administrator types for someone else is known to the administrator: like a reset on the
    # web, it is recorded and must be replaced by the owner before he can sign.
    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
            obj.password_set_by = request.user
            obj.password_set_at = timezone.now()
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        before = User.objects.filter(pk=id).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        after = User.objects.filter(pk=id).values_list("password", flat=True).first()
        if before is not None and after != before and str(request.user.pk) != str(id):
            now = timezone.now()
            User.objects.filter(pk=id).update(
                password_set_by=request.user, password_set_at=now, must_change_password=True
            )
            PasswordReset.objects.create(user_id=id, by=request.user, at=now)
        return response

    list_display = ("username", "full_name", "is_active", "is_staff", "must_change_password", "last_login")
    search_fields = ("username", "full_name")


@admin.register(Organization)
class OrganizationAdmin(GuardedModelAdminMixin, TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Organization)
    list_display = ("name", "code", "level", "sector", "is_window_unit", "is_active")
    list_filter = ("level", "sector", "is_active", "is_window_unit")
    search_fields = ("name", "code")


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "gender", "masked_id", "political_status", "organization", "post", "is_exempt", "is_active")
    list_filter = ("political_status", "gender", "is_leader", "is_exempt", "is_active")
    search_fields = ("name", "post", "organization__name")
    raw_id_fields = ("organization", "inflow_organization", "residence_organization", "user")
    list_select_related = ("organization",)

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(Exemption)
class ExemptionAdmin(SimpleHistoryAdmin):
    readonly_fields = ("status",)  # only transitions change it
    list_display = ("member", "reason", "status", "proposed_by", "proposed_at", "decided_by", "decided_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("member", "proposed_by", "decided_by")
    list_select_related = ("member", "proposed_by", "decided_by")


@admin.register(OrganizationUserObjectPermission)
class RoleGrantAdmin(SimpleHistoryAdmin):
    list_display = ("user", "permission", "content_object", "granted_by", "granted_at")
    list_select_related = ("user", "permission", "content_object", "granted_by")
    raw_id_fields = ("user", "content_object", "granted_by")
    search_fields = ("user__username", "user__full_name", "content_object__name")


@admin.register(FormerCode)
class FormerCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "organization", "replaced_at", "replaced_by")
    list_select_related = ("organization", "replaced_by")
    raw_id_fields = ("organization", "replaced_by")
    search_fields = ("code", "organization__name", "organization__code")


@admin.register(PasswordReset)
class PasswordResetAdmin(admin.ModelAdmin):
    """The audit of password resets: read only, it is a record of what happened."""

    list_display = ("user", "by", "at")
    list_select_related = ("user", "by")
    search_fields = ("user__username", "user__full_name", "by__username", "by__full_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityKind)
class ActivityKindAdmin(admin.ModelAdmin):
    """The county extends the list of activity kinds here. A kind in use is retired (启用 off), not deleted; the
    codes of the built-in kinds are what statistics forms count by, so they stay as shipped."""

    list_display = (
        "name",
        "code",
        "quantity_label",
        "quantity_unit",
        "amount_label",
        "beneficiaries_label",
        "position",
        "is_active",
    )
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "description")
    ordering = ("position", "id")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None and obj.code in BUILT_IN_CODES else ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.code in BUILT_IN_CODES or obj.activities.exists()):
            return False
        return super().has_delete_permission(request, obj)


class ActivityAttachmentInline(admin.TabularInline):
    model = ActivityAttachment
    extra = 0
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # uploads are checked by their content on the site (organizations.uploads)


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "title", "kind", "organization", "participants_count", "amount", "recorded_by")
    list_filter = ("kind", "held_on")
    search_fields = ("title", "organization__name", "organization__code")
    date_hierarchy = "held_on"
    raw_id_fields = ("organization", "recorded_by", "participants")
    list_select_related = ("kind", "organization", "recorded_by")
    readonly_fields = ("created_at", "updated_at")
    inlines = [ActivityAttachmentInline]


@admin.register(ActivityAttachment)
class ActivityAttachmentAdmin(admin.ModelAdmin):
    """Attachments are added and removed on the activity's page, where their content is checked; here they are
    only listed."""

    list_display = ("original_name", "activity", "kind", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("activity", "uploaded_by")
    search_fields = ("original_name", "activity__title")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
