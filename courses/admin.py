from django.contrib import admin

from courses.models import (
    CalendarException,
    Course,
    District,
    Room,
    School,
    SchoolClass,
    Section,
    Slot,
    Teacher,
    Term,
)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "district"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "code"]


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "start", "end"]
    list_filter = ["school__kind", "start"]
    search_fields = ["name", "school__name"]
    autocomplete_fields = ["school"]
    inlines = [CalendarExceptionInline]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "follows_weekday", "term", "note"]
    list_filter = ["kind"]
    search_fields = ["note", "term__school__name"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["school", "weekday", "session", "start", "end"]
    list_filter = ["weekday", "session"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "capacity", "features"]
    list_filter = ["school__kind"]
    search_fields = ["name", "school__name"]
    autocomplete_fields = ["school"]


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["name", "staff_no", "school", "provider", "max_periods_week"]
    list_filter = ["school__kind", "provider"]
    search_fields = ["name", "staff_no", "phone", "school__name"]
    autocomplete_fields = ["school", "provider", "user"]
    filter_horizontal = ["unavailable_slots"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "grade", "number", "head_teacher"]
    list_filter = ["grade", "school__kind"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school", "head_teacher"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "school", "seats_per_section", "meetings_per_week", "fee_per_class_hour"]
    list_filter = ["kind", "school__kind"]
    search_fields = ["title", "school__name"]
    autocomplete_fields = ["school", "partner_course"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "term", "teacher", "capacity", "school_class"]
    list_filter = ["course__kind", "term__name"]
    search_fields = ["code", "course__title", "course__school__name", "teacher__name"]
    autocomplete_fields = ["course", "term", "teacher", "school_class"]
    list_select_related = ["course", "term", "term__school", "teacher"]
