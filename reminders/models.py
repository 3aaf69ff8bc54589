"""The outbox: one row per message to send, with its due time and delivery history."""

from __future__ import annotations

from datetime import datetime

import pghistory
from django.conf import settings
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
    WEBHOOK = "webhook", _("Webhook delivery")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoint switched off")
    LOT_RECALL = "lot_recall", _("A product lot used in treatment was recalled")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


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
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("The member of staff a staff message is written to."),
    )  # fmt: skip
    endpoint = models.ForeignKey(
        "reminders.WebhookEndpoint", null=True, blank=True, on_delete=models.CASCADE,
        related_name="messages", help_text=_("The webhook endpoint a delivery goes to."),
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


class WebhookEvent(models.TextChoices):
    """What an endpoint may subscribe to (issue #18); the value is the payload's ``type``."""

    COURSE_BOOKED = "course.booked", _("Course booked")
    SESSION_MOVED = "session.moved", _("Session moved")
    SESSION_CANCELLED = "session.cancelled", _("Session cancelled (by staff or the patient)")
    SESSION_CONFIRMED = "session.confirmed", _("Session confirmed")
    SESSION_DONE = "session.done", _("Session done")
    SESSION_NO_SHOW = "session.no_show", _("No-show")
    MESSAGE_FAILED = "message.failed", _("Message failed")


@pghistory.track(exclude=["secret", "previous_secret"])
class WebhookEndpoint(models.Model):
    """Where the clinic's webhooks go: an address, the events it takes and its signing secret.

    Switched off by a manager, or by the outbox when it has failed for the clinic's
    ``webhook_disable_hours`` (``failing_since``: the first failure after its last
    success). The secret signs every delivery (``reminders.signing``); a rotated one
    still signs beside the new one until ``previous_secret_until``.
    """

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80, editable=False)
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("on"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    disabled_reason = models.TextField(_("why it is off"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def takes(self, event: str) -> bool:
        return event in self.events

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, and the one it replaced while that is still honoured."""
        until = self.previous_secret_until
        if self.previous_secret and until is not None and now < until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(models.Model):
    """What one webhook delivery (an outbox row on the ``webhook`` channel) says.

    Written with the row and never changed: the event, its payload as of the change
    that caused it, and the delivery id (``webhook-id``, the same on every retry).
    """

    message = models.OneToOneField(
        OutboxMessage, on_delete=models.CASCADE, primary_key=True, related_name="webhook"
    )
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    delivery_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id}"
