"""Patient records, skin profiles, contraindication screening and consent."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date

import pghistory
import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from patients import screening


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone.") from None


# A typed phone number holds digits, a leading "+" and the usual separators; the
# parser would silently drop anything else (a stray "x", "!!", "ext."), so refuse it.
PHONE_TEXT = re.compile(r"\+?[\d\s().-]+")
# Number types that cannot receive a text message.
NO_SMS_TYPES = frozenset({
    phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN, phonenumbers.PhoneNumberType.VOICEMAIL,
})  # fmt: skip


def can_take_sms(phone: phonenumbers.PhoneNumber | None) -> bool:
    """Whether SMS may be sent to this number: a number, and not a landline or service line."""
    if not isinstance(phone, phonenumbers.PhoneNumber) or not phonenumbers.is_valid_number(phone):
        return False
    return phonenumbers.number_type(phone) not in NO_SMS_TYPES


def phone_problem(phone: phonenumbers.PhoneNumber | None, *, for_sms: bool) -> str | None:
    """Why the phone number as typed cannot be kept (for SMS reminders), or None.

    One rule for the staff form, the admin and the services (all go through
    ``Patient.clean``); the senders check ``can_take_sms`` again.
    """
    if not isinstance(phone, phonenumbers.PhoneNumber):
        return None  # empty, or already refused by the field as not a phone number
    typed = (phone.raw_input or "").strip()
    if typed and not PHONE_TEXT.fullmatch(typed):
        return (
            "Use only digits, spaces, brackets, dashes and a leading +: "
            "the number has other characters in it."
        )
    if for_sms and phonenumbers.is_valid_number(phone) and not can_take_sms(phone):
        return (
            "This number cannot receive SMS (it is a landline or a service number). "
            "Give a mobile number, or choose e-mail reminders."
        )
    return None


def age_in_years(born: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def default_time_zone() -> str:
    return settings.TIME_ZONE


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    BOTH = "both", "E-mail and SMS"
    NONE = "none", "No reminders"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"


class Fitzpatrick(models.IntegerChoices):
    I = 1, "I - always burns, never tans"  # noqa: E741 - the scale's own numeral
    II = 2, "II - usually burns, tans minimally"
    III = 3, "III - sometimes burns, tans uniformly"
    IV = 4, "IV - burns minimally, always tans"
    V = 5, "V - very rarely burns, tans very easily"
    VI = 6, "VI - never burns"


# The patient's clinical fields (skin profile and notes): shown to and set by those with
# ``patients.view_clinical`` only (clinic/permissions.py), never the front desk.
CLINICAL_FIELDS = (
    "fitzpatrick_type",
    "skin_weakened",
    "skin_dry",
    "skin_problematic",
    "skin_sensitive",
    "notes",
)


@pghistory.track()
class Patient(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    email = models.EmailField(blank=True, db_index=True, help_text="Stored in lower case.")
    phone = PhoneNumberField(blank=True, db_index=True, help_text="Mobile, with country code.")
    reminder_channel = models.CharField(
        max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    email_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the patient agreed to e-mail reminders."
    )
    sms_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the patient agreed to SMS reminders."
    )
    language = models.CharField(max_length=10, default="en")
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_consent_at = models.DateTimeField(null=True, blank=True)
    fitzpatrick_type = models.PositiveSmallIntegerField(
        choices=Fitzpatrick.choices, null=True, blank=True
    )
    skin_weakened = models.BooleanField("weakened skin", default=False)
    skin_dry = models.BooleanField("dehydrated / dry skin", default=False)
    skin_problematic = models.BooleanField("problematic skin", default=False)
    skin_sensitive = models.BooleanField("sensitive skin", default=False)
    notes = models.TextField(blank=True)
    latest_screening = models.OneToOneField(
        "Screening", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_consent = models.OneToOneField(
        "ProcedureConsent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="patient_name_order"),
            models.Index(fields=["date_of_birth"], name="patient_birth_date"),
            models.Index(Upper("last_name"), Upper("first_name"), name="patient_name_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        """Completed years of age on ``day``."""
        return age_in_years(self.date_of_birth, day)

    @property
    def skin_states(self) -> list[str]:
        """Codes of the skin states this patient has (see screening.SKIN_STATE_RISKS)."""
        return [code for code in screening.SKIN_STATE_RISKS if getattr(self, f"skin_{code}")]

    @property
    def skin_risks(self) -> list[tuple[str, str]]:
        return screening.skin_risks(self.skin_states)

    @property
    def language_label(self) -> str:
        return dict(settings.PATIENT_LANGUAGES).get(self.language, self.language)

    @property
    def wants_email(self) -> bool:
        return self.reminder_channel in (ReminderChannel.EMAIL, ReminderChannel.BOTH)

    @property
    def wants_sms(self) -> bool:
        return self.reminder_channel in (ReminderChannel.SMS, ReminderChannel.BOTH)

    def clean(self) -> None:
        problem = phone_problem(self.phone or None, for_sms=self.wants_sms)
        if problem:
            raise ValidationError({"phone": problem})


class ScreeningResult(models.TextChoices):
    CLEAR = "clear", "Clear"
    CAUTION = "caution", "Caution"
    DEFER = "defer", "Defer"
    REFUSE = "refuse", "Refuse"


@pghistory.track()
class Screening(models.Model):
    """A dated contraindication questionnaire. Never edited: a new one supersedes it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    herpes_active = models.BooleanField("herpes exacerbation (active cold sore)", default=False)
    acne_regions = models.JSONField("active acne in", default=list, blank=True)
    rosacea = models.BooleanField(default=False)
    wart_regions = models.JSONField("warts in", default=list, blank=True)
    eczema_psoriasis_regions = models.JSONField("eczema or psoriasis in", default=list, blank=True)
    anticoagulants = models.BooleanField("taking anticoagulants", default=False)
    keloid_tendency = models.BooleanField("tendency to form keloid scars", default=False)
    notes = models.TextField(blank=True)
    result = models.CharField(max_length=10, choices=ScreeningResult.choices, editable=False)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["patient", "-taken_at"], name="screening_patient_latest")]

    def __str__(self) -> str:
        return f"Screening of patient #{self.patient_id} on {self.taken_at:%Y-%m-%d}"

    def answers(self) -> screening.Answers:
        return screening.Answers(
            herpes_active=self.herpes_active,
            acne_regions=frozenset(self.acne_regions),
            rosacea=self.rosacea,
            wart_regions=frozenset(self.wart_regions),
            eczema_psoriasis_regions=frozenset(self.eczema_psoriasis_regions),
            anticoagulants=self.anticoagulants,
            keloid_tendency=self.keloid_tendency,
        )

    def findings(self) -> list[screening.Finding]:
        return screening.assess(self.answers())

    @property
    def needs_decision(self) -> bool:
        return self.rosacea and not hasattr(self, "caution_decision")


