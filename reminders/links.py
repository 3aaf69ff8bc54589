"""Signed, single-purpose links for patients (no login).

A confirm or cancel link names one session and its schedule version; it stops
working when the session starts, when the session moves (new version), once
it is cancelled, and (to confirm) once confirmed. An unsubscribe link names
one patient and one channel.
"""

from __future__ import annotations

import time
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

if TYPE_CHECKING:
    from courses.models import Session
    from patients.models import Patient

SALT = "reminders.link."
SESSION_ACTIONS = ("confirm", "cancel")


class LinkError(Exception):
    """The link cannot act; ``reason`` is a key of reminders.views.LINK_ERRORS.

    ``session`` is the link's session when the answer names it (its time);
    ``patient`` the patient the link belongs to, when known (the page's language).
    """

    def __init__(
        self, reason: str, session: Session | None = None, patient: Patient | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.session = session
        self.patient = patient


@dataclass(frozen=True)
class SessionLink:
    session_id: int
    version: int


def session_token(action: str, session_id: int, version: int) -> str:
    return signing.dumps({"s": session_id, "v": version}, salt=SALT + action)


def read_session_token(action: str, token: str) -> SessionLink:
    try:
        data = signing.loads(token, salt=SALT + action)
        return SessionLink(int(data["s"]), int(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("tampered") from None


def unsubscribe_token(patient_id: int, channel: str) -> str:
    return signing.dumps({"p": patient_id, "c": channel}, salt=SALT + "unsubscribe")


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=SALT + "unsubscribe")
        return int(data["p"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError("tampered") from None


@dataclass(frozen=True)
class CourseLink:
    course_id: int
    patient_id: int
    version: int


COURSE_SALT = SALT + "course"


# A course link rides in every SMS, where a Cyrillic text has 67 characters a part: its
# token is compact (base 62 numbers, a truncated HMAC) rather than Django's signed JSON
# (some 90 characters). 16 base64 characters of HMAC-SHA256 are 96 bits: a forgery
# must be guessed online, one request at a time.
COURSE_SIGNATURE_CHARS = 16


def _course_signature(payload: str) -> str:
    digest = salted_hmac(COURSE_SALT, payload, algorithm="sha256").digest()
    return urlsafe_b64encode(digest).decode()[:COURSE_SIGNATURE_CHARS]


def course_token(course_id: int, patient_id: int, version: int) -> str:
    """The patient's course page: bound to the course, its patient and the link version.

    Carries its signing time, so it expires (the clinic's ``patient_link_days``);
    staff revoke every link of a course by raising its ``patient_link_version``.
    """
    numbers = (course_id, patient_id, version, int(time.time()))
    payload = ".".join(signing.b62_encode(n) for n in numbers)
    return f"{payload}.{_course_signature(payload)}"


def read_course_token(token: str, *, max_age_days: int | None) -> CourseLink:
    """The link's course; ``LinkError("tampered")`` or ``LinkError("link_expired")``.

    ``max_age_days=None`` reads an expired link too (to send a new one to the
    contact on file, never to show the course).
    """
    payload, _, signature = token.rpartition(".")
    if not payload or not constant_time_compare(signature, _course_signature(payload)):
        raise LinkError("tampered")
    try:
        course_id, patient_id, version, signed_at = (
            signing.b62_decode(n) for n in payload.split(".")
        )
    except ValueError:
        raise LinkError("tampered") from None
    if max_age_days is not None and time.time() - signed_at > max_age_days * 86400:
        raise LinkError("link_expired")
    return CourseLink(course_id, patient_id, version)


def course_link(course_id: int, patient_id: int, version: int) -> str:
    token = course_token(course_id, patient_id, version)
    return absolute(reverse("portal:course", args=[token]))


def absolute(path: str) -> str:
    return settings.PLANNER_BASE_URL + path


def session_link(action: str, session_id: int, version: int) -> str:
    token = session_token(action, session_id, version)
    return absolute(reverse(f"reminders:{action}", args=[token]))


def unsubscribe_link(patient_id: int, channel: str) -> str:
    return absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(patient_id, channel)]))
