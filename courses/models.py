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
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clinic.actors import is_patient_link
from clinic.models import Practitioner, Room, Weekday
from clinic.regions import BodyRegion
from courses.outcomes import SCALES, Scale

# Session statuses live in the pure courses.statuses (the state machine uses them); re-exported.
from courses.statuses import HOLDING_STATUSES, OPEN_STATUSES, SessionStatus

NEEDLE_VALIDATORS = [MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("3.0"))]


@pghistory.track()
class Indication(models.Model):
    """What a course treats. A refused indication explains why and offers another."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    refused = models.BooleanField(
        _("refused"), default=False, help_text=_("Not an indication for microneedling.")
    )
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    alternative = models.ForeignKey(
        "self",
        verbose_name=_("alternative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Offered instead when this indication is refused."),
    )
    # Typed by hand: django-stubs cannot infer a many-to-many to a model named as a string.
    areas: models.ManyToManyField[TreatmentArea, Any] = models.ManyToManyField(
        "TreatmentArea",
        verbose_name=_("areas"),
        blank=True,
        related_name="indications",
        help_text=_("The areas this indication is treated on. None ticked: any area."),
    )
    is_active = models.BooleanField(_("is active"), default=True)
    outcome_scale = models.CharField(
        _("outcome scale"),
        max_length=20,
        choices=[(spec.scale.value, spec.name) for spec in SCALES.values()],
        default=Scale.SCORE.value,
        help_text=_("The scale its courses are graded on, at baseline and at each session."),
    )

    class Meta:
        verbose_name = _("indication")
        verbose_name_plural = _("indications")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class TreatmentArea(models.Model):
    """A treatment area with its allowed needle lengths and procedure time."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(
        _("region"),
        max_length=20,
        choices=BodyRegion.choices,
        help_text=_("Where on the body: matched against screening findings in the area."),
    )
    needle_min_mm = models.DecimalField(
        _("needle min mm"), max_digits=3, decimal_places=2, validators=NEEDLE_VALIDATORS
    )
    needle_max_mm = models.DecimalField(
        _("needle max mm"), max_digits=3, decimal_places=2, validators=NEEDLE_VALIDATORS
    )
    procedure_minutes = models.PositiveSmallIntegerField(
        _("procedure minutes"),
        default=45,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Practitioner and room time for the procedure itself (cream time is extra)."),
    )
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        verbose_name = _("treatment area")
        verbose_name_plural = _("treatment areas")
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
        _("needles up to (mm)"),
        max_digits=3,
        decimal_places=2,
        unique=True,
        validators=NEEDLE_VALIDATORS,
    )
    min_weeks = models.PositiveSmallIntegerField(
        _("min weeks"), validators=[MinValueValidator(1), MaxValueValidator(26)]
    )

    class Meta:
        verbose_name = _("minimum gap")
        verbose_name_plural = _("minimum gaps")
        ordering = ["up_to_mm"]

    def __str__(self) -> str:
        return ngettext(
            "Up to %(mm)s mm: at least %(weeks)d week",
            "Up to %(mm)s mm: at least %(weeks)d weeks",
            self.min_weeks,
        ) % {"mm": self.up_to_mm, "weeks": self.min_weeks}


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


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
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    indication = models.ForeignKey(
        Indication, verbose_name=_("indication"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        TreatmentArea, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    needle_mm = models.DecimalField(
        _("needle length (mm)"), max_digits=3, decimal_places=2, validators=NEEDLE_VALIDATORS
    )
    sessions_planned = models.PositiveSmallIntegerField(_("number of sessions"))
    target_gap_weeks = models.PositiveSmallIntegerField(
        _("target gap weeks"),
    )
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("practitioner"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    preferred_weekday = models.PositiveSmallIntegerField(
        _("preferred weekday"), choices=Weekday.choices, null=True, blank=True
    )
    preferred_time = models.TimeField(
        _("preferred time"),
    )
    start_on = models.DateField(_("first session on or after"))
    status = models.CharField(
        _("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    needle_override_reason = models.TextField(_("needle override reason"), blank=True)
    gap_override_reason = models.TextField(_("gap override reason"), blank=True)
    # Goes up when staff revoke the patient's course links: every older link stops working.
    patient_link_version = models.PositiveIntegerField(
        _("patient link version"), default=1, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The courses overview's summary of the sessions, so it sorts and filters running
    # courses without reading their sessions. Written only by
    # courses.overview.refresh_course_summaries, which every service that books, moves or
    # changes the status of a session calls; never edited by hand. The gaps are those the
    # spacing rules judge: none when the gap rules were overridden.
    done_sessions = models.PositiveSmallIntegerField(_("done sessions"), default=0, editable=False)
    holding_sessions = models.PositiveSmallIntegerField(
        _("holding sessions"), default=0, editable=False
    )
    last_holding_at = models.DateTimeField(_("last holding at"), null=True, editable=False)
    shortest_gap_days = models.IntegerField(_("shortest gap days"), null=True, editable=False)
    longest_gap_days = models.IntegerField(_("longest gap days"), null=True, editable=False)
    next_holding_at = models.DateTimeField(_("next holding at"), null=True, editable=False)
    next_holding_day = models.DateField(_("next holding day"), null=True, editable=False)
    previous_holding_at = models.DateTimeField(_("previous holding at"), null=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
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
        return gettext("%(indication)s on %(area)s for patient #%(patient)s") % {
            "indication": self.indication,
            "area": self.area,
            "patient": self.patient_id,
        }

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

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Order of booking within the course.")
    )
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("practitioner"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="sessions"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    arrives_at = models.DateTimeField(_("arrives at"), help_text=_("What the patient is told."))
    procedure_starts_at = models.DateTimeField(
        _("procedure starts at"),
    )
    procedure_ends_at = models.DateTimeField(
        _("procedure ends at"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    schedule_version = models.PositiveIntegerField(
        _("schedule version"),
        default=1,
        help_text=_("Goes up each time the session moves; old patient links stop working."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
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
        return gettext("Session %(number)s of course #%(course)s") % {
            "number": self.number,
            "course": self.course_id,
        }

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
    BOOKED = "booked", _("Booked")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Marked no-show")
    REPLACEMENT = "replacement", _("Replacement booked")


class SessionChange(models.Model):
    """History: who changed a session, when, from what, to what, and why."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    from_arrives_at = models.DateTimeField(_("from arrives at"), null=True, blank=True)
    to_arrives_at = models.DateTimeField(_("to arrives at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_(
            "Who made the change; the patient's own changes through a reminder link are "
            "recorded as system-patient-link (empty on changes recorded before that)."
        ),
    )  # fmt: skip
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("session change")
        verbose_name_plural = _("session changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return gettext("%(kind)s session #%(session)s") % {
            "kind": self.get_kind_display(),
            "session": self.session_id,
        }

    @property
    def by_patient(self) -> bool:
        """Made by the patient through a link (older such rows have no user)."""
        return self.changed_by_id is None or is_patient_link(self.changed_by)


class EndPoint(models.TextChoices):
    ERYTHEMA = "erythema", _("Erythema (even redness)")
    PINPOINT_BLEEDING = "pinpoint_bleeding", _("Pinpoint bleeding (bloody dew)")
    NONE = "none", _("No visible end point")


@pghistory.track()
class Procedure(models.Model):
    """What happened on the day, step by step. ``version`` guards against stale tabs."""

    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="procedure"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    checked_in_at = models.DateTimeField(
        _("checked in at"),
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    screening = models.ForeignKey(
        "patients.Screening", verbose_name=_("screening"), on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The screening re-confirmed for this day."),
    )  # fmt: skip
    cream_on_at = models.DateTimeField(_("cream on at"), null=True, blank=True)
    cream_off_at = models.DateTimeField(_("cream off at"), null=True, blank=True)
    antiseptic_before_at = models.DateTimeField(_("antiseptic before at"), null=True, blank=True)
    product = models.ForeignKey(
        "clinic.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lot = models.ForeignKey(
        "clinic.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    device = models.ForeignKey(
        "clinic.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    antiseptic_after_at = models.DateTimeField(_("antiseptic after at"), null=True, blank=True)
    end_point = models.CharField(
        _("end point"), max_length=20, choices=EndPoint.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    stop_reason = models.TextField(_("stop reason"), blank=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return gettext("Procedure of session #%(session)s") % {"session": self.session_id}


@pghistory.track()
class ZoneRecord(models.Model):
    """Passes rolled over one treated zone, per direction."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="zones"
    )
    zone = models.CharField(_("zone"), max_length=60)
    horizontal = models.PositiveSmallIntegerField(
        _("horizontal"), default=0, validators=[MaxValueValidator(30)]
    )
    vertical = models.PositiveSmallIntegerField(
        _("vertical"), default=0, validators=[MaxValueValidator(30)]
    )
    diagonal = models.PositiveSmallIntegerField(
        _("diagonal"), default=0, validators=[MaxValueValidator(30)]
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Why more passes than the protocol's were rolled (a deviation)."),
    )

    class Meta:
        verbose_name = _("zone record")
        verbose_name_plural = _("zone records")
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
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="needle_changes",
    )
    changed_at = models.DateTimeField(
        _("changed at"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("needle change")
        verbose_name_plural = _("needle changes")
        ordering = ["changed_at"]

    def __str__(self) -> str:
        return gettext("Needle change at %(time)s") % {"time": f"{self.changed_at:%H:%M}"}


@pghistory.track()
class AftercareSheet(models.Model):
    """The patient's aftercare, built from the session when it ends; kept for reminders."""

    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="aftercare"
    )
    text = models.TextField(
        _("text"),
    )
    created_at = models.DateTimeField(
        _("created at"),
    )

    class Meta:
        verbose_name = _("aftercare sheet")
        verbose_name_plural = _("aftercare sheets")

    def __str__(self) -> str:
        return gettext("Aftercare for session #%(session)s") % {"session": self.session_id}


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


def photo_path(instance: SessionPhoto, filename: str) -> str:
    """A random name: nothing about the patient in the file system."""
    return f"session-photos/{uuid.uuid4().hex}.jpg"


@pghistory.track()
class SessionPhoto(models.Model):
    """A before or after photo, re-encoded on upload so no location metadata survives."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    image = models.FileField(_("image"), upload_to=photo_path)
    uploaded_at = models.DateTimeField(
        _("uploaded at"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session photo")
        verbose_name_plural = _("session photos")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return gettext("%(kind)s photo of session #%(session)s") % {
            "kind": self.get_kind_display(),
            "session": self.session_id,
        }


# The outcome records (issue #19) live in their own module; imported here so Django finds them.
from courses.outcome_records import OutcomeGrade, Satisfaction  # noqa: E402, F401
