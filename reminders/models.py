"""The outbox: one row per message to send, with its due time and delivery history."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    COURSE_BOOKED = "course_booked", "Course booked"
    REMINDER_48H = "reminder_48h", "Reminder before the session"
    REMINDER_2H = "reminder_2h", "Short reminder on the day"
    AFTERCARE = "aftercare", "Aftercare sheet"
    COURSE_COMPLETED = "course_completed", "Course completed"
    DAILY_AGENDA = "daily_agenda", "Daily agenda"
    CANCELLED_BY_PATIENT = "cancelled_by_patient", "Cancelled by the patient"
    SESSIONS_CHANGED = "sessions_changed", "Sessions moved or cancelled by the clinic"
    MOVED_BY_PATIENT = "moved_by_patient", "Moved by the patient"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    # Claimed by a dispatcher and published to the broker; no worker has started it.
    QUEUED = "queued", "Queued"
    # A worker started it (started_at, started_by): its lease runs from then.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


# Messages sent before a session: pointless once it has started or moved.
BEFORE_SESSION = (Kind.REMINDER_48H, Kind.REMINDER_2H)


@pghistory.track()
class OutboxMessage(models.Model):
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="E-mail address or E.164 number.")
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    session = models.ForeignKey(
        "courses.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner", null=True, blank=True, on_delete=models.CASCADE,
        related_name="messages",
    )  # fmt: skip
    schedule_version = models.PositiveIntegerField(
        default=0, help_text="The session's schedule version the message was made for."
    )
    dedupe_key = models.CharField(max_length=200, editable=False)  # unique: see Meta
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(
        max_length=200, blank=True, editable=False,
        help_text="The worker process that started sending it (host, boot, process id, start).",
    )  # fmt: skip
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        # Every claim and every outcome rewrites the row, and so an entry in each of
        # the table's indexes: the queue's own indexes hold only the rows in their
        # state (partial), so a row leaving the queue costs them nothing and they
        # stay small however long the history grows. The claim token needs none:
        # its rows are found through the "queued" index.
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="outbox_once")]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status=Status.PENDING), name="outbox_due"),
            models.Index(
                fields=["claimed_at"], condition=Q(status=Status.QUEUED), name="outbox_queued"
            ),
            models.Index(
                fields=["started_at"], condition=Q(status=Status.SENDING), name="outbox_lease"
            ),
            models.Index(
                fields=["due_at"], condition=Q(status=Status.FAILED), name="outbox_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()} (#{self.pk})"


class MessageEvent(models.Model):
    """What happened to a message, for staff."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    event = models.CharField(max_length=30)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event} at {self.at:%Y-%m-%d %H:%M}"


class ChannelState(models.Model):
    """A channel's circuit breaker: consecutive temporary failures, and since when it is paused.

    Written only when a send on the channel fails, and when a success follows
    failures (never on every success). While ``paused_since`` is set the
    dispatcher claims nothing on the channel but one probe message at
    ``probe_at``; a success closes it.
    """

    channel = models.CharField(max_length=10, unique=True)
    failures = models.PositiveIntegerField(default=0, help_text="Consecutive temporary failures.")
    paused_since = models.DateTimeField(null=True, blank=True)
    probe_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        state = f"paused since {self.paused_since:%Y-%m-%d %H:%M}" if self.paused_since else "open"
        return f"{self.channel}: {state}"
