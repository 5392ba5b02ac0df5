from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Messages to users through channels (in-site always; SMS gateway, 企业微信/钉钉 webhook when set).

    Low in the layers: it knows users, never pupils or families; the apps above say who receives.
    """

    name = "messaging"
    verbose_name = _("messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core import periodic
        from messaging import services

        periodic.register("messaging.deliver", settings.KEHOU_MESSAGING_EVERY_SECONDS, services.deliver_due)
