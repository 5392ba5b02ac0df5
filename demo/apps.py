from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district (`seed_demo`), its timetables and a term of attendance history (`seed_history`)."""

    name = "demo"
    verbose_name = _("demo district")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allocation.services import SEED_HINTS
        from demo.district import demo_seed_hint

        SEED_HINTS.register(demo_seed_hint, key="demo.lottery_seed")
