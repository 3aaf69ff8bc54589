"""Two-step verification and the lockout, in the browser (headless Chromium)."""

import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import services
from clinic.permissions import MANAGER as MANAGER_GROUP
from tests.browser import log_in
from tests.factories import TEST_PASSWORD, UserFactory
from tests.mfa import add_authenticator, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_up_two_step_verification_then_logs_in_with_a_code(page):
    manager = UserFactory(username="maya", first_name="Maya", last_name="Lind")
    manager.groups.add(Group.objects.get_or_create(name=MANAGER_GROUP)[0])
    log_in(page, "maya", TEST_PASSWORD)
    page.wait_for_url("**/account/two-step/**")
    assert page.get_by_test_id("qr-code").locator("svg").is_visible()
    page.goto("/patients/")  # nothing else opens before setup
    page.wait_for_url("**/account/two-step/**")

    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    app = TOTPDevice(key=b32decode(secret).hex())  # what the phone's app computes
    page.get_by_label("Code").fill(current_code(app))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/account/two-step/recovery-codes/")
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")

    log_in(page, "maya", TEST_PASSWORD)
    page.wait_for_url("**/account/verify/**")
    page.get_by_label("Code").fill(current_code(app, at=time.time() + 30))  # the next code
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
    assert page.get_by_test_id("current-user").inner_text() == "Maya Lind"


def test_a_recovery_code_logs_in_when_the_phone_is_lost(page):
    user = UserFactory(username="lena", first_name="Lena", last_name="Roth")
    add_authenticator(user)
    codes = services.renew_recovery_codes(actor=user)
    log_in(page, "lena", TEST_PASSWORD)
    page.wait_for_url("**/account/verify/**")
    page.get_by_label("Code").fill(codes[3])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
    assert page.get_by_text("You used a recovery code: 9 are left").is_visible()
    assert page.get_by_test_id("current-user").inner_text() == "Lena Roth"


def test_five_failed_logins_lock_the_account_and_the_page_says_for_how_long(page):
    UserFactory(username="olga")
    for _ in range(5):
        log_in(page, "olga", "not-the-password")
        page.wait_for_load_state()
    log_in(page, "olga", TEST_PASSWORD)
    message = page.get_by_test_id("locked-out")
    assert "Too many failed attempts" in message.inner_text()
    assert "blocked for 15 minutes" in message.inner_text()
    assert "/login/" in page.url
