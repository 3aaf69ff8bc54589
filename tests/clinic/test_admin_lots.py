"""Lots in the admin (issue #19): one record per product and printed code."""

from django.urls import reverse

from clinic.models import Lot
from tests.factories import LotFactory, ProductFactory


def lot_form(product, number, **changes):
    return {"product": product.pk, "number": number, "supplier": "Dermal Supplies Ltd",
            "received_on": "2026-01-02", "expires_on": "2027-01-02", "quantity_received": "",
            **changes}  # fmt: skip


def test_a_lot_number_is_stored_without_spaces_in_capitals(manager_client):
    product = ProductFactory()
    response = manager_client.post(reverse("admin:clinic_lot_add"), lot_form(product, " ha 26-1 "))
    assert response.status_code == 302
    assert Lot.objects.get().number == "HA26-1"


def test_the_same_number_typed_again_for_the_product_is_a_form_error(manager_client):
    product, other = ProductFactory(name="Serum"), ProductFactory(name="Gel")
    LotFactory(product=product, number="HA26-1")
    add = reverse("admin:clinic_lot_add")
    response = manager_client.post(add, lot_form(product, "ha 26-1"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["number"]
    assert errors == ["Serum already has lot HA26-1 (lot numbers are compared without spaces and "
                      "capitals): open that lot instead."]  # fmt: skip
    assert Lot.objects.count() == 1
    assert (
        manager_client.post(add, lot_form(other, "ha 26-1")).status_code == 302
    )  # another product


def test_the_expiry_date_is_required_and_not_before_receipt(manager_client):
    product = ProductFactory()
    add = reverse("admin:clinic_lot_add")
    response = manager_client.post(add, lot_form(product, "X1", expires_on=""))
    assert "expires_on" in response.context["adminform"].form.errors
    response = manager_client.post(add, lot_form(product, "X1", expires_on="2025-12-31"))
    assert response.context["adminform"].form.errors["expires_on"] == [
        "The expiry date is before the day received."
    ]
    assert not Lot.objects.exists()


def test_a_recall_is_not_made_in_the_admin(manager_client):
    lot = LotFactory()
    page = manager_client.get(reverse("admin:clinic_lot_change", args=[lot.pk])).content.decode()
    assert 'name="recall_reason"' not in page
    assert 'name="recalled_at"' not in page
