"""Clinic-wide resources: the clinic itself, its practitioners, worker liveness."""

from __future__ import annotations

import time as time_module
from datetime import time
from decimal import Decimal
from typing import TypedDict

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class _ClinicCache(TypedDict, total=False):
    clinic: Clinic
    until: float  # time.monotonic() when the row is read again


_cache: _ClinicCache = {}


@pghistory.track()
class Clinic(models.Model):
    """The one clinic this installation serves (a single row, pk 1).

    Its name and phone number appear in pages and messages patients see.
    """

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True, help_text=_("Shown to patients."))
    email = models.EmailField(blank=True, help_text=_("Shown to patients."))
    address = models.TextField(blank=True, help_text=_("Shown in reminders."))
    screening_valid_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How long a contraindication screening stays valid for planning a course."),
    )
    deferral_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
        help_text=_(
            "While a screening defers treatment of the area (herpes, active acne, warts), "
            "the first session of a new course is planned no earlier than this many days after "
            "that screening. Check-in still needs a new screening that clears it."
        ),
    )
    retention_years = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "A patient's records are kept this many years after their last session (or their "
            "registration, if they had none); then the daily review lists them for erasure."
        ),
    )
    adult_age = models.PositiveSmallIntegerField(
        default=18,
        validators=[MinValueValidator(14), MaxValueValidator(21)],
        help_text=_("Patients younger than this need a recorded guardian consent."),
    )
    min_sessions = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Fewest sessions in a course."),
    )
    max_sessions = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Most sessions in a course."),
    )
    max_gap_weeks = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text=_("Longest gap between two sessions, whatever the needle length."),
    )
    cream_from_mm = models.DecimalField(
        "anaesthetic cream from (mm)",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("3"))],
        help_text=_("Anaesthetic cream is required for needles this long and longer."),
    )
    cream_minutes = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How long the cream stays on before it is washed off and needling starts."),
    )
    passes_per_direction = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Passes per direction (horizontal, vertical, diagonal) that complete a zone."),
    )
    reminder_lead_hours = models.PositiveSmallIntegerField(
        default=48,
        validators=[MinValueValidator(3), MaxValueValidator(336)],
        help_text=_("The full reminder (with confirm and cancel links) goes this long before."),
    )
    short_reminder_lead_hours = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The short reminder (arrival time and address) goes this long before."),
    )
    aftercare_at = models.TimeField(
        default=time(9), help_text=_("The aftercare sheet goes the morning after, at this time.")
    )
    quiet_start = models.TimeField(
        default=time(21), help_text=_("No messages to patients after this (their local time)...")
    )
    quiet_end = models.TimeField(default=time(8), help_text=_("...until this."))
    message_max_attempts = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Temporary delivery failures are retried up to this many attempts in all."),
    )
    retry_base_seconds = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text=_("First retry after this long; each next one waits twice as long."),
    )
    sending_lease_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("A message stuck 'sending' this long (its worker died) is tried again."),
    )
    requeue_after_seconds = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(3600)],
        help_text=_(
            "A message handed to the queue but not started by a worker within this long "
            "(the queue lost it) is handed to the queue again. Keep it above the time the workers "
            "take for the 1,000 messages in flight, or busy workers get repeated tasks to skip."
        ),
    )
    breaker_failures = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "After this many temporary failures in a row on one channel (e-mail relay, "
            "SMS gateway), the channel is paused: messages wait, keeping their attempts."
        ),
    )
    breaker_probe_seconds = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(3600)],
        help_text=_(
            "While a channel is paused, one message tries it this often; a success "
            "resumes the channel."
        ),
    )
    outbox_alarm_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        help_text=_(
            "The health check reports a problem (503) when a due message has waited "
            "longer than this."
        ),
    )
    webhook_disable_hours = models.PositiveSmallIntegerField(
        "switch a failing webhook off after (hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_(
            "A webhook endpoint that has failed every delivery for this long is switched "
            "off, and the managers are told by e-mail."
        ),
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text=_("The planner offers start times on this grid."),
    )
    mfa_required_for_all_staff = models.BooleanField(
        "two-step verification for all staff",
        default=False,
        help_text=_(
            "Every staff login must use an authenticator app (managers and the admin "
            "always must). Staff without one are asked to set it up at their next login."
        ),
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(720)],
        help_text=_("A signed-in session unused this long ends; the next click asks to log in."),
    )

    patient_link_days = models.PositiveSmallIntegerField(
        "patient link valid for (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "The link to a patient's course page, sent in every message, works this "
            "many days after it was sent. Staff can revoke a course's links at any time."
        ),
    )
    link_requests_per_day = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "A patient may ask for a new course link this many times a day (it goes to "
            "the contact on file only)."
        ),
    )
    self_service_cutoff_hours = models.PositiveSmallIntegerField(
        "self-service cut-off (hours)",
        default=24,
        validators=[MaxValueValidator(336)],
        help_text=_(
            "Patients may move a session themselves until this many hours before it; "
            "after that they call the clinic."
        ),
    )
    self_service_any_practitioner = models.BooleanField(
        "patients may move to another practitioner",
        default=False,
        help_text=_(
            "When ticked, a patient moving a session is also offered times with another "
            "practitioner who does the same treatment; otherwise only their own practitioner."
        ),
    )
    previsit_window_hours = models.PositiveSmallIntegerField(
        "pre-visit questions open (hours before)",
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_(
            "The patient can answer the day-of screening questions on their course page "
            "from this many hours before the session."
        ),
    )
    home_roller_min_mm = models.DecimalField(
        "home roller needles from (mm)",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.15"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
        help_text="The shortest needle a practitioner may recommend for home use.",
    )
    home_roller_max_mm = models.DecimalField(
        "home roller needles up to (mm)",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
        help_text="The longest needle a practitioner may recommend for home use (deeper "
        "needling is for the clinic only).",
    )
    home_roller_worn_uses = models.PositiveSmallIntegerField(
        "home roller worn after (uses)",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("A home roller is dull after this many uses (the literature says 6-8)."),
    )
    home_roller_quiet_days = models.PositiveSmallIntegerField(
        "no home rolling around a session (days)",
        default=7,
        validators=[MaxValueValidator(30)],
        help_text=_(
            "Patients are told not to use a home roller this many days before or after "
            "a clinic session."
        ),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="clinic_single_row"),
            models.CheckConstraint(
                condition=models.Q(min_sessions__lte=models.F("max_sessions")),
                name="clinic_session_range",
            ),
            models.CheckConstraint(
                condition=models.Q(home_roller_min_mm__lte=models.F("home_roller_max_mm")),
                name="clinic_home_roller_range",
                violation_error_message="The home roller's shortest needle must not be longer "
                "than its longest.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Clinic:
        """The clinic's row, or an unsaved default until a manager fills it in."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, name="Clinic")

    @classmethod
    def cached(cls) -> Clinic:
        """The clinic's row, re-read at most every CLINIC_CACHE_SECONDS in this process.

        For background workers sending thousands of messages: a change in the
        admin reaches them within that many seconds.
        """
        ttl = settings.CLINIC_CACHE_SECONDS
        now = time_module.monotonic()
        if ttl <= 0 or _cache.get("until", 0.0) < now:
            _cache["clinic"], _cache["until"] = cls.current(), now + ttl
        return _cache["clinic"]

    @classmethod
    def for_request(cls, request: HttpRequest) -> Clinic:
        """The clinic's row, read once per request."""
        per_request = vars(request)  # Django's request has no typed slot of ours
        if "_clinic" not in per_request:
            per_request["_clinic"] = cls.current()
        return per_request["_clinic"]


@pghistory.track()
class Practitioner(models.Model):
    """A cosmetologist: a staff user who treats patients and can be booked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practitioner",
        limit_choices_to={"is_staff": True},
    )
    job_title = models.CharField(max_length=100, default="Cosmetologist")
    is_bookable = models.BooleanField(
        default=True, help_text=_("Untick to stop new sessions being booked with this person.")
    )
    feed_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False,
        help_text=_("The secret in the address of their calendar feed; empty when it is off."),
    )  # fmt: skip

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class WorkerHeartbeat(models.Model):
    """When a background worker last proved it was running (updated by beat)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


@pghistory.track()
class Room(models.Model):
    """A treatment room: one procedure at a time."""

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True, help_text=_("Untick to stop booking this room."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class OpeningHours(models.Model):
    """When the clinic is open on a weekday (several rows make split hours)."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opening_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


@pghistory.track()
class Closure(models.Model):
    """Whole days the clinic is closed (a holiday, a training day)."""

    starts_on = models.DateField()
    ends_on = models.DateField(help_text=_("Inclusive. Same as the start for a single day."))
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="closure_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on} to {self.ends_on})"


@pghistory.track()
class WorkingHours(models.Model):
    """When a practitioner works on a weekday (several rows make split shifts)."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="working_hours_order"
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.starts:%H:%M}-{self.ends:%H:%M}"
        return f"{self.practitioner}: {self.get_weekday_display()} {hours}"


@pghistory.track()
class Absence(models.Model):
    """A practitioner's leave, sickness or training: no bookings in this span."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["practitioner", "starts_at"], name="absence_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="absence_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} away {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"


class DeviceKind(models.TextChoices):
    ROLLER = "roller", _("Dermaroller")
    PEN = "pen", _("Dermapen (stamp)")


class NeedleMaterial(models.TextChoices):
    TITANIUM = "titanium", _("Titanium")
    STEEL = "steel", _("Surgical steel")


class Sharpening(models.TextChoices):
    LASER = "laser", _("Laser")
    INSTRUMENTAL = "instrumental", _("Instrumental")


@pghistory.track()
class DeviceType(models.Model):
    """A model of roller or pen (DOMAIN.md, "The device")."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=DeviceKind.choices)
    needle_mm = models.DecimalField(
        "needle length (mm)", max_digits=3, decimal_places=2, null=True, blank=True,
        help_text=_("A roller's fixed needle length."),
    )  # fmt: skip
    pen_min_mm = models.DecimalField(
        "pen depth from (mm)", max_digits=3, decimal_places=2, null=True, blank=True
    )
    pen_max_mm = models.DecimalField(
        "pen depth to (mm)", max_digits=3, decimal_places=2, null=True, blank=True
    )
    needle_count = models.PositiveIntegerField(null=True, blank=True)
    drum_width_mm = models.PositiveSmallIntegerField(null=True, blank=True)
    material = models.CharField(
        max_length=10, choices=NeedleMaterial.choices, default=NeedleMaterial.TITANIUM
    )
    gold_plated = models.BooleanField(default=False)
    sharpening = models.CharField(
        max_length=15, choices=Sharpening.choices, default=Sharpening.LASER
    )
    single_use_cartridges = models.BooleanField(
        default=False, help_text=_("Sterile single-use cartridges: no disinfection of the needles.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="roller", needle_mm__isnull=False)
                    | models.Q(kind="pen", pen_min_mm__isnull=False, pen_max_mm__isnull=False)
                ),
                name="device_type_depth",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Device(models.Model):
    """One physical device, its wear and its hygiene."""

    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="devices")
    label = models.CharField(max_length=50, unique=True, help_text=_("Written on the device."))
    use_count = models.PositiveIntegerField(default=0)
    use_limit = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1)], help_text=_("Retire after this many uses.")
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_disinfected_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.device_type})"


class DisinfectionMoment(models.TextChoices):
    BEFORE = "before", _("Before use")
    AFTER = "after", _("After use")


@pghistory.track()
class Disinfection(models.Model):
    """A recorded disinfection of a device."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="disinfections")
    moment = models.CharField(max_length=10, choices=DisinfectionMoment.choices)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        "courses.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"{self.device.label} disinfected {self.get_moment_display().lower()}"


class ProductTexture(models.TextChoices):
    GEL = "gel", _("Gel")
    SERUM = "serum", _("Serum")
    MESO_COCKTAIL = "meso_cocktail", _("Meso-cocktail (scalp)")


@pghistory.track()
class Product(models.Model):
    """A light-texture product applied before rolling."""

    name = models.CharField(max_length=100, unique=True)
    texture = models.CharField(max_length=20, choices=ProductTexture.choices)
    low_molecular_weight = models.BooleanField(
        default=False, help_text=_("Suitable for fractional mesotherapy.")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Product lots and consumables stock (issue #19) live in their own module; imported here
# so that Django finds them as the clinic app's models.
from clinic.stock_models import Lot as Lot  # noqa: E402
from clinic.stock_models import StockItem as StockItem  # noqa: E402
