"""Sessions: they end after the clinic's idle time and on a password change; staff see them
and can end the others."""

import pytest
from django.test import Client
from django.urls import reverse

from clinic.accounts.models import StaffSession
from tests.factories import TEST_PASSWORD, ClinicFactory

pytestmark = pytest.mark.django_db

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/604.1"


def logged_in(user, agent=CHROME):
    browser = Client(HTTP_USER_AGENT=agent)
    assert (
        browser.post(
            reverse("login"), {"username": user.username, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    return browser


def test_a_session_idle_longer_than_the_clinic_allows_is_logged_out(
    staff_user, time_machine, idle_logout
):
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    browser = logged_in(staff_user)
    assert browser.get("/").status_code == 200
    time_machine.move_to("2026-03-02 09:29Z", tick=False)
    assert browser.get("/").status_code == 200  # 29 minutes: still in
    time_machine.move_to("2026-03-02 10:00Z", tick=False)  # 31 minutes after the last click
    response = browser.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = browser.get(response["Location"]).content.decode()
    assert "You were logged out after 30 minutes without activity." in page
    assert browser.get("/").status_code == 302


def test_the_idle_time_is_the_clinics_setting(staff_user, time_machine, idle_logout):
    ClinicFactory(session_idle_minutes=10)
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    browser = logged_in(staff_user)
    browser.get("/")
    time_machine.move_to("2026-03-02 09:11Z", tick=False)
    assert browser.get("/").status_code == 302


def test_staff_see_their_sessions_with_browser_and_times(staff_user):
    desk = logged_in(staff_user)
    desk.get("/")
    phone = logged_in(staff_user, PHONE)
    phone.get("/")
    page = desk.get(reverse("accounts:account"))
    rows = page.context["sessions"]
    assert sorted(row.browser for row in rows) == ["Chrome on Linux", "Safari on iPhone"]
    assert "This browser" in page.content.decode()


def test_ending_the_other_sessions_keeps_this_one(staff_user):
    desk = logged_in(staff_user)
    desk.get("/")
    phone = logged_in(staff_user, PHONE)
    phone.get("/")
    response = desk.post(reverse("accounts:end_other_sessions"))
    assert response.status_code == 302
    assert desk.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert StaffSession.objects.filter(user=staff_user).count() == 1


def test_ending_one_other_session(staff_user):
    desk = logged_in(staff_user)
    desk.get("/")
    phone = logged_in(staff_user, PHONE)
    phone.get("/")
    row = StaffSession.objects.get(browser="Safari on iPhone")
    desk.post(reverse("accounts:end_session", args=[row.pk]))
    assert phone.get("/").status_code == 302
    assert desk.get("/").status_code == 200


def test_one_cannot_end_another_persons_session(staff_user, practitioner):
    other = logged_in(practitioner.user)
    other.get("/")
    mine = logged_in(staff_user)
    row = StaffSession.objects.get(user=practitioner.user)
    mine.post(reverse("accounts:end_session", args=[row.pk]))
    assert other.get("/").status_code == 200


def test_log_out_everywhere_ends_every_session(staff_user):
    desk = logged_in(staff_user)
    desk.get("/")
    phone = logged_in(staff_user, PHONE)
    phone.get("/")
    desk.post(reverse("accounts:end_other_sessions"), {"everywhere": "1"})
    assert desk.get("/").status_code == 302
    assert phone.get("/").status_code == 302


def test_ending_sessions_needs_a_post(staff_user):
    desk = logged_in(staff_user)
    assert desk.get(reverse("accounts:end_other_sessions")).status_code == 405


def test_a_password_change_keeps_this_session_and_ends_the_others(staff_user):
    desk = logged_in(staff_user)
    desk.get("/")
    phone = logged_in(staff_user, PHONE)
    phone.get("/")
    response = desk.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-passphrase-2026",
            "new_password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert desk.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    rows = StaffSession.objects.filter(user=staff_user)
    assert [row.session_key for row in rows] == [desk.session.session_key]


def test_a_wrong_old_password_changes_nothing(staff_user):
    desk = logged_in(staff_user)
    response = desk.post(
        reverse("accounts:password_change"),
        {
            "old_password": "nope",
            "new_password1": "x-long-pass-2026",
            "new_password2": "x-long-pass-2026",
        },
    )
    assert response.status_code == 400
    assert "Your old password was entered incorrectly" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.check_password(TEST_PASSWORD)


def test_the_menu_leads_to_the_account_page(staff_client):
    page = staff_client.get("/").content.decode()
    assert reverse("accounts:account") in page


def test_logging_out_takes_the_session_off_the_list(staff_user):
    desk = logged_in(staff_user)
    assert StaffSession.objects.filter(user=staff_user).count() == 1
    desk.post(reverse("logout"))
    assert not StaffSession.objects.filter(user=staff_user).exists()


def test_a_login_lasts_at_most_the_session_age_however_busy(staff_user, time_machine, settings):
    settings.SESSION_COOKIE_AGE = 3600
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    browser = logged_in(staff_user)
    for minute in (20, 40, 59):
        time_machine.move_to(f"2026-03-02 09:{minute:02d}Z", tick=False)
        assert browser.get("/").status_code == 200
    time_machine.move_to("2026-03-02 10:01Z", tick=False)
    assert browser.get("/").status_code == 302


def test_the_clinics_sign_in_settings_are_in_the_admin(manager_client):
    ClinicFactory()
    page = manager_client.get(reverse("admin:clinic_clinic_change", args=[1])).content.decode()
    assert 'name="mfa_required_for_all_staff"' in page
    assert 'name="session_idle_minutes"' in page
