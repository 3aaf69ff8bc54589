"""Demo patients in every screening state (loaded by ``planner.demo``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from clinic.actors import Actor
from patients import screening, services
from patients.models import InformationSheet, Patient

SHEET_TEXT = """Microneedling uses a roller or pen of fine needles to make tiny punctures \
in the skin, which stimulate collagen and help applied products reach deeper layers.

What to expect: redness and swelling for a few days; with deeper needles, pinpoint \
bleeding during treatment and up to two weeks of recovery. Deep treatments use an \
anaesthetic cream applied 20 minutes beforehand.

Tell us before every session about cold sores, active acne, warts, eczema or \
psoriasis in the area, rosacea, blood-thinning medicines, or a tendency to keloid \
scars. Protect treated skin from the sun (SPF 50+) in any weather."""

# first, last, birth date, email, phone, answers, days since screening, consent
DEMO_PATIENTS = [
    ("Emma", "Clarke", date(1988, 4, 12), "emma.clarke@example.com", "+447911123401",
     screening.Answers(), 2, True),
    ("Oliver", "Bennett", date(1979, 9, 3), "oliver.bennett@example.com", "+447911123402",
     screening.Answers(herpes_active=True), 0, True),
    ("Sophie", "Turner", date(1992, 1, 27), "sophie.turner@example.com", "+447911123403",
     screening.Answers(anticoagulants=True), 1, True),
    ("Lucy", "Harris", date(1985, 6, 30), "lucy.harris@example.com", "+447911123404",
     screening.Answers(rosacea=True), 3, True),
    ("James", "Wilson", date(1990, 11, 8), "james.wilson@example.com", "+447911123405",
     screening.Answers(), 45, True),
    ("Mia", "Patel", date(1996, 2, 14), "mia.patel@example.com", "+447911123406",
     None, None, False),
    ("Grace", "Evans", None, "grace.evans@example.com", "+447911123407",
     screening.Answers(wart_regions=frozenset({"hands"})), 5, True),
    # Patients part-way through (or done with) a course: see courses.demo.DEMO_HISTORY.
    ("Hannah", "Moore", date(1983, 3, 22), "hannah.moore@example.com", "+447911123408",
     screening.Answers(), 2, True),
    ("Daniel", "Kim", date(1977, 7, 9), "daniel.kim@example.com", "+447911123409",
     screening.Answers(), 2, True),
    ("Ella", "Brown", date(1994, 10, 2), "ella.brown@example.com", "+447911123410",
     screening.Answers(), 2, True),
    ("Chloe", "Martin", date(1991, 5, 17), "chloe.martin@example.com", "+447911123411",
     screening.Answers(), 2, True),
    ("Noah", "Davies", date(1986, 12, 1), "noah.davies@example.com", "+447911123412",
     screening.Answers(), 2, True),
    ("Freya", "Wood", date(1999, 8, 25), "freya.wood@example.com", "+447911123413",
     screening.Answers(), 2, True),
    # A Russian-speaking patient with a booked course (courses.demo): her messages and
    # course page are in Russian.
    ("Ольга", "Смирнова", date(1987, 2, 19), "olga.smirnova@example.com", "+447911123414",
     screening.Answers(), 2, True),
]  # fmt: skip
# Patients who read their messages in another language than the clinic's default.
DEMO_LANGUAGES = {"olga.smirnova@example.com": "ru"}


def load_demo_patients(*, practitioner_user: Actor) -> None:
    """Create the demo information sheet and patients unless they exist."""
    now = timezone.now()
    sheet, _ = InformationSheet.objects.get_or_create(
        version="2026-01",
        defaults={"text": SHEET_TEXT, "published_on": timezone.localdate() - timedelta(days=365)},
    )
    for first, last, born, email, phone, answers, days_ago, consent in DEMO_PATIENTS:
        if Patient.objects.filter(email=email).exists():
            continue
        minor = born is None
        if born is None:  # a minor: sixteen years old today, whenever the demo is loaded
            today = timezone.localdate()
            born = today.replace(year=today.year - 16) - timedelta(days=30)
        patient = services.save_patient(
            patient=Patient(
                first_name=first,
                last_name=last,
                date_of_birth=born,
                email=email,
                phone=phone,
                guardian_name="Helen Evans" if minor else "",
                skin_sensitive=first in ("Lucy", "Emma"),
                skin_dry=first == "James",
                fitzpatrick_type=2,
                language=DEMO_LANGUAGES.get(email, "en"),
            ),
            email_consent=True,
            sms_consent=False,
            guardian_consent=minor,
            actor=practitioner_user,
            now=now - timedelta(days=60),
        )
        if consent:
            services.record_consent(patient=patient, sheet=sheet, actor=practitioner_user)
        if answers is not None and days_ago is not None:  # both or neither (DEMO_PATIENTS)
            services.record_screening(
                patient=patient,
                answers=answers,
                notes="",
                actor=practitioner_user,
                now=now - timedelta(days=days_ago),
            )
