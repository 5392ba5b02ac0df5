"""URL map. Every pattern's view declares its audience (see accounts.access)."""

from django.contrib import admin
from django.urls import include, path

from accounts.access import ACCESS_ATTR, PUBLIC
from config.api import api

admin.site.site_header = "Kehou 课后 · 管理"
admin.site.site_title = "Kehou 课后"


def _api_urls():
    """Ninja's own docs and schema pages are public; each operation declares its own roles."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name in {"openapi-json", "openapi-view"}:
            setattr(pattern.callback, ACCESS_ATTR, PUBLIC)
    return patterns, app_name, namespace


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", _api_urls()),
    path("", include("courses.urls")),
    path("", include("partners.urls")),
    path("", include("scheduling.urls_itinerary")),
    path("", include("scheduling.urls")),
    path("", include("pupils.urls")),
    path("", include("enrollment.urls")),
    path("", include("letters.urls")),
    path("", include("allocation.urls")),
    path("", include("participation.urls")),
    path("", include("messaging.urls")),
    path("", include("accounts.urls")),
]

handler403 = "config.views.forbidden"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
