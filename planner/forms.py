"""Forms of the site-wide pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.forms import SHOWN_FIRST_DAY, SHOWN_LAST_DAY

MAX_REPORT_DAYS = 366


class PeriodForm(forms.Form):
    """A report period: whole days, first to last inclusive, at most a year."""

    first_day = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=_("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if not (first >= SHOWN_FIRST_DAY and last <= SHOWN_LAST_DAY):
                raise forms.ValidationError(
                    gettext("Pick dates between %(first)s and %(last)s.")
                    % {
                        "first": date_format(SHOWN_FIRST_DAY, "d F Y"),
                        "last": date_format(SHOWN_LAST_DAY, "d F Y"),
                    }
                )
            if last < first:
                raise forms.ValidationError(gettext("The period ends before it starts."))
            if (last - first).days + 1 > MAX_REPORT_DAYS:
                raise forms.ValidationError(
                    gettext("Pick a period of at most %(days)d days.") % {"days": MAX_REPORT_DAYS}
                )
        return data
