"""Roles and permissions (issue #16): every URL's answer per role, from one table.

The URL conf is enumerated (``get_resolver()``, recursively, the admin included),
so a new URL without a rule (``clinic.permissions.requires``) or an explicit
public marker (``login_not_required``) fails here, and so does a URL missing
from the table below.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from clinic.permissions import is_manager, required_permission
from courses import photos, session_day
from courses.models import AftercareSheet, Session
from patients import services as patient_services
from patients.models import Patient
from reminders import links, webhooks
from reminders.models import Kind, OutboxMessage, Status
from tests.factories import LotFactory, PractitionerFactory
from tests.mfa import force_verified_login

ROLES = ("anonymous", "reception", "practitioner", "manager")
PROJECT_APPS = ("auth", "clinic", "patients", "courses", "reminders", "privacy")


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Every URL pattern as (route, qualified name, view), included ones too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name or ''}", pattern.callback


def is_public(view) -> bool:
    return getattr(view, "login_required", True) is False


def is_api(route: str) -> bool:
    """The REST API (issue #18): past the login middleware, guarded by tokens (API_TABLE)."""
    return route.startswith("api/")


def test_every_url_has_a_rule_or_is_marked_public():
    unguarded = [
        route
        for route, _, view in walk()
        if not required_permission(view) and not is_public(view) and not is_api(route)
    ]
    assert unguarded == []


def test_the_public_urls_are_only_the_login_health_check_links_and_feed():
    public = sorted({name for route, name, view in walk() if is_public(view) and not is_api(route)})
    assert public == [
        "admin:login", "calendar:feed", "csp_report", "healthz", "login", "logout",
        "portal:consent", "portal:course", "portal:home_use", "portal:move", "portal:new_link",
        "portal:previsit", "portal:satisfaction", "reminders:cancel", "reminders:confirm",
        "reminders:unsubscribe",
    ]  # fmt: skip


# name: (address's arguments, GET answer for anonymous, reception, practitioner, manager).
# Write URLs that take only POST answer 405 to a GET from a role that may use them.
LOGIN = "login"  # a redirect to the login page
A, B = 302, 200
TABLE = {
    "home": ((), LOGIN, 200, 200, 200),
    "report": ((), LOGIN, 403, 403, 200),
    "report_csv": ((), LOGIN, 403, 403, 200),
    "report_outcomes_csv": ((), LOGIN, 403, 403, 200),
    "healthz": ((), "public", "public", "public", "public"),
    "patients:list": ((), LOGIN, 200, 200, 200),
    "patients:create": ((), LOGIN, 200, 200, 200),
    "patients:detail": (("patient",), LOGIN, 200, 200, 200),
    "patients:edit": (("patient",), LOGIN, 200, 200, 200),
    "patients:screening_create": (("patient",), LOGIN, 403, 200, 200),
    "patients:caution_decision": (("patient", "screening"), LOGIN, 403, 200, 200),
    "patients:consent_create": (("patient",), LOGIN, 403, 200, 200),
    "courses:overview": ((), LOGIN, 200, 200, 200),
    "courses:create": (("patient",), LOGIN, 403, 200, 200),
    "courses:detail": (("course",), LOGIN, 200, 200, 200),
    "courses:confirm": (("course",), LOGIN, 403, 405, 405),
    "courses:discard": (("course",), LOGIN, 403, 405, 405),
    "courses:cancel": (("course",), LOGIN, 200, 200, 200),
    "courses:replacement": (("course",), LOGIN, 405, 405, 405),
    "courses:revoke_links": (("course",), LOGIN, 405, 405, 405),
    "courses:home_roller": (("course",), LOGIN, 403, 405, 405),
    "courses:outcomes": (("course",), LOGIN, 403, 405, 405),
    "courses:reschedule": (("session",), LOGIN, 200, 200, 200),
    "courses:session_cancel": (("session",), LOGIN, 200, 200, 200),
    "courses:no_show": (("session",), LOGIN, 405, 405, 405),
    "courses:session_confirm": (("session",), LOGIN, 405, 405, 405),
    "courses:session_day": (("session",), LOGIN, 403, 200, 200),
    "courses:session_step": (("session", "step"), LOGIN, 403, 405, 405),
    "courses:aftercare": (("finished",), LOGIN, 403, 200, 200),
    "courses:photo_upload": (("session",), LOGIN, 403, 405, 405),
    "courses:photo": (("photo",), LOGIN, 403, 200, 200),
    "calendar:home": ((), LOGIN, 302, 302, 302),
    "calendar:show": (("kind", "practitioner_pk", "view", "day"), LOGIN, 200, 200, 200),
    "calendar:plan": ((), LOGIN, 400, 400, 400),  # no slot picked: the form's error
    "calendar:replacement": (("course",), LOGIN, 405, 405, 405),
    "calendar:feed_settings": ((), LOGIN, 403, 200, 200),
    "calendar:feed_change": (("action",), LOGIN, 403, 405, 405),
    "calendar:feed": (("feed_token",), 200, 200, 200, 200),
    "reminders:confirm": (("confirm_token",), 200, 200, 200, 200),
    "reminders:cancel": (("cancel_token",), 200, 200, 200, 200),
    "reminders:unsubscribe": (("unsubscribe_token",), 200, 200, 200, 200),
    # The patient's course page: the signed link is the only key.
    "portal:course": (("course_token",), 200, 200, 200, 200),
    # The patient's answers before a visit and their consent: POST only, the link the key.
    "portal:previsit": (("course_token", "ordinal"), 405, 405, 405, 405),
    "portal:consent": (("course_token",), 405, 405, 405, 405),
    "portal:home_use": (("course_token",), 405, 405, 405, 405),
    "portal:new_link": (("course_token",), 405, 405, 405, 405),
    "portal:move": (("course_token", "ordinal"), 200, 200, 200, 200),
    "portal:satisfaction": (("course_token", "ordinal"), 405, 405, 405, 405),
    "reminders:failed": ((), LOGIN, 200, 200, 200),
    "reminders:retry_period": ((), LOGIN, 403, 403, 405),
    "reminders:patient_messages": (("patient",), LOGIN, 200, 200, 200),
    "reminders:retry": (("message",), LOGIN, 405, 405, 405),
    # Webhooks (issue #18): managers only.
    "reminders:webhooks": ((), LOGIN, 403, 403, 200),
    "reminders:webhook_add": ((), LOGIN, 403, 403, 200),
    "reminders:webhook": (("endpoint",), LOGIN, 403, 403, 200),
    "reminders:webhook_rotate": (("endpoint",), LOGIN, 403, 403, 405),
    "reminders:webhook_switch": (("endpoint",), LOGIN, 403, 403, 405),
    "reminders:webhook_retry": (("endpoint", "delivery"), LOGIN, 403, 403, 405),
    "login": ((), 200, 302, 302, 302),  # a signed-in user is sent on
    "logout": ((), 405, 405, 405, 405),  # POST only
    "csp_report": ((), 405, 405, 405, 405),  # browsers' violation reports: POST only
    # One's own sign-in: any role. The code step and recovery codes send a session that
    # needs neither on (to the board, or to the two-step page).
    "accounts:account": ((), LOGIN, 200, 200, 200),
    "accounts:verify": ((), LOGIN, 302, 302, 302),
    "accounts:mfa": ((), LOGIN, 200, 200, 200),
    "accounts:recovery_codes": ((), LOGIN, 302, 302, 302),
    "accounts:password_change": ((), LOGIN, 200, 200, 200),
    "accounts:end_session": (("staff_session",), LOGIN, 405, 405, 405),
    "accounts:end_other_sessions": ((), LOGIN, 405, 405, 405),
    "accounts:language": ((), LOGIN, 405, 405, 405),
    # The audit trail: managers only.
    "audit_trail": ((), LOGIN, 403, 403, 200),
    "audit_trail_csv": ((), LOGIN, 403, 403, 200),
    "audit_patient_trail": (("patient",), LOGIN, 403, 403, 200),
    # Lots, their recall list and spare-needle stock: managers only (issue #19).
    "lots": ((), LOGIN, 403, 403, 200),
    "lot_detail": (("lot",), LOGIN, 403, 403, 200),
    "lot_csv": (("lot",), LOGIN, 403, 403, 200),
    "lot_recall": (("lot",), LOGIN, 403, 403, 405),
    "lot_notify": (("lot",), LOGIN, 403, 403, 405),
    "stock": ((), LOGIN, 403, 403, 200),
    # One's own API tokens (issue #18): any role.
    "api_tokens:list": ((), LOGIN, 200, 200, 200),
    "api_tokens:revoke": (("token",), LOGIN, 405, 405, 405),
    # The patient's export and erasure, and the retention review (issue #19): managers only.
    "privacy:export": (("patient",), LOGIN, 403, 403, 200),
    "privacy:erase": (("patient",), LOGIN, 403, 403, 200),
    "privacy:due": ((), LOGIN, 403, 403, 200),
}


def jpeg():
    out = BytesIO()
    Image.new("RGB", (8, 8), "pink").save(out, format="JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(
    book,
    practitioner,
    manager,
    patient,
    settings,
    tmp_path,
    time_machine,
    django_capture_on_commit_callbacks,
):
    """A small clinic: a booked course of ``practitioner``'s, a photo, a finished session's
    aftercare sheet, a failed message, a feed and the patient's link tokens."""
    settings.MEDIA_ROOT = tmp_path
    course = book(sessions_planned=4)
    first, second = course.sessions.order_by("number")[:2]
    actor = practitioner.user
    time_machine.move_to(first.arrives_at + timedelta(minutes=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        photo = photos.add_photo(session=first, kind="before", upload=jpeg(), actor=actor)
    AftercareSheet.objects.create(session=first, text="SPF 50+", created_at=timezone.now())
    message = OutboxMessage.objects.create(
        kind=Kind.DAILY_AGENDA, channel="email", recipient="staff@clinic.example",
        due_at=timezone.now(), dedupe_key="test:failed", status=Status.FAILED, attempts=5,
    )  # fmt: skip
    endpoint, _ = webhooks.create_endpoint(
        name="CRM", url="https://crm.example/hooks", events=["session.moved"], actor=manager
    )
    delivery = OutboxMessage.objects.create(
        kind=Kind.WEBHOOK, channel="webhook", recipient=endpoint.url, endpoint=endpoint,
        due_at=timezone.now(), dedupe_key="test:webhook", status=Status.FAILED, attempts=5,
    )  # fmt: skip
    practitioner.feed_token = "a" * 43
    practitioner.save(update_fields=["feed_token"])
    second.refresh_from_db()
    version = second.schedule_version
    return {
        "patient": patient.pk, "screening": patient.latest_screening_id, "course": course.pk,
        "session": second.pk, "finished": first.pk, "photo": photo.pk, "message": message.pk,
        "step": "check-in", "kind": "practitioner", "practitioner_pk": practitioner.pk,
        "view": "week", "day": timezone.localdate().isoformat(), "action": "renew",
        "feed_token": practitioner.feed_token, "staff_session": 1, "ordinal": 2, "token": 1,
        "confirm_token": links.session_token("confirm", second.pk, version),
        "cancel_token": links.session_token("cancel", second.pk, version),
        "unsubscribe_token": links.unsubscribe_token(patient.pk, "email"),
        "course_token": links.course_token(course.pk, patient.pk, course.patient_link_version),
        "endpoint": endpoint.pk, "delivery": delivery.pk,
        "lot": LotFactory().pk,
    }  # fmt: skip


@pytest.fixture
def logins(practitioner, manager, reception):
    return {"anonymous": None, "reception": reception, "practitioner": practitioner.user,
            "manager": manager}  # fmt: skip


def client_for(user) -> Client:
    """A client signed in as ``user``; a manager past the code step, as managers must be."""
    client = Client()
    if user is not None and is_manager(user):
        force_verified_login(client, user)
    elif user is not None:
        client.force_login(user)
    return client


def test_the_table_names_every_url_outside_the_admin():
    names = {
        name for route, name, _ in walk() if not name.startswith("admin:") and not is_api(route)
    }
    assert names == set(TABLE)


def test_every_url_answers_each_role_as_the_table_says(world, logins):
    wrong = []
    for role, user in logins.items():
        client = client_for(user)
        for name, (arguments, *answers) in TABLE.items():
            url = reverse(name, args=[world[a] for a in arguments])
            expected = answers[ROLES.index(role)]
            response = client.get(url)
            if expected == LOGIN:
                ok = response.status_code == 302 and response["Location"].startswith("/login/")
            elif expected == "public":
                ok = response.status_code not in (302, 403)
            else:
                ok = response.status_code == expected
            if not ok:
                wrong.append((role, name, expected, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


def test_the_admin_is_for_managers_only(world, logins):
    """Every admin page: anonymous to the login page, reception and practitioners 403;
    a manager gets the index and every model's list."""
    routes = [(route, name) for route, name, _ in walk() if name.startswith("admin:")]
    assert len(routes) > 50
    listed = [name for _, name in routes if name.endswith("_changelist")]
    for role, user in logins.items():
        client = client_for(user)
        for name in ["admin:index", *listed]:
            status = client.get(reverse(name)).status_code
            expected = {"anonymous": 302, "manager": 200}.get(role, 403)
            assert (role, name, status) == (role, name, expected)


def test_the_admin_index_lists_every_managed_app_for_a_manager(world, manager):
    """The admin asks ``has_module_perms(app)`` before listing an app on its index and app
    pages: a manager's index shows every app it manages (it once said "You don't have
    permission to view or edit anything"), and each app page opens."""
    from django.contrib import admin

    registered = {model._meta.app_label for model in admin.site._registry}
    client = client_for(manager)
    index = client.get(reverse("admin:index"))
    listed = {app["app_label"] for app in index.context["app_list"]}
    assert listed == registered
    assert {"clinic", "patients", "courses", "auth", "axes", "audit"} <= listed
    assert "have permission to view or edit anything" not in index.content.decode()
    for label in registered:
        assert client.get(reverse("admin:app_list", args=[label])).status_code == 200


def snapshot():
    """Every row of the planner's tables (the fixture clinic is small)."""
    rows = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            rows[model._meta.label] = list(model.objects.order_by("pk").values(*fields))
    return rows


# Write URLs, the data a forged form would carry, and the roles that may not use them.
FORGED = {
    "patients:screening_create": ({"herpes": "no", "notes": "forged"}, ["reception"]),
    "patients:caution_decision": ({"decision": "approve", "reason": "forged"}, ["reception"]),
    "patients:consent_create": ({"accepted": "on"}, ["reception"]),
    "courses:create": ({"needle_mm": "0.5", "sessions_planned": "4"}, ["reception"]),
    "courses:confirm": ({"expected": ""}, ["reception"]),
    "courses:discard": ({}, ["reception"]),
    "courses:session_step": ({"version": "1"}, ["reception"]),
    "courses:photo_upload": ({"kind": "after"}, ["reception"]),
    "calendar:feed_change": ({}, ["reception"]),
    "reminders:retry_period": (
        {"start": "2025-01-01", "end": "2027-01-01", "confirm": "on"},
        ["reception", "practitioner"],
    ),
    "report_csv": ({}, ["reception", "practitioner"]),
    "reminders:webhook_add": (
        {"name": "Forged", "url": "https://evil.example/", "events": ["session.moved"]},
        ["reception", "practitioner"],
    ),
    "reminders:webhook": (
        {"name": "Forged", "url": "https://evil.example/", "events": ["session.moved"]},
        ["reception", "practitioner"],
    ),
    "reminders:webhook_rotate": ({}, ["reception", "practitioner"]),
    "reminders:webhook_switch": ({"on": "0"}, ["reception", "practitioner"]),
    "reminders:webhook_retry": ({}, ["reception", "practitioner"]),
    "lot_recall": ({"reason": "forged", "confirm": "on"}, ["reception", "practitioner"]),
    "lot_notify": ({}, ["reception", "practitioner"]),
    "privacy:erase": ({"confirm_name": "x", "source": "request"}, ["reception", "practitioner"]),
}


def test_a_forged_post_to_a_forbidden_write_url_is_refused_and_changes_nothing(world, logins):
    before = snapshot()
    for name, (data, roles) in FORGED.items():
        arguments = TABLE[name][0]
        url = reverse(name, args=[world[a] for a in arguments])
        for role in roles:
            response = client_for(logins[role]).post(url, data)
            assert (name, role, response.status_code) == (name, role, 403)
    assert snapshot() == before


def test_reception_cannot_set_a_patients_skin_profile_or_notes(world, reception):
    page = client_for(reception).get(reverse("patients:edit", args=[world["patient"]]))
    assert "Fitzpatrick" not in page.content.decode()
    assert 'name="notes"' not in page.content.decode()
    patient = Patient.objects.get(pk=world["patient"])
    patient.last_name, patient.notes = "Changed", "forged"
    with pytest.raises(PermissionDenied):
        patient_services.save_patient(patient=patient, email_consent=False, sms_consent=False,
                                      guardian_consent=False, actor=reception)  # fmt: skip
    patient = Patient.objects.get(pk=world["patient"])
    patient.last_name = "Changed"  # contact details: the front desk's
    patient_services.save_patient(patient=patient, email_consent=False, sms_consent=False,
                                  guardian_consent=False, actor=reception)  # fmt: skip
    patient.refresh_from_db()
    assert (patient.last_name, patient.notes) == ("Changed", "")


def test_a_practitioner_runs_only_their_own_sessions(world):
    other = PractitionerFactory().user
    client = client_for(other)
    before = snapshot()
    assert client.get(reverse("courses:session_day", args=[world["session"]])).status_code == 403
    step = reverse("courses:session_step", args=[world["session"], "check-in"])
    assert client.post(step, {"version": "1"}).status_code == 403
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        session_day.check_in(session=Session.objects.get(pk=world["session"]), actor=other)


def test_reception_sees_no_clinical_data(world, reception):
    client = client_for(reception)
    pages = [
        reverse("patients:detail", args=[world["patient"]]),
        reverse("patients:list"),
        reverse("courses:detail", args=[world["course"]]),
        reverse("courses:overview"),
        reverse("home") + "?all=1",
        reverse("calendar:show", args=["practitioner", world["practitioner_pk"], "week",
                                       world["day"]]),
    ]  # fmt: skip
    own_session_day = f'/courses/sessions/{world["session"]}/"'
    clinical = ["Wrinkles", "Needle length", 'id="screening-heading"', "Skin profile",
                "Fitzpatrick", "anaesthetic", "/courses/photos/", own_session_day]  # fmt: skip
    for url in pages:
        page = client.get(url).content.decode()
        assert [(url, text) for text in clinical if text in page] == []
    # the same pages show them to the course's practitioner
    owner = client_for(Session.objects.get(pk=world["session"]).practitioner.user)
    page = owner.get(reverse("courses:detail", args=[world["course"]])).content.decode()
    assert [t for t in ["Wrinkles", "Needle length", "/courses/photos/"] if t not in page] == []


def test_menus_show_only_what_the_role_may_use(world, logins):
    menus = {}
    for role in ("reception", "practitioner", "manager"):
        page = client_for(logins[role]).get(reverse("patients:list")).content.decode()
        menus[role] = [label for label, url in (("Reports", reverse("report")),
                                                ("Audit trail", reverse("audit_trail")),
                                                ("Admin", reverse("admin:index")))
                       if f'href="{url}"' in page]  # fmt: skip
    assert menus == {"reception": [], "practitioner": [],
                     "manager": ["Reports", "Audit trail", "Admin"]}  # fmt: skip


def test_system_actors_have_exactly_their_jobs(db):
    from clinic.actors import SystemActor, system_actor

    checks = {
        SystemActor.PATIENT_LINK: ["courses.confirm_attendance", "courses.cancel_by_patient",
                                   "reminders.unsubscribe", "patients.report_screening",
                                   "patients.give_consent", "courses.record_satisfaction"],
        SystemActor.REMINDERS: ["reminders.send"],
        SystemActor.MAINTENANCE: ["clinic.maintain"],
    }  # fmt: skip
    every = ["courses.confirm_attendance", "courses.cancel_by_patient", "reminders.unsubscribe",
             "reminders.send", "clinic.maintain", "courses.book", "courses.plan",
             "patients.view_clinical", "clinic.manage", "courses.run_session",
             "patients.report_screening", "patients.give_consent",
             "courses.record_satisfaction", "courses.record_outcome",
             "reminders.manage_webhooks"]  # fmt: skip
    for which, allowed in checks.items():
        actor = system_actor(which)
        assert [p for p in every if actor.has_perm(p)] == allowed
    demo = system_actor(SystemActor.DEMO)
    assert all(demo.has_perm(p) for p in every)


def test_a_manager_gives_roles_but_cannot_make_a_superuser_or_grant_permissions(manager):
    from django.contrib.auth.models import Group, Permission

    from tests.factories import UserFactory

    staff = UserFactory(username="newcomer")
    client = client_for(manager)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    reception = Group.objects.get(name="reception")
    other = Group.objects.create(name="with-raw-permissions")
    data = {"username": "newcomer", "is_active": "on", "is_staff": "on",
            "is_superuser": "on", "groups": [reception.pk],
            "user_permissions": [Permission.objects.get(codename="change_clinic").pk],
            "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "10:00:00"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    staff.refresh_from_db()
    assert staff.is_superuser is False
    assert list(staff.user_permissions.all()) == []
    assert list(staff.groups.values_list("name", flat=True)) == ["reception"]
    data["groups"] = [other.pk]  # a group outside the three roles: not offered
    assert client.post(url, data).status_code == 200
    assert client.get(reverse("admin:auth_group_change", args=[reception.pk])).status_code in (
        200,
        302,
    )
    assert client.post(reverse("admin:auth_group_change", args=[reception.pk]), {
        "name": "reception", "permissions": [Permission.objects.get(codename="change_clinic").pk],
    }).status_code == 403  # fmt: skip
    assert list(reception.permissions.all()) == []


def test_a_manager_cannot_change_a_superusers_account(manager):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    client = client_for(manager)
    url = reverse("admin:auth_user_change", args=[root.pk])
    assert client.post(url, {"username": "root", "is_active": ""}).status_code == 403
    assert (
        client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}).status_code
        == 403
    )
    root.refresh_from_db()
    assert root.is_active


def test_a_course_not_yet_booked_is_shown_only_to_those_who_plan(draft, reception, practitioner):
    course = draft()
    url = reverse("courses:detail", args=[course.pk])
    assert client_for(reception).get(url).status_code == 403
    assert client_for(practitioner.user).get(url).status_code == 200


# The REST API (issue #18), with a token per role: name -> (arguments, {method: answers for
# anonymous (no token), reception, practitioner, manager}). Writes are sent a body with an
# unknown member: a role that may use them gets the validation's 400, never a write; one
# that may not gets 403. A new API address without an entry here fails.
ALL = (401, 200, 200, 200)
WRITE_STAFF, WRITE_CLINICIANS = (401, 400, 400, 400), (401, 403, 400, 400)
API_TABLE = {
    "api:schema": ((), {"GET": (200, 200, 200, 200)}),
    "api:me": ((), {"GET": ALL}),
    "api:indications": ((), {"GET": ALL}),
    "api:areas": ((), {"GET": ALL}),
    "api:practitioners": ((), {"GET": ALL}),
    "api:rooms": ((), {"GET": ALL}),
    "api:availability": ((), {"GET": (401, 400, 400, 400)}),  # no practitioner or room asked
    "api:patients": ((), {"GET": ALL}),
    "api:patient": (("patient",), {"GET": ALL}),
    "api:screenings": (("patient",), {"GET": (401, 403, 200, 200), "POST": WRITE_CLINICIANS}),
    "api:consents": (("patient",), {"GET": (401, 403, 200, 200), "POST": WRITE_CLINICIANS}),
    "api:courses": ((), {"GET": ALL}),
    "api:course": (("course",), {"GET": ALL}),
    "api:course_plan": ((), {"POST": WRITE_CLINICIANS}),
    "api:course_confirm": (("course",), {"POST": WRITE_CLINICIANS}),
    "api:sessions": ((), {"GET": ALL}),
    "api:session": (("session",), {"GET": ALL}),
    "api:session_reschedule": (("session",), {"POST": WRITE_STAFF}),
    "api:session_cancel": (("session",), {"POST": WRITE_STAFF}),
    "api:session_no_show": (("session",), {"POST": WRITE_STAFF}),
    "api:session_confirm": (("session",), {"POST": WRITE_STAFF}),
    "api:session_procedure": (("session",), {"GET": (401, 403, 200, 200),
                                             "POST": WRITE_CLINICIANS}),
    "api:outbox": ((), {"GET": ALL}),
    "api:outbox_message": (("message",), {"GET": ALL}),
    "api:outbox_retry": (("message",), {"POST": WRITE_STAFF}),
}  # fmt: skip


def api_client_for(user):
    from api import services

    if user is None:
        return Client()
    raw = services.create_token(user=user, name="table", read_only=False, actor=user)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_table_names_every_api_url():
    names = {name for route, name, _ in walk() if is_api(route)}
    assert names == set(API_TABLE)


def test_every_api_url_answers_each_role_as_the_api_table_says(world, logins):
    before = snapshot()
    wrong = []
    for role, user in logins.items():
        client = api_client_for(user)
        for name, (arguments, methods) in API_TABLE.items():
            url = reverse(name, args=[world[a] for a in arguments])
            for method, answers in methods.items():
                if method == "GET":
                    response = client.get(url)
                else:
                    body = '{"unknown_member": 1}'
                    response = client.post(url, body, content_type="application/json")
                expected = answers[ROLES.index(role)]
                if response.status_code != expected:
                    wrong.append((role, name, method, expected, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))
    assert snapshot() == before