@pghistory.track()
class CautionDecision(models.Model):
    """A practitioner's individual decision on a cautionary screening (rosacea)."""

    screening = models.OneToOneField(
        Screening, on_delete=models.CASCADE, related_name="caution_decision"
    )
    approved = models.BooleanField(help_text="Ticked: treatment may go ahead.")
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        verdict = "approved" if self.approved else "declined"
        return f"Caution {verdict} for screening #{self.screening_id}"


@pghistory.track()
class InformationSheet(models.Model):
    """A version of the patient information sheet that consent refers to."""

    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200, default="Microneedling: patient information")
    text = models.TextField(help_text="What the patient reads before consenting.")
    published_on = models.DateField(
        default=timezone.localdate,
        help_text="The latest sheet published on or before today is the current one.",
    )

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


@pghistory.track()
class ProcedureConsent(models.Model):
    """The patient's consent to the procedure, given on one sheet version."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    sheet = models.ForeignKey(InformationSheet, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"Consent of patient #{self.patient_id} to sheet {self.sheet.version}"


@pghistory.track()
class HomeRoller(models.Model):
    """A home roller a practitioner recommended to the patient (DOMAIN.md, "Home care").

    The latest one is the patient's current roller; a new recommendation (a new
    roller, another needle) supersedes it. Uses are logged by the patient.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="home_rollers")
    needle_mm = models.DecimalField("needle length (mm)", max_digits=3, decimal_places=2)
    note = models.TextField(blank=True, help_text="What to use it for (a serum, an area).")
    recommended_at = models.DateTimeField(default=timezone.now)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recommended_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-recommended_at"], name="home_roller_patient_latest")
        ]

    def __str__(self) -> str:
        return f"Home roller {self.needle_mm} mm for patient #{self.patient_id}"


@pghistory.track()
class HomeUse(models.Model):
    """One home use of a roller, as the patient logged it."""

    roller = models.ForeignKey(HomeRoller, on_delete=models.CASCADE, related_name="uses")
    used_at = models.DateTimeField()
    disinfected = models.BooleanField(help_text="The patient disinfected the roller.")
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-used_at", "-id"]
        # A double submit (or the same use typed twice) is one use.
        constraints = [models.UniqueConstraint(fields=["roller", "used_at"], name="home_use_once")]

    def __str__(self) -> str:
        return f"Home use of roller #{self.roller_id} at {self.used_at:%Y-%m-%d %H:%M}"
