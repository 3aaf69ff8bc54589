"""The project package; importing it loads the Celery app so tasks register."""

from clinic.celery import app as celery_app

__all__ = ("celery_app",)
