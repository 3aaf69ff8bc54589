"""Reads, authentication events and refusals (both databases), and the trail's admin."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, AccessKind, AuthAction
from audit.records import record_auth_event
from clinic.accounts.events import AuthEvent, send_auth_event
from tests.factories import PatientFactory, UserFactory


def test_a_page_view_of_a_patient_leaves_a_read_record(staff_client, staff_user):
    patient = PatientFactory()
    url = reverse("patients:detail", args=[patient.pk])
    assert staff_client.get(url).status_code == 200
    read = AccessEvent.objects.get(kind=AccessKind.READ)
    assert (read.user, read.object_type, read.object_id, read.patient_id) == (
        staff_user,
        "patients.Patient",
        str(patient.pk),
        patient.pk,
    )
    assert (read.method, read.path) == ("GET", url)
    assert len(read.request_id) == 32


def test_the_session_day_page_and_a_photo_record_reads_under_the_patient(
    client, book, practitioner
):
    course = book(sessions_planned=4)
    session = course.sessions.get(number=1)
    client.force_login(practitioner.user)  # the session day is its own practitioner's
    assert client.get(reverse("courses:session_day", args=[session.pk])).status_code == 200
    client.get(reverse("courses:detail", args=[course.pk]))
    reads = AccessEvent.objects.filter(kind=AccessKind.READ).order_by("id")
    assert [(r.object_type, r.patient_id) for r in reads] == [
        ("courses.Session", course.patient_id),
        ("courses.Course", course.patient_id),
    ]


def test_log_in_failure_and_log_out_are_recorded_without_the_password(client, db):
    user = UserFactory(username="anna", is_staff=True)
    user.set_password("right-password-1")
    user.save()
    client.post(reverse("login"), {"username": "nobody", "password": "wrong-secret-8"})
    client.post(reverse("login"), {"username": "anna", "password": "wrong-secret-9"})
    client.post(reverse("login"), {"username": "anna", "password": "right-password-1"})
    client.post(reverse("logout"))
    events = list(AccessEvent.objects.filter(kind=AccessKind.AUTH).order_by("id"))
    assert [e.action for e in events] == [
        AuthAction.LOGIN_FAILED,
        AuthAction.LOGIN_FAILED,
        AuthAction.LOGIN,
        AuthAction.LOGOUT,
    ]
    unknown, failed = events[:2]
    assert (unknown.user, unknown.username) == (None, "nobody")  # the name typed
    assert (failed.user, failed.username) == (user, "anna")  # the account tried
    assert events[2].user == user
    assert events[3].user == user
    stored = str(list(AccessEvent.objects.values()))
    assert "wrong-secret-9" not in stored
    assert "wrong-secret-8" not in stored
    assert "right-password-1" not in stored


def test_record_auth_event_takes_the_other_flows_and_refuses_an_unknown_kind(staff_user, rf):
    request = rf.post("/account/mfa/")
    request.user = staff_user
    record_auth_event(kind="mfa_enrolled", user=staff_user, request=request)
    assert AccessEvent.objects.get().action == "mfa_enrolled"
    with pytest.raises(ValueError, match="unknown"):
        record_auth_event(kind="password_seen", user=staff_user, request=request)


def test_guessing_an_id_and_a_forbidden_page_are_recorded_as_refusals(staff_client, staff_user):
    assert staff_client.get("/patients/987654/").status_code == 404
    assert staff_client.get(reverse("audit_trail")).status_code == 403
    refusals = AccessEvent.objects.filter(kind=AccessKind.REFUSAL).order_by("id")
    assert [(r.action, r.path, r.user) for r in refusals] == [
        ("404", "/patients/987654/", staff_user),
        ("403", reverse("audit_trail"), staff_user),
    ]


def test_an_anonymous_404_is_not_a_refusal_but_its_page_keeps_its_look(client, db):
    response = client.get("/healthz-nothing-here")
    assert response.status_code in (302, 404)
    assert not AccessEvent.objects.filter(kind=AccessKind.REFUSAL).exists()


def test_admin_shows_the_trail_but_nobody_can_add_change_or_delete(manager_client, manager):
    patient = PatientFactory()
    manager_client.get(reverse("patients:detail", args=[patient.pk]))
    event = AccessEvent.objects.get(kind=AccessKind.READ)
    assert manager_client.get(reverse("admin:audit_accessevent_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:audit_accessevent_add")).status_code == 403
    delete = reverse("admin:audit_accessevent_delete", args=[event.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:audit_accessevent_change", args=[event.pk])
    manager_client.post(change, {"action": "forged", "kind": "auth"})
    assert AccessEvent.objects.get(pk=event.pk).action == "view"
    events = reverse("admin:patients_patientevent_changelist")
    assert manager_client.get(events).status_code == 200
    assert b"delete_selected" not in manager_client.get(events).content


def test_trail_pages_need_the_permission_and_list_reads_for_a_manager(staff_client, staff_user):
    patient = PatientFactory()
    staff_client.get(reverse("patients:detail", args=[patient.pk]))
    trail = reverse("audit_patient_trail", args=[patient.pk])
    assert staff_client.get(trail).status_code == 403
    staff_user.user_permissions.add(Permission.objects.get(codename="view_trail"))
    detail = staff_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert trail in detail
    page = staff_client.get(trail).content.decode()
    assert page.count('data-testid="trail-row"') >= 2  # the two reads (and any changes)
    assert "read · view" in page
    listing = staff_client.get(reverse("audit_trail"), {"kind": "read"}).content.decode()
    assert listing.count('data-testid="trail-row"') == 2


def test_trail_csv_exports_the_filtered_rows_and_bad_filters_are_a_400(manager_client, manager):
    patient = PatientFactory()
    manager_client.get(reverse("patients:detail", args=[patient.pk]))
    export = manager_client.get(reverse("audit_trail_csv"), {"kind": "read"})
    lines = export.content.decode().strip().splitlines()
    assert export["Content-Type"].startswith("text/csv")
    assert len(lines) == 2
    assert ",read,view," in lines[1]
    bad = manager_client.get(
        reverse("audit_trail"), {"first_day": "2026-02-02", "last_day": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert "The period ends before it starts." in bad.content.decode()


@pytest.mark.parametrize("last_day", ["9999-12-31", "0001-01-01"])
def test_a_date_past_the_shown_window_is_a_400_not_a_500(manager_client, manager, last_day):
    for name, args in (("audit_trail", []), ("audit_trail_csv", []),
                       ("audit_patient_trail", [PatientFactory().pk])):  # fmt: skip
        response = manager_client.get(reverse(name, args=args), {"last_day": last_day})
        assert response.status_code == 400, name
        assert "Pick dates between" in response.content.decode()


def test_the_csv_shows_a_typed_formula_as_text(manager_client, db):
    typed = '=HYPERLINK("http://x.invalid","x")'  # a user name anyone can type at the login
    Client().post(reverse("login"), {"username": typed, "password": "p"})
    export = manager_client.get(reverse("audit_trail_csv"), {"kind": "auth"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    failed = [row for row in rows if row[2] == "login_failed"]
    assert failed
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in failed for cell in row)
    assert any(cell.startswith("'=HYPERLINK") for row in failed for cell in row)


def test_a_tampered_patient_link_is_recorded_as_a_refusal_without_its_secret(client, db):
    response = client.post("/p/cancel/forged-token-123/")
    assert response.status_code == 400
    refusal = AccessEvent.objects.get(kind=AccessKind.REFUSAL)
    assert (refusal.action, refusal.method, refusal.path) == (
        "400",
        "POST",
        "/p/cancel/[redacted]/",
    )
    assert refusal.user is None


def test_a_lockout_is_recorded_with_the_name_typed(rf, db):
    from axes.signals import user_locked_out

    # django-axes' own signal, forwarded by the sign-in app to the trail
    user_locked_out.send(sender="axes", request=rf.post("/login/"), username="anna")
    event = AccessEvent.objects.get()
    assert (event.kind, event.action, event.username) == ("auth", "lockout", "anna")


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        (AuthEvent.MFA_ENROLLED, "mfa_enrolled"),
        (AuthEvent.MFA_FAILED, "mfa_failed"),
        (AuthEvent.RECOVERY_CODES, "recovery_codes"),
        (AuthEvent.PASSWORD_CHANGED, "password_changed"),
        (AuthEvent.SESSIONS_ENDED, "sessions_ended"),
        (AuthEvent.SESSION_EXPIRED, "session_expired"),
    ],
)
def test_each_sign_in_event_is_recorded_with_its_user(rf, staff_user, kind, action):
    send_auth_event(kind, user=staff_user, request=rf.post("/account/"), detail={"count": 2})
    event = AccessEvent.objects.get()
    assert (event.kind, event.action, event.user, event.detail) == (
        "auth",
        action,
        staff_user,
        "count=2",
    )


def test_a_request_without_a_login_is_named_for_what_it_was(client, db):
    """Not "unknown": a failed log-in naming no account is someone not signed in, a refused
    patient link the patient's link (found in the walk)."""
    from audit.trail import Filters, complete, trail

    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    client.post("/p/cancel/forged-token-123/")
    rows = {row.action: row.who for row in complete(trail(Filters())[:10])}
    assert rows["login_failed"] == "not signed in"
    assert rows["400"] == "patient link"
