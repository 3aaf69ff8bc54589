"""Clinic-wide resources: the clinic itself, its practitioners, worker liveness."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import HttpRequest


class Clinic(models.Model):
    """The one clinic this installation serves (a single row, pk 1).

    Its name and phone number appear in pages and messages patients see.
    """

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True, help_text="Shown to patients.")
    email = models.EmailField(blank=True, help_text="Shown to patients.")
    address = models.TextField(blank=True, help_text="Shown in reminders.")
    screening_valid_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How long a contraindication screening stays valid for planning a course.",
    )
    adult_age = models.PositiveSmallIntegerField(
        default=18,
        validators=[MinValueValidator(14), MaxValueValidator(21)],
        help_text="Patients younger than this need a recorded guardian consent.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="clinic_single_row"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Clinic:
        """The clinic's row, or an unsaved default until a manager fills it in."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, name="Clinic")

    @classmethod
    def for_request(cls, request: HttpRequest) -> Clinic:
        """The clinic's row, read once per request."""
        if not hasattr(request, "_clinic"):
            request._clinic = cls.current()
        return request._clinic


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
        default=True, help_text="Untick to stop new sessions being booked with this person."
    )

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
