import pytest
from django.utils import timezone

from tests.factories import cleared_patient


@pytest.fixture
def reachable_patient(now, practitioner):
    """A patient who wants e-mail reminders and consented to them."""
    return cleared_patient(
        practitioner.user, reminder_channel="email", email_consent_at=timezone.now(),
        email="ada@example.com",
    )  # fmt: skip
