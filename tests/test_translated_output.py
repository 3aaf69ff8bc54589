"""Every message and every patient page, in every shipped language, is translated.

Renders each message kind (e-mail subject, text and HTML, SMS, the .ics
summaries) and each patient page (the course page, the confirm, cancel and
unsubscribe pages, what they say when done, every link-error page) in each
language other than English, and fails on a string left in English: for any
language, a run of three English words that the English rendering has too,
or an output (such as an .ics summary) word for word the same as in English;
for Cyrillic languages also any run of three Latin-script words. Names, the
clinic's name and address, links, e-mail addresses and time zone names are
taken out first (they are the same in every language).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import StaffPreferences
from courses import rescheduling
from courses.models import Procedure
from patients import services as patient_services
from patients.screening import Answers
from reminders import channels, links, webhooks
from reminders.models import Kind, OutboxMessage
from reminders.views import LINK_ERRORS, link_error
from tests.factories import ClinicFactory, LotFactory, ProductFactory, staff_actor

STAFF_KINDS = (Kind.DAILY_AGENDA, Kind.CANCELLED_BY_PATIENT, Kind.MOVED_BY_PATIENT,
               Kind.WEBHOOK_DISABLED)  # fmt: skip
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
CYRILLIC = {"ru", "uk"}
CLINIC_NAME = "Harbour Skin Clinic"
CLINIC_ADDRESS = "12 Harbour Road\nBristol BS1 5TY"
WORD = r"[A-Za-z][A-Za-z'’]*"
LATIN_RUN = re.compile(rf"{WORD}(?:[\s,.:;!?()\-–—/]+{WORD}){{2,}}")
URL = re.compile(r"https?://\S+|mailto:\S+|\S+@\S+")
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
PHONE = re.compile(r"\+?\d[\d\s()-]{6,}\d")


def visible_text(document: str) -> str:
    """An HTML page's or e-mail's text, as read."""
    return html.unescape(TAG.sub(" ", document))


def scrub(text: str, names: list[str]) -> str:
    """The text without what stays the same in every language."""
    text = URL.sub(" ", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\b[A-Z][a-z]+/[A-Za-z_/]+\b", " ", text)  # time zones: Europe/London
    text = re.sub(r"\b[A-Z]{2,5}\b", " ", text)  # abbreviations: GMT, SPF, SMS
    return PHONE.sub(" ", text)


def runs(text: str) -> list[str]:
    return [" ".join(re.findall(WORD, run)) for run in LATIN_RUN.findall(text)]


def english_trigrams(text: str) -> set[str]:
    found = set()
    for run in runs(text):
        words = run.lower().split()
        found.update(" ".join(words[i : i + 3]) for i in range(len(words) - 2))
    return found


def untranslated(english: str, rendered: str, language: str, names: list[str]) -> list[str]:
    """The English left in ``rendered`` (the same output in ``language``)."""
    english, rendered = scrub(english, names), scrub(rendered, names)
    left = set()
    if re.search(r"[A-Za-z]{2,}", english) and english.split() == rendered.split():
        left.add("(all of it: the same as in English)")  # short outputs, e.g. .ics summaries
    if language in CYRILLIC:
        left.update(runs(rendered))
    source = english_trigrams(english)
    for run in runs(rendered):
        words = run.lower().split()
        if any(" ".join(words[i : i + 3]) in source for i in range(len(words) - 2)):
            left.add(run)
    return sorted(left)


def test_the_check_finds_english_left_in_a_translation():
    english = "Harbour Skin Clinic: see you today at 10:00 (Europe/London)."
    assert "see you today at" in untranslated(english, english, "ru", ["Harbour Skin Clinic"])
    russian = "Harbour Skin Clinic: ждём вас сегодня в 10:00 (Europe/London)."
    assert untranslated(english, russian, "ru", ["Harbour Skin Clinic"]) == []
    summary = "Harbour Skin Clinic: treatment session 1"
    assert untranslated(summary, summary, "de", ["Harbour Skin Clinic"]) != []
    german = "Harbour Skin Clinic: see you today um 10:00 (Europe/London)."
    assert untranslated(english, german, "de", ["Harbour Skin Clinic"]) == ["see you today um"]


@pytest.fixture
def world(book, practitioner, patient, time_machine) -> dict[str, object]:
    """A booked course of a patient who wants e-mail and SMS, and one message of every kind."""
    ClinicFactory(name=CLINIC_NAME, address=CLINIC_ADDRESS)
    patient.first_name, patient.last_name = "Margarita", "Vasilyeva-Thompson"
    patient.reminder_channel = "both"
    patient.email, patient.phone = "margarita@example.com", "+447400123456"
    patient.email_consent_at = patient.sms_consent_at = timezone.now()
    patient.save()
    course = book(sessions_planned=4)
    first, second, third = course.sessions.order_by("number")[:3]
    time_machine.move_to(timezone.now() + timedelta(hours=1), tick=False)
    rescheduling.cancel_session(session=third, reason="Room closed", actor=practitioner.user)
    # A recall notice (issue #19) tells of the lot the first session's procedure used.
    lot = LotFactory(product=ProductFactory(name="HA serum"), number="HA-1",
                     recalled_at=timezone.now(), recall_reason="Supplier recall")  # fmt: skip
    patient_services.record_screening(
        patient=patient, answers=Answers(), notes="", actor=practitioner.user
    )
    Procedure.objects.create(
        session=first, checked_in_at=first.arrives_at, checked_in_by=staff_actor(),
        screening=patient.latest_screening, product=lot.product, lot=lot,
    )  # fmt: skip
    made = {}
    endpoint, _ = webhooks.create_endpoint(
        name="CRM", url="https://crm.example/", events=["session.moved"], actor=staff_actor()
    )
    for kind in Kind:
        if kind == Kind.WEBHOOK:
            continue  # JSON on its own channel (ids, times, statuses): no words to translate
        for channel in ("email", "sms"):
            row = OutboxMessage.objects.filter(kind=kind, channel=channel).first()
            if row is None:
                if channel == "sms" and kind in STAFF_KINDS:
                    continue  # staff messages go by e-mail only
                staff = kind in STAFF_KINDS
                day = timezone.localtime(first.arrives_at).date().isoformat()
                row = OutboxMessage.objects.create(
                    kind=kind, channel=channel, recipient="x", due_at=timezone.now(),
                    patient=None if staff else patient, course=course,
                    session=None if kind == Kind.DAILY_AGENDA else first,
                    practitioner=practitioner, schedule_version=first.schedule_version,
                    endpoint=endpoint if kind == Kind.WEBHOOK_DISABLED else None,
                    dedupe_key=f"agenda:{practitioner.pk}:{day}" if kind == Kind.DAILY_AGENDA
                    else f"test:{kind}:{channel}",
                )  # fmt: skip
            made[(kind, channel)] = row
    names = [
        CLINIC_NAME, *CLINIC_ADDRESS.splitlines(), patient.first_name, patient.last_name,
        practitioner.user.first_name, practitioner.user.last_name, str(practitioner),
        course.area.name, course.indication.name, "SPF",
    ]  # fmt: skip
    return {
        "course": course, "patient": patient, "practitioner": practitioner, "messages": made,
        "names": [n for n in names if n], "sessions": (first, second),
    }  # fmt: skip


def rendered_messages(world: dict) -> Iterator[tuple[str, str]]:
    """(what, text) for every part of every message kind: e-mail, SMS, .ics summaries."""
    for (kind, channel), message in world["messages"].items():
        message.refresh_from_db()
        try:
            out = channels.get(channel).render(message)
        except channels.PermanentFailure as error:  # too long: the check says so itself
            yield f"{kind} sms", str(error)
            continue
        if channel == "sms":
            yield f"{kind} sms", out
            continue
        yield f"{kind} subject", out.subject
        yield f"{kind} text", out.text
        yield f"{kind} html", visible_text(out.html)
        for name, ics in (("ics", out.ics), ("cancelled ics", out.cancelled_ics)):
            if ics:
                summaries = re.findall(r"^SUMMARY:(.*)$", ics.decode(), re.M)
                yield f"{kind} {name}", " ".join(s.replace("\\", "") for s in summaries)


def patient_pages(world: dict, language: str) -> Iterator[tuple[str, str]]:
    """(what, text) for every page a patient's link opens, in the browser's ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    course, patient = world["course"], world["patient"]
    first, second = world["sessions"]
    token = links.course_token(course.pk, patient.pk, course.patient_link_version)
    yield "course page", client.get(reverse("portal:course", args=[token])).content.decode()
    for action, session in (("confirm", first), ("cancel", second)):
        url = reverse(f"reminders:{action}", args=[
            links.session_token(action, session.pk, session.schedule_version)
        ])  # fmt: skip
        yield f"{action} page", client.get(url).content.decode()
        yield f"{action} done", client.post(url).content.decode()
    url = reverse("reminders:unsubscribe", args=[links.unsubscribe_token(patient.pk, "email")])
    yield "unsubscribe page", client.get(url).content.decode()
    yield "unsubscribe done", client.post(url).content.decode()
    yield "already unsubscribed", client.get(url).content.decode()
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE=language).get("/")
    request.user = AnonymousUser()
    for reason in LINK_ERRORS:
        session = first if reason == "confirmed" else None
        page = link_error(request, reason, session=session, patient=patient)
        yield f"link error {reason}", page.content.decode()


def everything(world: dict, language: str, render: Callable) -> dict[str, str]:
    patient, practitioner = world["patient"], world["practitioner"]
    patient.language = language
    patient.save(update_fields=["language"])
    StaffPreferences.objects.update_or_create(
        user=practitioner.user, defaults={"language": language}
    )
    with transaction.atomic():  # the pages confirm, cancel, unsubscribe: undone after
        shown = {what: visible_text(text) for what, text in render(world, language)}
        transaction.set_rollback(True)
    return shown


def messages_in(world: dict, language: str) -> Iterator[tuple[str, str]]:
    return rendered_messages(world)


def assert_translated(world: dict, language: str, render: Callable) -> None:
    english = everything(world, "en", render)
    translated = everything(world, language, render)
    problems = {
        what: left
        for what, text in translated.items()
        if (left := untranslated(english.get(what, ""), text, language, world["names"]))
    }
    report = "\n".join(f"  {what}: {left[:4]}" for what, left in sorted(problems.items()))
    assert not problems, f"English left in {len(problems)} outputs ({language}):\n{report}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_kind_is_translated(world, language):
    assert_translated(world, language, messages_in)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_patient_page_is_translated(world, language):
    assert_translated(world, language, patient_pages)
