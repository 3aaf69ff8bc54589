"""Forms for planning and changing courses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, cast
from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.forms import row
from clinic.models import Device, DisinfectionMoment, Lot, Practitioner, Product, Weekday
from courses import lots, outcomes, rules
from courses.models import EndPoint, Indication, PhotoKind, TreatmentArea


def clean_typed_date(day: date, *, allow_past: bool = False) -> date:
    """The form side of ``rules.check_typed_date``: the same window, as a field error."""
    found = rules.check_typed_date(day, today=timezone.localdate(), allow_past=allow_past)
    if found:
        raise forms.ValidationError(found[0].message, code=found[0].code)
    return day


def fitting_areas_text() -> str:
    """Which areas the catalogue lists for each indication, for the planner to see."""
    indications = Indication.objects.filter(is_active=True, refused=False).prefetch_related("areas")
    parts = [
        f"{i.name}: {', '.join(a.name.lower() for a in i.areas.all())}"
        for i in indications
        if i.areas.all()
    ]
    if not parts:
        return ""
    return gettext("Areas each indication fits — %(areas)s.") % {"areas": "; ".join(parts)}


class CourseForm(forms.Form):
    """What the cosmetologist asks the planner for."""

    indication = forms.ModelChoiceField(
        label=_("Indication"), queryset=Indication.objects.filter(is_active=True)
    )
    area = forms.ModelChoiceField(
        label=_("Treatment area"), queryset=TreatmentArea.objects.filter(is_active=True)
    )
    needle_mm = forms.DecimalField(
        label=_("Needle length (mm)"), min_value=Decimal("0.1"), max_value=Decimal("3.0"),
        decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.05"}),
    )  # fmt: skip
    sessions_planned = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=12, initial=6
    )
    target_gap_weeks = forms.IntegerField(
        label=_("Target gap (weeks)"), min_value=1, max_value=26, initial=4
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=Practitioner.objects.filter(is_bookable=True, user__is_active=True).select_related(
            "user"
        ),
    )
    preferred_weekday = forms.TypedChoiceField(
        label=_("Preferred weekday"),
        choices=[("", _("Any day")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    preferred_time = forms.TimeField(
        label=_("Preferred time"),
        initial=time(10),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    start_on = forms.DateField(
        label=_("First session on or after"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    needle_override_reason = forms.CharField(
        label=_("Reason to override the needle range"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the needle length is outside the area's range."),
    )  # fmt: skip
    gap_override_reason = forms.CharField(
        label=_("Reason to override the gap rules"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the target gap is outside the rules for this needle."),
    )  # fmt: skip

    def __init__(self, *args: Any, practitioner: Practitioner | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_on"].initial = timezone.localdate() + timedelta(days=1)
        self.fields["area"].help_text = fitting_areas_text()
        if practitioner is not None:
            self.fields["practitioner"].initial = practitioner.pk
        self.helper = FormHelper()
        self.helper.form_error_title = gettext("The course cannot be planned yet:")
        self.helper.layout = Layout(
            Fieldset(gettext("Treatment"), row("indication", "area"),
                     row("needle_mm", "sessions_planned", "target_gap_weeks")),
            Fieldset(gettext("When and with whom"), row("practitioner", "start_on"),
                     row("preferred_weekday", "preferred_time")),
            Fieldset(gettext("Overrides (a practitioner's written reason)"),
                     "needle_override_reason", "gap_override_reason"),
        )  # fmt: skip
        self.helper.add_input(Submit("preview", gettext("Preview the course")))

    def clean_start_on(self) -> date:
        return clean_typed_date(self.cleaned_data["start_on"])


class ConfirmForm(forms.Form):
    """The previewed arrival times, posted back so a changed calendar is noticed."""

    expected = forms.CharField(widget=forms.HiddenInput)

    def clean_expected(self) -> list[datetime]:
        unreadable = forms.ValidationError(gettext("The preview could not be read; preview again."))
        try:
            parsed = [parse_datetime(v) for v in self.cleaned_data["expected"].split(",")]
        except ValueError as error:  # well formed but impossible, e.g. month 13
            raise unreadable from error
        if any(p is None or p.tzinfo is None for p in parsed):
            raise unreadable
        return cast(list[datetime], parsed)  # none is None: checked just above


STALE_PAGE = _("The page was out of date; here it is again.")


class RescheduleForm(forms.Form):
    new_day = forms.DateField(
        label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    new_time = forms.TimeField(
        label=_("New arrival time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[
            ("this", _("This session only")),
            ("following", _("This and the following sessions (they keep their gaps)")),
        ],
        initial="this",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Reason to override the gap rules"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only if a gap falls outside the rules and a practitioner accepts it."),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1,
        error_messages={"required": STALE_PAGE, "invalid": STALE_PAGE,
                        "min_value": STALE_PAGE, "max_value": STALE_PAGE},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("move", gettext("Move")))

    def clean_new_day(self) -> date:
        return clean_typed_date(self.cleaned_data["new_day"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.errors.pop("version", None):  # a hidden field: say it where it is seen
            self.add_error(None, STALE_PAGE)
        return self.cleaned_data


class SlotForm(forms.Form):
    """A free time picked in the calendar (local wall-clock time), and whose calendar."""

    at = forms.DateTimeField(
        label=_("Time"), input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"invalid": _("The time could not be read; pick it in the calendar again.")},
    )  # fmt: skip
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(is_bookable=True),
        required=False, error_messages={"invalid_choice": _("That practitioner is not bookable.")},
    )  # fmt: skip

    def clean_at(self) -> datetime:
        at = self.cleaned_data["at"]
        if at < timezone.now():
            raise forms.ValidationError(
                gettext("That time has passed; pick a free time from now on.")
            )
        clean_typed_date(timezone.localdate(at))  # and not years ahead
        return at

    def data_for_session(self) -> dict[str, str]:
        practitioner = self.cleaned_data["practitioner"]
        return {
            "at": timezone.localtime(self.cleaned_data["at"]).strftime("%Y-%m-%dT%H:%M"),
            "practitioner": str(practitioner.pk) if practitioner else "",
        }

    def query_string(self) -> str:
        return urlencode(self.data_for_session())


class CancelForm(forms.Form):
    """Staff cancelling a session or the rest of a course: why, and a deliberate yes."""

    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history for the clinic; not sent to the patient."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )

    def __init__(self, *args: Any, what: Literal["session", "course"], **kwargs: Any) -> None:
        """``what``: one session, or the rest of the course (whole sentences for each,
        so every language can say them its own way)."""
        super().__init__(*args, **kwargs)
        if what == "session":
            reason = gettext("Why cancel this session?")
            confirm = gettext("Yes, cancel this session")
            submit = gettext("Cancel this session")
        else:
            reason = gettext("Why cancel the rest of the course?")
            confirm = gettext("Yes, cancel the rest of the course")
            submit = gettext("Cancel the rest of the course")
        self.fields["reason"].label = reason
        self.fields["confirm"].label = confirm
        self.helper = FormHelper()
        self.helper.add_input(Submit("cancel", submit, css_class="btn-danger"))


class StepForm(forms.Form):
    """Every session-day step carries the procedure version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MaterialsForm(StepForm):
    """The product, then one of its lots in stock, and the device. The lot list offers only
    the lots that may be used on the session's day; a posted lot that may not (expired,
    recalled, another product's) is refused by the same rule (``clinic.stock``)."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    lot = forms.ModelChoiceField(
        label=_("Lot"),
        queryset=Lot.objects.select_related("product"),
        error_messages={
            "invalid_choice": _("That lot is not on record; choose one from the list."),
        },
        help_text=_("Only the product's lots in stock, not expired and not recalled, are listed."),
    )
    device = forms.ModelChoiceField(
        label=_("Device"),
        queryset=Device.objects.filter(retired=False).select_related("device_type"),
    )

    def __init__(self, *args: Any, day: date | None = None, **kwargs: Any) -> None:
        """``day``: the session's local day, which the lots are judged for (today if none)."""
        super().__init__(*args, **kwargs)
        self.day = day or timezone.localdate()
        groups: dict[str, list[tuple[int, str]]] = {}
        for lot in lots.usable_lots(self.day):
            groups.setdefault(lot.product.name, []).append((lot.pk, _lot_label(lot)))
        self.fields["lot"].widget.choices = [("", "---------"), *groups.items()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        product, lot = self.cleaned_data.get("product"), self.cleaned_data.get("lot")
        if product is not None and lot is not None:
            problems = lots.problems_of(lot, product_id=product.pk, day=self.day)
            if problems:
                self.add_error("lot", " ".join(p.message for p in problems))
        return self.cleaned_data


def _lot_label(lot: Lot) -> str:
    assert lot.expires_on is not None  # usable lots have a known expiry date
    return gettext("%(number)s (expires %(day)s)") % {
        "number": lot.number, "day": date_format(lot.expires_on, "SHORT_DATE_FORMAT"),
    }  # fmt: skip


class PassesForm(StepForm):
    """The passes actually rolled over one zone: no defaults, so nothing is recorded unseen."""

    zone = forms.CharField(
        label=_("Zone"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("forehead")}),
    )
    horizontal = forms.IntegerField(label=_("Horizontal"), min_value=0, max_value=30)
    vertical = forms.IntegerField(label=_("Vertical"), min_value=0, max_value=30)
    diagonal = forms.IntegerField(label=_("Diagonal"), min_value=0, max_value=30)
    note = forms.CharField(
        label=_("Note (required when more passes than the protocol's were rolled)"),
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class RemoveZoneForm(StepForm):
    zone_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NeedleChangeForm(StepForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class FinishForm(StepForm):
    end_point = forms.ChoiceField(label=_("End point observed"), choices=EndPoint.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    stop_reason = forms.CharField(
        label=_("Why it stopped short (only if a zone lacks passes)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PhotoKind.choices, widget=forms.RadioSelect, initial="before"
    )
    image = forms.FileField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


class DisinfectForm(forms.Form):
    """A device's disinfection before or after use, recorded from the session day."""

    device = forms.ModelChoiceField(
        label=_("Device"), queryset=Device.objects.filter(retired=False)
    )
    moment = forms.ChoiceField(label=_("Moment"), choices=DisinfectionMoment.choices)


BASELINE = "baseline"


class OutcomeForm(forms.Form):
    """One visit's outcome on the course page: the baseline's or a performed session's grade
    on the course's scale, and for a session the patient's satisfaction as they said it."""

    visit = forms.ChoiceField(label=_("Visit"), widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, required=False, empty_value=None)
    satisfaction = forms.TypedChoiceField(
        label=_("Patient's satisfaction (0-10)"), coerce=int, required=False, empty_value=None,
        choices=[("", "—"), *((n, str(n)) for n in range(11))],
    )  # fmt: skip

    def __init__(
        self, *args: Any, scale: Any, visits: list[str], form_id: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        visit = cast(forms.ChoiceField, self.fields["visit"])
        visit.choices = [(v, v) for v in visits]
        visit.error_messages["invalid_choice"] = gettext("That visit is not of this course.")
        self.fields["satisfaction"].error_messages["invalid_choice"] = gettext(
            "Satisfaction is a whole number from 0 to 10."
        )
        grade = cast(forms.TypedChoiceField, self.fields["grade"])
        grade.error_messages["invalid_choice"] = outcomes.range_message(scale)
        grade.choices = [("", "—")] + [
            (g, f"{g} · {scale.meaning(g)}" if scale.meaning(g) else str(g)) for g in scale.grades
        ]
        for name in ("grade", "satisfaction"):
            self.fields[name].widget.attrs.update(
                {
                    "class": "form-select form-select-sm w-auto",
                    "aria-label": self.fields[name].label,
                }
            )
            if form_id:  # the row's selects sit in their own table cells, outside its <form>
                self.fields[name].widget.attrs["form"] = form_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:  # a field's own error says it better
            return data
        if data.get("visit") == BASELINE and data.get("satisfaction") is not None:
            self.add_error("satisfaction", gettext("Satisfaction is given after a session."))
        return data
