"""Every registered model has a working admin list, search and add page."""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from courses import rescheduling
from courses.models import (
    Course,
    Indication,
    Session,
    SessionChange,
)
from reminders.models import OutboxMessage, Status
from tests.factories import ClinicFactory, cleared_patient
from tests.mfa import force_verified_login

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_admin_add_page_renders_or_is_refused(manager_client, app, model):
    response = manager_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code in (200, 403)


def test_staff_without_permissions_cannot_use_admin_models(client, staff_user):
    force_verified_login(client, staff_user)  # past the admin's code step
    response = client.get(reverse("admin:clinic_practitioner_changelist"))
    assert response.status_code == 403


@pytest.fixture
def written_rows(book, practitioner):
    """A booked course (sessions and reminders in the outbox) with one cancelled session."""
    patient = cleared_patient(
        practitioner.user, reminder_channel="email", email_consent_at=timezone.now()
    )
    course = book(patient=patient)
    session = course.sessions.order_by("number").last()
    rescheduling.cancel_session(session=session, reason="Patient away", actor=practitioner.user)
    return {
        Course: course,
        Session: course.sessions.order_by("number").first(),
        SessionChange: SessionChange.objects.first(),
        OutboxMessage: OutboxMessage.objects.first(),
    }


SERVICE_WRITTEN = [Course, Session, SessionChange, OutboxMessage]


def snapshot(model):
    return list(model.objects.order_by("pk").values())


@pytest.mark.parametrize("model", SERVICE_WRITTEN, ids=lambda m: m._meta.model_name)
def test_service_written_rows_cannot_be_added_in_the_admin(manager_client, written_rows, model):
    before = snapshot(model)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert manager_client.get(url).status_code == 403
    assert (
        manager_client.post(url, {"status": "planned", "sessions_planned": "12"}).status_code == 403
    )
    assert snapshot(model) == before


@pytest.mark.parametrize("model", SERVICE_WRITTEN, ids=lambda m: m._meta.model_name)
def test_service_written_rows_are_shown_but_not_changed_or_deleted_in_the_admin(
    manager_client, written_rows, model
):
    row, before = written_rows[model], snapshot(model)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    change = reverse(f"{name}_change", args=[row.pk])
    page = manager_client.get(change)
    assert page.status_code == 200
    assert 'type="submit" value="Save"' not in page.content.decode()
    posted = {f.name: "x" for f in model._meta.fields if f.name != "id"}
    assert manager_client.post(change, posted).status_code == 403
    delete = reverse(f"{name}_delete", args=[row.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    listing = reverse(f"{name}_changelist")
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    manager_client.post(listing, bulk)
    assert snapshot(model) == before


def test_course_change_from_the_admin_cannot_break_the_planning_rules(
    manager_client, written_rows, catalogue
):
    course = written_rows[Course]
    cellulite = Indication.objects.get(code="cellulite")
    response = manager_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        {"indication": cellulite.pk, "sessions_planned": 12, "target_gap_weeks": 1},
    )
    assert response.status_code == 403
    course.refresh_from_db()
    assert (course.indication.code, course.sessions_planned, course.target_gap_weeks) == (
        "wrinkles",
        6,
        3,
    )


def test_failed_messages_can_still_be_queued_again_from_the_admin(manager_client, written_rows):
    message = written_rows[OutboxMessage]
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
    response = manager_client.post(
        reverse("admin:reminders_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": [message.pk]},
        follow=True,
    )
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert "1 message queued again." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["created_at__year=0", f"created_at__year={2**63}", f"id={2**63}", "id=9" + "9" * 40,
     f"practitioner={2**63}", "arrives_at__year=99999999999999999999"],
)  # fmt: skip
@pytest.mark.parametrize("page", ["courses/course", "courses/session", "auth/user"])
def test_admin_list_with_an_unqueryable_filter_answers_without_server_error(
    manager_client, page, query
):
    """An id past 64 bits finds nothing; a year that cannot be queried reloads the list."""
    response = manager_client.get(f"/admin/{page}/?{query}")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "greater than or equal to 10"),  # the real minimum at once, not "0"
        ("0", "greater than or equal to 10"),
        ("3601", "less than or equal to 3600"),
    ],
)
def test_clinic_numbers_out_of_range_name_the_real_limit(manager_client, value, message):
    clinic = ClinicFactory()
    data = {k: ("" if v is None else v) for k, v in model_to_dict(clinic).items()}
    data["requeue_after_seconds"] = value
    url = reverse("admin:clinic_clinic_change", args=[clinic.pk])
    page = manager_client.get(url).content.decode()
    assert 'name="requeue_after_seconds"' in page
    assert 'min="10"' in page
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "greater than or equal to 0" not in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.requeue_after_seconds == 60
