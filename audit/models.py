"""The audit trail's own rows: reads, authentication events and refusals.

Changes are recorded elsewhere: each tracked model has an event model made by
django-pghistory (``patients.PatientEvent``, ``courses.SessionEvent`` ...), filled
by PostgreSQL triggers. Django's own staff accounts and their roles are tracked
here (``UserEvent``, ``UserRoleEvent``), since their app is not ours. Both kinds
are append-only: the tables refuse UPDATE and DELETE on PostgreSQL
(pgtrigger.Protect), and the admin offers no change.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    READ = "read", _("read")
    AUTH = "auth", _("authentication")
    REFUSAL = "refusal", _("refusal")


class AuthAction(models.TextChoices):
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("log-in failed")
    LOGOUT = "logout", _("logged out")
    LOCKOUT = "lockout", _("locked out")
    MFA_ENROLLED = "mfa_enrolled", _("enrolled in two-factor authentication")
    MFA_VERIFIED = "mfa_verified", _("passed the two-step code")
    MFA_FAILED = "mfa_failed", _("two-step code refused")
    RECOVERY_CODES = "recovery_codes", _("made new recovery codes")
    PASSWORD_CHANGED = "password_changed", _("changed the password")
    SESSIONS_ENDED = "sessions_ended", _("ended sessions")
    SESSION_EXPIRED = "session_expired", _("logged out after the idle time")


class AccessEvent(models.Model):
    """One read of a patient's record, one authentication event or one refusal.

    ``username`` is kept beside ``user`` (no database constraint: a user row
    deleted later leaves its trail): for a failed log-in it is the name typed,
    and never the password. ``path`` holds ids only (link secrets redacted).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    action = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient_id", "at"], name="audit_access_patient_at")]
        permissions = [("view_trail", _("Can see the audit trail"))]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.action} {self.object_type} {self.object_id} at {self.at}"


# Django's user and user-groups tables are not ours: django-pgtrigger writes the
# triggers of a proxy model into its own app's migrations, so they are tracked
# through these proxies (the trail names the tables themselves: auth.User ...).
class TrackedUser(User):
    class Meta:
        proxy = True


class TrackedUserRole(User.groups.through):  # type: ignore[name-defined]
    class Meta:
        proxy = True


# Staff accounts: who they are and whether they may sign in or reach the admin. Never
# the password hash; ``last_login`` neither (a log-in is an authentication event).
UserEvent = pghistory.create_event_model(
    TrackedUser,
    exclude=["password", "last_login"],
    model_name="UserEvent",
    abstract=False,
)

# A role given (a row added to the user-groups table) or taken (the row deleted).
ROLE_GIVEN = "role_given"
ROLE_TAKEN = "role_taken"
UserRoleEvent = pghistory.create_event_model(
    TrackedUserRole,
    pghistory.InsertEvent(ROLE_GIVEN),
    pghistory.DeleteEvent(ROLE_TAKEN),
    model_name="UserRoleEvent",
    abstract=False,
)
