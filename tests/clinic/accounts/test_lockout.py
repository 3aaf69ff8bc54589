"""Login throttling (django-axes): 5 failures lock an account or an address for a while."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory
from tests.mfa import add_authenticator, force_verified_login

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


WRONG = "wrong-password"


def attempt(client, username, password=WRONG, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, username, address="192.0.2.10"):
    for _ in range(5):
        attempt(client, username, address=address)


def test_four_failures_still_let_the_right_password_in(client, staff_user):
    for _ in range(4):
        assert attempt(client, staff_user.username).status_code == 200
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 302


def test_after_five_failures_even_the_right_password_is_refused_saying_how_long(client, staff_user):
    fail_five_times(client, staff_user.username)
    response = attempt(client, staff_user.username, TEST_PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed attempts" in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_another_address_too(client, staff_user):
    fail_five_times(client, staff_user.username, address="192.0.2.10")
    assert attempt(client, staff_user.username, TEST_PASSWORD, "198.51.100.20").status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_other_accounts(client):
    for number in range(5):
        attempt(client, f"guess{number}", address="192.0.2.99")
    other = UserFactory()
    assert attempt(client, other.username, TEST_PASSWORD, "192.0.2.99").status_code == 429
    assert attempt(client, other.username, TEST_PASSWORD, "192.0.2.100").status_code == 302


def test_the_lockout_ends_after_the_cool_off_time(client, staff_user, time_machine):
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    fail_five_times(client, staff_user.username)
    time_machine.move_to("2026-03-02 09:14Z", tick=False)
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 429
    time_machine.move_to("2026-03-02 09:30Z", tick=False)
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 302


def test_the_cool_off_time_is_a_setting(client, staff_user, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=40)
    fail_five_times(client, staff_user.username)
    assert "40 minutes" in attempt(client, staff_user.username, TEST_PASSWORD).content.decode()


def test_a_manager_unlocks_an_account_in_the_admin(client, staff_user, manager):
    fail_five_times(client, staff_user.username)
    rows = AccessAttempt.objects.filter(username=staff_user.username)
    assert rows.exists()
    admin = client.__class__()
    force_verified_login(admin, manager)
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )
    assert response.status_code == 302
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 302


def test_wrong_codes_at_the_code_step_count_towards_the_lockout(client, staff_user):
    add_authenticator(staff_user)
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 302
    statuses = [
        client.post(
            reverse("accounts:verify"), {"code": "000000"}, REMOTE_ADDR="192.0.2.10"
        ).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    assert "_auth_user_id" not in client.session  # logged out: the password step again
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 429


def test_passing_the_password_again_buys_no_more_guesses_at_the_code_step(client, staff_user):
    add_authenticator(staff_user)
    verify = reverse("accounts:verify")
    attempt(client, staff_user.username, TEST_PASSWORD)
    for _ in range(3):
        client.post(verify, {"code": "000000"}, REMOTE_ADDR="192.0.2.10")
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.10")
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 302
    statuses = [
        client.post(verify, {"code": "000000"}, REMOTE_ADDR="192.0.2.10").status_code
        for _ in range(2)
    ]
    assert statuses[-1] == 429
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 429


def test_successful_logins_are_left_to_the_audit_trail_not_kept_by_axes(client, staff_user):
    assert attempt(client, staff_user.username, TEST_PASSWORD).status_code == 302
    assert not AccessLog.objects.exists()
