from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what people did are kept as they are: the admin shows them but does not change them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "year", "organization", "starts_on", "sign_deadline", "ends_on", "status")
    list_filter = ("status", "year")
    raw_id_fields = ("organization", "opened_by")


@admin.register(Opinion)
class OpinionAdmin(SimpleHistoryAdmin):
    list_display = ("text", "organization", "channel", "source_group", "received_on", "status")
    list_filter = ("status", "channel", "source_group")
    search_fields = ("text",)
    raw_id_fields = ("organization", "campaign", "created_by")
    list_select_related = ("organization",)


class PledgeItemInline(admin.TabularInline):
    model = PledgeItem
    fields = ("position", "content_area", "content", "deadline", "state", "ticked_off_on", "overdue_notified")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("__str__", "organization", "campaign", "form", "status", "revision", "is_current")
    list_filter = ("status", "form", "is_current", "campaign")
    search_fields = ("member__name", "pledger_organization__name", "organization__name")
    list_select_related = ("member", "pledger_organization", "organization", "campaign")
    inlines = [PledgeItemInline]


@admin.register(PledgeItem)
class PledgeItemAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("__str__", "pledge", "deadline", "state", "ticked_off_on", "overdue_notified", "needs_help")
    list_filter = ("state", "overdue_notified", "needs_help")
    search_fields = ("content",)
    list_select_related = ("pledge__member", "pledge__pledger_organization")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("pledge", "decision", "by", "at")
    list_select_related = ("pledge__member", "pledge__pledger_organization", "by")


@admin.register(ReviewItemComment)
class ReviewItemCommentAdmin(ReadOnlyAdmin):
    list_display = ("review", "item", "comment")


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("pledge", "role", "signer_name", "method", "signed_at", "text_sha256")
    list_select_related = ("pledge__member", "pledge__pledger_organization")


@admin.register(FulfilmentLog)
class FulfilmentLogAdmin(ReadOnlyAdmin):
    list_display = ("item", "happened_on", "text", "by")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "kind", "size", "log")


@admin.register(SelfCheck)
class SelfCheckAdmin(ReadOnlyAdmin):
    list_display = ("item", "month", "result", "by")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("pledge", "year", "quarter", "result", "by")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
