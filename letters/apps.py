from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """Letters to families (告家长书) and a family's message log; delivery through `messaging`."""

    name = "letters"
    verbose_name = _("letters to families")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core import periodic
        from letters import services

        periodic.register("letters.send", settings.KEHOU_MESSAGING_EVERY_SECONDS, services.letters_send_due)
