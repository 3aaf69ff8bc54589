from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Closure
from courses import rescheduling, services
from courses.models import Course, CourseStatus, Session, SessionChange, SessionStatus
from tests.conftest import MONDAY
from tests.factories import cleared_patient
from tests.queries import queries_to_get


@pytest.fixture
def client_of(client, practitioner):
    client.force_login(practitioner.user)
    return client


def course_form(face, wrinkles, who, **overrides):
    data = {
        "indication": wrinkles.pk, "area": face.pk, "needle_mm": "0.5", "sessions_planned": 6,
        "target_gap_weeks": 3, "practitioner": who.pk, "preferred_weekday": "1",
        "preferred_time": "10:00", "start_on": MONDAY.isoformat(),
    }  # fmt: skip
    data.update(overrides)
    return data


def test_course_pages_require_login(client, draft, patient):
    course = draft()
    urls = [
        reverse("courses:create", args=[patient.pk]),
        reverse("courses:detail", args=[course.pk]),
        reverse("courses:confirm", args=[course.pk]),
    ]
    for url in urls:
        response = client.post(url, {})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Course.objects.get().status == CourseStatus.DRAFT


def test_plan_preview_confirm_books_six_sessions(
    client_of, patient, face, wrinkles, practitioner, rooms
):
    response = client_of.post(
        reverse("courses:create", args=[patient.pk]), course_form(face, wrinkles, practitioner)
    )
    course = Course.objects.get()
    assert response["Location"] == reverse("courses:detail", args=[course.pk])
    preview = client_of.get(response["Location"])
    proposals = preview.context["proposals"]
    assert len(proposals) == 6
    assert "3 weeks after session 1, as targeted." in preview.content.decode()
    expected = preview.context["confirm_form"].initial["expected"]
    client_of.post(reverse("courses:confirm", args=[course.pk]), {"expected": expected})
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED
    page = client_of.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert page.count('data-testid="session"') == 6
    assert "Tuesday 6 January 2026" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"needle_mm": "1.5", "target_gap_weeks": 4}, "outside the range for Face"),
        ({"target_gap_weeks": 1}, "shorter than the 2-week minimum"),
        ({"sessions_planned": 8}, "4 to 6 sessions"),
    ],
)
def test_refused_plan_says_why_and_saves_nothing(
    client_of, patient, face, wrinkles, practitioner, rooms, overrides, message
):
    response = client_of.post(
        reverse("courses:create", args=[patient.pk]),
        course_form(face, wrinkles, practitioner, **overrides),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"needle_mm": "abc"}, "needle_mm"),
        ({"start_on": "not-a-date"}, "start_on"),
        ({"preferred_time": "25:99"}, "preferred_time"),
        ({"practitioner": "999999"}, "practitioner"),
        ({"preferred_weekday": "9"}, "preferred_weekday"),
    ],
)
def test_malformed_plan_input_is_a_form_error(
    client_of, patient, face, wrinkles, practitioner, overrides, field
):
    response = client_of.post(
        reverse("courses:create", args=[patient.pk]),
        course_form(face, wrinkles, practitioner, **overrides),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Course.objects.exists()


def test_tampered_confirmation_is_refused_without_booking(client_of, draft):
    course = draft()
    response = client_of.post(
        reverse("courses:confirm", args=[course.pk]), {"expected": "yesterday"}, follow=True
    )
    assert "could not be read" in response.content.decode()
    assert not Session.objects.exists()


def test_stale_preview_shows_the_new_dates(client_of, draft, practitioner):
    course = draft()
    other = draft(patient=cleared_patient(practitioner.user))
    expected = ",".join(p.slot.arrives_at.isoformat() for p in services.propose_course(course))
    services.confirm_course(course=other, actor=practitioner.user)
    response = client_of.post(reverse("courses:confirm", args=[course.pk]), {"expected": expected})
    assert response.status_code == 200
    assert "The calendar changed since the preview" in response.content.decode()
    assert not Session.objects.filter(course=course).exists()


@pytest.fixture
def booked(draft, practitioner):
    course = draft()
    services.confirm_course(course=course, actor=practitioner.user)
    return course


def test_reschedule_screen_moves_this_and_following(client_of, booked):
    third = booked.sessions.get(number=3)
    url = reverse("courses:reschedule", args=[third.pk])
    data = {"new_day": "2026-03-03", "new_time": "10:00", "scope": "this", "reason": "Trip",
            "version": third.schedule_version}  # fmt: skip
    response = client_of.post(url, data)
    assert response.status_code == 200
    assert "Move this and the following sessions instead" in response.content.decode()
    response = client_of.post(url, {**data, "scope": "following"})
    assert response.status_code == 302
    assert booked.sessions.get(number=6).arrives_at.date() == date(2026, 5, 5)


@pytest.mark.parametrize(
    "data",
    [
        {"new_day": "2026-02-30", "new_time": "10:00", "scope": "this"},
        {"new_day": "2026-03-03", "new_time": "10:00", "scope": "everything"},
        {"new_day": "2025-03-03", "new_time": "10:00", "scope": "this"},
    ],
)
def test_bad_reschedule_input_changes_nothing(client_of, booked, data):
    third = booked.sessions.get(number=3)
    data = {**data, "version": third.schedule_version}
    response = client_of.post(reverse("courses:reschedule", args=[third.pk]), data)
    assert response.status_code == 200
    assert Session.objects.get(pk=third.pk).arrives_at == third.arrives_at


def test_cancel_no_show_and_replacement_buttons(client_of, booked, time_machine):
    second = booked.sessions.get(number=2)
    client_of.post(
        reverse("courses:session_cancel", args=[second.pk]), {"reason": "Ill", "confirm": "on"}
    )
    assert Session.objects.get(pk=second.pk).status == SessionStatus.CANCELLED
    client_of.post(reverse("courses:replacement", args=[booked.pk]))
    assert booked.sessions.filter(number=7).exists()
    first = booked.sessions.get(number=1)
    response = client_of.post(reverse("courses:no_show", args=[first.pk]), follow=True)
    assert "arrival time has not come yet" in response.content.decode()
    time_machine.move_to("2026-01-06 12:00Z", tick=False)
    client_of.post(reverse("courses:no_show", args=[first.pk]))
    assert Session.objects.get(pk=first.pk).status == SessionStatus.NO_SHOW


@pytest.mark.parametrize(
    "data", [{}, {"reason": ""}, {"reason": "Moved abroad"}, {"confirm": "on", "reason": " "}]
)
def test_cancel_rest_needs_a_reason_and_a_confirmation(client_of, booked, data):
    path = reverse("courses:cancel", args=[booked.pk])
    assert f'href="{path}"' in client_of.get(reverse("courses:detail", args=[booked.pk])).text
    page = client_of.get(path)
    assert "Cancel the rest of this course?" in page.text
    response = client_of.post(path, data)
    assert response.status_code == 200
    assert "Cancel the rest of this course?" in response.text
    booked.refresh_from_db()
    assert booked.status == CourseStatus.PLANNED
    assert not booked.sessions.filter(status=SessionStatus.CANCELLED).exists()


def test_cancel_rest_with_a_reason_and_a_yes_cancels_every_open_session(client_of, booked):
    path = reverse("courses:cancel", args=[booked.pk])
    response = client_of.post(path, {"reason": "Moved abroad", "confirm": "on"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == CourseStatus.CANCELLED
    assert set(booked.sessions.values_list("status", flat=True)) == {SessionStatus.CANCELLED}
    cancellations = SessionChange.objects.filter(session__course=booked, kind="cancelled")
    assert cancellations.count() == 6
    assert set(cancellations.values_list("reason", flat=True)) == {"Moved abroad"}


def test_course_page_query_count_does_not_grow_with_sessions(client_of, booked, practitioner):
    before = queries_to_get(client_of, reverse("courses:detail", args=[booked.pk]))
    for session in booked.sessions.order_by("number")[:2]:
        day = session.arrives_at.date()
        rescheduling.reschedule_session(
            session=session, new_day=day, new_time=time(14), scope="this",
            reason="x", actor=practitioner.user,
        )  # fmt: skip
    assert queries_to_get(client_of, reverse("courses:detail", args=[booked.pk])) == before


def test_unknown_course_or_session_is_404(client_of, db):
    assert client_of.get(reverse("courses:detail", args=[424242])).status_code == 404
    assert client_of.post(reverse("courses:session_cancel", args=[424242])).status_code == 404
    assert client_of.get(reverse("courses:create", args=[424242])).status_code == 404


def test_planner_explains_the_clinics_own_minimum_gaps(client_of, patient, catalogue):
    from courses.models import MinimumGap

    MinimumGap.objects.filter(up_to_mm=Decimal("0.50")).update(min_weeks=3)
    html = client_of.get(reverse("courses:create", args=[patient.pk])).content.decode()
    assert "at least 3 weeks up to 0.50 mm, 3 weeks up to 1.00 mm" in html


@pytest.mark.parametrize(
    ("start_on", "message"),
    [
        ("2025-11-02", "That date has passed"),
        ("0001-01-01", "That date has passed"),
        ("9999-12-31", "Pick a date between"),
    ],
)
def test_plan_form_refuses_a_start_date_in_the_past_or_far_off(
    client_of, patient, face, wrinkles, practitioner, rooms, start_on, message
):
    response = client_of.post(
        reverse("courses:create", args=[patient.pk]),
        course_form(face, wrinkles, practitioner, start_on=start_on),
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["start_on"])
    assert not Course.objects.exists()


def test_a_draft_saved_with_an_absurd_start_still_opens(client_of, draft):
    course = draft()
    Course.objects.filter(pk=course.pk).update(start_on=date(9999, 12, 31))  # saved before the rule
    response = client_of.get(reverse("courses:detail", args=[course.pk]))
    assert response.status_code == 200
    assert "Pick a date between" in response.content.decode()


@pytest.mark.parametrize(
    ("new_day", "new_time", "message"),
    [
        ("9999-12-31", "10:00", "Pick a date between"),
        ("0001-01-01", "10:00", "That date has passed"),
        ("2026-01-02", "09:00", "That time has passed"),
    ],
)
def test_reschedule_form_refuses_past_and_far_off_times(
    client_of, booked, new_day, new_time, message
):
    first = booked.sessions.get(number=1)
    data = {"new_day": new_day, "new_time": new_time, "scope": "this", "version": 0}
    response = client_of.post(reverse("courses:reschedule", args=[first.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Session.objects.get(pk=first.pk).arrives_at == first.arrives_at


def test_two_courses_on_one_area_interleaving_are_warned_about(client_of, book, draft):
    from courses.models import TreatmentArea

    face = book()  # Tuesdays 6 Jan, 27 Jan, ... at 10:00
    thin = draft(area=TreatmentArea.objects.get(code="thin-facial-skin"), preferred_weekday=3)
    preview = client_of.get(reverse("courses:detail", args=[thin.pk])).content.decode()
    assert 'data-testid="interleave"' in preview
    assert "2 days apart, closer than the 2-week minimum for 0.50 mm needles" in preview
    page = client_of.get(reverse("courses:detail", args=[face.pk])).content.decode()
    assert 'data-testid="interleave"' not in page  # the other is only a draft so far


def test_courses_on_different_areas_are_not_warned_about(client_of, book, draft):
    from courses.models import Indication, TreatmentArea

    book()
    scalp = draft(
        area=TreatmentArea.objects.get(code="scalp"),
        indication=Indication.objects.get(code="hair-loss"), preferred_weekday=3,
    )  # fmt: skip
    preview = client_of.get(reverse("courses:detail", args=[scalp.pk])).content.decode()
    assert 'data-testid="interleave"' not in preview


def test_stale_preview_lists_what_moved_and_books_only_when_confirmed_again(
    client_of, draft, practitioner
):
    course = draft()
    previewed = client_of.get(reverse("courses:detail", args=[course.pk]))
    stale = previewed.context["confirm_form"].initial["expected"]
    services.confirm_course(
        course=draft(patient=cleared_patient(practitioner.user)), actor=practitioner.user
    )  # another patient takes the practitioner's Tuesdays at 10:00
    response = client_of.post(reverse("courses:confirm", args=[course.pk]), {"expected": stale})
    html = response.content.decode()
    assert "nothing was booked" in html
    assert "Session 1: Tue 06 Jan 10:00 → Tue 06 Jan 09:15" in html
    assert not Session.objects.filter(course=course).exists()
    fresh = response.context["confirm_form"].initial["expected"]
    client_of.post(reverse("courses:confirm", args=[course.pk]), {"expected": fresh})
    arrivals = [s.arrives_at.isoformat() for s in course.sessions.order_by("number")]
    assert ",".join(arrivals) == fresh


def test_impossible_preview_times_are_refused_without_a_500(client_of, draft):
    course = draft()
    bad = "2026-13-45T10:00:00+00:00"
    response = client_of.post(
        reverse("courses:confirm", args=[course.pk]), {"expected": bad}, follow=True
    )
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert not Session.objects.exists()


def test_preview_and_course_page_show_a_standing_deferral(client_of, draft, patient, practitioner):
    from patients import services as patient_services
    from patients.screening import Answers

    patient_services.record_screening(
        patient=patient, answers=Answers(acne_regions=frozenset({"face"})), notes="",
        actor=practitioner.user,
    )  # fmt: skip
    course = draft(patient=patient)
    preview = client_of.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert 'data-testid="deferral"' in preview
    assert "Inflammatory elements (active acne) in the area (face)" in preview
    assert "no earlier than Fri 16 Jan 2026" in preview
    services.confirm_course(course=course, actor=practitioner.user)
    page = client_of.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "Inflammatory elements (active acne)" in page


def test_plan_form_shows_an_indication_on_the_wrong_area_next_to_the_area(
    client_of, patient, face, wrinkles, practitioner, rooms
):
    from courses.models import Indication, TreatmentArea

    data = course_form(
        face, wrinkles, practitioner, indication=Indication.objects.get(code="hair-loss").pk,
        area=TreatmentArea.objects.get(code="hands").pk,
    )  # fmt: skip
    response = client_of.post(reverse("courses:create", args=[patient.pk]), data)
    assert response.status_code == 200
    assert "is not treated on hands; it fits scalp" in str(response.context["form"].errors["area"])
    assert "Thinning hair and hair loss (scalp): scalp" in response.content.decode()
    assert not Course.objects.exists()


def test_patient_page_lists_drafts_apart_from_courses_and_drops_expired_ones(
    client_of, draft, book, patient, time_machine
):
    booked = book()
    for _ in range(3):
        draft(start_on=date(2026, 1, 7))
    time_machine.move_to("2026-01-03 11:00Z", tick=False)
    recent = draft(start_on=date(2026, 1, 7))
    time_machine.move_to("2026-01-03 13:00Z", tick=False)  # the first three are past 24 hours
    response = client_of.get(reverse("patients:detail", args=[patient.pk]))
    assert list(response.context["courses"]) == [booked]
    assert list(response.context["drafts"]) == [recent]
    html = response.content.decode()
    assert "Previews not yet confirmed" in html
    expired = Course.objects.filter(status=CourseStatus.DRAFT).exclude(pk=recent.pk).first()
    page = client_of.get(reverse("courses:detail", args=[expired.pk])).content.decode()
    assert "This preview has expired" in page


def test_a_course_that_no_longer_fits_shows_the_nearest_fixes_on_the_preview(
    client_of, draft, practitioner
):
    course = draft()
    url = reverse("courses:detail", args=[course.pk])
    expected = client_of.get(url).context["confirm_form"].initial["expected"]
    Closure.objects.create(starts_on=date(2026, 1, 20), ends_on=date(2026, 3, 31), reason="Works")
    response = client_of.post(
        reverse("courses:confirm", args=[course.pk]), {"expected": expected}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "Session 2" in page
    assert 'data-testid="no-slot"' in page
    assert "Nearest fixes:" in page
    assert "Starting on or after Mon 30 Mar 2026 fits every session" in page
    assert not Session.objects.exists()
    assert Course.objects.get().status == CourseStatus.DRAFT
    assert reverse("courses:discard", args=[course.pk]) in page  # a draft that fits nowhere goes


def test_discard_deletes_the_draft_and_returns_to_the_patient(client_of, draft, book, patient):
    booked, course = book(start_on=date(2026, 1, 7)), draft()
    response = client_of.post(reverse("courses:discard", args=[course.pk]))
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert not Course.objects.filter(pk=course.pk).exists()
    assert client_of.post(reverse("courses:discard", args=[booked.pk])).status_code == 404
    assert Course.objects.get(pk=booked.pk).sessions.count() == 6


def test_course_history_names_the_patient_for_a_link_cancel_and_staff_by_name(
    client_of, booked, practitioner
):
    second, third = booked.sessions.get(number=2), booked.sessions.get(number=3)
    rescheduling.cancel_session(
        session=second, reason="by link", actor=system_actor(SystemActor.PATIENT_LINK)
    )
    rescheduling.cancel_session(session=third, reason="Ill", actor=practitioner.user)
    page = client_of.get(reverse("courses:detail", args=[booked.pk])).content.decode()
    staff = practitioner.user.get_full_name() or practitioner.user.username
    assert "the patient: Cancelled" in page
    assert f"{staff}: Cancelled" in page
    assert SystemActor.PATIENT_LINK.value not in page  # the system user's name is never shown


def test_a_reschedule_from_a_page_opened_before_another_move_is_refused(client_of, booked):
    third = booked.sessions.get(number=3)
    url = reverse("courses:reschedule", args=[third.pk])
    seen = third.schedule_version  # two tabs opened the same form
    first_tab = {
        "new_day": "2026-03-03",
        "new_time": "10:00",
        "scope": "following",
        "version": seen,
    }
    assert client_of.post(url, first_tab).status_code == 302
    moved = Session.objects.get(pk=third.pk)
    second_tab = {**first_tab, "new_day": "2026-03-10"}
    page = client_of.post(url, second_tab).content.decode()
    assert "changed since this page was opened" in page
    assert Session.objects.get(pk=third.pk).arrives_at == moved.arrives_at  # not overwritten
    assert f'name="version" value="{moved.schedule_version}"' in page  # the page as it is now
    again = {**second_tab, "version": moved.schedule_version}  # a deliberate second move
    assert client_of.post(url, again).status_code == 302
    assert Session.objects.get(pk=third.pk).arrives_at.date() == date(2026, 3, 10)


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "99999999999", "1\x00"])
def test_a_reschedule_without_a_readable_version_says_the_page_was_out_of_date(
    client_of, booked, version
):
    third = booked.sessions.get(number=3)
    data = {"new_day": "2026-02-25", "new_time": "11:00", "scope": "this"}
    if version is not None:
        data["version"] = version
    response = client_of.post(reverse("courses:reschedule", args=[third.pk]), data)
    assert response.status_code == 200
    assert "The page was out of date" in response.content.decode()
    assert Session.objects.get(pk=third.pk).arrives_at == third.arrives_at


def test_a_move_to_the_time_the_session_already_has_is_refused(client_of, booked):
    third = booked.sessions.get(number=3)
    local = timezone.localtime(third.arrives_at)
    data = {"new_day": f"{local:%Y-%m-%d}", "new_time": f"{local:%H:%M}", "scope": "this",
            "version": third.schedule_version}  # fmt: skip
    page = client_of.post(reverse("courses:reschedule", args=[third.pk]), data).content.decode()
    assert "already at that date and time" in page
    assert not SessionChange.objects.filter(session=third, kind="rescheduled").exists()
