"""Forms for patient records, screening, decisions and consent."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from clinic.forms import row
from clinic.models import Clinic
from clinic.regions import BodyRegion
from patients import screening
from patients.models import CLINICAL_FIELDS, DEFAULT_PATIENT_LANGUAGE, Patient, age_in_years

DUPLICATE_LIMIT = 5
OLDEST_AGE_YEARS = 120


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PatientForm(forms.ModelForm):
    """Register or edit a patient. Likely duplicates are shown before saving."""

    email_consent = forms.BooleanField(
        required=False, label=_("The patient agrees to receive reminders by e-mail")
    )
    sms_consent = forms.BooleanField(
        required=False, label=_("The patient agrees to receive reminders by SMS")
    )
    guardian_consent = forms.BooleanField(
        required=False, label=_("A parent or guardian has consented (required under the adult age)")
    )
    not_a_duplicate = forms.BooleanField(
        required=False, label=_("I have checked: this is a different person. Save anyway.")
    )

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            "reminder_channel",
            "language",
            "time_zone",
            "guardian_name",
            "fitzpatrick_type",
            "skin_weakened",
            "skin_dry",
            "skin_problematic",
            "skin_sensitive",
            "notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, today: date | None = None, clinical: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.clinical = clinical  # False for the front desk: no skin profile, no notes
        if not clinical:
            for name in CLINICAL_FIELDS:
                del self.fields[name]
        self.today = today or timezone.localdate()
        self.duplicates: list[Patient] = []
        # Exactly the shipped languages. A record saved before with a language the planner
        # does not ship is refused with a message rather than quietly relabelled.
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            choices=settings.PATIENT_LANGUAGES,
            initial=DEFAULT_PATIENT_LANGUAGE,
            error_messages={
                "invalid_choice": _(
                    "The planner does not write to patients in %(value)s. "
                    "Choose one of the languages listed."
                )
            },
        )
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"), choices=time_zone_choices(), initial=settings.TIME_ZONE
        )
        if clinical:
            self.fields["fitzpatrick_type"].label = _("Fitzpatrick skin type")
        self.fields["phone"].widget.attrs["placeholder"] = "+44 7911 123456"
        if self.instance.pk:
            self.fields["email_consent"].initial = self.instance.email_consent_at is not None
            self.fields["sms_consent"].initial = self.instance.sms_consent_at is not None
            self.fields["guardian_consent"].initial = self.instance.guardian_consent_at is not None
        self.helper = self._layout()

    def _layout(self) -> FormHelper:
        helper = FormHelper()
        risk_notes = "".join(
            f"<li><strong>{_(label)}</strong>: {_(risk)}</li>"
            for label, risk in screening.SKIN_STATE_RISKS.values()
        )
        helper.layout = Layout(
            Fieldset(
                _("Patient"),
                row("first_name", "last_name"),
                row("date_of_birth", "sex"),
                Div(
                    Div("guardian_name", css_class="col-md-6"),
                    Div("guardian_consent", css_class="col-md-6 pt-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Contact and reminders"),
                row("email", "phone"),
                row("reminder_channel", "language", "time_zone"),
                "email_consent",
                "sms_consent",
            ),
            Fieldset(
                _("Skin profile"),
                "fitzpatrick_type",
                HTML(f'<ul class="small text-muted mb-2">{risk_notes}</ul>'),
                row("skin_weakened", "skin_dry", "skin_problematic", "skin_sensitive"),
            )
            if self.clinical
            else HTML(""),
            "notes" if self.clinical else HTML(""),
            "not_a_duplicate" if self.duplicates or self.data.get("not_a_duplicate") else HTML(""),
        )
        helper.add_input(Submit("save", _("Save patient")))
        return helper

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if self.today.year - born.year > OLDEST_AGE_YEARS:
            raise forms.ValidationError(
                _("Check the year: that would make the patient over %(years)d.")
                % {"years": OLDEST_AGE_YEARS}
            )
        return born

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Django's clean() returns; its stub says "or None"
        self._check_guardian(data)
        self._check_reminder_channel(data)
        if not self.errors:
            self.duplicates = list(self._find_duplicates(data))
            if self.duplicates and not data.get("not_a_duplicate"):
                self.helper = self._layout()
                raise forms.ValidationError(
                    _(
                        "This looks like a patient who is already registered (listed below). "
                        "Open the existing record, or confirm this is a different person."
                    ),
                    code="duplicate",
                )
        return data

    def _check_guardian(self, data: dict[str, Any]) -> None:
        born = data.get("date_of_birth")
        if born is None:
            return
        adult_age = Clinic.current().adult_age
        age = age_in_years(born, self.today)
        if age < adult_age and not (data.get("guardian_name") and data.get("guardian_consent")):
            self.add_error(
                "guardian_consent",
                _(
                    "The patient is %(age)d: under %(adult_age)d, record the guardian's name "
                    "and their consent."
                )
                % {"age": age, "adult_age": adult_age},
            )

    def _check_reminder_channel(self, data: dict[str, Any]) -> None:
        channel = data.get("reminder_channel")
        if channel in ("email", "both"):
            if not data.get("email"):
                self.add_error("email", _("E-mail reminders need an e-mail address."))
            elif not data.get("email_consent"):
                self.add_error("email_consent", _("E-mail reminders need the patient's consent."))
        if channel in ("sms", "both"):
            if not data.get("phone"):
                self.add_error("phone", _("SMS reminders need a mobile number."))
            elif not data.get("sms_consent"):
                self.add_error("sms_consent", _("SMS reminders need the patient's consent."))

    def _find_duplicates(self, data: dict[str, Any]) -> QuerySet[Patient]:
        same = Q(
            first_name__iexact=data["first_name"].strip(),
            last_name__iexact=data["last_name"].strip(),
            date_of_birth=data["date_of_birth"],
        )
        if data.get("email"):
            same |= Q(email=data["email"])
        if data.get("phone"):
            same |= Q(phone=data["phone"])
        found = Patient.objects.filter(same)
        if self.instance.pk:
            found = found.exclude(pk=self.instance.pk)
        return found[:DUPLICATE_LIMIT]


def region_field(label: StrOrPromise) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=BodyRegion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-inline"}),
    )


class ScreeningForm(forms.Form):
    """The contraindication questionnaire, answered with the patient."""

    herpes_active = forms.BooleanField(
        required=False, label=_("Herpes exacerbation: an active cold sore now")
    )
    acne_regions = region_field(_("Inflammatory elements (active acne) in"))
    rosacea = forms.BooleanField(required=False, label=_("Rosacea"))
    wart_regions = region_field(_("Warts in"))
    eczema_psoriasis_regions = region_field(_("Eczema or psoriasis in"))
    anticoagulants = forms.BooleanField(required=False, label=_("Taking anticoagulants"))
    keloid_tendency = forms.BooleanField(required=False, label=_("Tendency to form keloid scars"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    caution_decision = forms.ChoiceField(
        required=False,
        label=_("Practitioner's decision on rosacea"),
        choices=[
            ("", _("Decide later")),
            ("approve", _("Treatment may go ahead")),
            ("decline", _("Do not treat")),
        ],
    )
    caution_reason = forms.CharField(
        required=False,
        label=_("Reason for the decision"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Whole patient"),
                "herpes_active",
                "rosacea",
                "anticoagulants",
                "keloid_tendency",
            ),
            Fieldset(
                _("In a treatment area (tick each area concerned)"),
                "acne_regions",
                "wart_regions",
                "eczema_psoriasis_regions",
            ),
            "notes",
            Fieldset(_("Rosacea only"), "caution_decision", "caution_reason"),
        )
        self.helper.add_input(Submit("save", _("Save screening")))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Django's clean() returns; its stub says "or None"
        decision = data.get("caution_decision")
        if decision and not data.get("rosacea"):
            self.add_error("caution_decision", _("A decision is only recorded for rosacea."))
        if decision and not (data.get("caution_reason") or "").strip():
            self.add_error("caution_reason", _("Write the reason for the decision."))
        return data

    def answers(self) -> screening.Answers:
        data = self.cleaned_data
        return screening.Answers(
            herpes_active=data["herpes_active"],
            acne_regions=frozenset(data["acne_regions"]),
            rosacea=data["rosacea"],
            wart_regions=frozenset(data["wart_regions"]),
            eczema_psoriasis_regions=frozenset(data["eczema_psoriasis_regions"]),
            anticoagulants=data["anticoagulants"],
            keloid_tendency=data["keloid_tendency"],
        )

    def caution_approved(self) -> bool | None:
        return {"approve": True, "decline": False}.get(self.cleaned_data["caution_decision"])


class CautionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Treatment may go ahead")), ("decline", _("Do not treat"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Record decision")))


class ConsentForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_(
            "The patient has read this information sheet and consents to the procedure. "
            "I witnessed it."
        )
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Record consent")))


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("Name, phone or e-mail")}),
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Screening"),
        choices=[
            ("", _("Any screening status")),
            *((code, _(label)) for code, label in screening.STATUS_FILTERS.items()),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class HomeRollerForm(forms.Form):
    """A practitioner recommends a home roller (the range is the clinic's: the service checks)."""

    needle_mm = forms.DecimalField(
        label=_("Needle length (mm)"), max_digits=3, decimal_places=2, min_value=0,
        help_text=_("Home rollers have short needles: the clinic's home-use range."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("What for (a serum, an area)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


# A home use is typed as a day within this long before today (the rules refine it).
HOME_USE_DAYS_BACK = 366


class HomeUseForm(forms.Form):
    """The patient logs a home use: the day and time (their time zone) and the disinfection."""

    used_on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    used_at_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    disinfected = forms.BooleanField(
        label=_("I disinfected the roller before and after use"), required=False
    )

    def clean_used_on(self) -> date:
        day: date = self.cleaned_data["used_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("That day is still to come."))
        if day < today - timedelta(days=HOME_USE_DAYS_BACK):
            raise forms.ValidationError(_("Enter a day within the last year."))
        return day

    def used_at(self) -> datetime:
        """The moment typed, in the current time zone (the patient's, on their page)."""
        moment = datetime.combine(self.cleaned_data["used_on"], self.cleaned_data["used_at_time"])
        return timezone.make_aware(moment.replace(second=0, microsecond=0))
