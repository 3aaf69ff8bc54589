"""Product lots and consumables stock (issue #19); the rules are in ``clinic.stock``."""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.stock import StockFacts, needs_reorder


@pghistory.track()
class Lot(models.Model):
    """One lot (batch) of a product, as received from its supplier.

    The number is kept as ``clinic.stock.normalise_lot_number`` writes it (no
    spaces, capitals), so one product has one record per printed code.
    ``expires_on`` is empty only for lots made from the free-text lots of
    procedures recorded before lots were kept (courses migration 0017): such a
    lot cannot be chosen until a manager enters its expiry date.
    """

    product = models.ForeignKey(
        "clinic.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    number = models.CharField(
        _("lot number"), max_length=60,
        help_text=_("As printed on the pack; spaces and capitals do not count."),
    )  # fmt: skip
    expires_on = models.DateField(_("expiry date"), null=True)
    supplier = models.CharField(_("supplier"), max_length=200)
    received_on = models.DateField(_("received on"))
    quantity_received = models.PositiveIntegerField(
        _("quantity received"), null=True, blank=True,
        help_text=_("Units (one per session). Empty: not counted; the lot is never used up."),
    )  # fmt: skip
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True, editable=False)
    recall_reason = models.TextField(_("recall reason"), blank=True, editable=False)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recalled by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )  # fmt: skip

    class Meta:
        ordering = ["product__name", "-received_on", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="lot_number_once_per_product",
                violation_error_message=_("This product already has a lot with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(number=Upper("number"))
                & ~models.Q(number__contains=" ")
                & ~models.Q(number__contains="\t")
                & ~models.Q(number=""),
                name="lot_number_normalised",
                violation_error_message=_("A lot number is written without spaces, in capitals."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(product)s, lot %(number)s") % {
            "product": self.product.name, "number": self.number,
        }  # fmt: skip

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None

    def expired_on(self, day: date) -> bool:
        return self.expires_on is not None and self.expires_on < day


@pghistory.track()
class StockItem(models.Model):
    """Spare needles of one device type: sterile cartridges for a pen, new rollers for a
    roller (DOMAIN.md, "The device"). A pen session uses a cartridge when needling starts,
    and any device one more at each needle change (``courses.session_day``)."""

    device_type = models.OneToOneField(
        "clinic.DeviceType", verbose_name=_("device type"), on_delete=models.PROTECT,
        related_name="stock",
    )  # fmt: skip
    on_hand = models.IntegerField(
        _("on hand"), default=0,
        help_text=_("Counted in stock now. Below zero: more were used than counted; count again."),
    )  # fmt: skip
    reorder_at = models.PositiveIntegerField(
        _("reorder at"), default=10, help_text=_("Reorder when this many or fewer are left.")
    )

    class Meta:
        ordering = ["device_type__name"]
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")

    def __str__(self) -> str:
        return gettext("Spare needles: %(type)s") % {"type": self.device_type.name}

    @property
    def needs_reorder(self) -> bool:
        return needs_reorder(StockFacts(on_hand=self.on_hand, reorder_at=self.reorder_at))
