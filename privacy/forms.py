"""The erasure's confirmation: the patient's full name, typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import ErasureSource


class ErasureForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("The patient's full name, as shown above"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Approved from the retention review's list, or asked for (by the patient, usually).
    source = forms.ChoiceField(
        choices=ErasureSource.choices, initial=ErasureSource.REQUEST, widget=forms.HiddenInput
    )
