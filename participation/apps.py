from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Registers, attendance, leave, fees due, daily aggregates, statistics and the bureau's dashboard."""

    name = "participation"
    verbose_name = _("participation")
    default_auto_field = "django.db.models.BigAutoField"
