from django.contrib import admin

from messaging.models import Batch, Delivery, Message


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "recipient", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["recipient", "batch"]
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [DeliveryInline]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "created_at"]
    readonly_fields = [f.name for f in Batch._meta.fields]
