from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    """Turning ranked preferences into seats: runs, the pure engine, review, publish, replay."""

    name = "allocation"
    verbose_name = _("seat allocation")
    default_auto_field = "django.db.models.BigAutoField"
