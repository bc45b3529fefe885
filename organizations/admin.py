from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Exemption, Member, Organization, OrganizationUserObjectPermission, User
from .validators import mask_id_number


@admin.register(User)
class PledgeUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("账号状态", {"fields": ("full_name", "must_change_password")}),
    )
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
