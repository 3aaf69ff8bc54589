"""Staff forms of the message screens."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A period a manager retries at once: at most a year, none of it in the future.
LONGEST_PERIOD = timedelta(days=365)  # both ends included: a leap year fits
EARLIEST = date(2000, 1, 1)


class RetryPeriodForm(forms.Form):
    """From and to dates (clinic days, both included) of the failed messages to retry."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if not isinstance(start, date) or not isinstance(end, date):
            return data  # each field already says what is wrong with it
        if start < EARLIEST:
            self.add_error("start", _("Choose a date from 2000 on."))
        if end > timezone.localdate():
            self.add_error("end", _("The period cannot end in the future."))
        if end < start:
            self.add_error("end", _("The period must end on or after its first day."))
        elif end - start > LONGEST_PERIOD:
            self.add_error("end", _("Choose a period of at most a year."))
        return data
