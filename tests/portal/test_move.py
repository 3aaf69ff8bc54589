"""The patient's "move this session" pages: offers, the review step, the move and refusals."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import patient_moves, rescheduling
from courses.models import Session
from reminders import links
from reminders.models import Kind, OutboxMessage
from tests.factories import ClinicFactory, cleared_patient

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def course(draft, practitioner, now):
    from courses import services

    ClinicFactory(phone="+44 20 7946 0000")
    patient = cleared_patient(
        practitioner.user, reminder_channel="email", email="ada@example.com",
        email_consent_at=timezone.now(),
    )  # fmt: skip
    course = draft(patient=patient, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    course.refresh_from_db()
    return course


def token(course):
    return links.course_token(course.pk, course.patient_id, course.patient_link_version)


def move_url(course, ordinal):
    return reverse("portal:move", args=[token(course), ordinal])


def session(course, number):
    return Session.objects.select_related("course").get(course=course, number=number)


def form(s, day, at="10:00", step="review", following=None, **extra):
    data = {"step": step, "session": s.pk, "version": s.schedule_version,
            "slot": f"{day:%Y-%m-%d}T{at}", "practitioner": s.practitioner_id}  # fmt: skip
    if following is not None:
        data["following"] = following
    data.update(extra)
    return data


def test_the_course_page_has_a_move_button_per_movable_session(client, course):
    html = client.get(reverse("portal:course", args=[token(course)])).content.decode()
    for n in range(1, 5):
        assert f'data-testid="move-{n}"' in html
    assert move_url(course, 2) in html


def test_the_move_page_lists_offers_by_day_with_forms(client, course):
    response = client.get(move_url(course, 2))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="offer-day"') == len(patient_moves.patient_offers(
        session(course, 2)))  # fmt: skip
    assert "Tuesday 20 January 2026" in html
    assert "csrfmiddlewaretoken" in html


def test_the_review_shows_the_whole_new_schedule_and_changes_nothing(client, course):
    second = session(course, 2)
    offer = next(o for o in patient_moves.patient_offers(second) if o.scope == "following")
    response = client.post(move_url(course, 2), form(second, offer.day))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-moved="1"') == 3  # sessions 2, 3 and 4 move
    assert 'data-testid="confirm-move"' in html
    assert Session.objects.get(pk=second.pk).arrives_at == second.arrives_at


def test_confirming_moves_and_returns_to_the_course_page(client, course):
    second = session(course, 2)
    response = client.post(move_url(course, 2), form(second, date(2026, 1, 29), step="confirm",
                                                      following=""))  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:course", args=[token(course)]))
    moved = Session.objects.get(pk=second.pk)
    assert moved.arrives_at.astimezone(LONDON).date() == date(2026, 1, 29)
    assert OutboxMessage.objects.filter(kind=Kind.MOVED_BY_PATIENT).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="moved-done"' in page
    assert "Thursday 29 January 2026" in page


def test_a_double_submit_moves_once(client, course):
    second = session(course, 2)
    data = form(second, date(2026, 1, 29), step="confirm", following="")
    assert client.post(move_url(course, 2), data).status_code == 302
    again = client.post(move_url(course, 2), data)
    assert again.status_code == 409  # the page's version is gone: fresh offers
    assert Session.objects.get(pk=second.pk).schedule_version == 2


@pytest.mark.parametrize(
    ("day", "status", "words"),
    [
        (date(2026, 1, 19), 400, "spacing"),  # 13 days after session 1
        (date(2026, 3, 30), 400, "spacing"),
        (date(2026, 1, 24), 409, "just been taken"),  # a Saturday: no slot
    ],
)
def test_a_crafted_time_is_refused_with_the_reason(client, course, day, status, words):
    second = session(course, 2)
    response = client.post(move_url(course, 2), form(second, day, step="confirm", following=""))
    assert response.status_code == status
    assert words in response.content.decode()
    assert Session.objects.get(pk=second.pk).arrives_at == second.arrives_at


def test_past_the_cutoff_the_page_and_a_crafted_post_refuse(client, course, time_machine):
    first = session(course, 1)  # Tue 6 Jan 10:00
    time_machine.move_to("2026-01-05 12:00Z", tick=False)
    html = client.get(reverse("portal:course", args=[token(course)])).content.decode()
    assert 'data-testid="move-1"' not in html
    response = client.get(move_url(course, 1))
    assert 'data-testid="move-refusal"' in response.content.decode()
    response = client.post(move_url(course, 1), form(first, date(2026, 1, 8), step="confirm"))
    assert response.status_code == 400
    assert "hours before" in response.content.decode()
    assert Session.objects.get(pk=first.pk).arrives_at == first.arrives_at


def test_a_tampered_ordinal_or_session_is_refused(client, course):
    assert client.get(move_url(course, 9)).status_code == 404
    second, third = session(course, 2), session(course, 3)
    response = client.post(move_url(course, 2), form(third, date(2026, 1, 29), step="confirm"))
    assert response.status_code == 409
    assert Session.objects.get(pk=third.pk).arrives_at == third.arrives_at
    assert Session.objects.get(pk=second.pk).arrives_at == second.arrives_at


@pytest.mark.parametrize(
    "slot", ["", "nonsense", "2026-01-29T10:00\x00", "0001-01-01T10:00", "9999-12-31T10:00"]
)
def test_bad_input_is_a_4xx_never_a_500(client, course, slot):
    second = session(course, 2)
    data = form(second, date(2026, 1, 29), step="confirm")
    data["slot"] = slot
    response = client.post(move_url(course, 2), data)
    assert 400 <= response.status_code < 500
    assert Session.objects.get(pk=second.pk).arrives_at == second.arrives_at


def test_a_stale_page_gets_fresh_offers(client, course, practitioner):
    second = session(course, 2)
    data = form(second, date(2026, 1, 29), step="confirm", following="")
    rescheduling.reschedule_session(
        session=second, new_day=date(2026, 1, 28), new_time=second.arrives_at.astimezone(
            LONDON).time(), scope="this", reason="Clinic", actor=practitioner.user,
    )  # fmt: skip
    response = client.post(move_url(course, 2), data)
    assert response.status_code == 409
    assert 'data-testid="offer"' in response.content.decode()
    assert Session.objects.get(pk=second.pk).arrives_at.astimezone(LONDON).date() == date(
        2026, 1, 28
    )


def test_csrf_is_required(course):
    from django.test import Client

    second = session(course, 2)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(move_url(course, 2), form(second, date(2026, 1, 29), step="confirm"))
    assert response.status_code == 403
    assert Session.objects.get(pk=second.pk).schedule_version == 1


def test_offers_show_in_the_patients_time_zone_and_language(client, course):
    patient = course.patient
    patient.time_zone, patient.language = "America/New_York", "ru"
    patient.save(update_fields=["time_zone", "language"])
    html = client.get(move_url(course, 2)).content.decode()
    assert '<html lang="ru">' in html
    first = patient_moves.patient_offers(session(course, 2))[0]
    assert f"{first.slot.arrives_at.astimezone(ZoneInfo('America/New_York')):%H:%M}" in html
    assert timedelta(0) < first.slot.arrives_at - timezone.now()
