import pytest

from clinic.actors import SystemActor, system_actor
from planner.demo import load_demo_data
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_cosmetologist_logs_in_and_sees_home(page):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Welcome, Anna Kowalska").is_visible()
    assert page.get_by_test_id("current-user").inner_text() == "Anna Kowalska"


def test_wrong_password_keeps_the_login_page(page):
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    log_in(page, "anna", "not-the-password")
    assert page.get_by_text("Please enter a correct username and password").is_visible()
