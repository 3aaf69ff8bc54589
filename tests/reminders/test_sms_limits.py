"""Every SMS template, in every shipped language, stays within its kind's segment limit;
a text over the clinic's limit is refused, never cut short."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinic.actors import SystemActor, system_actor
from reminders import content, links
from reminders import services as outbox
from reminders.models import DEFAULT_SMS_SEGMENTS, Kind, OutboxMessage, SmsLimit, Status
from reminders.sms_segments import count_segments

LANGUAGES = [code for code, _ in settings.LANGUAGES]
ZONE = ZoneInfo("Europe/London")
# Long but plausible: what a real clinic's texts carry.
CLINIC = SimpleNamespace(
    name="Harley Street Skin & Laser Clinic",
    phone="+44 20 7946 0958",
    address="Unit 4, 112 Harley Street\nLondon W1G 7JQ",
)
ADDRESS_LINE = "Unit 4, 112 Harley Street, London W1G 7JQ"
BASE_URL = "https://planner.harleystreetskinclinic.co.uk"


def longest_moment(language: str) -> datetime:
    """The visit time of 2027 whose words are longest in ``language`` (weekday, month)."""
    days = [datetime(2027, 1, 1, 10, 30, tzinfo=UTC) + timedelta(days=n) for n in range(365)]
    with translation.override(language):
        return max(days, key=lambda moment: len(content.when(moment, ZONE)))


def worst_case_context(language: str) -> dict[str, object]:
    moment = longest_moment(language)
    with translation.override(language):
        arrival = content.when(moment, ZONE)
        visit = {
            "arrival": arrival,
            "arrival_time": content.clock(moment, ZONE),
            "was": content.when(moment - timedelta(days=8), ZONE),
        }
        return {
            "clinic": CLINIC,
            "address_line": ADDRESS_LINE,
            "tz": ZONE.key,
            "arrival": arrival,
            "arrival_time": visit["arrival_time"],
            "cream_minutes": 45,
            "treated_day": content.day(moment, ZONE),
            "visits": [visit] * 10,
            # Two changes is the most the SMS lists one by one (more are counted).
            "moved": [visit, visit],
            "cancelled": [],
            "added": [],
            "changes": [object(), object()],
            # A recall: the lot, and the days it was used (two sessions of a course).
            "lot": "HA-2026-0001-B",
            "product": "Scalp meso-cocktail (amino acids, peptides, vitamins)",
            "treated_days": [content.day(moment, ZONE)] * 2,
            "course_url": BASE_URL
            + links.course_link(9_999_999, 9_999_999, 99).split(settings.PLANNER_BASE_URL, 1)[1],
        }


SMS_KINDS = sorted(DEFAULT_SMS_SEGMENTS)


@pytest.mark.parametrize("kind", SMS_KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sms_template_stays_within_its_kinds_limit(kind, language):
    context = worst_case_context(language)
    with translation.override(language):
        text = render_to_string(f"sms/{kind}.txt", context).strip()
    counted = count_segments(text)
    assert counted.segments <= DEFAULT_SMS_SEGMENTS[kind], (
        f"{kind} in {language}: {counted.segments} segments ({counted.units} {counted.encoding}"
        f" units), limit {DEFAULT_SMS_SEGMENTS[kind]}:\n{text}"
    )


def test_sms_texts_carry_the_course_link_not_separate_confirm_and_cancel_links():
    text = render_to_string("sms/reminder_48h.txt", worst_case_context("en"))
    assert "/p/course/" in text
    assert "/confirm/" not in text
    assert "/cancel/" not in text


def test_the_course_link_token_is_short():
    token = links.course_token(9_999_999, 9_999_999, 99)
    assert len(token) <= 40
    assert links.read_course_token(token, max_age_days=30).course_id == 9_999_999


def test_an_sms_over_the_clinics_limit_fails_saying_why_and_is_not_sent(
    book, settings, tmp_path, patient
):
    patient.reminder_channel, patient.sms_consent_at = "sms", timezone.now()
    patient.phone = "+447400123456"
    patient.save()
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    book()
    SmsLimit.objects.update_or_create(kind=Kind.COURSE_BOOKED, defaults={"max_segments": 1})
    message = OutboxMessage.objects.get(kind=Kind.COURSE_BOOKED, channel="sms")
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now(), status="queued")
    outcome = outbox.deliver(message.pk, actor=system_actor(SystemActor.REMINDERS))
    message.refresh_from_db()
    assert outcome == Status.FAILED
    assert "over the clinic's limit of 1" in message.last_error
    assert not settings.SMS_FILE_PATH.exists() or not settings.SMS_FILE_PATH.read_text()


def test_the_limits_are_seeded_and_editable(db):
    assert SmsLimit.for_kind(Kind.REMINDER_48H) == DEFAULT_SMS_SEGMENTS[Kind.REMINDER_48H]
    SmsLimit.objects.update_or_create(kind=Kind.REMINDER_48H, defaults={"max_segments": 7})
    assert SmsLimit.for_kind(Kind.REMINDER_48H) == 7
