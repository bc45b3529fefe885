from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Appraisal,
    Award,
    Ballot,
    BallotCode,
    Bulletin,
    ContactPoint,
    ContactVisit,
    LeaderReview,
    MonthlyRecord,
    PaperTally,
    Ranking,
    RankingEntry,
    Rectification,
    Tally,
)


@admin.register(LeaderReview)
class LeaderReviewAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "period", "reviewer", "requires_rectification", "is_published", "created_at")
    list_filter = ("kind", "requires_rectification", "is_published")
    raw_id_fields = ("member", "organization", "campaign", "reviewer")


@admin.register(Appraisal)
class AppraisalAdmin(SimpleHistoryAdmin):
    readonly_fields = ("status",)  # only transitions change it
    list_display = ("__str__", "held_on", "status", "valid_ballots", "satisfaction", "is_published")
    list_filter = ("status", "year", "half")
    raw_id_fields = ("organization", "campaign", "rectification", "created_by")
    filter_horizontal = ("member_questions",)


@admin.register(BallotCode)
class BallotCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "appraisal", "used_at")
    raw_id_fields = ("appraisal",)


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    list_display = ("appraisal", "choice", "pledge", "created_at")
    raw_id_fields = ("appraisal", "code", "pledge")


@admin.register(PaperTally)
class PaperTallyAdmin(admin.ModelAdmin):
    list_display = ("appraisal", "pledge", "valid_forms", "satisfied", "basically_satisfied", "unsatisfied")
    raw_id_fields = ("appraisal", "pledge", "entered_by")


@admin.register(Rectification)
class RectificationAdmin(SimpleHistoryAdmin):
    readonly_fields = ("status",)  # only transitions change it
    list_display = ("__str__", "source", "status", "deadline", "created_at", "closed_at")
    list_filter = ("status", "source")
    raw_id_fields = ("organization", "member", "appraisal", "leader_review", "pledge", "approved_by")


@admin.register(Award)
class AwardAdmin(SimpleHistoryAdmin):
    readonly_fields = ("status",)  # only transitions change it
    list_display = ("__str__", "kind", "year", "occasion", "status")
    list_filter = ("kind", "status", "year")
    raw_id_fields = ("member", "organization", "nominated_by_organization", "nominated_by", "decided_by")


class RankingEntryInline(admin.TabularInline):
    model = RankingEntry
    extra = 0
    raw_id_fields = ("member", "organization", "adjusted_by")


@admin.register(Ranking)
class RankingAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "level", "period", "is_published", "computed_at")
    list_filter = ("level", "is_published")
    raw_id_fields = ("organization",)
    inlines = [RankingEntryInline]


@admin.register(RankingEntry)
class RankingEntryAdmin(SimpleHistoryAdmin):
    list_display = ("ranking", "rank", "member", "organization", "final_score")
    raw_id_fields = ("ranking", "member", "organization", "adjusted_by")


@admin.register(MonthlyRecord)
class MonthlyRecordAdmin(admin.ModelAdmin):
    list_display = ("__str__", "month", "is_published", "created_at")
    raw_id_fields = ("member", "commented_by")


@admin.register(Bulletin)
class BulletinAdmin(SimpleHistoryAdmin):
    readonly_fields = ("status",)  # only transitions change it
    list_display = ("title", "organization", "year", "quarter", "status", "published_at")
    list_filter = ("status", "year")
    raw_id_fields = ("organization", "created_by")


@admin.register(Tally)
class TallyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "period_kind", "period", "computed_at")
    list_filter = ("period_kind",)
    raw_id_fields = ("organization",)


class ContactVisitInline(admin.TabularInline):
    model = ContactVisit
    extra = 0


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ("leader", "organization", "since", "created_at")
    raw_id_fields = ("leader", "organization")
    inlines = [ContactVisitInline]


@admin.register(ContactVisit)
class ContactVisitAdmin(admin.ModelAdmin):
    list_display = ("contact_point", "visited_on", "note")
    raw_id_fields = ("contact_point",)
