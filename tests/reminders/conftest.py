import pytest
from django.utils import timezone

from tests.factories import cleared_patient


@pytest.fixture
def reachable(now, practitioner):
    """A patient who wants e-mail and SMS and consented to both."""
    return cleared_patient(
        practitioner.user, reminder_channel="both", email_consent_at=timezone.now(),
        sms_consent_at=timezone.now(), phone="+447400123456", email="ada@example.com",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_breaker_view():
    """Each test reads the channels' breaker rows afresh (the process keeps them a second)."""
    from reminders import breaker

    breaker.forget()
    yield
    breaker.forget()
