from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    """Pupils and families, windows, ranked preferences, first-come seats, waitlists and offers."""

    name = "enrollment"
    verbose_name = _("pupils and enrollment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core import periodic
        from enrollment import selectors, services
        from scheduling.adapters import SHARED_PUPILS
        from scheduling.selectors import FEED_SOURCES

        SHARED_PUPILS.register(selectors.sections_held_together, key="enrollment.seats")
        FEED_SOURCES.register(selectors.pupil_feed, key="enrollment.pupil_week")
        periodic.register(
            "enrollment.offers_expire", settings.KEHOU_OFFER_EXPIRY_EVERY_SECONDS, services.offers_expire_due
        )
