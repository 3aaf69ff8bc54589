"""Procedures' free-text lots become Lot rows (issue #19).

Each distinct (product, lot text) becomes one lot of that product, its number
written as ``clinic.stock.normalise_lot_number`` writes it (no spaces, capitals:
"ha 1" and "HA1" are one lot). What a free text did not say is decided here:

- expiry date: unknown (empty). Such a lot cannot be chosen on a session day
  until a manager enters its expiry date in the admin (``clinic.stock``); it
  is still listed for recall with every session that used it.
- supplier: empty (the admin asks for one when the lot is next edited).
- received on: the clinic's local day of the first check-in that used it.
- quantity: not counted.

A lot text on a procedure without a product (the planner never wrote one) has
no product to belong to and is dropped.

Backwards, each procedure gets its lot's number as its text again, and the lots
this migration made (those without an expiry date) are deleted.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def _normalise(text):
    return "".join(text.split()).upper()  # as clinic.stock.normalise_lot_number


def lots_from_text(apps, schema_editor):
    Procedure = apps.get_model("courses", "Procedure")
    Lot = apps.get_model("clinic", "Lot")
    tz = ZoneInfo(settings.TIME_ZONE)
    found = {}
    rows = Procedure.objects.exclude(product_lot="").exclude(product=None).order_by("checked_in_at")
    for procedure in rows.only("pk", "product_id", "product_lot", "checked_in_at"):
        number = _normalise(procedure.product_lot)
        if not number:
            continue
        key = (procedure.product_id, number)
        if key not in found:
            found[key] = Lot.objects.filter(product_id=key[0], number=number).first() or (
                Lot.objects.create(
                    product_id=key[0], number=number, expires_on=None, supplier="",
                    received_on=procedure.checked_in_at.astimezone(tz).date(),
                )
            )
        Procedure.objects.filter(pk=procedure.pk).update(lot=found[key])


def text_from_lots(apps, schema_editor):
    Procedure = apps.get_model("courses", "Procedure")
    Lot = apps.get_model("clinic", "Lot")
    for lot in Lot.objects.filter(procedures__isnull=False).distinct():
        Procedure.objects.filter(lot=lot).update(product_lot=lot.number)
    Procedure.objects.update(lot=None)
    Lot.objects.filter(expires_on=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0014_lots_and_stock"),
        ("courses", "0017_procedure_lot"),
    ]

    operations = [migrations.RunPython(lots_from_text, text_from_lots)]
