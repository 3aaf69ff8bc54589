"""Home care on the course pages: the patient logs uses, the practitioner recommends and reads."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from clinic.models import Clinic
from patients import services as patient_services
from patients.models import HomeRoller, HomeUse
from reminders import links
from tests.factories import ClinicFactory

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def course(book):
    ClinicFactory(phone="+44 20 7946 0000")
    return book(sessions_planned=4)  # Tuesdays from 6 January 2026, 3 weeks apart


@pytest.fixture
def roller(course, practitioner):
    return patient_services.recommend_home_roller(
        patient=course.patient, needle_mm=Decimal("0.25"), note="With the hyaluronic serum.",
        actor=practitioner.user, now=NOW - timedelta(days=1),
    )  # fmt: skip


def token(course):
    return links.course_token(course.pk, course.patient_id, course.patient_link_version)


def page(course):
    return reverse("portal:course", args=[token(course)])


def log_url(course):
    return reverse("portal:home_use", args=[token(course)])


def use(day="2026-01-02", time="11:00", disinfected=True):
    data = {"used_on": day, "used_at_time": time}
    if disinfected:
        data["disinfected"] = "on"
    return data


def test_no_home_care_section_without_a_roller(client, course):
    html = client.get(page(course)).content.decode()
    assert 'data-testid="home-care"' not in html


def test_the_page_shows_the_roller_uses_left_and_the_quiet_days(client, course, roller):
    html = client.get(page(course)).content.decode()
    assert "0.25 mm" in html
    assert "With the hyaluronic serum." in html
    assert '<strong data-testid="uses-left">8</strong>' in html
    assert "within 7 days before or after a session" in html
    # Every session still to come has its quiet period named (4 sessions).
    assert html.count('data-testid="quiet-period"') == 4
    assert "No home rolling from 30 December to 13 January 2026" in html
    assert 'data-testid="home-use-form"' in html


def test_a_use_inside_the_quiet_days_is_logged_with_a_warning(client, course, roller):
    response = client.post(log_url(course), use(), follow=True)
    assert response.redirect_chain[0][0].endswith("#home-care")
    html = response.content.decode()
    assert "Your home use is logged." in html
    assert "Please do not use the roller within 7 days" in html
    assert "Tuesday 6 January 2026" in html
    assert 'data-testid="home-use-quiet"' in html
    assert '<strong data-testid="uses-left">7</strong>' in html
    logged = HomeUse.objects.get()
    assert logged.used_at == datetime(2026, 1, 2, 11, 0, tzinfo=UTC)  # London is UTC in January
    assert logged.disinfected


def test_a_use_outside_the_quiet_days_gets_no_warning(client, course, roller, time_machine):
    time_machine.move_to("2026-01-14 12:00Z", tick=False)  # 8 days after session 1, 13 before 2
    response = client.post(log_url(course), use(day="2026-01-14", time="09:30"), follow=True)
    html = response.content.decode()
    assert "Your home use is logged." in html
    assert "Please do not use the roller" not in html
    assert 'data-testid="home-use-quiet"' not in html


def test_a_use_without_disinfection_is_logged_with_a_reminder(client, course, roller):
    response = client.post(log_url(course), use(disinfected=False), follow=True)
    assert "Always disinfect the roller" in response.content.decode()
    assert HomeUse.objects.get().disinfected is False


def test_the_time_is_the_patients_own(client, course, roller):
    course.patient.time_zone = "Asia/Tokyo"
    course.patient.save()
    client.post(log_url(course), use(day="2026-01-02", time="20:00"))
    assert HomeUse.objects.get().used_at == datetime(2026, 1, 2, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (use(time="12:30"), "That time is still to come"),
        (use(day="2026-01-03"), "That day is still to come."),
        (use(day="9999-12-31"), "That day is still to come."),
        (use(day="0001-01-01"), "Enter a day within the last year."),
        (use(day="2025-12-31"), "before the roller was recommended"),
        (use(day="2026-01-02\x00"), "Enter a valid date."),
        (use(time="11:00\x00"), "Enter a valid time."),
        (use(time="25:00"), "Enter a valid time."),
        ({"used_at_time": "11:00"}, "This field is required."),
        ({}, "This field is required."),
    ],
)
def test_bad_times_are_refused_with_the_reason_and_nothing_saved(
    client, course, roller, data, message
):
    response = client.post(log_url(course), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HomeUse.objects.exists()


def test_a_double_submit_logs_one_use(client, course, roller):
    client.post(log_url(course), use())
    response = client.post(log_url(course), use(), follow=True)
    assert "You had already logged this use." in response.content.decode()
    assert HomeUse.objects.count() == 1


def test_a_worn_roller_is_to_be_replaced_and_takes_no_more_uses(client, course, roller):
    Clinic.objects.filter(pk=1).update(home_roller_worn_uses=1)
    client.post(log_url(course), use(time="10:00"))
    html = client.get(page(course)).content.decode()
    assert 'data-testid="roller-worn"' in html
    assert "replace it" in html
    assert 'data-testid="home-use-form"' not in html
    response = client.post(log_url(course), use(time="11:00"))
    assert response.status_code == 400
    assert "This roller is worn after 1 use:" in response.content.decode()
    assert HomeUse.objects.count() == 1


def test_nothing_to_log_without_a_recommended_roller(client, course):
    response = client.post(log_url(course), use())
    assert response.status_code == 400
    assert "No home roller has been recommended to you." in response.content.decode()


def test_logging_takes_only_a_post(client, course, roller):
    assert client.get(log_url(course)).status_code == 405


@pytest.mark.parametrize("bad", ["nonsense", "expired", "revoked"])
def test_a_bad_link_logs_nothing(client, course, roller, practitioner, time_machine, bad):
    url = log_url(course)
    if bad == "nonsense":
        url = reverse("portal:home_use", args=["nonsense"])
    elif bad == "expired":
        time_machine.move_to("2026-02-05 12:00Z", tick=False)
    else:
        from courses import services as course_services

        course_services.revoke_patient_links(course=course, actor=practitioner.user)
    response = client.post(url, use())
    assert response.status_code in (400, 410)
    assert not HomeUse.objects.exists()


def test_the_page_renders_in_russian(client, course, roller):
    course.patient.language = "ru"
    course.patient.save()
    html = client.get(page(course)).content.decode()
    assert '<html lang="ru">' in html
    assert 'data-testid="home-use-form"' in html


# The staff's side: the course page.


def staff_page(course):
    return reverse("courses:detail", args=[course.pk])


def recommend_url(course):
    return reverse("courses:home_roller", args=[course.pk])


def test_a_practitioner_recommends_a_roller_from_the_course_page(client, course, practitioner):
    client.force_login(practitioner.user)
    response = client.post(recommend_url(course), {"needle_mm": "0.3", "note": "Scalp serum"})
    assert response.status_code == 302
    assert response["Location"].endswith("#home-care")
    roller = HomeRoller.objects.get()
    assert (roller.patient, roller.needle_mm, roller.note) == (
        course.patient, Decimal("0.30"), "Scalp serum"
    )  # fmt: skip
    assert "Home roller 0.30 mm" in client.get(staff_page(course)).content.decode()


@pytest.mark.parametrize(
    ("needle", "message"),
    [
        ("0.8", "from 0.15 to 0.50 mm"),
        ("0.1", "from 0.15 to 0.50 mm"),
        ("abc", "Enter a number."),
        ("", "This field is required."),
        ("0.3\x00", "Enter a number."),
        ("-1", "greater than or equal to 0"),
    ],
)
def test_a_bad_needle_is_refused_on_the_page_with_the_reason(
    client, course, practitioner, needle, message
):
    client.force_login(practitioner.user)
    response = client.post(recommend_url(course), {"needle_mm": needle})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'data-testid="home-roller-error"' in html or "alert-danger" in html
    assert not HomeRoller.objects.exists()


def test_the_front_desk_may_not_recommend_nor_read_the_log(client, course, reception, roller):
    client.force_login(reception)
    assert client.post(recommend_url(course), {"needle_mm": "0.3"}).status_code == 403
    assert 'data-testid="staff-home-care"' not in client.get(staff_page(course)).content.decode()
    assert HomeRoller.objects.count() == 1


def test_the_practitioner_sees_the_patients_log(client, course, roller, practitioner):
    client.post(log_url(course), use(time="09:00", disinfected=False))
    client.force_login(practitioner.user)
    html = client.get(staff_page(course)).content.decode()
    assert html.count('data-testid="staff-home-use"') == 1
    assert "inside: session on 6 Jan" in html
    assert "1 use too close to a session" in html
    assert "1 use not disinfected" in html
    assert "1 use logged, 7 left before it is worn." in html


def test_the_practitioner_sees_home_uses_too_close_at_check_in(
    client, course, roller, practitioner
):
    client.post(log_url(course), use(time="09:00"))
    first, second = course.sessions.order_by("arrives_at")[:2]
    client.force_login(practitioner.user)
    html = client.get(reverse("courses:session_day", args=[first.pk])).content.decode()
    assert 'data-testid="checkin-home-care"' in html
    assert "0.25 mm, 1 home use logged" in html
    assert "1 use within 7 days of this session: Fri 2 Jan 09:00." in html
    later = client.get(reverse("courses:session_day", args=[second.pk])).content.decode()
    assert "within 7 days of this session" not in later
