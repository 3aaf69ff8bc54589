"""The Celery application, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django integration closes every database connection before and after
# each task unless told to re-use them; reconnecting cost more than the work of
# a send task. Connections are re-used for this many tasks, and Django's own
# age and health rules (CONN_MAX_AGE, health checks) apply before each task.
app.conf.update(CELERY_DB_REUSE_MAX=500)
app.autodiscover_tasks()


@task_prerun.connect
def close_stale_database_connections(**kwargs: object) -> None:
    """What Django does at the start of each request: drop broken or too-old connections."""
    from django.db import close_old_connections

    close_old_connections()
