"""Forms for clinic-wide pages."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

MAX_REPORT_DAYS = 366


def row(*fields: str) -> Div:
    """Fields side by side in equal Bootstrap columns (stacked on narrow screens)."""
    return Div(*(Div(f, css_class="col-md") for f in fields), css_class="row")


class LoginForm(AuthenticationForm):
    """Django's login form, laid out by crispy-forms."""

    def __init__(self, *args: object, **kwargs: object) -> None:
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
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if last < first:
                raise forms.ValidationError("The period ends before it starts.")
            if (last - first).days + 1 > MAX_REPORT_DAYS:
                raise forms.ValidationError(f"Pick a period of at most {MAX_REPORT_DAYS} days.")
        return data
