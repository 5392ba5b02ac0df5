from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Registers, attendance, leave, fees and statements, 5+2 compliance, the gate, daily aggregates,
    statistics and the bureau's dashboard."""

    name = "participation"
    verbose_name = _("participation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from participation.compliance.selectors import publish_check
        from scheduling.publish_checks import PUBLISH_CHECKS

        PUBLISH_CHECKS.register(publish_check, key="participation.five_plus_two")
