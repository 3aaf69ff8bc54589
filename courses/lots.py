"""Reads about product lots on the session day and for a recall (issue #19; no writes).

Which lots may be chosen is ``clinic.stock.lot_problems``, asked with the facts
read here: the form lists and checks with it, ``session_day.choose_materials``
asks it again under the lot's row lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import Count, QuerySet

from clinic.models import Lot
from clinic.stock import LotFacts, LotProblem, lot_problems
from courses.models import Procedure, SessionStatus


def lot_facts(lot: Lot, *, used: int | None = None, besides: Procedure | None = None) -> LotFacts:
    """What the lot rule needs to know of ``lot``; ``used`` when already counted, else counted
    now (the sessions that chose it, ``besides`` the one choosing again)."""
    if used is None:
        others = Procedure.objects.filter(lot=lot)
        if besides is not None:
            others = others.exclude(pk=besides.pk)
        used = others.count()
    return LotFacts(
        number=lot.number, product_id=lot.product_id, expires_on=lot.expires_on,
        received_on=lot.received_on, recalled=lot.recalled_at is not None,
        quantity_received=lot.quantity_received, used=used,
    )  # fmt: skip


def problems_of(lot: Lot, *, product_id: int | None, day: date) -> list[LotProblem]:
    return lot_problems(lot_facts(lot), product_id=product_id, day=day)


def locked_lot_problems(
    lot: Lot, *, product_id: int, day: date, besides: Procedure
) -> tuple[Lot, list[LotProblem]]:
    """The lot's row, locked for the caller's transaction, and why it may not be used."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    return lot, lot_problems(lot_facts(lot, besides=besides), product_id=product_id, day=day)


def usable_lots(day: date) -> list[Lot]:
    """The lots of active products that may be chosen on ``day``, by product then expiry
    (the soonest first: used first). The query leaves out what plainly cannot be chosen;
    the rule decides."""
    candidates = (
        Lot.objects.filter(
            product__is_active=True, recalled_at=None, expires_on__gte=day, received_on__lte=day
        )
        .select_related("product")
        .annotate(used=Count("procedures"))
        .order_by("product__name", "expires_on", "number")
    )
    return [
        lot
        for lot in candidates
        if not lot_problems(lot_facts(lot, used=lot.used), product_id=lot.product_id, day=day)
    ]


def lots_for_recall(*, product_id: int | None, status: str, today: date) -> QuerySet[Lot]:
    """The lots a manager looks through, newest received first, each with how many sessions
    used it; ``status``: "recalled", "expired" (before ``today``), "current" (neither) or ""
    for every lot."""
    lots = Lot.objects.select_related("product").annotate(sessions=Count("procedures"))
    if product_id is not None:
        lots = lots.filter(product_id=product_id)
    if status == "recalled":
        lots = lots.exclude(recalled_at=None)
    elif status == "expired":
        lots = lots.filter(recalled_at=None, expires_on__lt=today)
    elif status == "current":
        lots = lots.filter(recalled_at=None).exclude(expires_on__lt=today)
    return lots.order_by("-received_on", "product__name", "number")


def recall_procedures(lot: Lot) -> QuerySet[Procedure]:
    """Every procedure that used ``lot``, with its session, patient and practitioner, in the
    order of the sessions (one query a page, however many there are)."""
    return (
        Procedure.objects.filter(lot=lot)
        .select_related("session__patient", "session__practitioner__user")
        .order_by("session__arrives_at", "id")
    )


def recall_csv_rows(lot: Lot) -> Iterator[tuple[datetime, str, int, str, str]]:
    """(arrival, patient's name, patient id, practitioner's name, status label) of every
    session that used ``lot``, in session order: plain values, no model rows (the CSV of a
    lot used in thousands of sessions)."""
    labels = dict(SessionStatus.choices)
    rows = (
        Procedure.objects.filter(lot=lot)
        .order_by("session__arrives_at", "id")
        .values_list(
            "session__arrives_at", "session__patient__first_name", "session__patient__last_name",
            "session__patient_id", "session__practitioner__user__first_name",
            "session__practitioner__user__last_name", "session__practitioner__user__username",
            "session__status",
        )
    )  # fmt: skip
    for at, first, last, patient_id, staff_first, staff_last, username, status in rows.iterator(
        chunk_size=2000
    ):
        practitioner = f"{staff_first} {staff_last}".strip() or username
        yield at, f"{first} {last}", patient_id, practitioner, str(labels.get(status, status))


def recalled_patient_ids(lot: Lot) -> list[int]:
    """The patients whose sessions used ``lot``, each once."""
    return list(
        Procedure.objects.filter(lot=lot)
        .values_list("session__patient_id", flat=True)
        .distinct()
        .order_by("session__patient_id")
    )
