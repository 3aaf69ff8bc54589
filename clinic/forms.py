"""Forms for clinic-wide pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

MAX_REPORT_DAYS = 366
# The dates the planner's calendars and reports show: wide enough for any real
# record, narrow enough that a day before or after still exists (year 1 and
# 9999 overflowed date arithmetic).
SHOWN_FIRST_DAY = date(1900, 1, 1)
SHOWN_LAST_DAY = date(2999, 12, 31)


def row(*fields: str) -> Div:
    """Fields side by side in equal Bootstrap columns (stacked on narrow screens)."""
    return Div(*(Div(f, css_class="col-md") for f in fields), css_class="row")


class LoginForm(AuthenticationForm):
    """Django's login form, laid out by crispy-forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Log in", css_class="w-100"))


class PeriodForm(forms.Form):
    """A report period: whole days, first to last inclusive, at most a year."""

    first_day = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label="To (inclusive)",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Django's clean() returns; its stub says "or None"
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if not (first >= SHOWN_FIRST_DAY and last <= SHOWN_LAST_DAY):
                raise forms.ValidationError(
                    f"Pick dates between {SHOWN_FIRST_DAY:%d %B %Y} and {SHOWN_LAST_DAY:%d %B %Y}."
                )
            if last < first:
                raise forms.ValidationError("The period ends before it starts.")
            if (last - first).days + 1 > MAX_REPORT_DAYS:
                raise forms.ValidationError(f"Pick a period of at most {MAX_REPORT_DAYS} days.")
        return data
