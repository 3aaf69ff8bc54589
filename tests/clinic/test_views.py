import pytest
from django.urls import reverse

from clinic.celery import app as celery_app
from tests.factories import TEST_PASSWORD, UserFactory


def test_non_staff_account_is_refused(client, db):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Staff only" in response.content.decode()


def test_login_form_logs_staff_in(client, staff_user):
    response = client.post(
        reverse("login"), {"username": staff_user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_with_wrong_password_shows_error_and_stays_out(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.username, "password": "x"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_logout_is_a_post(staff_client):
    assert staff_client.get(reverse("logout")).status_code == 405
    assert staff_client.post(reverse("logout")).status_code == 302
    assert staff_client.get(reverse("home")).status_code == 302


def test_unknown_page_is_a_404_page(staff_client):
    response = staff_client.get("/no-such-page/")
    assert response.status_code == 404


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@pytest.fixture
def unreachable_broker():
    original = celery_app.conf.broker_url, celery_app.conf.broker_transport
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # discard port: nothing listens
    celery_app.conf.broker_transport = None  # the embedded broker names its own transport
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_transport = original


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, unreachable_broker):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"


def test_healthz_needs_no_login_and_is_not_cached(client, db):
    response = client.get(reverse("healthz"))
    assert "no-cache" in response["Cache-Control"]


def test_a_form_sent_without_the_csrf_cookie_gets_the_planners_own_refusal(db):
    from django.test import Client

    from tests.factories import ClinicFactory

    ClinicFactory(phone="+44 20 7946 0000")
    browser = Client(enforce_csrf_checks=True)  # a patient whose browser blocks cookies
    response = browser.post(reverse("login"), {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="csrf-refused"' in page
    assert "nothing was changed" in page
    assert "+44 20 7946 0000" in page  # the patient's layout, with the clinic's phone
    assert "CSRF verification failed" not in page  # not Django's page


def test_a_staff_form_sent_without_the_csrf_cookie_keeps_the_staff_layout(staff_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    response = browser.post(reverse("patients:list"), {"q": "Smith"})
    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="csrf-refused"' in page
    assert "Back to the planner" in page


def test_the_health_check_answers_head_for_monitors(client, db):
    response = client.head("/healthz")
    assert response.status_code in (200, 503)
    assert client.post("/healthz").status_code == 405


def test_every_layout_names_the_planners_icon_so_no_favicon_request_fails(manager_client):
    """Staff pages, patients' link pages and the admin link the planner's own icon (a
    browser otherwise asks for /favicon.ico: a 404 in the console and in the audit trail
    on every page, found in the walk)."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    pages = [
        manager_client.get(reverse("home")),
        Client().get("/p/confirm/not-a-token/"),
        manager_client.get(reverse("admin:index")),
    ]
    for page in pages:
        assert '<link rel="icon" href="/static/img/favicon.svg"' in page.content.decode()
    assert finders.find("img/favicon.svg")
