from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: domain errors, the audit log, ids, validation, background runs, extension points."""

    name = "core"
    verbose_name = _("core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core import periodic, runs

        periodic.register("core.runs.reap_stale", settings.KEHOU_REAP_EVERY_SECONDS, runs.runs_reap_stale)
