"""The recall screen (issue #19): a lot's list is exactly the sessions that used it, its
CSV, the recall itself (audited, blocking the lot) and one message per patient and channel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Device, DeviceType, Lot, StockItem
from courses import services, session_day
from courses.models import Procedure
from patients import services as patient_services
from patients.models import Patient
from patients.screening import Answers
from reminders import content
from reminders.models import Kind, OutboxMessage
from tests.factories import LotFactory, ProductFactory, cleared_patient, staff_actor
from tests.mfa import force_verified_login
from tests.queries import queries_to_get


@pytest.fixture
def manager_page(client, manager):
    force_verified_login(client, manager)
    return client


def treated_with(lot, sessions):
    """Record ``lot`` on each session's procedure, as the session day would."""
    for session in sessions:
        Procedure.objects.create(
            session=session,
            checked_in_at=session.arrives_at,
            checked_in_by=staff_actor(),
            screening=session.patient.latest_screening,
            product=lot.product,
            lot=lot,
        )


@pytest.fixture
def used_lots(book, practitioner):
    """Two lots of one product: the first used in 3 sessions of two patients, the second in 1."""
    product = ProductFactory(name="HA serum")
    lot, other = LotFactory(product=product, number="HA-1"), LotFactory(product=product)
    first = book(sessions_planned=4)
    zoe = cleared_patient(practitioner.user, first_name="Zoe", last_name="Quinn")
    second = book(patient=zoe, sessions_planned=4)
    for patient in (first.patient, second.patient):
        patient_services.record_screening(
            patient=patient, answers=Answers(), notes="", actor=practitioner.user
        )
    one, two = first.sessions.order_by("number")[:2]
    three, four = second.sessions.order_by("number")[:2]
    treated_with(lot, [one, two, three])
    treated_with(other, [four])
    return lot, {one.pk, two.pk, three.pk}


def test_the_recall_list_is_exactly_the_sessions_that_used_the_lot(manager_page, used_lots):
    lot, sessions = used_lots
    page = manager_page.get(reverse("lot_detail", args=[lot.pk]))
    assert {session.pk for session, _ in page.context["rows"]} == sessions
    assert "3 sessions used this lot" in page.content.decode()
    csv = manager_page.get(reverse("lot_csv", args=[lot.pk])).content.decode().splitlines()
    assert csv[0] == "session day,patient,patient number,practitioner,session status"
    assert len(csv) == 1 + 3
    assert sum("Zoe Quinn" in line for line in csv) == 1


def test_the_recall_list_takes_the_same_queries_however_many_sessions(
    manager_page, used_lots, book, practitioner
):
    lot, _ = used_lots
    url = reverse("lot_detail", args=[lot.pk])
    few = queries_to_get(manager_page, url)
    for _ in range(3):
        course = book(patient=cleared_patient(practitioner.user), sessions_planned=6)
        patient_services.record_screening(
            patient=course.patient, answers=Answers(), notes="", actor=staff_actor()
        )
        treated_with(lot, course.sessions.all())
    assert queries_to_get(manager_page, url) == few
    assert queries_to_get(manager_page, reverse("lots")) == queries_to_get(
        manager_page, reverse("lots")
    )


def test_a_recall_is_kept_with_who_made_it_and_blocks_the_lot(manager_page, manager, used_lots):
    lot, _ = used_lots
    url = reverse("lot_recall", args=[lot.pk])
    refused = manager_page.post(url, {"reason": "", "confirm": "on"})
    assert refused.status_code == 400
    assert Lot.objects.get(pk=lot.pk).recalled_at is None
    page = manager_page.post(url, {"reason": "Maker's notice 12", "confirm": "on"}, follow=True)
    assert "Lot recalled" in page.content.decode()
    lot.refresh_from_db()
    assert (lot.recall_reason, lot.recalled_by) == ("Maker's notice 12", manager)
    again = manager_page.post(url, {"reason": "twice", "confirm": "on"}, follow=True)
    assert "already recalled" in again.content.decode()
    lot.refresh_from_db()
    assert lot.recall_reason == "Maker's notice 12"
    listed = manager_page.get(reverse("lots"), {"status": "recalled"}).content.decode()
    assert "HA-1" in listed


def test_patients_are_messaged_once_each_in_their_language(manager_page, used_lots):
    lot, _ = used_lots
    notify = reverse("lot_notify", args=[lot.pk])
    assert manager_page.post(notify).status_code == 400  # not recalled yet
    assert not OutboxMessage.objects.filter(kind=Kind.LOT_RECALL).exists()
    manager_page.post(reverse("lot_recall", args=[lot.pk]), {"reason": "r", "confirm": "on"})
    Patient.objects.update(email_consent_at=timezone.now())  # e-mail, as the factory chose
    Patient.objects.filter(first_name="Zoe").update(language="ru")
    page = manager_page.post(notify, follow=True).content.decode()
    assert "2 messages queued; 0 patients had been messaged before." in page
    again = manager_page.post(notify, follow=True).content.decode()
    assert "0 messages queued; 2 patients had been messaged before." in again
    messages = OutboxMessage.objects.filter(kind=Kind.LOT_RECALL)
    assert messages.count() == 2
    zoe = messages.get(patient__first_name="Zoe")
    assert content.message_language(zoe) == "ru"
    with content.written_for(zoe):
        text = content.render(zoe)
    assert "HA-1" in str(text.body if hasattr(text, "body") else text)


def test_stock_page_lists_what_to_reorder_first(manager_page):
    low = StockItem.objects.create(
        device_type=DeviceType.objects.create(
            name="Pen A", kind="pen", pen_min_mm=Decimal("0.25"), pen_max_mm=Decimal("2")
        ),
        on_hand=3,
        reorder_at=5,
    )
    StockItem.objects.create(
        device_type=DeviceType.objects.create(
            name="A roller", kind="roller", needle_mm=Decimal("0.5")
        ),
        on_hand=30,
        reorder_at=5,
    )
    page = manager_page.get(reverse("stock"))
    assert [item.pk for item in page.context["items"]][0] == low.pk
    assert "Reorder now" in page.content.decode()


def test_a_session_cannot_choose_a_lot_recalled_meanwhile(book, practitioner, time_machine):
    course = book(needle_mm=Decimal("0.5"), sessions_planned=4)
    session = course.sessions.get(number=1)
    time_machine.move_to(session.arrives_at - timedelta(minutes=5), tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    step = session_day.check_in(session=session, actor=practitioner.user)
    step = session_day.record_antiseptic_before(
        session=session, version=step.version, actor=practitioner.user
    )
    lot = LotFactory()
    device = Device.objects.create(
        device_type=DeviceType.objects.create(name="R", kind="roller", needle_mm=Decimal("0.5")),
        label="R-1",
        last_disinfected_at=timezone.now(),
    )
    from clinic.services import recall_lot

    recall_lot(lot=lot, reason="maker", actor=staff_actor())
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=session,
            version=step.version,
            product=lot.product,
            lot=lot,
            device=device,
            actor=practitioner.user,
        )
    assert error.value.code == "lot_recalled"
    _ = services  # the booking helpers come from the fixtures
