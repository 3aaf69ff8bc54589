"""courses 0018: procedures' free-text lots become Lot rows (issue #19), and back."""

import pytest
from django.core.management import call_command
from django.db import connection

from clinic.models import Lot
from courses.models import Procedure
from tests.factories import LotFactory, ProductFactory, staff_actor

BEFORE_LOTS = ("courses", "0017_procedure_lot")


@pytest.fixture
def migrated_back_afterwards(transactional_db):
    yield
    call_command("migrate", verbosity=0)


def set_texts(texts):
    with connection.cursor() as cursor:
        for pk, text in texts.items():
            cursor.execute("UPDATE courses_procedure SET product_lot = %s WHERE id = %s",
                           [text, pk])  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_free_text_lots_become_one_lot_per_product_and_number(
    migrated_back_afterwards, book, practitioner
):
    course = book(sessions_planned=4)
    serum, gel = ProductFactory(name="Serum"), ProductFactory(name="Gel")
    known = LotFactory(product=serum, number="HA1")
    rows = []
    for session, product in zip(course.sessions.order_by("number"), [serum, serum, serum, gel],
                                strict=True):  # fmt: skip
        rows.append(Procedure.objects.create(
            session=session, checked_in_at=session.arrives_at, checked_in_by=staff_actor(),
            screening=session.patient.latest_screening, product=product,
        ).pk)  # fmt: skip
    call_command("migrate", *BEFORE_LOTS, verbosity=0)
    set_texts({rows[0]: "ha 1", rows[1]: "HA1", rows[2]: " new-7 ", rows[3]: "ha1"})
    call_command("migrate", "courses", verbosity=0)

    lots = {p.pk: p.lot for p in Procedure.objects.select_related("lot").filter(pk__in=rows)}
    assert lots[rows[0]] == lots[rows[1]] == known  # the same code, spaced and in capitals
    made = lots[rows[2]]
    first_day = Procedure.objects.get(pk=rows[2]).session.arrives_at.date()
    assert (made.product, made.number, made.expires_on, made.received_on) == (
        serum, "NEW-7", None, first_day,
    )  # fmt: skip
    assert (lots[rows[3]].product, lots[rows[3]].number) == (gel, "HA1")  # per product
    assert Lot.objects.count() == 3

    call_command("migrate", *BEFORE_LOTS, verbosity=0)  # and back: the texts again
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, product_lot FROM courses_procedure")
        texts = dict(cursor.fetchall())
    assert [texts[pk] for pk in rows] == ["HA1", "HA1", "NEW-7", "HA1"]
    assert list(Lot.objects.values_list("number", flat=True)) == ["HA1"]  # made ones go
