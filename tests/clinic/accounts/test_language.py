"""Staff choose their interface language on the account page; every page then uses it."""

import pytest
from django.urls import reverse

from clinic.accounts.models import StaffPreferences, staff_language

pytestmark = pytest.mark.django_db


def test_a_chosen_language_applies_to_every_following_page(staff_client, staff_user):
    response = staff_client.post(reverse("accounts:language"), {"language": "ru"})
    assert response.status_code == 302
    assert staff_language(staff_user) == "ru"
    page = staff_client.get(reverse("accounts:account"), HTTP_ACCEPT_LANGUAGE="de")
    assert page["Content-Language"] == "ru"  # the choice wins over the browser's


def test_the_admin_follows_the_staff_members_language(client, manager):
    StaffPreferences.objects.create(user=manager, language="de")
    client.force_login(manager)  # the choice is read at login (and when it is made)
    assert client.get("/admin/")["Content-Language"] == "de"


def test_without_a_choice_the_browsers_language_is_used(staff_client):
    page = staff_client.get(reverse("accounts:account"), HTTP_ACCEPT_LANGUAGE="uk")
    assert page["Content-Language"] == "uk"


def test_anonymous_pages_follow_accept_language(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert page["Content-Language"] == "de"


def test_the_account_page_offers_the_shipped_languages(staff_client):
    html = staff_client.get(reverse("accounts:account")).content.decode()
    for native in ("English", "Русский", "Deutsch", "Українська"):
        assert native in html


@pytest.mark.parametrize("language", ["fr", "xx", "ru\x00"])
def test_a_language_not_shipped_is_refused_and_nothing_changes(staff_client, staff_user, language):
    response = staff_client.post(reverse("accounts:language"), {"language": language})
    assert response.status_code in (302, 400)
    assert staff_language(staff_user) is None


def test_choosing_the_browsers_language_again_clears_the_choice(staff_client, staff_user):
    staff_client.post(reverse("accounts:language"), {"language": "uk"})
    staff_client.post(reverse("accounts:language"), {"language": ""})
    assert staff_language(staff_user) is None
