from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    """Site-wide pages above the other apps: the today board, reports, demo data."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "planner"
    verbose_name = _("Planner")
