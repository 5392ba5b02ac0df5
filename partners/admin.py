from django.contrib import admin

from partners.models import PartnerCourse, Provider, TravelTime


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "school", "qualification_status", "qualification_expires"]
    list_filter = ["kind", "qualification_status"]
    search_fields = ["name"]
    autocomplete_fields = ["school"]


@admin.register(PartnerCourse)
class PartnerCourseAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "kind", "status", "group_size", "fee_per_class_hour"]
    list_filter = ["kind", "status", "provider"]
    search_fields = ["title", "title_en", "provider__name"]
    autocomplete_fields = ["provider"]


@admin.register(TravelTime)
class TravelTimeAdmin(admin.ModelAdmin):
    list_display = ["from_school", "to_school", "minutes"]
    search_fields = ["from_school__name", "to_school__name"]
    autocomplete_fields = ["from_school", "to_school"]
