from django.contrib import admin

from pupils.models import Family, Guardian, Student


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["label", "created_at"]
    search_fields = ["label", "guardians__name", "guardians__phone", "children__name"]
    inlines = [GuardianInline]


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "relation", "family"]
    search_fields = ["name", "phone", "user__username"]
    autocomplete_fields = ["user", "family"]


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["name", "student_no", "school", "grade", "school_class", "sex", "on_roll"]
    list_filter = ["grade", "sex", "on_roll", "school__kind"]
    search_fields = ["name", "student_no", "school__name"]
    autocomplete_fields = ["school", "school_class", "family"]
    list_select_related = ["school", "school_class"]
