"""Fees in the admin: read-only where the rows are frozen or audited (statements, lines, payments)."""

from django.contrib import admin

from participation.models import (
    DistrictPolicy,
    FeeExemption,
    FeeRule,
    Gate,
    Payment,
    PickupPerson,
    Statement,
    StatementLine,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "label", "meetings", "rate", "amount", "note", "manual", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnly):
    """Lines are frozen: corrections are made on the school's statement page (audited)."""

    list_display = ["number", "student", "school", "period_start", "period_end", "total", "paid"]
    list_filter = ["school"]
    search_fields = ["number", "student__name", "student__student_no"]
    inlines = [StatementLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["reference", "channel", "amount", "paid_at", "statement", "batch"]
    list_filter = ["channel"]
    search_fields = ["reference", "statement__number"]


@admin.register(FeeExemption)
class FeeExemptionAdmin(ReadOnly):
    list_display = ["student", "term", "status", "reason", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["student__name", "student__student_no", "reason"]


@admin.register(FeeRule)
class FeeRuleAdmin(ReadOnly):
    list_display = ["school", "period", "basis", "trial_meetings", "long_absence_meetings"]


@admin.register(DistrictPolicy)
class DistrictPolicyAdmin(ReadOnly):
    list_display = ["district", "off_work_time", "homework_fee"]


@admin.register(Gate)
class GateAdmin(admin.ModelAdmin):
    list_display = ["name", "school"]
    search_fields = ["name", "school__name"]
    autocomplete_fields = ["school"]


@admin.register(PickupPerson)
class PickupPersonAdmin(admin.ModelAdmin):
    list_display = ["name", "relation", "family"]
    search_fields = ["name", "family__label"]
    autocomplete_fields = ["family"]
