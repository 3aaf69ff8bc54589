"""Pages with patient or staff data are never cached: ``Cache-Control: no-store`` (issue #15).

The crawl in test_crawl.py checks every staff page reachable from the demo
data; these check the patients' link pages, the error pages, the feed, the
photos, and what decides for itself (static files, the health check).
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path, reverse
from django.utils.cache import get_max_age

from reminders import links


def broken_page(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken_page)]


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def booked(book, now):
    return book(sessions_planned=4).sessions.get(number=1)


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_patient_link_pages_are_not_stored(client, booked, action):
    token = links.session_token(action, booked.pk, booked.schedule_version)
    for response in (
        client.get(reverse(f"reminders:{action}", args=[token])),
        client.get(reverse(f"reminders:{action}", args=[token + "x"])),  # tampered: 400
    ):
        assert "no-store" in directives(response), response.status_code


def test_unsubscribe_page_is_not_stored(client, booked):
    token = links.unsubscribe_token(booked.patient_id, "email")
    response = client.get(reverse("reminders:unsubscribe", args=[token]))
    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_a_patient_form_refused_for_a_missing_csrf_cookie_is_not_stored(booked):
    token = links.session_token("cancel", booked.pk, booked.schedule_version)
    response = Client(enforce_csrf_checks=True).post(reverse("reminders:cancel", args=[token]))
    assert response.status_code == 403
    assert directives(response) == {"no-store"}


def test_error_pages_are_not_stored(staff_client, client, db):
    not_found = staff_client.get("/no-such-page/")
    assert not_found.status_code == 404
    null_byte = client.get("/patients/%00/")
    assert null_byte.status_code == 400
    not_staff = User.objects.create_user("visitor", password="x")  # an account that is not staff
    client.force_login(not_staff)
    forbidden = client.get(reverse("home"))
    assert forbidden.status_code == 403
    for response in (not_found, null_byte, forbidden):
        assert directives(response) == {"no-store"}, response.status_code


def test_login_page_and_its_redirect_are_not_stored(client, db):
    redirect = client.get(reverse("courses:overview"))
    assert redirect.status_code == 302
    login = client.get(redirect["Location"])
    assert login.status_code == 200
    assert "no-store" in directives(redirect)
    assert "no-store" in directives(login)


def test_staff_pages_and_downloads_are_not_stored(manager_client):
    for name in ("home", "report", "courses:overview", "patients:list", "report_csv"):
        response = manager_client.get(reverse(name))
        assert response.status_code == 200, name
        assert directives(response) == {"no-store"}, name


def test_the_private_calendar_feed_is_not_stored(client, practitioner, booked):
    client.force_login(practitioner.user)
    client.post(reverse("calendar:feed_change", args=["renew"]))
    practitioner.refresh_from_db()
    client.logout()
    response = client.get(reverse("calendar:feed", args=[practitioner.feed_token]))
    assert response.status_code == 200
    assert directives(response) == {"private", "no-store"}


def test_health_check_and_static_files_decide_for_themselves(client, db, settings):
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True  # as in development
    health = client.get(reverse("healthz"))
    assert {"no-store", "no-cache", "must-revalidate"} <= directives(health)
    static = client.get("/static/css/planner.css")
    assert static.status_code == 200
    assert "no-store" not in directives(static)  # no patient data: browsers may keep it
    assert get_max_age(static) is not None  # WhiteNoise's own header


@pytest.mark.urls(__name__)
def test_the_server_error_page_is_not_stored(staff_user):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert directives(response) == {"no-store"}
