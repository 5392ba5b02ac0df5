from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Off-campus training institutions: register, 双随机一公开 inspections, rectification, 红黄绿 risk."""

    name = "supervision"
    verbose_name = _("institution supervision")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import periodic
        from participation.voluntariness import COMPLAINT_COUNTS
        from partners.models import PROVIDER_HOLDS
        from supervision.selectors_complaints import forced_participation_counts
        from supervision.services.risk import grades_refresh_due, red_provider_ids

        PROVIDER_HOLDS.register(red_provider_ids, key="supervision.red_institutions")
        COMPLAINT_COUNTS.register(forced_participation_counts, key="supervision.forced_participation")
        periodic.register("supervision.grades_due", 3600.0, grades_refresh_due)
