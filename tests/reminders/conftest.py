import pytest
from django.utils import timezone

from courses import services
from reminders.models import Kind, OutboxMessage
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


@pytest.fixture
def booked(draft, reachable, practitioner):
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course


@pytest.fixture
def letters(booked):
    """Twelve e-mails due now to the booked patient (course-booked notices of the course)."""
    OutboxMessage.objects.exclude(kind=Kind.COURSE_BOOKED, channel="email").delete()
    [first] = OutboxMessage.objects.all()
    for n in range(11):
        first.pk, first.dedupe_key = None, f"test:letter:{n}"
        first.save()
    return list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
