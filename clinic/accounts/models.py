"""The staff's signed-in sessions, so each can see them and end the others."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffSession(models.Model):
    """One signed-in browser of a staff member: when it started and was last seen.

    Kept beside Django's own session row (same key) by the idle-time middleware;
    ending it deletes both. Holds a short browser summary, not the address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    browser = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.browser or '?'} · {self.started_at:%Y-%m-%d %H:%M}"
