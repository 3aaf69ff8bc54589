from django.urls import reverse

from tests.factories import ClinicFactory


def test_home_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_greets_the_logged_in_cosmetologist(staff_client, staff_user):
    ClinicFactory(name="Riverside Skin")
    response = staff_client.get(reverse("home"))
    assert response.status_code == 200
    assert staff_user.first_name in response.content.decode()
    assert "Riverside Skin" in response.content.decode()
