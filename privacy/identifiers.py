"""The patient's identifiers as they may appear in text: names, contact details, birth date.

Used to sweep the columns erasure keeps (and JSON) and, in the tests, to scan the whole
database and the media folder after an erasure.
"""

from __future__ import annotations

import re
from datetime import date

import phonenumbers

from patients.models import Patient

SHORTEST = 3  # shorter words are not swept: they would match inside ordinary words
PHONE_FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
)
# The birth date as ISO and as the app and its languages write it ("j M Y", "d.m.Y" ...).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%d %b %Y", "%d %B %Y")


def birth_date_texts(born: date) -> list[str]:
    texts = {born.strftime(f) for f in DATE_FORMATS}
    texts |= {f"{born.day} {born:%b %Y}", f"{born.day} {born:%B %Y}"}
    texts.add(f"{born:%B} {born.day}, {born.year}")
    return sorted(texts)


def phone_texts(patient: Patient) -> list[str]:
    phone = patient.phone
    if not isinstance(phone, phonenumbers.PhoneNumber):
        return [str(phone)] if phone else []
    texts = {phonenumbers.format_number(phone, f) for f in PHONE_FORMATS}
    texts.add(str(phone.national_number))
    if phone.raw_input:
        texts.add(phone.raw_input)
    return sorted(texts)


def identifiers(patient: Patient) -> list[str]:
    """Every text that identifies the patient, longest first (the full name before a name)."""
    found = {patient.first_name, patient.last_name, patient.full_name, patient.email,
             patient.guardian_name, patient.notes.strip(), *phone_texts(patient)}  # fmt: skip
    if patient.date_of_birth:
        found.update(birth_date_texts(patient.date_of_birth))
    return sorted((t.strip() for t in found if len(t.strip()) >= SHORTEST), key=len, reverse=True)


def sweeper(texts: list[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``texts`` as whole words, case-insensitively."""
    if not texts:
        return None
    words = "|".join(re.escape(t) for t in texts)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
