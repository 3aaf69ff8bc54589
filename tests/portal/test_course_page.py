"""The patient's course page: what one signed link opens, and what it never does."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.models import Clinic
from courses import services
from courses.models import CourseStatus
from portal import access
from reminders import links
from tests.factories import ClinicFactory, PatientFactory


@pytest.fixture
def course(book):
    ClinicFactory(phone="+44 20 7946 0000", patient_link_days=30)
    return book(sessions_planned=4)


def page_url(course, *, patient_id=None, version=None):
    token = links.course_token(
        course.pk, patient_id or course.patient_id, version or course.patient_link_version
    )
    return reverse("portal:course", args=[token])


def test_the_link_opens_every_session_with_its_arrival_and_actions(client, course):
    response = client.get(page_url(course))
    assert response.status_code == 200
    html = response.content.decode()
    for n in range(1, 5):
        assert f'id="session-{n}"' in html
    assert "Tuesday 6 January 2026" in html
    assert html.count(">Confirm</a>") == 4
    assert html.count(">Cancel</a>") == 4
    assert "+44 20 7946 0000" in html
    assert (
        response["Cache-Control"].startswith("no-store") or "no-cache" in response["Cache-Control"]
    )


def test_a_tampered_token_is_refused_with_the_friendly_page(client, course):
    response = client.get(reverse("portal:course", args=["nonsense"]))
    assert response.status_code == 400
    assert "+44 20 7946 0000" in response.content.decode()


def test_a_link_for_another_patient_opens_nothing(client, course):
    other = PatientFactory()
    assert client.get(page_url(course, patient_id=other.pk)).status_code == 400


def test_an_expired_link_is_gone(client, course, time_machine):
    url = page_url(course)
    time_machine.shift(timedelta(days=31))
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_revoked_link_is_gone_and_the_new_one_works(client, course, practitioner):
    old = page_url(course)
    services.revoke_patient_links(course=course, actor=practitioner.user)
    assert client.get(old).status_code == 410
    course.refresh_from_db()
    assert client.get(page_url(course)).status_code == 200


def test_staff_revoke_from_the_course_page(client, course, practitioner):
    client.force_login(practitioner.user)
    response = client.post(reverse("courses:revoke_links", args=[course.pk]))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.patient_link_version == 2


def test_a_draft_course_has_no_page(client, draft):
    ClinicFactory()
    plan = draft()
    assert plan.status == CourseStatus.DRAFT
    with pytest.raises(links.LinkError):
        access.open_course(links.course_token(plan.pk, plan.patient_id, 1), Clinic.current())
