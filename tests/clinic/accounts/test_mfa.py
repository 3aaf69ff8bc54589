"""Two-step verification: setup, the code step at login, recovery codes, who must use it."""

import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import services
from clinic.models import Clinic
from clinic.permissions import MANAGER as MANAGER_GROUP
from tests.factories import TEST_PASSWORD, ClinicFactory, UserFactory, manager_user
from tests.mfa import add_authenticator, current_code

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:mfa")
VERIFY = reverse("accounts:verify")
CODES = reverse("accounts:recovery_codes")


@pytest.fixture
def group_manager():
    user = UserFactory(username="manager-by-group")
    user.groups.add(Group.objects.get_or_create(name=MANAGER_GROUP)[0])
    return user


def log_in_with_password(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def code_from_page(response, offset=0):
    """The code an app would show after scanning the page's key (``offset`` steps later)."""
    secret = response.context["secret"].replace(" ", "")
    device = TOTPDevice(key=b32decode(secret).hex())
    return current_code(device, at=time.time() + 30 * offset)


def test_a_manager_without_an_authenticator_is_sent_to_set_one_up_after_the_password(
    client, group_manager
):
    log_in_with_password(client, group_manager)
    for url in ("/", reverse("patients:list"), reverse("admin:index"), reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url


def test_setup_page_draws_the_qr_code_itself_and_shows_the_secret(client, group_manager):
    log_in_with_password(client, group_manager)
    response = client.get(SETUP)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg width="' in page
    assert "<path" in page
    assert "<img" not in page
    assert len(response.context["secret"].replace(" ", "")) == 32
    assert response.context["secret"] in page


def test_a_wrong_setup_code_is_refused_and_nothing_is_confirmed(client, group_manager):
    log_in_with_password(client, group_manager)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=group_manager, confirmed=True).exists()
    assert client.get("/").status_code == 302


def test_setup_confirms_with_a_code_then_shows_ten_recovery_codes_once(client, group_manager):
    log_in_with_password(client, group_manager)
    page = client.get(SETUP)
    response = client.post(SETUP, {"code": code_from_page(page)})
    assert response.status_code == 302
    assert response["Location"] == CODES
    shown = client.get(CODES)
    codes = shown.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=group_manager).values_list("token", flat=True)
    )
    assert client.get(CODES).status_code == 302  # shown once only
    assert client.get("/").status_code == 200  # this session passed the code


def test_login_with_an_authenticator_asks_for_a_code_before_any_page(client, staff_user):
    device = add_authenticator(staff_user)
    log_in_with_password(client, staff_user)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": current_code(device), "next": "/patients/"})
    assert response.status_code == 302
    assert response["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_the_code_step_refuses_a_wrong_code_with_a_clear_message(client, staff_user):
    add_authenticator(staff_user)
    log_in_with_password(client, staff_user)
    response = client.post(VERIFY, {"code": "12345x"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_after_a_wrong_code_the_next_try_waits_even_with_the_right_code(client, staff_user):
    device = add_authenticator(staff_user)
    log_in_with_password(client, staff_user)
    assert client.post(VERIFY, {"code": "000000"}).status_code == 400
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 429
    assert "Too many wrong codes: wait" in response.content.decode()


def test_a_recovery_code_logs_in_once(client, staff_user):
    add_authenticator(staff_user)
    codes = services.renew_recovery_codes(actor=staff_user)
    log_in_with_password(client, staff_user)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "9 are left" in response.content.decode()
    client.logout()
    log_in_with_password(client, staff_user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_new_recovery_codes_void_the_old_ones(client, staff_user):
    device = add_authenticator(staff_user)
    old = services.renew_recovery_codes(actor=staff_user)
    log_in_with_password(client, staff_user)
    client.post(VERIFY, {"code": current_code(device)})
    assert client.post(CODES).status_code == 302
    new = client.get(CODES).context["codes"]
    assert not set(old) & set(new)
    assert not StaticToken.objects.filter(token__in=old).exists()


def test_setup_pages_stay_closed_until_the_code_step_is_passed(client, staff_user):
    add_authenticator(staff_user)
    log_in_with_password(client, staff_user)
    assert client.get(SETUP)["Location"] == VERIFY  # no new authenticator behind its back
    assert client.post(CODES).status_code == 302
    assert not StaticToken.objects.exists()


def test_staff_without_the_duty_need_no_second_step(client, staff_user):
    log_in_with_password(client, staff_user)
    assert client.get("/").status_code == 200


def test_the_clinic_setting_requires_two_steps_of_all_staff(client, staff_user):
    ClinicFactory(mfa_required_for_all_staff=True)
    log_in_with_password(client, staff_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert Clinic.current().mfa_required_for_all_staff


def test_the_admin_refuses_a_session_that_has_not_passed_the_code_step(client, db):
    client.force_login(manager_user())  # the admin is the managers' (clinic.permissions)
    response = client.get(reverse("admin:clinic_clinic_changelist"), follow=True)
    # A manager without an authenticator is sent to set one up, not into the admin.
    assert response.redirect_chain[0][1] == 302
    assert response.request["PATH_INFO"] == SETUP
    assert "admin/change_list.html" not in [t.name for t in response.templates]


def test_the_admin_opens_after_the_code_step(client, db):
    manager = manager_user()
    device = add_authenticator(manager)
    log_in_with_password(client, manager)
    client.post(VERIFY, {"code": current_code(device)})
    assert client.get(reverse("admin:clinic_clinic_changelist")).status_code == 200


def test_pages_without_login_stay_open_to_a_half_signed_in_session(client, staff_user):
    add_authenticator(staff_user)
    log_in_with_password(client, staff_user)
    assert client.get(reverse("healthz")).status_code in (200, 503)


def test_a_new_phone_replaces_the_authenticator_only_once_confirmed(client, staff_user):
    old = add_authenticator(staff_user)
    log_in_with_password(client, staff_user)
    client.post(VERIFY, {"code": current_code(old)})
    page = client.get(SETUP, {"replace": "1"})
    assert page.status_code == 200
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # still in force
    response = client.post(SETUP, {"code": code_from_page(page)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=staff_user).values_list("confirmed", flat=True)) == [
        True
    ]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_the_admin_never_shows_an_authenticators_key_or_qr_code(manager_client, staff_user):
    device = add_authenticator(staff_user)
    for view in ("config", "qrcode"):
        url = reverse(f"admin:otp_totp_totpdevice_{view}", args=[device.pk])
        assert manager_client.get(url).status_code == 403
    page = manager_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert device.key not in page.content.decode()


def test_before_setup_the_page_shows_no_menu_and_one_notice_however_often_sent_back(client, db):
    """Found in the walk: the full manager menu was drawn during forced setup (every link
    bouncing back) and each bounce stacked one more "Set up ..." alert."""
    client.force_login(manager_user())
    for url in ("/patients/", "/reports/", "/courses/"):
        page = client.get(url, follow=True)
    html = page.content.decode()
    assert page.request["PATH_INFO"] == SETUP
    assert html.count("Set up two-step verification to continue.") == 1
    assert 'href="/patients/"' not in html
    assert 'href="/account/"' not in html


def test_the_code_step_shows_no_menu(client, db):
    manager = manager_user()
    add_authenticator(manager)
    log_in_with_password(client, manager)
    html = client.get(reverse("accounts:verify")).content.decode()
    assert 'href="/patients/"' not in html
    assert 'href="/reports/"' not in html
