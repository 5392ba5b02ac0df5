from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PupilsConfig(AppConfig):
    """The pupil register: families, guardians, pupils on roll; its Excel import."""

    name = "pupils"
    verbose_name = _("pupils and families")
    default_auto_field = "django.db.models.BigAutoField"
