"""Treatment catalogue, courses and their sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clinic.actors import is_patient_link
from clinic.models import Practitioner, Room, Weekday
from clinic.regions import BodyRegion

# Session statuses live in the pure courses.statuses (the state machine uses them); re-exported.
from courses.statuses import HOLDING_STATUSES, OPEN_STATUSES, SessionStatus

NEEDLE_VALIDATORS = [MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("3.0"))]


@pghistory.track()
class Indication(models.Model):
    """What a course treats. A refused indication explains why and offers another."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    refused = models.BooleanField(default=False, help_text="Not an indication for microneedling.")
    refusal_reason = models.TextField(blank=True)
    alternative = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Offered instead when this indication is refused.",
    )
    # Typed by hand: django-stubs cannot infer a many-to-many to a model named as a string.
    areas: models.ManyToManyField[TreatmentArea, Any] = models.ManyToManyField(
        "TreatmentArea",
        blank=True,
        related_name="indications",
        help_text="The areas this indication is treated on. None ticked: any area.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class TreatmentArea(models.Model):
    """A treatment area with its allowed needle lengths and procedure time."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(
        max_length=20,
        choices=BodyRegion.choices,
        help_text="Where on the body: matched against screening findings in the area.",
    )
    needle_min_mm = models.DecimalField(
        max_digits=3, decimal_places=2, validators=NEEDLE_VALIDATORS
    )
    needle_max_mm = models.DecimalField(
        max_digits=3, decimal_places=2, validators=NEEDLE_VALIDATORS
    )
    procedure_minutes = models.PositiveSmallIntegerField(
        default=45,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="Practitioner and room time for the procedure itself (cream time is extra).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(needle_min_mm__lte=models.F("needle_max_mm")),
                name="area_needle_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def needle_range(self) -> str:
        if self.needle_min_mm == self.needle_max_mm:
            return f"{self.needle_min_mm} mm"
        return f"{self.needle_min_mm}-{self.needle_max_mm} mm"


@pghistory.track()
class MinimumGap(models.Model):
    """The shortest spacing between sessions for needles up to a length."""

    up_to_mm = models.DecimalField(
        "needles up to (mm)",
        max_digits=3,
        decimal_places=2,
        unique=True,
        validators=NEEDLE_VALIDATORS,
    )
    min_weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(26)]
    )

    class Meta:
        ordering = ["up_to_mm"]

    def __str__(self) -> str:
        return f"Up to {self.up_to_mm} mm: at least {self.min_weeks} weeks"


class CourseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


def draft_cutoff(now: datetime | None = None) -> datetime:
    """Drafts saved before this have expired (``CLINIC_DRAFT_EXPIRY_HOURS``)."""
    return (now or timezone.now()) - timedelta(hours=settings.CLINIC_DRAFT_EXPIRY_HOURS)


class CourseQuerySet(models.QuerySet["Course"]):
    def booked(self) -> CourseQuerySet:
        """Real courses: confirmed at least once (not previews)."""
        return self.exclude(status=CourseStatus.DRAFT)

    def open_drafts(self, now: datetime | None = None) -> CourseQuerySet:
        """Previews not yet confirmed and not yet expired."""
        return self.filter(status=CourseStatus.DRAFT, created_at__gte=draft_cutoff(now))

    def expired_drafts(self, now: datetime | None = None) -> CourseQuerySet:
        return self.filter(status=CourseStatus.DRAFT, created_at__lt=draft_cutoff(now))


@pghistory.track()
class Course(models.Model):
    """A planned series of 4-6 sessions on one area with one needle length."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    indication = models.ForeignKey(Indication, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(TreatmentArea, on_delete=models.PROTECT, related_name="+")
    needle_mm = models.DecimalField(
        "needle length (mm)", max_digits=3, decimal_places=2, validators=NEEDLE_VALIDATORS
    )
    sessions_planned = models.PositiveSmallIntegerField("number of sessions")
    target_gap_weeks = models.PositiveSmallIntegerField()
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="courses")
    preferred_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, null=True, blank=True
    )
    preferred_time = models.TimeField()
    start_on = models.DateField("first session on or after")
    status = models.CharField(
        max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    needle_override_reason = models.TextField(blank=True)
    gap_override_reason = models.TextField(blank=True)
    # Goes up when staff revoke the patient's course links: every older link stops working.
    patient_link_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The courses overview's summary of the sessions, so it sorts and filters running
    # courses without reading their sessions. Written only by
    # courses.overview.refresh_course_summaries, which every service that books, moves or
    # changes the status of a session calls; never edited by hand. The gaps are those the
    # spacing rules judge: none when the gap rules were overridden.
    done_sessions = models.PositiveSmallIntegerField(default=0, editable=False)
    holding_sessions = models.PositiveSmallIntegerField(default=0, editable=False)
    last_holding_at = models.DateTimeField(null=True, editable=False)
    shortest_gap_days = models.IntegerField(null=True, editable=False)
    longest_gap_days = models.IntegerField(null=True, editable=False)
    next_holding_at = models.DateTimeField(null=True, editable=False)
    next_holding_day = models.DateField(null=True, editable=False)
    previous_holding_at = models.DateTimeField(null=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status"], name="course_patient_status"),
            # Covers every column the overview sorts, filters and counts running courses by.
            models.Index(
                fields=[
                    "status",
                    "practitioner",
                    "done_sessions",
                    "sessions_planned",
                    "holding_sessions",
                    "last_holding_at",
                    "needle_mm",
                    "shortest_gap_days",
                    "longest_gap_days",
                    "previous_holding_at",
                    "next_holding_at",
                    "next_holding_day",
                    "id",
                ],
                name="course_overview",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.indication} on {self.area} for patient #{self.patient_id}"

    @property
    def is_draft(self) -> bool:
        """A preview not yet confirmed (expired or not)."""
        return self.status == CourseStatus.DRAFT

    @property
    def is_editable(self) -> bool:
        return self.status in (CourseStatus.PLANNED, CourseStatus.IN_PROGRESS)

    def is_expired_draft(self, now: datetime | None = None) -> bool:
        return self.status == CourseStatus.DRAFT and self.created_at < draft_cutoff(now)


# A session never lasts longer than this from arrival to end; bounds index scans by time.
LONGEST_VISIT = timedelta(hours=8)


class SessionQuerySet(models.QuerySet["Session"]):
    def arriving_between(self, start: datetime, end: datetime) -> SessionQuerySet:
        """Sessions whose patient arrives in [start, end).

        Also bounded on the procedure start, which the time indexes lead with,
        so the database reads only that stretch of the calendar.
        """
        return self.filter(
            procedure_starts_at__gte=start, procedure_starts_at__lt=end + LONGEST_VISIT,
            arrives_at__gte=start, arrives_at__lt=end,
        )  # fmt: skip

    def arriving_on(self, day: date, tz: tzinfo) -> SessionQuerySet:
        """Sessions whose patient arrives on that local day (not ``arrives_at__date``,
        which casts every row and so reads the whole table)."""
        start = datetime.combine(day, time.min, tzinfo=tz)
        return self.arriving_between(start, datetime.combine(day + timedelta(days=1), time.min,
                                                             tzinfo=tz))  # fmt: skip


@pghistory.track()
class Session(models.Model):
    """One visit: arrival, anaesthetic cream if needed, then the procedure."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(help_text="Order of booking within the course.")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="sessions"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="sessions"
    )
    arrives_at = models.DateTimeField(help_text="What the patient is told.")
    procedure_starts_at = models.DateTimeField()
    procedure_ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    schedule_version = models.PositiveIntegerField(
        default=1, help_text="Goes up each time the session moves; old patient links stop working."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["arrives_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="session_number_unique"),
            models.CheckConstraint(
                condition=models.Q(arrives_at__lte=models.F("procedure_starts_at"))
                & models.Q(procedure_starts_at__lt=models.F("procedure_ends_at")),
                name="session_phase_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practitioner", "procedure_starts_at"], name="session_practitioner_time"
            ),
            models.Index(fields=["room", "procedure_starts_at"], name="session_room_time"),
            models.Index(fields=["patient", "arrives_at"], name="session_patient_time"),
            models.Index(fields=["procedure_starts_at"], name="session_time"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of course #{self.course_id}"

    @property
    def cream_minutes(self) -> int:
        return int((self.procedure_starts_at - self.arrives_at) / timedelta(minutes=1))

    @property
    def needs_cream(self) -> bool:
        return self.procedure_starts_at > self.arrives_at

    @property
    def ends_at(self) -> datetime:
        return self.procedure_ends_at

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def holds_time(self) -> bool:
        return self.status in HOLDING_STATUSES


class ChangeKind(models.TextChoices):
    BOOKED = "booked", "Booked"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Marked no-show"
    REPLACEMENT = "replacement", "Replacement booked"


class SessionChange(models.Model):
    """History: who changed a session, when, from what, to what, and why."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    from_arrives_at = models.DateTimeField(null=True, blank=True)
    to_arrives_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=(
            "Who made the change; the patient's own changes through a reminder link are "
            "recorded as system-patient-link (empty on changes recorded before that)."
        ),
    )  # fmt: skip
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session #{self.session_id}"

    @property
    def by_patient(self) -> bool:
        """Made by the patient through a link (older such rows have no user)."""
        return self.changed_by_id is None or is_patient_link(self.changed_by)


class EndPoint(models.TextChoices):
    ERYTHEMA = "erythema", "Erythema (even redness)"
    PINPOINT_BLEEDING = "pinpoint_bleeding", "Pinpoint bleeding (bloody dew)"
    NONE = "none", "No visible end point"


@pghistory.track()
class Procedure(models.Model):
    """What happened on the day, step by step. ``version`` guards against stale tabs."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="procedure")
    version = models.PositiveIntegerField(default=1)
    checked_in_at = models.DateTimeField()
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screening = models.ForeignKey(
        "patients.Screening", on_delete=models.PROTECT, related_name="+",
        help_text="The screening re-confirmed for this day.",
    )  # fmt: skip
    cream_on_at = models.DateTimeField(null=True, blank=True)
    cream_off_at = models.DateTimeField(null=True, blank=True)
    antiseptic_before_at = models.DateTimeField(null=True, blank=True)
    product = models.ForeignKey(
        "clinic.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_lot = models.CharField("product lot / batch", max_length=60, blank=True)
    device = models.ForeignKey(
        "clinic.Device", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    antiseptic_after_at = models.DateTimeField(null=True, blank=True)
    end_point = models.CharField(max_length=20, choices=EndPoint.choices, blank=True)
    notes = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Procedure of session #{self.session_id}"


@pghistory.track()
class ZoneRecord(models.Model):
    """Passes rolled over one treated zone, per direction."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="zones")
    zone = models.CharField(max_length=60)
    horizontal = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(30)])
    vertical = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(30)])
    diagonal = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(30)])
    note = models.TextField(
        blank=True, help_text="Why more passes than the protocol's were rolled (a deviation)."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "zone"], name="zone_once_per_procedure")
        ]

    def __str__(self) -> str:
        return f"{self.zone}: {self.horizontal}/{self.vertical}/{self.diagonal}"


@pghistory.track()
class NeedleChange(models.Model):
    """A needle (or cartridge) change during the procedure, as needles dull."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="needle_changes"
    )
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at"]

    def __str__(self) -> str:
        return f"Needle change at {self.changed_at:%H:%M}"


@pghistory.track()
class AftercareSheet(models.Model):
    """The patient's aftercare, built from the session when it ends; kept for reminders."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="aftercare")
    text = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Aftercare for session #{self.session_id}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"


def photo_path(instance: SessionPhoto, filename: str) -> str:
    """A random name: nothing about the patient in the file system."""
    return f"session-photos/{uuid.uuid4().hex}.jpg"


@pghistory.track()
class SessionPhoto(models.Model):
    """A before or after photo, re-encoded on upload so no location metadata survives."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=PhotoKind.choices)
    image = models.FileField(upload_to=photo_path)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} photo of session #{self.session_id}"
