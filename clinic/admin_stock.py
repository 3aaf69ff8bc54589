"""Admin for product lots and spare-needle stock (issue #19).

A lot's number is stored as ``clinic.stock.normalise_lot_number`` writes it, so a
number typed again for the same product, in other case or with other spacing, is
refused on the form with the lot it repeats. A recall is made on the recall screen
(``planner``), which records who made it: here it is shown, not edited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.admin import CheckedModelAdmin
from clinic.models import Lot, StockItem
from clinic.stock import normalise_lot_number


class LotForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ["product", "number", "supplier", "received_on", "expires_on",
                  "quantity_received"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].required = True  # empty only on lots made by the migration

    def clean_number(self) -> str:
        number = normalise_lot_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(gettext("Enter the lot number printed on the pack."))
        return number

    def clean(self) -> dict[str, Any]:
        super().clean()
        product = self.cleaned_data.get("product")
        if product is None and "product" not in self.fields and self.instance.product_id:
            product = self.instance.product  # shown read-only: the lot's own
        number = self.cleaned_data.get("number")
        if product is not None and number:
            same = Lot.objects.filter(product=product, number=number).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "number",
                    gettext(
                        "%(product)s already has lot %(number)s (lot numbers are compared "
                        "without spaces and capitals): open that lot instead."
                    )
                    % {"product": product.name, "number": number},
                )
        received = self.cleaned_data.get("received_on")
        expires = self.cleaned_data.get("expires_on")
        if received and expires and expires < received:
            self.add_error("expires_on", gettext("The expiry date is before the day received."))
        return self.cleaned_data


@admin.register(Lot)
class LotAdmin(CheckedModelAdmin):
    form = LotForm
    list_display = ["number", "product", "supplier", "received_on", "expires_on",
                    "quantity_received", "recalled_at"]  # fmt: skip
    list_filter = ["product", ("recalled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["product"]
    search_fields = ["number", "supplier", "product__name"]
    date_hierarchy = "received_on"
    readonly_fields = ["recalled_at", "recall_reason", "recalled_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Lot | None = None) -> Any:
        if obj is not None and obj.procedures.exists():
            # Sessions already name it: moving it to another product would rewrite them.
            return [*self.readonly_fields, "product"]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Lot | None = None) -> bool:
        """A lot that sessions used stays: the recall list is read from it."""
        return (obj is None or not obj.procedures.exists()) and super().has_delete_permission(
            request, obj
        )


@admin.register(StockItem)
class StockItemAdmin(CheckedModelAdmin):
    list_display = ["device_type", "on_hand", "reorder_at", "reorder"]
    list_editable = ["on_hand", "reorder_at"]
    list_select_related = ["device_type"]
    search_fields = ["device_type__name"]

    @admin.display(description=_("Reorder now"), boolean=True)
    def reorder(self, item: StockItem) -> bool:
        return item.needs_reorder
