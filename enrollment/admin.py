from django.contrib import admin

from enrollment.models import (
    DismissalChange,
    DismissalChoice,
    DismissalRules,
    Enrollment,
    EnrollmentWindow,
    Notice,
    Preference,
    RosterProposal,
)


@admin.register(EnrollmentWindow)
class EnrollmentWindowAdmin(admin.ModelAdmin):
    list_display = ["school", "term", "mode", "opens_at", "closes_at", "max_choices", "offer_hours"]
    list_filter = ["mode"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school", "term"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["student", "section", "rank", "window", "submitted_at"]
    list_filter = ["rank"]
    search_fields = ["student__name", "student__student_no", "section__course__title"]
    autocomplete_fields = ["window", "student", "section"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["student", "section", "status", "source", "offer_expires_at", "end_reason", "created_at"]
    list_filter = ["status", "source", "end_reason"]
    list_select_related = ["student", "section__course"]
    search_fields = ["student__name", "student__student_no", "section__course__title"]
    autocomplete_fields = ["student", "section"]


@admin.register(DismissalChoice)
class DismissalChoiceAdmin(admin.ModelAdmin):
    list_display = ["student", "term", "weekday", "choice", "updated_at"]
    list_filter = ["choice", "weekday"]
    search_fields = ["student__name", "student__student_no"]
    autocomplete_fields = ["student"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "grade", "section", "created_by", "created_at"]
    list_filter = ["school"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["school", "section", "created_by"]


@admin.register(RosterProposal)
class RosterProposalAdmin(admin.ModelAdmin):
    """Read-only: a proposal is answered by the family, never by an administrator."""

    list_display = ["student", "section", "status", "reason", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["student__name", "student__student_no", "section__course__title"]
    readonly_fields = [f.name for f in RosterProposal._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DismissalRules)
class DismissalRulesAdmin(admin.ModelAdmin):
    list_display = ["school", "change_cutoff", "extended_until"]
    autocomplete_fields = ["school"]


@admin.register(DismissalChange)
class DismissalChangeAdmin(admin.ModelAdmin):
    list_display = ["student", "date", "choice", "updated_at"]
    list_filter = ["choice"]
    search_fields = ["student__name", "student__student_no"]
    autocomplete_fields = ["student"]
