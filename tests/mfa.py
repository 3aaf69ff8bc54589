"""Two-step verification for tests: an authenticator for a user, its current code, and a
signed-in session that has passed the code step (for managers and the admin)."""

from __future__ import annotations

import time

from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def add_authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator app for ``user`` (as if set up on the two-step page)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The 6-digit code the person's authenticator app shows now (or at ``at``)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"


def force_verified_login(client: Client, user: User) -> TOTPDevice:
    """``client.force_login`` plus a passed code step: the session a manager has after login.

    Users without a duty to use two steps can keep using ``force_login``; managers
    and admin users need this (the middleware would send them to the code step).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
