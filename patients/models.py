"""Patient records, skin profiles, contraindication screening and consent."""

from __future__ import annotations

import hashlib
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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from patients import screening, signature


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            gettext("%(value)s is not a known time zone.") % {"value": repr(value)}
        ) from None


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
        return gettext(
            "Use only digits, spaces, brackets, dashes and a leading +: "
            "the number has other characters in it."
        )
    if for_sms and phonenumbers.is_valid_number(phone) and not can_take_sms(phone):
        return gettext(
            "This number cannot receive SMS (it is a landline or a service number). "
            "Give a mobile number, or choose e-mail reminders."
        )
    return None


def age_in_years(born: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# The clinic's default language for patients (English): rows stored with a language the
# planner does not ship were moved to it (patients/migrations/0004).
DEFAULT_PATIENT_LANGUAGE = "en"


def default_time_zone() -> str:
    return settings.TIME_ZONE


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    BOTH = "both", _("E-mail and SMS")
    NONE = "none", _("No reminders")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class Fitzpatrick(models.IntegerChoices):
    I = 1, _("I - always burns, never tans")  # noqa: E741 - the scale's own numeral
    II = 2, _("II - usually burns, tans minimally")
    III = 3, _("III - sometimes burns, tans uniformly")
    IV = 4, _("IV - burns minimally, always tans")
    V = 5, _("V - very rarely burns, tans very easily")
    VI = 6, _("VI - never burns")


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
    # Required by every form; empty only on a patient whose data was erased (privacy/).
    date_of_birth = models.DateField(null=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    email = models.EmailField(blank=True, db_index=True, help_text=_("Stored in lower case."))
    phone = PhoneNumberField(blank=True, db_index=True, help_text=_("Mobile, with country code."))
    reminder_channel = models.CharField(
        max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    email_consent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the patient agreed to e-mail reminders.")
    )
    sms_consent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the patient agreed to SMS reminders.")
    )
    # One of the shipped languages (settings.PATIENT_LANGUAGES, which is LANGUAGES): the
    # patient's messages and pages are written in it.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.PATIENT_LANGUAGES,
        default=DEFAULT_PATIENT_LANGUAGE,
        help_text=_("The language of the patient's reminders and course page."),
    )
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_consent_at = models.DateTimeField(null=True, blank=True)
    fitzpatrick_type = models.PositiveSmallIntegerField(
        choices=Fitzpatrick.choices, null=True, blank=True
    )
    skin_weakened = models.BooleanField(_("weakened skin"), default=False)
    skin_dry = models.BooleanField(_("dehydrated / dry skin"), default=False)
    skin_problematic = models.BooleanField(_("problematic skin"), default=False)
    skin_sensitive = models.BooleanField(_("sensitive skin"), default=False)
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

    def age_on(self, day: date) -> int | None:
        """Completed years of age on ``day`` (None once the birth date was erased)."""
        return None if self.date_of_birth is None else age_in_years(self.date_of_birth, day)

    @property
    def skin_states(self) -> list[str]:
        """Codes of the skin states this patient has (see screening.SKIN_STATE_RISKS)."""
        return [code for code in screening.SKIN_STATE_RISKS if getattr(self, f"skin_{code}")]

    @property
    def skin_risks(self) -> list[tuple[str, str]]:
        """(label, risk) per skin state, in the active language."""
        return [
            (gettext(label), gettext(risk))
            for label, risk in screening.skin_risks(self.skin_states)
        ]

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
    CLEAR = "clear", _("Clear")
    CAUTION = "caution", _("Caution")
    DEFER = "defer", _("Defer")
    REFUSE = "refuse", _("Refuse")


class RecordSource(models.TextChoices):
    """Who gave a screening's answers or a consent: staff at the clinic, or the patient
    on their course page (through the signed link)."""

    STAFF = "staff", _("Staff")
    PATIENT = "patient", _("The patient, on their course page")


