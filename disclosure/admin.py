from django.contrib import admin

from .models import BoardSetting, Job, SupervisionReport


@admin.register(SupervisionReport)
class SupervisionReportAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_number",
        "organization",
        "kind",
        "channel",
        "received_on",
        "due_on",
        "answered_at",
        "flagged_at",
    )
    list_filter = ("kind", "channel")
    search_fields = ("tracking_number", "text")
    raw_id_fields = ("organization", "item", "opinion", "answered_by", "logged_by", "discarded_by")
    list_select_related = ("organization",)


@admin.register(BoardSetting)
class BoardSettingAdmin(admin.ModelAdmin):
    list_display = ("organization", "pinned_campaign")
    raw_id_fields = ("organization", "pinned_campaign")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "organization", "started_by", "state", "progress_done", "progress_total", "created_at")
    list_filter = ("state", "kind")
    raw_id_fields = ("organization", "campaign", "started_by")
    readonly_fields = ("created_at", "started_at", "finished_at")
