"""The lot rule and lot numbers (clinic/stock.py, pure; issue #19)."""

from datetime import date

import pytest

from clinic.stock import LotFacts, StockFacts, lot_problems, needs_reorder, normalise_lot_number

DAY = date(2026, 3, 10)


def lot(**changes):
    facts = {
        "number": "HA1", "product_id": 1, "expires_on": date(2026, 12, 31),
        "received_on": date(2026, 1, 1), "recalled": False, "quantity_received": None, "used": 0,
    }  # fmt: skip
    return LotFacts(**{**facts, **changes})


@pytest.mark.parametrize(
    ("changes", "product_id", "codes"),
    [
        ({}, 1, []),
        ({"expires_on": DAY}, 1, []),  # expires on the session's day: still usable that day
        ({"expires_on": date(2026, 3, 9)}, 1, ["lot_expired"]),
        ({"recalled": True}, 1, ["lot_recalled"]),
        ({}, 2, ["lot_other_product"]),
        ({"expires_on": None}, 1, ["lot_expiry_unknown"]),
        ({"received_on": date(2026, 3, 11)}, 1, ["lot_not_received"]),
        ({"received_on": DAY}, 1, []),
        ({"quantity_received": 3, "used": 2}, 1, []),
        ({"quantity_received": 3, "used": 3}, 1, ["lot_used_up"]),
        ({"recalled": True, "expires_on": date(2025, 1, 1)}, 2,
         ["lot_other_product", "lot_recalled", "lot_expired"]),
    ],
)  # fmt: skip
def test_lot_rule(changes, product_id, codes):
    assert [p.code for p in lot_problems(lot(**changes), product_id=product_id, day=DAY)] == codes


def test_an_expired_lot_says_when_it_expired():
    (problem,) = lot_problems(lot(expires_on=date(2026, 3, 9)), product_id=1, day=DAY)
    assert problem.message == "Lot HA1 expired on Mon 09 Mar 2026: it may not be used."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ha-2026-1", "HA-2026-1"), (" HA 2026 1 ", "HA20261"), ("ha\t7", "HA7"), ("   ", "")],
)
def test_lot_numbers_ignore_spaces_and_case(typed, stored):
    assert normalise_lot_number(typed) == stored


@pytest.mark.parametrize(("on_hand", "reorder"), [(11, False), (10, True), (0, True), (-2, True)])
def test_reorder_at_or_below_the_threshold(on_hand, reorder):
    assert needs_reorder(StockFacts(on_hand=on_hand, reorder_at=10)) is reorder
