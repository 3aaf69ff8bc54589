"""The course page on a phone (390x844) in Chromium, in English and Russian (issue #17):
answer the questions before a visit, and sign the consent typed or drawn.

Asserted through data-testid (the Russian catalogue comes separately)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import ConsentMethod, Patient, ProcedureConsent, RecordSource, Screening
from patients.signature import drawing_problem
from reminders import links
from tests.factories import ClinicFactory, InformationSheetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def course_page(book, page, time_machine):
    """A booked course whose patient reads ``language``, with a sheet in it they have not
    signed, opened on a phone five hours before session 1."""

    def open_as(language):
        ClinicFactory(previsit_window_hours=48)
        course = book(sessions_planned=4)
        Patient.objects.filter(pk=course.patient_id).update(language=language)
        InformationSheetFactory(
            version="2026-02",
            language=language,
            title={"en": "Microneedling", "ru": "Микронидлинг"}[language],
            text={"en": "Redness may follow.", "ru": "Возможно покраснение."}[language],
            published_on=timezone.localdate() - timedelta(days=1),
        )
        first = course.sessions.order_by("arrives_at").first()
        time_machine.move_to(first.arrives_at - timedelta(hours=5), tick=False)
        page.set_viewport_size(PHONE)
        token = links.course_token(course.pk, course.patient_id, course.patient_link_version)
        page.goto(reverse("portal:course", args=[token]))
        expect(page.locator("html")).to_have_attribute("lang", language)
        return course

    return open_as


@pytest.mark.parametrize("language", ["en", "ru"])
def test_patient_answers_the_questions_before_the_visit(page, course_page, language):
    course = course_page(language)
    questions = page.get_by_test_id("previsit-1")
    expect(questions).to_be_visible()
    for code in ("herpes_active", "acne_active", "anticoagulants", "eczema_psoriasis", "warts"):
        answer = "yes" if code == "herpes_active" else "no"
        questions.locator(f'input[name="{code}"][value="{answer}"]').check()
    questions.get_by_test_id("previsit-submit").click()
    result = page.get_by_test_id("previsit-result")
    expect(result).to_have_attribute("data-result", "defer")
    move = page.get_by_test_id("previsit-move")
    expect(move).to_have_attribute("href", "#session-1")
    expect(page.get_by_test_id("previsit-cancel")).to_be_visible()
    record = Screening.objects.get(source=RecordSource.PATIENT)
    assert record.herpes_active
    assert record.session == course.sessions.order_by("arrives_at").first()
    move.click()
    expect(page.locator("#session-1")).to_be_in_viewport()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_patient_signs_consent_with_a_typed_name(page, course_page, language):
    course = course_page(language)
    form = page.get_by_test_id("consent-form")
    expect(page.get_by_test_id("consent-sheet")).to_contain_text(
        {"en": "Redness may follow.", "ru": "Возможно покраснение."}[language]
    )
    expect(form.get_by_test_id("signature-pad")).to_be_hidden()  # typed is the default
    form.locator('input[name="typed_name"]').fill("Анна Иванова")
    form.locator('input[name="agree"]').check()
    form.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("consent-done")).to_be_visible()
    consent = ProcedureConsent.objects.get(source=RecordSource.PATIENT)
    assert consent.patient_id == course.patient_id
    assert consent.method == ConsentMethod.TYPED
    assert consent.signature_name == "Анна Иванова"
    assert consent.sheet.language == language


@pytest.mark.parametrize("language", ["en", "ru"])
def test_patient_signs_consent_with_a_drawing(page, course_page, language):
    course_page(language)
    form = page.get_by_test_id("consent-form")
    form.locator('input[name="method"][value="drawn"]').check()
    pad = form.get_by_test_id("signature-pad")
    expect(pad).to_be_visible()
    expect(form.locator('input[name="typed_name"]')).to_be_hidden()
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box["width"] <= PHONE["width"]  # the pad fits the phone
    page.mouse.move(box["x"] + 10, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 10 + step * box["width"] / 14,
            box["y"] + box["height"] * (0.3 if step % 2 else 0.7),
            steps=3,
        )
    page.mouse.up()
    expect(form.locator('input[name="drawing"]')).not_to_have_value("")
    form.locator('input[name="agree"]').check()
    form.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("consent-done")).to_be_visible()
    consent = ProcedureConsent.objects.get(source=RecordSource.PATIENT)
    assert consent.method == ConsentMethod.DRAWN
    assert drawing_problem(consent.signature_drawing) is None
    assert consent.signature_drawing.startswith("M")
