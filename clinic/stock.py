"""Product lots and consumables stock: the rules, pure (issue #19).

A lot may be chosen for a session when it is of the session's product, not
recalled, its expiry date known and not before the session's day (in the
clinic's time zone: a lot expiring on the day itself may still be used), received
on or before that day, and not used up (when the quantity received was
recorded, each session uses one unit). ``lot_problems`` is the one rule: the
session-day form, its service (under the lot's row lock) and the lists of
usable lots all ask it.

Lot numbers are printed codes: a number typed twice for one product, in other
case or with other spacing, is the same lot (``normalise_lot_number``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinic.pure_i18n import date_text, gettext


def normalise_lot_number(text: str) -> str:
    """The lot number as stored: without any white space, in capitals ("ha 2026-1 " is
    "HA2026-1"), so the same code typed twice is one record per product."""
    return "".join(text.split()).upper()


@dataclass(frozen=True)
class LotFacts:
    number: str
    product_id: int
    expires_on: date | None  # None: recorded before lots were kept (unknown)
    received_on: date
    recalled: bool
    quantity_received: int | None  # None: not counted
    used: int  # sessions that used it already


@dataclass(frozen=True)
class LotProblem:
    code: str
    message: str


def lot_problems(lot: LotFacts, *, product_id: int | None, day: date) -> list[LotProblem]:
    """Every reason ``lot`` may not be applied on ``day`` (the session's local day) with the
    product ``product_id``; empty when it may."""
    problems = []
    names = {"lot": lot.number}
    if product_id is not None and lot.product_id != product_id:
        text = gettext("Lot %(lot)s is not a lot of the chosen product.")
        problems.append(LotProblem("lot_other_product", text % names))
    if lot.recalled:
        text = gettext("Lot %(lot)s has been recalled: it may not be used.")
        problems.append(LotProblem("lot_recalled", text % names))
    if lot.expires_on is None:
        text = gettext(
            "Lot %(lot)s has no expiry date on record (it was entered before lots were kept): "
            "a manager enters it in the admin first."
        )
        problems.append(LotProblem("lot_expiry_unknown", text % names))
    elif lot.expires_on < day:
        text = gettext("Lot %(lot)s expired on %(day)s: it may not be used.")
        expired = {**names, "day": date_text(lot.expires_on, "D d M Y")}
        problems.append(LotProblem("lot_expired", text % expired))
    if lot.received_on > day:
        text = gettext("Lot %(lot)s is recorded as received only on %(day)s.")
        received = {**names, "day": date_text(lot.received_on, "D d M Y")}
        problems.append(LotProblem("lot_not_received", text % received))
    if lot.quantity_received is not None and lot.used >= lot.quantity_received:
        text = gettext("Lot %(lot)s is used up (%(quantity)s received, all used).")
        used_up = {**names, "quantity": lot.quantity_received}
        problems.append(LotProblem("lot_used_up", text % used_up))
    return problems


@dataclass(frozen=True)
class StockFacts:
    on_hand: int
    reorder_at: int


def needs_reorder(item: StockFacts) -> bool:
    """At or below its reorder threshold (a negative count: more were used than counted)."""
    return item.on_hand <= item.reorder_at
