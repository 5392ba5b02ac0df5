from django.contrib import admin

from partners.models import (
    HostRequest,
    PartnerAvailability,
    PartnerCourse,
    PartnerCoursePhoto,
    PartnerCourseReview,
    Provider,
    ReachableSchool,
    TravelTime,
)


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
    autocomplete_fields = ["provider", "created_by"]  # not a <select> of every user


@admin.register(TravelTime)
class TravelTimeAdmin(admin.ModelAdmin):
    list_display = ["from_school", "to_school", "minutes"]
    search_fields = ["from_school__name", "to_school__name"]
    autocomplete_fields = ["from_school", "to_school"]


@admin.register(HostRequest)
class HostRequestAdmin(admin.ModelAdmin):
    list_display = ["partner_course", "school", "term", "sections", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["partner_course__title", "school__name"]
    raw_id_fields = ["partner_course", "school", "term", "teacher", "course", "requested_by", "decided_by"]


@admin.register(PartnerCourseReview)
class PartnerCourseReviewAdmin(admin.ModelAdmin):
    list_display = ["course", "action", "by", "at"]
    list_filter = ["action"]
    raw_id_fields = ["course", "by"]


@admin.register(PartnerAvailability)
class PartnerAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["teacher", "weekday", "session"]
    raw_id_fields = ["teacher"]


@admin.register(ReachableSchool)
class ReachableSchoolAdmin(admin.ModelAdmin):
    list_display = ["teacher", "school"]
    raw_id_fields = ["teacher", "school"]


@admin.register(PartnerCoursePhoto)
class PartnerCoursePhotoAdmin(admin.ModelAdmin):
    list_display = ["course", "caption", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["course", "uploaded_by"]
