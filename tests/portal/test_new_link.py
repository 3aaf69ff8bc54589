"""A new link to the course page on request: to the contact on file only, rate-limited."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic
from courses import services as course_services
from reminders import content, links, validity
from reminders import services as outbox
from reminders.models import Kind, OutboxMessage, Status
from tests.factories import ClinicFactory, cleared_patient

NEUTRAL = "If we have an e-mail address or mobile number for you, a new link is on its way"


@pytest.fixture
def clinic(db):
    return ClinicFactory(phone="+44 20 7946 0000", link_requests_per_day=2, patient_link_days=30)


def reachable(practitioner, channel="email", **fields):
    values = {
        "reminder_channel": channel, "email": "ada@example.com", "phone": "+447400123456",
        "email_consent_at": timezone.now(), "sms_consent_at": timezone.now(),
    }  # fmt: skip
    values.update(fields)
    return cleared_patient(practitioner.user, **values)


@pytest.fixture
def course(clinic, book, now, practitioner):
    return book(patient=reachable(practitioner), sessions_planned=4)


def token(course, patient_id=None):
    return links.course_token(
        course.pk, patient_id or course.patient_id, course.patient_link_version
    )


def new_link(course, **kwargs):
    return reverse("portal:new_link", args=[token(course, **kwargs)])


def requested():
    return OutboxMessage.objects.filter(kind=Kind.COURSE_LINK)


def test_an_expired_link_offers_a_new_one(client, course, time_machine):
    old = token(course)
    time_machine.shift(timedelta(days=31))
    response = client.get(reverse("portal:course", args=[old]))
    assert response.status_code == 410
    html = response.content.decode()
    assert 'data-testid="new-link-form"' in html
    assert f'action="{reverse("portal:new_link", args=[old])}"' in html
    assert "Send me a new link" in html


def test_a_revoked_link_offers_a_new_one(client, course, practitioner):
    url = reverse("portal:course", args=[token(course)])
    course_services.revoke_patient_links(course=course, actor=practitioner.user)
    response = client.get(url)
    assert response.status_code == 410
    assert 'data-testid="new-link-form"' in response.content.decode()


def test_a_tampered_link_offers_nothing(client, course):
    response = client.get(reverse("portal:course", args=["nonsense"]))
    assert response.status_code == 400
    assert 'data-testid="new-link-form"' not in response.content.decode()


def test_the_course_page_offers_a_fresh_link(client, course):
    html = client.get(reverse("portal:course", args=[token(course)])).content.decode()
    assert f'action="{new_link(course)}"' in html
    assert 'data-testid="fresh-link"' in html


def test_a_new_link_goes_to_the_email_on_file_and_opens_the_course(client, course, time_machine):
    url = new_link(course)
    time_machine.shift(timedelta(days=40))  # the old link has expired
    response = client.post(url)
    assert response.status_code == 200
    assert NEUTRAL in response.content.decode()
    [message] = requested()
    assert (message.channel, message.recipient, message.course) == (
        "email",
        "ada@example.com",
        course,
    )
    assert message.due_at == timezone.now()
    assert validity.why_not_send(message, timezone.now()) is None
    email = content.render(message)
    assert "You asked for a new link to your treatment course" in email.text
    fresh = re.search(r"https?://\S+/p/course/\S+/", email.text).group(0)
    assert client.get(urlsplit(fresh).path).status_code == 200


def test_a_revoked_links_request_sends_the_current_link(client, course, practitioner):
    url = new_link(course)
    course_services.revoke_patient_links(course=course, actor=practitioner.user)
    assert client.post(url).status_code == 200
    [message] = requested()
    course.refresh_from_db()
    assert reverse("portal:course", args=[token(course)]) in content.render(message).text


def test_by_sms_to_the_mobile_on_file(client, clinic, book, now, practitioner):
    course = book(patient=reachable(practitioner, channel="sms"), sessions_planned=4)
    assert client.post(new_link(course)).status_code == 200
    [message] = requested()
    assert (message.channel, message.recipient) == ("sms", "+447400123456")
    text = content.render(message)
    assert "your new course link: http" in text


def test_nothing_is_sent_without_a_contact_and_the_answer_is_the_same(
    client, clinic, book, now, practitioner, course
):
    silent = book(
        patient=reachable(practitioner, email_consent_at=None, email="bo@example.com"),
        sessions_planned=4, preferred_weekday=3,
    )  # fmt: skip
    answer = client.post(new_link(silent))
    assert answer.status_code == 200
    assert not requested().exists()
    sent = client.post(new_link(course))
    assert requested().count() == 1
    assert answer.content == sent.content


def test_requests_are_limited_per_course_and_day(client, course, time_machine):
    url = new_link(course)
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    over = client.post(url)
    assert over.status_code == 429
    assert "too often today" in over.content.decode()
    assert requested().count() == 2
    time_machine.shift(timedelta(hours=24, minutes=1))
    assert client.post(url).status_code == 200
    assert requested().count() == 3


def test_one_request_to_two_channels_counts_once(client, clinic, book, now, practitioner):
    course = book(patient=reachable(practitioner, channel="both"), sessions_planned=4)
    url = new_link(course)
    assert client.post(url).status_code == 200
    assert requested().count() == 2
    assert client.post(url).status_code == 200
    assert requested().count() == 4
    assert client.post(url).status_code == 429


def test_the_limit_is_the_clinics_setting(client, course):
    Clinic.objects.filter(pk=1).update(link_requests_per_day=1)
    url = new_link(course)
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 429


@pytest.mark.parametrize("bad", ["nonsense", "other_patient", "cut"])
def test_a_tampered_link_sends_nothing(client, course, bad):
    if bad == "nonsense":
        url = reverse("portal:new_link", args=["nonsense"])
    elif bad == "other_patient":
        url = new_link(course, patient_id=course.patient_id + 1000)
    else:
        url = reverse("portal:new_link", args=[token(course)[:-3]])
    response = client.post(url)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not requested().exists()


def test_a_draft_course_sends_nothing(client, clinic, draft, now):
    plan = draft()
    response = client.post(reverse("portal:new_link", args=[token(plan)]))
    assert response.status_code == 400
    assert not requested().exists()


def test_asking_takes_only_a_post(client, course):
    assert client.get(new_link(course)).status_code == 405
    assert not requested().exists()


def test_an_old_request_is_not_sent_after_an_outage(client, course):
    client.post(new_link(course))
    [message] = requested()
    later = timezone.now() + timedelta(hours=13)
    assert validity.why_not_send(message, later)[0] == Status.EXPIRED


def test_the_answer_is_in_the_patients_language(client, course):
    course.patient.language = "ru"
    course.patient.save()
    response = client.post(new_link(course))
    assert '<html lang="ru">' in response.content.decode()


def test_only_the_patients_link_asks_for_a_new_link(course, practitioner, reception):
    for actor in (practitioner.user, reception):
        with pytest.raises(PermissionDenied):
            outbox.request_course_link(course=course, actor=actor)
    assert not requested().exists()
