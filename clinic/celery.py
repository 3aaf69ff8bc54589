"""The Celery application, configured from Django settings (``CELERY_*``)."""

import os
import threading
import time

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django integration closes every database connection before and after
# each task unless told to re-use them; reconnecting cost more than the work of
# a send task. Connections are re-used for this many tasks, and Django's own
# age and health rules (CONN_MAX_AGE, health checks) apply before each task.
app.conf.update(CELERY_DB_REUSE_MAX=500)
app.autodiscover_tasks()

# A connection a task used this recently is not health-checked again before the
# next task (like PgBouncer's server_check_delay): under load the check would be
# one more database round trip per message. A connection that saw an error is
# always checked, and one idle for longer than this is checked before use.
RECHECK_IDLE_CONNECTION_SECONDS = 1.0
_this_thread = threading.local()  # connections are per thread, and so is their last use


@task_prerun.connect
def close_stale_database_connections(**kwargs: object) -> None:
    """What Django does at the start of each request: drop broken or too-old connections."""
    from django.db import close_old_connections, connections

    close_old_connections()
    last_task_ended = getattr(_this_thread, "last_task_ended", float("-inf"))
    if time.monotonic() - last_task_ended < RECHECK_IDLE_CONNECTION_SECONDS:
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None and not connection.errors_occurred:
                # Django sets this attribute in BaseDatabaseWrapper.__init__; django-stubs omits it.
                connection.health_check_done = True  # type: ignore[attr-defined]


@task_postrun.connect
def note_task_end(**kwargs: object) -> None:
    _this_thread.last_task_ended = time.monotonic()
