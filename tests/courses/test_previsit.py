"""The patient's answers before a visit (issue #17): kept, judged, and clearing nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses import session_day
from courses.board import board_rows, sessions_of_day
from courses.models import SessionStatus
from courses.previsit import PrevisitError, record_previsit_answers
from courses.rescheduling import cancel_session
from courses.selectors import latest_previsit
from patients.models import RecordSource, Screening
from tests.factories import ClinicFactory


@pytest.fixture
def first(book):
    ClinicFactory(previsit_window_hours=48)
    return book(sessions_planned=4).sessions.order_by("arrives_at").first()


@pytest.fixture
def link(db):
    return system_actor(SystemActor.PATIENT_LINK)


def answer(session, link, yes=(), now=None):
    return record_previsit_answers(session=session, yes=list(yes), actor=link, now=now)


def test_answers_are_a_patient_reported_screening_of_the_session(first, link, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=2), tick=False)
    record = answer(first, link, ["herpes_active"])
    assert record.source == RecordSource.PATIENT
    assert record.session == first
    assert record.result == "defer"
    assert record.taken_by == link
    assert record.herpes_active
    assert record.acne_regions == []


def test_they_never_become_the_screening_that_clears_the_patient(first, link, time_machine):
    patient = first.course.patient
    staff_screening = patient.latest_screening
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    answer(first, link)  # all "no": clear
    patient.refresh_from_db()
    assert patient.latest_screening == staff_screening
    # on the day, the practitioner must still screen: a clear answer from home is not it
    time_machine.move_to(first.arrives_at + timedelta(minutes=5), tick=False)
    with pytest.raises(session_day.SessionDayError) as refused:
        session_day.check_in(session=first, actor=first.practitioner.user)
    assert "re-confirmed on the day" in refused.value.message


def test_answering_twice_keeps_both_and_the_latest_counts(first, link, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=20), tick=False)
    earlier = answer(first, link, ["acne_active"])
    time_machine.shift(timedelta(hours=1))
    later = answer(first, link)
    assert Screening.objects.filter(session=first).count() == 2
    assert latest_previsit([first.pk]) == {first.pk: later}
    assert earlier.result == "defer"
    assert later.result == "clear"


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        (timedelta(hours=-48, seconds=-1), "too_early"),
        (timedelta(0), "started"),
        (timedelta(hours=3), "started"),
    ],
)
def test_outside_the_window_nothing_is_saved(first, link, time_machine, offset, code):
    time_machine.move_to(first.arrives_at + offset, tick=False)
    with pytest.raises(PrevisitError) as refused:
        answer(first, link, ["herpes_active"])
    assert refused.value.code == code
    assert not Screening.objects.filter(source=RecordSource.PATIENT).exists()


def test_the_window_opens_exactly_at_its_hours(first, link, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=48), tick=False)
    assert answer(first, link).result == "clear"


def test_a_cancelled_session_takes_no_answers(first, link, time_machine):
    cancel_session(session=first, reason="ill", actor=first.practitioner.user)
    first.refresh_from_db()
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    with pytest.raises(PrevisitError) as refused:
        answer(first, link)
    assert refused.value.code == "closed"


def test_only_the_patients_link_answers(first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    with pytest.raises(PermissionDenied):
        answer(first, first.practitioner.user)


def test_the_board_flags_a_deferral_for_clinicians(first, link, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    answer(first, link, ["herpes_active"])
    rows = board_rows(
        sessions_of_day(timezone.localdate(), None), now=timezone.now(), clinic=Clinic.current()
    )
    (row,) = [r for r in rows if r.session.pk == first.pk]
    assert row.previsit_alert
    assert row.previsit.result == "defer"


def test_check_in_shows_the_answers_and_their_time(first, link, time_machine, client):
    time_machine.move_to(first.arrives_at - timedelta(hours=3), tick=False)
    answer(first, link, ["acne_active"])
    time_machine.move_to(first.arrives_at, tick=False)
    client.force_login(first.practitioner.user)
    html = client.get(reverse("courses:session_day", args=[first.pk])).content.decode()
    assert 'data-testid="previsit-answers" data-result="defer"' in html
    assert "Inflammatory elements (active acne) in the area" in html
    local = timezone.localtime(first.arrives_at - timedelta(hours=3))
    assert local.strftime("%H:%M") in html
    assert "confirm with your own screening today" in html
    assert 'data-testid="checkin-consent"' in html
    assert 'data-method="witnessed"' in html


def test_check_in_says_when_the_patient_did_not_answer(first, client, time_machine):
    time_machine.move_to(first.arrives_at, tick=False)
    client.force_login(first.practitioner.user)
    html = client.get(reverse("courses:session_day", args=[first.pk])).content.decode()
    assert 'data-testid="previsit-none"' in html
    assert first.status == SessionStatus.SCHEDULED
