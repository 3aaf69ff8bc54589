"""The admin's search never puts what was typed (a patient's name, phone, e-mail) in an address.

Django's admin searches with ``?q=...``: the name would land in access logs, the
browser's history and every link of the list. Here the search box posts and
the words stay in the session (``clinic.admin.CheckedModelAdmin``).
"""

import re

import pytest
from django.urls import reverse

from tests.factories import PatientFactory

CHANGELIST = reverse("admin:patients_patient_changelist")


@pytest.fixture
def clarke(db):
    PatientFactory(first_name="Olivia", last_name="Smith", email="o.smith@example.com")
    return PatientFactory(first_name="Jane", last_name="Clarke", email="jane.clarke@example.com")


def addresses(html):
    """Every address the page links, submits or loads."""
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def test_an_admin_search_for_a_name_finds_the_patient_without_the_name_in_any_address(
    manager_client, clarke
):
    response = manager_client.post(CHANGELIST, {"_search": "1", "q": "Clarke"})
    assert response.status_code == 303
    assert "Clarke" not in response["Location"]
    page = manager_client.get(response["Location"])
    html = page.content.decode()
    assert page.context["cl"].result_count == 1
    assert "jane.clarke@example.com" in html
    assert "o.smith@example.com" not in html
    assert not [a for a in addresses(html) if "clarke" in a.lower()]
    assert 'method="post" role="search"' in html  # the next search posts too


def test_a_search_keeps_the_lists_filters_and_drops_its_page(manager_client, clarke):
    url = f"{CHANGELIST}?reminder_channel__exact=email&p=2"
    response = manager_client.post(url, {"_search": "1", "q": "clarke@"})
    assert response["Location"] == f"{CHANGELIST}?reminder_channel__exact=email"


def test_a_search_in_the_address_is_dropped_unused(manager_client, clarke):
    response = manager_client.get(CHANGELIST, {"q": "Clarke", "reminder_channel__exact": "email"})
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?reminder_channel__exact=email"
    assert manager_client.get(CHANGELIST).context["cl"].result_count == 2


def test_clearing_the_search_shows_every_row_again(manager_client, clarke):
    manager_client.post(CHANGELIST, {"_search": "1", "q": "Clarke"})
    manager_client.post(CHANGELIST, {"_search": "1", "q": "Clarke", "_clear": "Clear search"})
    assert manager_client.get(CHANGELIST).context["cl"].result_count == 2


def test_each_list_keeps_its_own_search(manager_client, clarke):
    manager_client.post(CHANGELIST, {"_search": "1", "q": "Clarke"})
    screenings = reverse("admin:patients_screening_changelist")
    assert manager_client.get(screenings).context["cl"].query == ""


def test_an_overlong_or_null_byte_search_is_refused_with_a_message(manager_client, clarke):
    for words in ["x" * 201, "Cla\x00rke"]:
        response = manager_client.post(CHANGELIST, {"_search": "1", "q": words}, follow=True)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 2
        assert list(response.context["messages"])


def test_a_staff_member_without_the_lists_permission_cannot_search_it(staff_client, clarke):
    response = staff_client.post(CHANGELIST, {"_search": "1", "q": "Clarke"})
    assert response.status_code == 403
    assert "admin-search:patients.patient" not in staff_client.session
