from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from courses import rescheduling, services
from courses.models import Session, SessionStatus
from patients.models import Patient
from reminders import links
from reminders import services as services_outbox
from reminders.models import Kind, OutboxMessage, Status
from tests.factories import ClinicFactory


@pytest.fixture
def booked(draft, reachable, practitioner):
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course.sessions.get(number=1)


def url(action, session, version=None):
    token = links.session_token(action, session.pk, version or session.schedule_version)
    return reverse(f"reminders:{action}", args=[token])


def test_confirm_link_asks_first_then_confirms_once_by_post(client, booked):
    page = client.get(url("confirm", booked))  # a mail scanner opening the link
    assert page.status_code == 200
    assert "Tuesday 6 January 2026, 10:00 (Europe/London)" in page.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED
    response = client.post(url("confirm", booked))
    assert response.status_code == 200
    assert "See you on Tuesday 6 January 2026, 10:00 (Europe/London)" in response.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CONFIRMED
    again = client.post(url("confirm", booked))
    assert again.status_code == 410
    assert (
        "You have already confirmed — see you on Tuesday 6 January 2026, 10:00 (Europe/London)."
    ) in again.content.decode()
    assert "changed since this message" not in again.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CONFIRMED


def test_cancel_link_asks_first_then_frees_the_slot_and_tells_the_practitioner(client, booked):
    page = client.get(url("cancel", booked))
    assert page.status_code == 200
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED
    done = client.post(url("cancel", booked))
    assert done.status_code == 200
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CANCELLED
    notice = OutboxMessage.objects.get(kind=Kind.CANCELLED_BY_PATIENT)
    assert notice.recipient == booked.practitioner.user.email
    pending = OutboxMessage.objects.filter(session=booked, kind=Kind.REMINDER_48H)
    assert set(pending.values_list("status", flat=True)) == {Status.CANCELLED}
    assert client.post(url("cancel", booked)).status_code == 410


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_link_pages_keep_the_referer_on_the_planner_without_breaking_their_form(
    client, booked, action
):
    page = client.get(url(action, booked))
    html = page.content.decode()
    assert '<meta name="referrer" content="same-origin">' in html  # no token to other hosts
    assert "no-referrer" not in html  # Chromium would post "Origin: null" and fail CSRF
    assert page["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_tampered_link_is_400_with_the_clinic_phone(client, booked, action):
    ClinicFactory(phone="+44 20 7946 0001")
    token = links.session_token(action, booked.pk, 1)
    response = client.get(reverse(f"reminders:{action}", args=[token[:-3] + "abc"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert "+44 20 7946 0001" in response.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED


def test_link_for_another_purpose_is_refused(client, booked):
    confirm_token = links.session_token("confirm", booked.pk, 1)
    response = client.post(reverse("reminders:cancel", args=[confirm_token]))
    assert response.status_code == 400
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED


def test_link_of_a_moved_session_is_stale(client, booked, practitioner):
    old_link = url("confirm", booked)
    rescheduling.reschedule_session(
        session=booked, new_day=booked.arrives_at.date() + timedelta(days=1),
        new_time=booked.arrives_at.time(), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    response = client.get(old_link)
    assert response.status_code == 410
    assert "changed since this message" in response.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED


def test_link_expires_when_the_session_starts(client, booked, time_machine):
    time_machine.move_to(booked.arrives_at, tick=False)
    response = client.get(url("confirm", booked))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_unsubscribe_withdraws_one_channel_by_one_click_post(client, booked, reachable):
    token = links.unsubscribe_token(reachable.pk, "email")
    path = reverse("reminders:unsubscribe", args=[token])
    assert client.get(path).status_code == 200
    reachable.refresh_from_db()
    assert reachable.email_consent_at is not None
    csrf_client = client.__class__(enforce_csrf_checks=True)
    assert csrf_client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    reachable.refresh_from_db()
    assert reachable.email_consent_at is None
    assert reachable.sms_consent_at is not None


def test_an_unsubscribe_link_opened_again_says_it_is_already_done(client, booked, reachable):
    path = reverse("reminders:unsubscribe", args=[links.unsubscribe_token(reachable.pk, "email")])
    assert "Stop reminders by" in client.get(path).content.decode()
    client.post(path)
    page = client.get(path).content.decode()
    assert "Already unsubscribed" in page
    assert "Stop reminders by" not in page  # no button to press again


def test_bad_unsubscribe_token_is_400(client, db):
    bad = signing.dumps({"p": 1, "c": "pigeon"}, salt="other")
    assert client.get(reverse("reminders:unsubscribe", args=[bad])).status_code == 400


def test_staff_see_failed_messages_and_retry(client, booked, practitioner):
    message = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED).first()
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error="SMTP 550")
    assert client.get(reverse("reminders:failed"))["Location"].startswith(reverse("login"))
    client.force_login(practitioner.user)
    page = client.get(reverse("reminders:failed")).content.decode()
    assert "SMTP 550" in page
    client.post(reverse("reminders:retry", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == Status.PENDING


def test_patient_and_session_pages_list_messages(client, booked, practitioner):
    client.force_login(practitioner.user)
    patient_page = client.get(reverse("patients:detail", args=[booked.patient_id])).content.decode()
    assert "Course booked" in patient_page
    session_page = client.get(reverse("courses:session_day", args=[booked.pk])).content.decode()
    assert "Reminder before the session" in session_page


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "Practitioner ill"}, {"confirm": "on"}, {"reason": "  ", "confirm": "on"}],
)
def test_staff_cancel_without_a_reason_and_a_confirmation_changes_nothing(
    client, booked, practitioner, data
):
    client.force_login(practitioner.user)
    path = reverse("courses:session_cancel", args=[booked.pk])
    response = client.post(path, data)
    assert response.status_code == 200
    assert "Cancel session 1?" in response.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED
    assert not OutboxMessage.objects.filter(kind=Kind.SESSIONS_CHANGED).exists()


def test_staff_cancel_asks_why_and_for_a_yes_then_the_patient_is_told(client, booked, practitioner):
    OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED).update(status=Status.SENT)
    client.force_login(practitioner.user)
    course_page = client.get(reverse("courses:detail", args=[booked.course_id])).content.decode()
    path = reverse("courses:session_cancel", args=[booked.pk])
    assert f'href="{path}"' in course_page  # a link to the question, not a one-click POST
    page = client.get(path)
    assert page.status_code == 200
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED
    response = client.post(path, {"reason": "Practitioner ill", "confirm": "on"})
    assert response.status_code == 302
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CANCELLED
    assert booked.changes.get(kind="cancelled").reason == "Practitioner ill"
    notices = OutboxMessage.objects.filter(kind=Kind.SESSIONS_CHANGED, status=Status.PENDING)
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "sms"]


