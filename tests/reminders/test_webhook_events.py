"""Webhooks (issue #18): each course change becomes one delivery per endpoint taking its
event, written in the change's transaction, saying who acted and nothing clinical."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Device, DeviceType, Product
from courses import rescheduling, session_day
from courses.models import SessionStatus
from patients import services as patient_services
from patients.screening import Answers
from reminders import services as outbox
from reminders import webhooks
from reminders.models import Channel, Kind, OutboxMessage, Status, WebhookEvent
from tests.courses.test_session_day import prepare, roll_and_finish, version
from tests.factories import staff_actor

ALL = list(WebhookEvent.values)


@pytest.fixture
def endpoint(manager):
    made, _ = webhooks.create_endpoint(
        name="CRM", url="https://crm.example/hooks", events=ALL, actor=manager
    )
    return made


@pytest.fixture
def course(book, patient):
    return book(sessions_planned=4)


@pytest.fixture
def device(db):
    kind = DeviceType.objects.create(name="Roller 1.0", kind="roller", needle_mm=Decimal("1.0"))
    return Device.objects.create(
        device_type=kind, label="R-10", use_limit=2, last_disinfected_at="2026-01-01T00:00Z"
    )


@pytest.fixture
def product(db):
    return Product.objects.create(name="HA serum", texture="serum", low_molecular_weight=True)


def deliveries(event=None):
    rows = OutboxMessage.objects.filter(channel=Channel.WEBHOOK).select_related("webhook")
    if event is not None:
        rows = rows.filter(webhook__event=event)
    return list(rows.order_by("id"))


def data_of(message):
    return message.webhook.payload["data"]


def test_booking_a_course_queues_one_course_booked_delivery_due_now(endpoint, course, practitioner):
    [message] = deliveries()
    assert (message.kind, message.status, message.endpoint_id) == (
        Kind.WEBHOOK, Status.PENDING, endpoint.pk,
    )  # fmt: skip
    assert message.due_at == timezone.now()
    payload = message.webhook.payload
    assert payload["type"] == "course.booked"
    data = payload["data"]
    assert data["course"] == {
        "id": course.pk, "status": "planned", "sessions_planned": 4,
        "practitioner_id": practitioner.pk,
    }  # fmt: skip
    assert data["patient"] == {"id": course.patient_id}
    assert [s["number"] for s in data["sessions"]] == [1, 2, 3, 4]
    assert data["sessions"][0]["starts_at"] == "2026-01-06T10:00:00+00:00"
    assert data["actor"] == {"type": "staff", "user_id": practitioner.user.pk}
    assert message.webhook.delivery_id.startswith("msg_")


def test_an_endpoint_gets_only_its_events_and_none_while_off(manager, book):
    moves, _ = webhooks.create_endpoint(
        name="Moves", url="https://a.example/", events=["session.moved"], actor=manager
    )
    booked, _ = webhooks.create_endpoint(
        name="Bookings", url="https://b.example/", events=["course.booked"], actor=manager
    )
    off, _ = webhooks.create_endpoint(
        name="Off", url="https://c.example/", events=ALL, actor=manager
    )
    webhooks.switch_endpoint(endpoint=off, on=False, actor=manager)
    book(sessions_planned=4)
    assert [m.endpoint_id for m in deliveries()] == [booked.pk]
    assert moves.pk  # took nothing: no move yet


def test_a_staff_move_is_session_moved_with_the_time_it_had(endpoint, course, practitioner):
    first = course.sessions.get(number=1)
    was = first.arrives_at
    rescheduling.reschedule_session(
        session=first, new_day=timezone.localtime(was).date() + timedelta(days=2),
        new_time=timezone.localtime(was).time(), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    [message] = deliveries(WebhookEvent.SESSION_MOVED)
    data = data_of(message)
    assert data["session"]["id"] == first.pk
    assert data["session"]["starts_at"] == "2026-01-08T10:00:00+00:00"
    assert data["previous_starts_at"] == "2026-01-06T10:00:00+00:00"
    assert data["actor"] == {"type": "staff", "user_id": practitioner.user.pk}
    assert (message.session_id, message.course_id) == (first.pk, course.pk)


def test_moving_following_sessions_is_one_event_per_session(endpoint, course, practitioner):
    second = course.sessions.get(number=2)
    rescheduling.reschedule_session(
        session=second,
        new_day=timezone.localtime(second.arrives_at).date() + timedelta(days=1),
        new_time=timezone.localtime(second.arrives_at).time(), scope="following", reason="",
        actor=practitioner.user,
    )  # fmt: skip
    moved = [data_of(m)["session"]["number"] for m in deliveries(WebhookEvent.SESSION_MOVED)]
    assert sorted(moved) == [2, 3, 4]


def test_staff_cancelling_is_session_cancelled_by_staff(endpoint, course, practitioner):
    first = course.sessions.get(number=1)
    rescheduling.cancel_session(session=first, reason="ill", actor=practitioner.user)
    [message] = deliveries(WebhookEvent.SESSION_CANCELLED)
    assert data_of(message)["session"]["status"] == "cancelled"
    assert data_of(message)["actor"] == {"type": "staff", "user_id": practitioner.user.pk}


def test_the_patients_own_cancellation_is_session_cancelled_by_the_patient(endpoint, course):
    first = course.sessions.get(number=1)
    outbox.cancel_by_patient(
        session=first, version=first.schedule_version,
        actor=system_actor(SystemActor.PATIENT_LINK),
    )  # fmt: skip
    [message] = deliveries(WebhookEvent.SESSION_CANCELLED)
    assert data_of(message)["actor"] == {"type": "patient"}


def test_confirmations_by_staff_and_by_the_patients_link(endpoint, course, reception):
    first, second = course.sessions.order_by("number")[:2]
    session_day.confirm_attendance(session=first, actor=reception)
    session_day.confirm_attendance(session=second, actor=system_actor(SystemActor.PATIENT_LINK))
    actors = [
        (data_of(m)["session"]["number"], data_of(m)["session"]["status"], data_of(m)["actor"])
        for m in deliveries(WebhookEvent.SESSION_CONFIRMED)
    ]
    assert actors == [
        (1, "confirmed", {"type": "staff", "user_id": reception.pk}),
        (2, "confirmed", {"type": "patient"}),
    ]


def test_a_no_show_is_session_no_show(endpoint, course, reception, time_machine):
    first = course.sessions.get(number=1)
    time_machine.move_to(first.arrives_at + timedelta(minutes=30), tick=False)
    rescheduling.mark_no_show(session=first, actor=reception)
    [message] = deliveries(WebhookEvent.SESSION_NO_SHOW)
    assert data_of(message)["session"]["status"] == "no_show"
    assert data_of(message)["actor"] == {"type": "staff", "user_id": reception.pk}


def test_a_finished_session_is_session_done_without_its_procedure_record(
    endpoint, book, practitioner, device, product, time_machine
):
    course = book(needle_mm=Decimal("1.0"), sessions_planned=4)
    time_machine.move_to("2026-01-06 09:50Z", tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    session = course.sessions.get(number=1)
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    roll_and_finish(session)
    [message] = deliveries(WebhookEvent.SESSION_DONE)
    data = data_of(message)
    assert data["session"]["status"] == SessionStatus.COMPLETED
    assert data["actor"] == {"type": "staff", "user_id": staff_actor().pk}
    text = json.dumps(message.webhook.payload)
    for clinical in ("erythema", "forehead", "HA serum", "L-42", "R-10", "1.0", "cream"):
        assert clinical not in text


def test_no_payload_carries_a_name_contact_or_clinical_detail(
    endpoint, book, practitioner, reception, time_machine
):
    from tests.factories import cleared_patient

    patient = cleared_patient(
        practitioner.user, first_name="Zinaida", last_name="Quillfeather",
        email="zq@example.com", phone="+447400123456", notes="keloid history",
    )  # fmt: skip
    course = book(patient=patient, sessions_planned=4)
    first, second = course.sessions.order_by("number")[:2]
    session_day.confirm_attendance(session=first, actor=reception)
    rescheduling.cancel_session(session=second, reason="Quillfeather asked", actor=reception)
    texts = [json.dumps(m.webhook.payload) for m in deliveries()]
    assert len(texts) == 3
    forbidden = ["Zinaida", "Quillfeather", "zq@example.com", "7400123456", "keloid",
                 "Wrinkles", "wrinkles", "face", "needle", "0.5", "asked"]  # fmt: skip
    assert [(w, t) for t in texts for w in forbidden if w in t] == []


def test_a_change_rolled_back_leaves_no_delivery(endpoint, course, practitioner):
    from courses import events
    from tests.courses.test_events import Recorder

    first = course.sessions.get(number=1)
    before = len(deliveries())
    failing = Recorder(fail_on="session_changed")  # heard after the webhooks' listener
    events.register(failing)
    try:
        with pytest.raises(RuntimeError):
            rescheduling.cancel_session(session=first, reason="ill", actor=practitioner.user)
    finally:
        events.unregister(failing)
    assert len(deliveries()) == before
    assert not deliveries(WebhookEvent.SESSION_CANCELLED)


def test_a_message_failing_for_good_is_announced_without_its_address(endpoint, course):
    email = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED, channel="email").first()
    if email is None:  # the default patient takes no e-mail: make one failed row
        email = OutboxMessage.objects.create(
            kind=Kind.COURSE_BOOKED, channel="email", recipient="ada@example.com",
            patient=course.patient, course=course, due_at=timezone.now(), dedupe_key="t:1",
        )  # fmt: skip
    webhooks.announce_failed_message(
        message=email, actor=system_actor(SystemActor.REMINDERS), now=timezone.now()
    )
    [message] = deliveries(WebhookEvent.MESSAGE_FAILED)
    data = data_of(message)
    assert data["message"]["id"] == email.pk
    assert data["message"]["status"] == "failed"
    assert data["patient"] == {"id": course.patient_id}
    assert "ada@example.com" not in json.dumps(message.webhook.payload)
