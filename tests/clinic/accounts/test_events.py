"""Authentication events reach the one signal the audit trail listens to."""

import pytest
from django.urls import reverse

from clinic.accounts.events import AuthEvent, auth_event
from tests.factories import TEST_PASSWORD
from tests.mfa import add_authenticator, current_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    seen = []

    def listen(sender, kind, user, request, detail, **kwargs):
        seen.append((kind, user.username if user else None, detail))

    auth_event.connect(listen)
    yield seen
    auth_event.disconnect(listen)


def kinds(events):
    return [kind for kind, _, _ in events]


def log_in(client, user, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def test_login_failure_lockout_and_logout_are_sent(client, staff_user, events):
    for _ in range(5):
        log_in(client, staff_user, "wrong")
    assert kinds(events)[:4] == [AuthEvent.LOGIN_FAILED] * 4
    assert sorted(kinds(events)[4:]) == [AuthEvent.LOCKED_OUT, AuthEvent.LOGIN_FAILED]
    assert events[0][1:] == (staff_user.username, {"username": staff_user.username})


def test_a_login_with_a_code_sends_login_then_verification(client, staff_user, events):
    device = add_authenticator(staff_user)
    log_in(client, staff_user)
    client.post(reverse("accounts:verify"), {"code": "000000"})
    client.post(reverse("logout"))
    log_in(client, staff_user)
    client.post(reverse("accounts:verify"), {"code": current_code(device, at=None)})
    assert kinds(events)[:3] == [AuthEvent.LOGGED_IN, AuthEvent.MFA_FAILED, AuthEvent.LOGGED_OUT]
    assert kinds(events)[3:] in (
        [AuthEvent.LOGGED_IN, AuthEvent.MFA_VERIFIED],
        [AuthEvent.LOGGED_IN, AuthEvent.MFA_FAILED],  # still backing off after the wrong code
    )


def test_a_password_change_sends_the_change_and_the_sessions_ended(client, staff_user, events):
    log_in(client, staff_user)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "another-long-passphrase-26",
            "new_password2": "another-long-passphrase-26",
        },
    )
    assert kinds(events)[-2:] == [AuthEvent.PASSWORD_CHANGED, AuthEvent.SESSIONS_ENDED]
    assert events[-1][2] == {"count": 0, "reason": "password_changed"}


def test_renewing_recovery_codes_is_sent(client, staff_user, events):
    device = add_authenticator(staff_user)
    log_in(client, staff_user)
    client.post(reverse("accounts:verify"), {"code": current_code(device)})
    client.post(reverse("accounts:recovery_codes"))
    assert kinds(events)[-1] == AuthEvent.RECOVERY_CODES
    assert events[-1][1] == staff_user.username
