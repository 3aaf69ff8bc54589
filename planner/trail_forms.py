"""The audit trail's filters: ids, dates and kinds only, so no name is ever in a URL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.models import AccessKind
from audit.trail import CHANGE, Filters, change_models
from clinic.forms import SHOWN_FIRST_DAY, SHOWN_LAST_DAY

SELECT = forms.Select(attrs={"class": "form-select"})
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _kind_choices() -> list[tuple[str, object]]:
    return [("", _("all")), (CHANGE, _("change")), *AccessKind.choices]


def _type_choices() -> list[tuple[str, object]]:
    labels = sorted(change_models())
    return [("", _("all")), *[(label, label) for label in labels]]


class TrailFilterForm(forms.Form):
    """Period (whole days), user id, kind and object type."""

    first_day = forms.DateField(label=_("From"), required=False, widget=DATE)
    last_day = forms.DateField(label=_("To (inclusive)"), required=False, widget=DATE)
    user = forms.IntegerField(label=_("User id"), required=False, min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_kind_choices, widget=SELECT)
    object_type = forms.ChoiceField(
        label=_("Object type"), required=False, choices=_type_choices, widget=SELECT
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        # The same window as the reports' periods: a date a browser's picker offers (9999-12-31)
        # would otherwise overflow the day after it (a 500, found in the walk).
        if any(day and not SHOWN_FIRST_DAY <= day <= SHOWN_LAST_DAY for day in (first, last)):
            raise forms.ValidationError(
                _("Pick dates between %(first)s and %(last)s.")
                % {"first": date_format(SHOWN_FIRST_DAY), "last": date_format(SHOWN_LAST_DAY)}
            )
        if first and last and last < first:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def filters(self) -> Filters:
        """The valid filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        first, last = data.get("first_day"), data.get("last_day")
        return Filters(
            start=datetime.combine(first, time(), zone) if first else None,
            end=datetime.combine(last + timedelta(days=1), time(), zone) if last else None,
            user_id=data.get("user"),
            kinds=(data["kind"],) if data.get("kind") else (),
            object_type=data.get("object_type") or "",
        )
