from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        """Listen for log-ins, log-outs and failures (and lockouts, when django-axes is
        installed), give Celery tasks a system actor, and on SQLite record changes
        from Python (PostgreSQL's triggers do it there)."""
        from audit import receivers, sqlite_trail

        receivers.connect()
        sqlite_trail.connect()
