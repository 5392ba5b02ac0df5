from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, LoginFailure, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["school", "provider", "district"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "phone", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "phone"]
    list_filter = ["is_staff", "is_active", "role_grants__role"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Kehou"), {"fields": ["display_name", "phone"]}))
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "provider", "district"]
    list_filter = ["role", "district"]
    search_fields = ["user__username", "user__display_name", "school__name", "provider__name"]
    autocomplete_fields = ["user", "school", "provider", "district"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]  # a <select> of every user is 63,000 options in the demo district


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "ip", "at"]
    list_filter = ["at"]
    search_fields = ["username", "ip"]
