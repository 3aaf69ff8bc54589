"""The course page's questions before a visit and its consent (issue #17), through the views:
window edges on a frozen clock, tampered input, null bytes, oversized drawings, double submits."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import (
    ConsentMethod,
    InformationSheet,
    Patient,
    ProcedureConsent,
    RecordSource,
    Screening,
)
from patients.signature import MAX_DRAWING_CHARS
from portal.forms import PREVISIT_QUESTIONS
from reminders import links
from tests.factories import ClinicFactory, InformationSheetFactory

DRAWING = "M10 10 L20 20 L30 25 M100 50 L120 60 L140 70"


@pytest.fixture
def course(book):
    ClinicFactory(phone="+44 20 7946 0000", previsit_window_hours=48)
    return book(sessions_planned=4)


@pytest.fixture
def first(course):
    return course.sessions.order_by("arrives_at").first()


def token(course):
    return links.course_token(course.pk, course.patient_id, course.patient_link_version)


def page_url(course):
    return reverse("portal:course", args=[token(course)])


def previsit_url(course, ordinal=1):
    return reverse("portal:previsit", args=[token(course), ordinal])


def answers(**yes):
    return {code: "yes" if yes.get(code) else "no" for code in PREVISIT_QUESTIONS}


def patient_screenings():
    return Screening.objects.filter(source=RecordSource.PATIENT)


# --- Before the visit -----------------------------------------------------------------


def test_the_questions_open_exactly_48_hours_before(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=48, seconds=1), tick=False)
    html = client.get(page_url(course)).content.decode()
    assert 'data-testid="previsit-1"' not in html
    assert 'data-testid="previsit-later"' in html
    time_machine.move_to(first.arrives_at - timedelta(hours=48), tick=False)
    html = client.get(page_url(course)).content.decode()
    assert 'data-testid="previsit-1"' in html
    assert 'data-testid="previsit-2"' not in html  # only sessions within the window


def test_answers_are_kept_and_the_page_shows_the_result(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=5), tick=False)
    response = client.post(previsit_url(course), answers())
    assert response.status_code == 302
    assert response["Location"].endswith("#before-visit-1")
    record = patient_screenings().get()
    assert (record.session_id, record.result) == (first.pk, "clear")
    html = client.get(page_url(course)).content.decode()
    assert 'data-testid="previsit-result" data-result="clear"' in html


def test_a_cold_sore_offers_to_move_or_cancel_the_session(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=5), tick=False)
    client.post(previsit_url(course), answers(herpes_active=True))
    html = client.get(page_url(course)).content.decode()
    assert 'data-result="defer"' in html
    assert 'href="#session-1" data-testid="previsit-move"' in html
    assert 'data-testid="previsit-cancel"' in html
    Patient.objects.get(pk=course.patient_id)  # still there, and still not cleared by this
    assert course.patient.latest_screening.source == RecordSource.STAFF


@pytest.mark.parametrize(
    ("offset", "status"),
    [
        (timedelta(hours=-48, seconds=-1), 409),  # too early
        (timedelta(0), 409),  # the session has started
        (timedelta(days=2), 409),  # past
    ],
)
def test_outside_the_window_a_post_is_refused_with_the_reason(
    client, course, first, time_machine, offset, status
):
    time_machine.move_to(first.arrives_at + offset, tick=False)
    response = client.post(previsit_url(course), answers())
    assert response.status_code == status
    assert 'data-testid="page-error"' in response.content.decode()
    assert not patient_screenings().exists()


def test_a_cancelled_session_refuses_answers(client, course, first, time_machine):
    first.status = "cancelled"
    first.save(update_fields=["status"])
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    response = client.post(previsit_url(course), answers())
    assert response.status_code == 409
    assert not patient_screenings().exists()


def test_an_unknown_session_number_is_refused(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    for ordinal in (0, 5, 10**30):
        response = client.post(previsit_url(course, ordinal), answers())
        assert response.status_code == 404
    assert not patient_screenings().exists()


@pytest.mark.parametrize(
    "data",
    [
        {},  # nothing answered
        {**answers(), "herpes_active": "maybe"},
        {**answers(), "herpes_active": "no\x00"},
        {**answers(), "warts": ""},
        {k: v for k, v in answers().items() if k != "anticoagulants"},
    ],
)
def test_tampered_answers_are_refused_and_nothing_saved(client, course, first, time_machine, data):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    response = client.post(previsit_url(course), data)
    assert response.status_code == 400
    assert 'data-testid="previsit-errors"' in response.content.decode()
    assert not patient_screenings().exists()


def test_an_extra_field_cannot_answer_a_staff_question(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    client.post(previsit_url(course), {**answers(), "rosacea": "yes", "keloid_tendency": "yes"})
    record = patient_screenings().get()
    assert not record.rosacea
    assert not record.keloid_tendency


def test_a_tampered_link_changes_nothing(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    response = client.post(reverse("portal:previsit", args=["forged", 1]), answers())
    assert response.status_code == 400
    assert not patient_screenings().exists()


def test_a_double_submit_keeps_both_and_the_latest_counts(client, course, first, time_machine):
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    client.post(previsit_url(course), answers(warts=True))
    time_machine.shift(timedelta(seconds=1))
    client.post(previsit_url(course), answers())
    assert patient_screenings().count() == 2
    html = client.get(page_url(course)).content.decode()
    assert 'data-result="clear"' in html


def test_get_is_not_allowed(client, course):
    assert client.get(previsit_url(course)).status_code == 405
    assert client.get(reverse("portal:consent", args=[token(course)])).status_code == 405


# --- Consent --------------------------------------------------------------------------


@pytest.fixture
def unconsented(course):
    """The course's patient reads Russian and has no consent on the Russian sheet."""
    sheet = InformationSheetFactory(
        version="2026-01",
        language="ru",
        title="Микронидлинг: информация для пациента",
        text="Возможны покраснение и отёк.",
        published_on=timezone.localdate() - timedelta(days=3),
    )
    Patient.objects.filter(pk=course.patient_id).update(language="ru")
    return sheet


