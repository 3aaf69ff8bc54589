"""Managers keep the information sheets, one language each (issue #17)."""

from django.urls import reverse
from django.utils import timezone

from patients.models import InformationSheet
from tests.factories import InformationSheetFactory


def test_a_manager_publishes_a_sheet_in_russian(manager_client):
    response = manager_client.post(
        reverse("admin:patients_informationsheet_add"),
        {
            "language": "ru",
            "version": "2026-01",
            "title": "Микронидлинг",
            "text": "Текст.",
            "published_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert InformationSheet.objects.get(version="2026-01").language == "ru"


def test_a_sheet_in_an_unknown_language_is_refused(manager_client):
    response = manager_client.post(
        reverse("admin:patients_informationsheet_add"),
        {"language": "xx", "version": "1", "title": "T", "text": "T", "published_on": "2026-01-01"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not InformationSheet.objects.exists()


def test_a_sheet_someone_consented_on_is_kept_as_read(manager_client, patient):
    sheet = patient.latest_consent.sheet
    page = manager_client.get(reverse("admin:patients_informationsheet_change", args=[sheet.pk]))
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    fresh = InformationSheetFactory(language="ru")
    page = manager_client.get(reverse("admin:patients_informationsheet_change", args=[fresh.pk]))
    assert 'name="text"' in page.content.decode()
