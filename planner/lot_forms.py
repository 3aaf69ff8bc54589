"""Forms of the lots and recall pages (issue #19)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.models import Product

LOT_STATUSES = [
    ("", _("Every lot")),
    ("current", _("In date, not recalled")),
    ("expired", _("Expired")),
    ("recalled", _("Recalled")),
]


class LotFilterForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), required=False,
        empty_label=_("Every product"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=LOT_STATUSES, required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it recalled?"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Kept with the lot, for the clinic; patients are not sent it."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("Yes, recall this lot: no session may use it from now on"),
        error_messages={"required": _("Tick the box to confirm the recall.")},
    )
