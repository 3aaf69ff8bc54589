"""The outbox: one row per message to send, with its due time and delivery history."""

from __future__ import annotations

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COURSE_BOOKED = "course_booked", _("Course booked")
    REMINDER_48H = "reminder_48h", _("Reminder before the session")
    REMINDER_2H = "reminder_2h", _("Short reminder on the day")
    AFTERCARE = "aftercare", _("Aftercare sheet")
    COURSE_COMPLETED = "course_completed", _("Course completed")
    DAILY_AGENDA = "daily_agenda", _("Daily agenda")
    CANCELLED_BY_PATIENT = "cancelled_by_patient", _("Cancelled by the patient")
    SESSIONS_CHANGED = "sessions_changed", _("Sessions moved or cancelled by the clinic")
    COURSE_LINK = "course_link", _("A new link to the course page, on request")
    MOVED_BY_PATIENT = "moved_by_patient", _("Moved by the patient")
    LOT_RECALL = "lot_recall", _("A product lot used in treatment was recalled")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Claimed by a dispatcher and published to the broker; no worker has started it.
    QUEUED = "queued", _("Queued")
    # A worker started it (started_at, started_by): its lease runs from then.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Messages sent before a session: pointless once it has started or moved.
BEFORE_SESSION = (Kind.REMINDER_48H, Kind.REMINDER_2H)


@pghistory.track()
class OutboxMessage(models.Model):
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text=_("E-mail address or E.164 number."))
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
        default=0, help_text=_("The session's schedule version the message was made for.")
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
        help_text=_("The worker process that started sending it (host, boot, process id, start)."),
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
    failures = models.PositiveIntegerField(
        default=0, help_text=_("Consecutive temporary failures.")
    )
    paused_since = models.DateTimeField(null=True, blank=True)
    probe_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        state = f"paused since {self.paused_since:%Y-%m-%d %H:%M}" if self.paused_since else "open"
        return f"{self.channel}: {state}"


# The most SMS segments each kind of message may take (clinic-editable in the admin,
# reminders.SmsLimit; these are the defaults for a kind without a row). Sized for the
# longest shipped language in UCS-2 (Cyrillic: 67 characters a part) with the one course
# link: tests/reminders/test_sms_limits.py renders every template in every language.
DEFAULT_SMS_SEGMENTS: dict[str, int] = {
    Kind.COURSE_BOOKED: 4,
    Kind.REMINDER_48H: 6,
    Kind.REMINDER_2H: 3,
    Kind.AFTERCARE: 4,
    Kind.COURSE_COMPLETED: 2,
    Kind.SESSIONS_CHANGED: 7,
    Kind.COURSE_LINK: 3,
    Kind.LOT_RECALL: 4,
}
MAX_SMS_SEGMENTS = 10  # what gateways concatenate reliably


class SmsLimit(models.Model):
    """The most segments an SMS of one kind may take: a longer text is refused, not cut.

    A row per kind rather than fields on the clinic: the limits are a small table the
    admin lists and edits, and a new kind of message needs no column (it reads
    ``DEFAULT_SMS_SEGMENTS``). Seeded with the defaults by the migration that made it.
    """

    kind = models.CharField(_("kind of message"), max_length=30, choices=Kind.choices, unique=True)
    max_segments = models.PositiveSmallIntegerField(
        _("most segments"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SMS_SEGMENTS)],
        help_text=_(
            "A segment is 160 characters of plain Latin text (153 when a message has several), "
            "or 70 (67) when the text has any other letter, such as Cyrillic. A longer text "
            "is not sent: the message fails and says why."
        ),
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("SMS length limit")
        verbose_name_plural = _("SMS length limits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.max_segments}"

    @classmethod
    def for_kind(cls, kind: str) -> int:
        """The clinic's limit for ``kind``: its row, else the default, else one segment."""
        row = cls.objects.filter(kind=kind).values_list("max_segments", flat=True).first()
        return row if row is not None else DEFAULT_SMS_SEGMENTS.get(kind, 1)
