"""The staff's signed-in sessions, so each can see them and end the others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffSession(models.Model):
    """One signed-in browser of a staff member: when it started and was last seen.

    Kept beside Django's own session row (same key) by the idle-time middleware;
    ending it deletes both. Holds a short browser summary, not the address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    browser = models.CharField(_("browser"), max_length=100, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")

    def __str__(self) -> str:
        return f"{self.user} · {self.browser or '?'} · {self.started_at:%Y-%m-%d %H:%M}"


class StaffPreferences(models.Model):
    """What a staff member chose for their own screens: the interface language.

    A row of its own beside Django's user (the planner keeps Django's user model);
    no row, or an empty language, means the browser's language (Accept-Language).
    The same choice names the language of the e-mails the planner sends them
    (the daily agenda, a patient's cancellation).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of your screens and of the e-mails the planner sends you."),
    )

    class Meta:
        verbose_name = _("staff preferences")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language or '-'}"


def staff_language(user: object) -> str | None:
    """The interface language the user chose, or None (the browser's, or the default)."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    language = (
        StaffPreferences.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    )
    return language or None
