import pytest

from clinic.actors import SystemActor, system_actor
from patients.models import Patient
from planner.demo import load_demo_data
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anna(page):
    login = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    log_in(page, login.username, login.password)
    page.wait_for_url("**/")
    return login


def test_register_screen_and_see_a_deferred_patient(page, anna):
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Larsen")
    page.get_by_label("Date of birth").fill("1991-07-21")
    page.get_by_label("Email").fill("nina.larsen@example.com")
    page.get_by_label("Phone").fill("07400 123456")
    page.get_by_label("The patient agrees to receive reminders by e-mail").check()
    page.get_by_label("Sensitive skin").check()
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_url("**/patients/*/")
    assert page.get_by_role("heading", name="Nina Larsen").is_visible()
    assert "More discomfort and redness" in page.get_by_test_id("skin-risks").inner_text()

    page.get_by_role("link", name="Take a screening").click()
    page.get_by_label("Herpes exacerbation: an active cold sore now").check()
    page.locator("#id_wart_regions_4").check()  # hands
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_url("**/patients/*/")
    findings = page.get_by_test_id("findings").inner_text()
    assert "Herpes exacerbation" in findings
    assert "Warts in the area of application (hands)" in findings
    assert page.locator('[data-status="defer"]').first.inner_text() == "Deferred"
    assert str(Patient.objects.get(last_name="Larsen").phone) == "+447400123456"


def test_search_and_filter_patients(page, anna):
    page.goto("/patients/")
    page.get_by_label("Search").fill("turner")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Turner, Sophie" in rows.first.inner_text()
    assert "turner" not in page.url
    page.get_by_role("button", name="Clear").click()
    page.get_by_label("Screening").select_option("refuse")
    page.get_by_role("button", name="Search").click()
    assert page.locator("tbody tr").count() == 1
    assert "Refused" in page.locator("tbody tr").first.inner_text()
