"""Lots on the session day (issue #19): only a usable lot of the chosen product is taken,
by the service under its lock and by the page, and spare needles leave stock."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Device, DeviceType, Lot, StockItem
from courses import services, session_day
from courses.models import Procedure, Session
from patients import services as patient_services
from patients.screening import Answers
from tests.factories import LotFactory, ProductFactory, staff_actor

DAY = "2026-01-06 09:50Z"  # session 1 arrives at 10:00 London


@pytest.fixture
def session(draft, practitioner, time_machine):
    course = draft(needle_mm=Decimal("0.5"), sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    session = course.sessions.get(number=1)
    session_day.check_in(session=session, actor=practitioner.user)
    session_day.record_antiseptic_before(
        session=session, version=version(session), actor=practitioner.user
    )
    return session


def version(session):
    return Session.objects.get(pk=session.pk).procedure.version


@pytest.fixture
def device(db):
    kind = DeviceType.objects.create(name="Roller 0.5", kind="roller", needle_mm=Decimal("0.5"))
    return Device.objects.create(device_type=kind, label="R-05", last_disinfected_at=DAY)


@pytest.fixture
def product(db):
    return ProductFactory(name="HA serum")


def choose(session, product, lot, device):
    return session_day.choose_materials(
        session=session,
        version=version(session),
        product=product,
        lot=lot,
        device=device,
        actor=staff_actor(),
    )


REFUSED = {
    "expired": ({"expires_on": date(2026, 1, 5)}, "lot_expired", "expired on Mon 05 Jan 2026"),
    "recalled": ({"recalled_at": "2026-01-02T10:00Z"}, "lot_recalled", "has been recalled"),
    "unknown expiry": ({"expires_on": None}, "lot_expiry_unknown", "no expiry date on record"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_an_unusable_lot_cannot_be_chosen_and_nothing_is_saved(session, product, device, case):
    fields, code, words = REFUSED[case]
    lot = LotFactory(product=product, **fields)
    before = version(session)
    with pytest.raises(session_day.SessionDayError) as error:
        choose(session, product, lot, device)
    assert error.value.code == code
    assert words in error.value.message
    procedure = Procedure.objects.get(session=session)
    assert (procedure.version, procedure.lot, procedure.product) == (before, None, None)


def test_the_last_unit_goes_to_one_session_only(session, product, device):
    lot = LotFactory(product=product, quantity_received=1)
    choose(session, product, lot, device)
    assert Procedure.objects.get(session=session).lot == lot
    other = LotFactory(product=product)
    assert [p.code for p in lot_problems_now(lot, product)] == ["lot_used_up"]
    assert lot_problems_now(other, product) == []


def lot_problems_now(lot, product):
    from courses.lots import problems_of

    return problems_of(Lot.objects.get(pk=lot.pk), product_id=product.pk, day=timezone.localdate())


def test_another_products_lot_cannot_be_chosen(session, product, device):
    lot = LotFactory(product=ProductFactory(name="Aloe gel"))
    with pytest.raises(session_day.SessionDayError) as error:
        choose(session, product, lot, device)
    assert error.value.code == "lot_other_product"
    assert Procedure.objects.get(session=session).lot is None


def test_a_lot_expiring_on_the_sessions_day_may_be_used(session, product, device):
    lot = LotFactory(product=product, expires_on=date(2026, 1, 6))
    assert choose(session, product, lot, device).lot == lot


def test_the_page_offers_only_usable_lots_and_refuses_a_crafted_one(
    client, session, product, device, practitioner
):
    good = LotFactory(product=product, number="GOOD-1")
    expired = LotFactory(product=product, number="OLD-1", expires_on=date(2025, 12, 31))
    LotFactory(product=product, number="RECALLED-1", recalled_at=timezone.now())
    client.force_login(practitioner.user)
    page = client.get(reverse("courses:session_day", args=[session.pk])).content.decode()
    assert "GOOD-1" in page
    assert "OLD-1" not in page
    assert "RECALLED-1" not in page
    url = reverse("courses:session_step", args=[session.pk, "materials"])
    data = {
        "version": version(session),
        "product": product.pk,
        "lot": expired.pk,
        "device": device.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Lot OLD-1 expired on Wed 31 Dec 2025: it may not be used." in response.content.decode()
    assert Procedure.objects.get(session=session).lot is None
    response = client.post(url, {**data, "lot": good.pk}, follow=True)
    assert "HA serum (lot GOOD-1)" in response.content.decode()
    assert Procedure.objects.get(session=session).lot == good


def test_pen_cartridges_and_needle_changes_leave_stock(session, product):
    pen = DeviceType.objects.create(
        name="Pen",
        kind="pen",
        pen_min_mm=Decimal("0.25"),
        pen_max_mm=Decimal("2.0"),
        single_use_cartridges=True,
    )
    device = Device.objects.create(device_type=pen, label="P-1")
    stock = StockItem.objects.create(device_type=pen, on_hand=2, reorder_at=1)
    choose(session, product, LotFactory(product=product), device)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    stock.refresh_from_db()
    assert (stock.on_hand, stock.needs_reorder) == (1, True)
    session_day.record_passes(
        session=session,
        version=version(session),
        zone="chin",
        horizontal=7,
        vertical=7,
        diagonal=7,
        actor=staff_actor(),
    )
    for _ in range(2):
        session_day.record_needle_change(
            session=session, version=version(session), actor=staff_actor()
        )
    stock.refresh_from_db()
    assert stock.on_hand == -1  # more used than counted: the stock list says to count again
