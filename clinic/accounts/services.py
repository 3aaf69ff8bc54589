"""Writes of staff sign-in: authenticators, recovery codes, and signed-in sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import StaffPreferences, StaffSession
from clinic.actors import Actor
from clinic.permissions import require

OWN_ACCOUNT = "accounts.own_account"  # each write here: the actor's own sign-in
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a typed code: the device it matched, or why not."""

    device: Device | None
    method: str  # "totp" or "recovery_code"
    locked_until: datetime | None = None  # django-otp's back-off after wrong codes


def _normalise_code(code: str) -> str:
    """Spaces and dashes dropped, lower case: "1234 56" and "ABCD-EFGH" read as typed apart."""
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def start_enrolment(*, actor: Actor) -> TOTPDevice:
    """The person's authenticator waiting to be confirmed, made on first call (kept until then).

    A confirmed one stays in force until a new one is confirmed, so opening the
    page cannot lock anyone out.
    """
    require(actor, OWN_ACCOUNT)
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=actor, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def confirm_authenticator(*, device_id: int, code: str, actor: Actor) -> list[str] | None:
    """Confirm the pending authenticator with a code from it: it replaces any earlier one and
    comes with new recovery codes (returned, to show once). ``None`` for a wrong code (counted
    by django-otp's back-off) or no pending authenticator."""
    require(actor, OWN_ACCOUNT)
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=actor, confirmed=False)
        .first()
    )
    if device is None or not device.verify_token(_normalise_code(code)):
        return None
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return _replace_recovery_codes(actor)


@transaction.atomic
def renew_recovery_codes(*, actor: Actor) -> list[str]:
    """Ten new single-use recovery codes; the earlier ones stop working at once."""
    require(actor, OWN_ACCOUNT)
    return _replace_recovery_codes(actor)


def _replace_recovery_codes(user: Actor) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def check_code(*, code: str, actor: Actor) -> CodeCheck:
    """A code from the authenticator app (6 digits) or a recovery code (used up when it matches).

    Each device backs off after wrong codes (django-otp: 1, 2, 4, 8... seconds);
    while it does, no code is tried and ``locked_until`` says until when.
    """
    require(actor, OWN_ACCOUNT)
    typed = _normalise_code(code)
    method = "totp" if typed.isdigit() and len(typed) == 6 else "recovery_code"
    model: type[Device] = TOTPDevice if method == "totp" else StaticDevice
    for device in model.objects.select_for_update().filter(user=actor, confirmed=True):
        allowed, why = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(None, method, (why or {}).get("locked_until"))
        if device.verify_token(typed):
            return CodeCheck(device, method)
    return CodeCheck(None, method)


@transaction.atomic
def record_activity(*, session_key: str, browser: str, now: datetime, actor: Actor) -> StaffSession:
    """Note that this signed-in session was used now (its row made on first use)."""
    require(actor, OWN_ACCOUNT)
    row, created = StaffSession.objects.get_or_create(
        session_key=session_key,
        defaults={"user": actor, "started_at": now, "last_seen_at": now, "browser": browser},
    )
    if not created and row.user_id == actor.pk:
        row.last_seen_at = now
        row.save(update_fields=["last_seen_at"])
    return row


@transaction.atomic
def end_sessions(*, actor: Actor, keep: SessionBase | None = None) -> int:
    """End every signed-in session of ``actor`` but ``keep`` (the current one); how many ended.

    Their session rows go, so the next request from those browsers is anonymous
    and lands on the login page.
    """
    require(actor, OWN_ACCOUNT)
    rows = StaffSession.objects.filter(user=actor)
    if keep is not None and keep.session_key:
        rows = rows.exclude(session_key=keep.session_key)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _delete_session(key)
    rows.delete()
    return len(keys)


@transaction.atomic
def move_session(*, old_key: str, new_key: str, actor: Actor) -> None:
    """Keep a session's row when Django gives the session a new key (password change)."""
    require(actor, OWN_ACCOUNT)
    StaffSession.objects.filter(session_key=old_key, user=actor).update(session_key=new_key)


@transaction.atomic
def forget_session(*, session_key: str, actor: Actor) -> None:
    """Drop the row of a session that ended (logged out or expired)."""
    require(actor, OWN_ACCOUNT)
    StaffSession.objects.filter(session_key=session_key, user=actor).delete()


@transaction.atomic
def end_one_session(*, session_id: int, actor: Actor) -> bool:
    """End one of the actor's own signed-in sessions (another person's is refused: False)."""
    require(actor, OWN_ACCOUNT)
    row = StaffSession.objects.filter(pk=session_id, user=actor).first()
    if row is None:
        return False
    _delete_session(row.session_key)
    row.delete()
    return True


def _delete_session(session_key: str) -> None:
    """Delete a session from the configured session store, whatever its engine."""
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key).delete()


@transaction.atomic
def choose_language(*, language: str, actor: Actor) -> StaffPreferences:
    """Set the person's own interface language ("" for the browser's); a shipped one only."""
    require(actor, OWN_ACCOUNT)
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"{language!r} is not a shipped language")
    preferences, _ = StaffPreferences.objects.update_or_create(
        user=actor, defaults={"language": language}
    )
    return preferences