@pghistory.track()
class Screening(models.Model):
    """A dated contraindication questionnaire. Never edited: a new one supersedes it.

    A staff screening becomes the patient's ``latest_screening``, the one that clears
    them. A patient-reported one (``source`` patient, issue #17) answers the day-of
    questions before one ``session``; it is shown to the practitioner at check-in and
    never clears the patient by itself: the practitioner still screens that day.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    source = models.CharField(
        max_length=10, choices=RecordSource.choices, default=RecordSource.STAFF, editable=False
    )
    session = models.ForeignKey(
        "courses.Session",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patient_screenings",
        editable=False,
        help_text="The session a patient-reported screening was answered for.",
    )
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    herpes_active = models.BooleanField(_("herpes exacerbation (active cold sore)"), default=False)
    acne_regions = models.JSONField(_("active acne in"), default=list, blank=True)
    rosacea = models.BooleanField(default=False)
    wart_regions = models.JSONField(_("warts in"), default=list, blank=True)
    eczema_psoriasis_regions = models.JSONField(
        _("eczema or psoriasis in"), default=list, blank=True
    )
    anticoagulants = models.BooleanField(_("taking anticoagulants"), default=False)
    keloid_tendency = models.BooleanField(_("tendency to form keloid scars"), default=False)
    notes = models.TextField(blank=True)
    result = models.CharField(max_length=10, choices=ScreeningResult.choices, editable=False)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-taken_at"], name="screening_patient_latest"),
            models.Index(fields=["session", "-taken_at"], name="screening_session_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source=RecordSource.STAFF, session__isnull=True)
                | models.Q(source=RecordSource.PATIENT, session__isnull=False),
                name="screening_session_iff_patient_reported",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening of patient #{self.patient_id} on {self.taken_at:%Y-%m-%d}"

    @property
    def patient_reported(self) -> bool:
        return self.source == RecordSource.PATIENT

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
    approved = models.BooleanField(help_text=_("Ticked: treatment may go ahead."))
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        verdict = "approved" if self.approved else "declined"
        return f"Caution {verdict} for screening #{self.screening_id}"


def sheet_text_sha256(title: str, text: str) -> str:
    """The SHA-256 (hex) of a sheet exactly as shown: its title, a blank line, its text."""
    return hashlib.sha256(f"{title}\n\n{text}".encode()).hexdigest()


@pghistory.track()
class InformationSheet(models.Model):
    """A version of the patient information sheet that consent refers to, in one language.

    The current sheet for a patient is the latest published in their language, or else
    in the clinic's default language (``patients.clearance.current_information_sheet``).
    """

    version = models.CharField(max_length=40)
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="The language the sheet is written in; patients read the sheet in theirs.",
    )
    title = models.CharField(max_length=200, default="Microneedling: patient information")
    text = models.TextField(help_text=_("What the patient reads before consenting."))
    published_on = models.DateField(
        default=timezone.localdate,
        help_text=_("The latest sheet published on or before today is the current one."),
    )

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "version"], name="information_sheet_version_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version}, {self.language})"

    @property
    def text_sha256(self) -> str:
        return sheet_text_sha256(self.title, self.text)


class ConsentMethod(models.TextChoices):
    WITNESSED = "witnessed", _("Witnessed by staff")
    TYPED = "typed", _("Typed full name")
    DRAWN = "drawn", _("Drawn signature")


@pghistory.track()
class ProcedureConsent(models.Model):
    """The patient's consent to the procedure, given on one sheet version.

    Staff record a consent they witnessed; the patient may also sign on their course
    page (issue #17) with a typed full name or a drawn signature (SVG path data,
    ``patients.signature``). ``text_sha256`` is the hash of the sheet's text exactly as
    shown (empty on consents recorded before it was kept); ``witnessed_by`` is whoever
    recorded it: the witnessing staff member, or the patient's link.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    sheet = models.ForeignKey(InformationSheet, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded it: the staff witness, or the patient's own link.",
    )
    source = models.CharField(
        max_length=10, choices=RecordSource.choices, default=RecordSource.STAFF
    )
    method = models.CharField(
        max_length=10, choices=ConsentMethod.choices, default=ConsentMethod.WITNESSED
    )
    text_sha256 = models.CharField(
        "SHA-256 of the sheet as shown", max_length=64, blank=True, editable=False
    )
    signature_name = models.CharField("typed full name", max_length=200, blank=True)
    signature_drawing = models.TextField("drawn signature (SVG path)", blank=True)

    class Meta:
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source=RecordSource.STAFF, method=ConsentMethod.WITNESSED)
                | models.Q(
                    source=RecordSource.PATIENT,
                    method=ConsentMethod.TYPED,
                    signature_drawing="",
                )
                & ~models.Q(signature_name="")
                & ~models.Q(text_sha256="")
                | models.Q(
                    source=RecordSource.PATIENT,
                    method=ConsentMethod.DRAWN,
                    signature_name="",
                )
                & ~models.Q(signature_drawing="")
                & ~models.Q(text_sha256=""),
                name="consent_signature_matches_method",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent of patient #{self.patient_id} to sheet {self.sheet.version}"

    @property
    def signed_online(self) -> bool:
        return self.source == RecordSource.PATIENT

    @property
    def drawing_view_box(self) -> str:
        """The SVG viewBox a drawn signature is drawn back in (the canvas it was made on)."""
        return f"0 0 {signature.CANVAS_WIDTH} {signature.CANVAS_HEIGHT}"


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