def test_patient_page_says_when_it_shows_only_the_latest_messages_and_links_to_all(
    client, reachable, practitioner
):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=Kind.COURSE_BOOKED,
            channel="email",
            recipient=reachable.email,
            patient=reachable,
            dedupe_key=f"test:{n}",
            due_at=timezone.now() + timedelta(hours=n),
        )  # fmt: skip
        for n in range(75)
    )
    client.force_login(practitioner.user)
    page = client.get(reverse("patients:detail", args=[reachable.pk])).content.decode()
    assert "Showing the latest 30 of 75 messages." in page
    everything = reverse("reminders:patient_messages", args=[reachable.pk])
    assert f'href="{everything}"' in page
    first, second = client.get(everything), client.get(everything, {"page": 2})
    assert first.status_code == second.status_code == 200
    assert len(first.context["outbox"]) + len(second.context["outbox"]) == 75
    assert client.get(reverse("reminders:patient_messages", args=[424242])).status_code == 404


def test_patient_page_with_few_messages_shows_them_all_without_a_note(client, booked, practitioner):
    client.force_login(practitioner.user)
    page = client.get(reverse("patients:detail", args=[booked.patient_id])).content.decode()
    assert "Course booked" in page
    assert "Showing the latest" not in page


@pytest.mark.parametrize("reopened", ["confirm", "cancel"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_reopened_after_the_patient_cancelled_says_the_session_is_already_cancelled(
    client, booked, reopened, method
):
    ClinicFactory(phone="+44 20 7946 0000")
    links_in_the_email = {action: url(action, booked) for action in ("confirm", "cancel")}
    assert client.post(links_in_the_email["cancel"]).status_code == 200
    messages_before = OutboxMessage.objects.count()
    response = getattr(client, method)(links_in_the_email[reopened])
    page = response.content.decode()
    assert response.status_code == 410
    assert "This session is already cancelled." in page
    assert "To book another time, call us on" in page
    assert "+44 20 7946 0000" in page
    assert "changed since this message" not in page
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CANCELLED
    assert OutboxMessage.objects.count() == messages_before


def test_a_link_to_a_session_the_clinic_cancelled_says_it_is_cancelled(
    client, booked, practitioner
):
    link = url("confirm", booked)
    rescheduling.cancel_session(session=booked, reason="Ill", actor=practitioner.user)
    response = client.get(link)
    assert response.status_code == 410
    assert "This session is already cancelled." in response.content.decode()


def reminders_line(staff, patient):
    page = staff.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    return page.split('data-testid="reminder-channels">', 1)[1].split("</dd>", 1)[0]


def test_after_an_unsubscribe_the_patient_page_shows_reminders_off_on_that_channel(
    client, booked, reachable, practitioner
):
    staff = client.__class__()
    staff.force_login(practitioner.user)
    assert "off" not in reminders_line(staff, reachable)
    token = links.unsubscribe_token(reachable.pk, "email")
    client.post(reverse("reminders:unsubscribe", args=[token]))
    line = reminders_line(staff, reachable)
    assert line.startswith("E-mail <span")
    assert "off: no consent" in line
    assert line.endswith("; SMS")  # still on


def test_the_patient_page_says_when_reminders_are_chosen_but_no_address_can_take_them(
    client, patient, practitioner
):
    Patient.objects.filter(pk=patient.pk).update(
        reminder_channel="email", email="", email_consent_at=timezone.now()
    )
    client.force_login(practitioner.user)
    assert "off: no usable address" in reminders_line(client, patient)


def test_a_session_moved_while_the_patient_cancels_is_not_cancelled(
    client, booked, practitioner, monkeypatch
):
    """The link is checked when the page is read and again under the session's lock."""
    real = services_outbox.cancel_by_patient

    def staff_move_first(**kwargs):  # the clinic moves the session in between
        rescheduling.reschedule_session(
            session=booked, new_day=booked.arrives_at.date() + timedelta(days=1),
            new_time=booked.arrives_at.time(), scope="this", reason="",
            actor=practitioner.user,
        )  # fmt: skip
        return real(**kwargs)

    monkeypatch.setattr(services_outbox, "cancel_by_patient", staff_move_first)
    response = client.post(url("cancel", booked))
    assert response.status_code == 410
    assert "changed since this message" in response.content.decode()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED
    assert not OutboxMessage.objects.filter(kind=Kind.CANCELLED_BY_PATIENT).exists()


def test_a_null_byte_in_a_patient_link_is_answered_in_the_patients_layout(client, db):
    response = client.get("/p/confirm/abc%00def/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "null character" in html
    assert "Back to the planner" not in html  # no way into the staff pages
    staff = client.get("/patients/%00/")
    assert staff.status_code == 400
    assert "Back to the planner" in staff.content.decode()