def consent_url(course):
    return reverse("portal:consent", args=[token(course)])


def consent_data(shown_sheet, **overrides):
    sheet = shown_sheet
    data = {
        "sheet": sheet.pk,
        "shown": sheet.text_sha256,
        "method": "typed",
        "typed_name": "Анна Иванова",
        "drawing": "",
        "agree": "on",
    }
    data.update(overrides)
    return data


def online_consents():
    return ProcedureConsent.objects.filter(source=RecordSource.PATIENT)


def test_the_page_asks_for_consent_on_the_sheet_in_the_patients_language(
    client, course, unconsented
):
    html = client.get(page_url(course)).content.decode()
    assert 'data-testid="consent-form"' in html
    assert "Возможны покраснение и отёк." in html
    assert f'value="{unconsented.text_sha256}"' in html
    assert 'lang="ru"' in html
    assert "js/signature.js" in html


def test_no_consent_asked_when_current(client, course):
    html = client.get(page_url(course)).content.decode()
    assert 'data-testid="consent-form"' not in html
    assert 'data-testid="consent-done"' in html
    assert "js/signature.js" not in html


def test_typed_consent_is_recorded_from_the_link(client, course, unconsented):
    response = client.post(consent_url(course), consent_data(unconsented))
    assert response.status_code == 302
    assert response["Location"].endswith("#consent")
    consent = online_consents().get()
    assert consent.method == ConsentMethod.TYPED
    assert consent.signature_name == "Анна Иванова"
    assert consent.sheet == unconsented
    assert consent.text_sha256 == unconsented.text_sha256
    assert consent.witnessed_by.username == "system-patient-link"
    html = client.get(page_url(course)).content.decode()
    assert 'data-testid="consent-done"' in html


def test_drawn_consent_is_recorded(client, course, unconsented):
    data = consent_data(unconsented, method="drawn", typed_name="ignored", drawing=DRAWING)
    assert client.post(consent_url(course), data).status_code == 302
    consent = online_consents().get()
    assert consent.method == ConsentMethod.DRAWN
    assert consent.signature_drawing == DRAWING
    assert consent.signature_name == ""


@pytest.mark.parametrize(
    "overrides",
    [
        {"agree": ""},
        {"typed_name": ""},
        {"typed_name": "Анна\x00Иванова"},
        {"method": "witnessed"},
        {"method": "drawn", "drawing": ""},
        {"method": "drawn", "drawing": "M1 1 L2 2 L3 3 L4 4 L5 5\x00"},
        {"method": "drawn", "drawing": '"/><script>alert(1)</script>'},
        {"method": "drawn", "drawing": "M1 1" + " L2 2" * (MAX_DRAWING_CHARS // 5)},
        {"method": "drawn", "drawing": "data:image/png;base64,iVBORw0KGgo="},
        {"shown": "0" * 63},
        {"shown": "g" * 64},
        {"sheet": "abc"},
        {"sheet": "99999999999999999999"},
    ],
)
def test_bad_consent_input_is_refused_and_nothing_saved(client, course, unconsented, overrides):
    response = client.post(consent_url(course), consent_data(unconsented, **overrides))
    assert response.status_code == 400
    assert not online_consents().exists()


def test_a_far_oversized_drawing_is_refused(client, course, unconsented):
    huge = "M1 1" + " L2 2" * 400_000  # 2 MB: past Django's upload limit
    response = client.post(
        consent_url(course), consent_data(unconsented, method="drawn", drawing=huge)
    )
    assert response.status_code == 400
    assert not online_consents().exists()


def test_a_sheet_changed_since_the_page_was_shown_is_refused(client, course, unconsented):
    data = consent_data(unconsented)
    InformationSheet.objects.filter(pk=unconsented.pk).update(text="Changed.")
    response = client.post(consent_url(course), data)
    assert response.status_code == 409
    assert 'data-testid="page-error"' in response.content.decode()
    assert not online_consents().exists()


def test_another_languages_sheet_is_refused(client, course, unconsented):
    english = InformationSheet.objects.get(language="en")
    response = client.post(consent_url(course), consent_data(english))
    assert response.status_code == 409
    assert not online_consents().exists()


def test_a_double_submit_keeps_one_consent(client, course, unconsented):
    assert client.post(consent_url(course), consent_data(unconsented)).status_code == 302
    again = client.post(consent_url(course), consent_data(unconsented, typed_name="Other Name"))
    assert again.status_code == 302
    assert online_consents().get().signature_name == "Анна Иванова"


def test_the_practitioner_sees_the_drawn_consent_on_the_patient_page(
    client, course, unconsented, practitioner
):
    data = consent_data(unconsented, method="drawn", drawing=DRAWING)
    client.post(consent_url(course), data)
    client.force_login(practitioner.user)
    html = client.get(reverse("patients:detail", args=[course.patient_id])).content.decode()
    assert 'data-method="drawn"' in html
    assert f'<path d="{DRAWING}"' in html
    assert unconsented.text_sha256 in html
