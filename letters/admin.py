from django.contrib import admin

from letters.models import Letter


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "school", "status", "recipients", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    readonly_fields = [f.name for f in Letter._meta.fields]
