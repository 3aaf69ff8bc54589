"""Staff forms of the message screens."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reminders.channels.webhook import http
from reminders.models import WebhookEvent

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


class WebhookEndpointForm(forms.Form):
    """A webhook endpoint's name, address and events (issue #18)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(
        label=_("Address"), max_length=500, assume_scheme="https",
        help_text=_("Where the planner POSTs each event: an http:// or https:// address."),
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_url(self) -> str:
        return check_url(self.cleaned_data["url"])


def check_url(url: str) -> str:
    """An http(s) address; in production (``WEBHOOK_ALLOW_PRIVATE`` off) not a private one."""
    try:
        target = http.parse(url)
    except http.Refused:
        raise forms.ValidationError(_("Enter an http:// or https:// address.")) from None
    if not settings.WEBHOOK_ALLOW_PRIVATE and not _may_be_public(target.host):
        raise forms.ValidationError(
            _("The address must be on the public internet, not this machine or a private network.")
        )
    return url


def _may_be_public(host: str) -> bool:
    """A literal address must be public, and "localhost" is not; a name is checked at each
    delivery, when it is resolved (``reminders.channels.webhook.http``)."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return False
    try:
        return http.is_public(host)
    except ValueError:  # a name, not an address
        return True
