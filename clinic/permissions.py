"""Who may do what: every permission of the planner and the rule that answers it (issue #16).

One place for the rules (the ``rules`` library): views check them through
:func:`requires`, write services through :func:`require`, templates through
``{% load rules %}{% has_perm %}``, and the admin through Django's own model
permissions (``patients.view_record``, ...), which answer from here too.

The three roles are Django groups made by ``clinic/migrations/0007_roles.py``:

- **reception**: patients' contact details and reminder preferences, the
  calendars, booking and moving sessions, confirmations, failed messages; no
  screening answers, skin profile, consent, clinical notes, photos, procedure
  records or aftercare sheets.
- **practitioner**: everything clinical and planning courses; the session day
  only of their own sessions (the session's practitioner is theirs).
- **manager**: everything, the admin (clinic settings, staff), reports, the
  retry of a period's failed messages, the audit trail, and a patient's export and
  erasure (``privacy/``).

The planner's own actors (``clinic.actors``) get what their jobs need: the
patient's link may confirm, cancel and unsubscribe, answer the questions before a visit,
sign the consent, log home uses and ask for a new link; the reminder jobs write outbox rows;
maintenance its clean-ups; the demo loader everything.
A superuser still passes every check (Django's rule); the planner makes none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import rules
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

from clinic.actors import SystemActor

RECEPTION, PRACTITIONER, MANAGER = "reception", "practitioner", "manager"
ROLES = (RECEPTION, PRACTITIONER, MANAGER)

# Group membership is read once per user object (``rules`` caches the names on it),
# so once per request for ``request.user``. Only active accounts hold a role.
is_reception = rules.is_active & rules.is_group_member(RECEPTION)
is_practitioner = rules.is_active & rules.is_group_member(PRACTITIONER)
is_manager = rules.is_active & rules.is_group_member(MANAGER)
is_staff_member = is_reception | is_practitioner | is_manager
is_clinician = is_practitioner | is_manager


def _system(which: SystemActor) -> rules.Predicate:
    """The planner's own actor ``which``: its user row, which cannot log in.

    An active account of the same name (made by hand in the admin) is not it.
    """

    def check(user: AbstractBaseUser | AnonymousUser) -> bool:
        return not user.is_active and user.get_username() == str(which)

    return rules.Predicate(check, name=f"is_{which.name.lower()}")


is_patient_link = _system(SystemActor.PATIENT_LINK)
is_reminders = _system(SystemActor.REMINDERS)
is_maintenance = _system(SystemActor.MAINTENANCE)
is_demo = _system(SystemActor.DEMO)
is_command = _system(SystemActor.COMMAND)


@rules.predicate
def is_own_session(user: AbstractBaseUser, session: Any) -> bool:
    """The session (or a photo's session) is booked with the user's practitioner profile.

    Without a session (a menu asking "may this role run sessions at all"), True:
    every view and service that acts on a session passes it.
    """
    if session is None:
        return True
    session = getattr(session, "session", session)  # a photo, procedure or aftercare sheet
    return session.practitioner.user_id == user.pk


@rules.predicate
def is_own_profile(user: AbstractBaseUser, practitioner: Any) -> bool:
    """The practitioner profile is the user's own (a calendar feed); True without one."""
    return practitioner is None or practitioner.user_id == user.pk


@rules.predicate
def is_own_user(user: AbstractBaseUser, owner: Any) -> bool:
    """``owner`` (an API token's user) is the user themselves; True without one."""
    return owner is None or owner.pk == user.pk


# Capability -> who has it. The demo loader has every capability (added below).
PERMISSIONS: dict[str, rules.Predicate] = {
    # The today board, the patients' list and page, their contact details.
    "planner.view_board": is_staff_member,
    "patients.view_record": is_staff_member,
    "patients.change_contact": is_staff_member,
    # Screening answers, skin profile, consent, notes, photos, procedure records, aftercare.
    "patients.view_clinical": is_clinician,
    "patients.screen": is_clinician,  # take a screening, a caution decision, a consent
    # The patient on their course page (issue #17): answers to the day-of questions before a
    # session (kept apart: they clear nothing), and consent signed with a typed or drawn name.
    "patients.report_screening": is_patient_link,
    "patients.give_consent": is_patient_link,
    # A home roller for the patient (DOMAIN.md, "Home care"); the patient logs its uses.
    "patients.recommend_home_roller": is_clinician,
    "patients.log_home_use": is_patient_link,
    "courses.view_courses": is_staff_member,
    "courses.plan": is_clinician,  # plan, preview, confirm and discard a course
    "courses.book": is_staff_member,  # a missing session, move, cancel, no-show
    # The patient's link too; and an erasure run from the command line (its booked sessions).
    "courses.cancel_session": is_staff_member | is_patient_link | is_command,
    "courses.confirm_attendance": is_staff_member | is_patient_link,
    "courses.cancel_by_patient": is_patient_link,
    # The patient moves a session inside the course's rules, from their course page.
    "courses.reschedule_by_patient": is_patient_link,
    # Every link to a course's page stops working (a phone lost, a message forwarded).
    "courses.revoke_patient_link": is_staff_member,
    # How the course is working (issue #19): practitioners grade the baseline and each
    # performed session; the patient's satisfaction comes from their course page, or from
    # a practitioner who asked them.
    "courses.record_outcome": is_clinician,
    "courses.record_satisfaction": is_clinician | is_patient_link,
    "courses.run_session": (is_practitioner & is_own_session) | is_manager,
    "courses.run_any_session": is_manager,  # anyone's session day (links in lists)
    "courses.view_calendar": is_staff_member,
    "courses.use_feed": (is_practitioner & is_own_profile) | is_manager,
    "reminders.view_failed": is_staff_member,
    "reminders.retry": is_staff_member,
    "reminders.retry_period": is_manager,
    "reminders.manage_webhooks": is_manager,  # webhook endpoints and their secrets (#18)
    "reminders.unsubscribe": is_staff_member | is_patient_link,
    # A new link to the course page, to the contact on file only (the patient's request).
    "reminders.request_course_link": is_patient_link,
    "reminders.send": is_reminders,  # the outbox jobs: claim, deliver, agendas
    "planner.view_reports": is_manager,
    "clinic.manage": is_manager,  # the admin site
    # Product lots: the recall list (patients and their sessions), marking a lot recalled,
    # messaging its patients; spare-needle stock. Practitioners choose lots on the session
    # day (courses.run_session); reception sees no recall list (names and treatments).
    "clinic.manage_stock": is_manager,
    "clinic.maintain": is_maintenance,  # heartbeats, expired drafts
    "audit.view_trail": is_manager,
    # The patient's data (issue #19): a ZIP of every record and file, and erasure after a
    # confirmation naming them; managers, and the command line (`manage.py export_patient`,
    # `erase_patient`). The daily retention review lists who is due; a manager approves.
    "privacy.export_patient": is_manager | is_command,
    "privacy.erase_patient": is_manager | is_command,
    "privacy.review_retention": is_manager,
    "privacy.list_due": is_maintenance,
    # One's own sign-in: two-step verification, password, sessions (any active login;
    # the code step and setup come before a role's pages, clinic.accounts).
    "accounts.own_account": rules.is_authenticated & rules.is_active,
    # Personal API tokens (issue #18): each staff member makes and revokes their own; a token
    # then acts with its user's role, as checked at every request.
    "api.own_tokens": is_staff_member & is_own_user,
}

# The apps whose models a manager manages in the admin; Django's model permissions
# of these (``clinic.change_clinic``, ``auth.change_user``, ...) answer from here. Sign-in
# records too: unlocking a locked-out login (axes), removing a lost authenticator
# (otp_totp, otp_static), another person's signed-in sessions (accounts).
MODEL_PERMISSION_APPS = (
    "auth", "clinic", "patients", "courses", "reminders", "axes", "otp_totp", "otp_static",
    "accounts", "audit", "api", "privacy",
)  # fmt: skip
MODEL_ACTIONS = ("view", "add", "change", "delete")


def _model_actions(model: type[Model]) -> tuple[str, ...]:
    """What a manager may do with ``model`` in the admin: the audit trail's records (the
    access events and every change-event table) are only ever viewed."""
    from pghistory.models import Event

    if model._meta.app_label == "audit" or issubclass(model, Event):
        return ("view",)
    return MODEL_ACTIONS


def register() -> None:
    """Add every permission to ``rules``' registry (``ClinicConfig.ready``)."""
    for name, predicate in PERMISSIONS.items():
        rules.set_perm(name, predicate | is_demo)
    for label in MODEL_PERMISSION_APPS:
        # The app's own name is what the admin asks (``has_module_perms``) before it lists
        # the app's models on its index and app pages.
        rules.set_perm(label, is_manager)
        for model in apps.get_app_config(label).get_models():
            for action in _model_actions(model):
                name = f"{label}.{action}_{model._meta.model_name}"
                if name in PERMISSIONS:  # a capability named like a model permission
                    raise ValueError(f"{name} is a model permission; name it otherwise")
                rules.set_perm(name, is_manager)


def role_group(role: str) -> Group:
    """The group of ``role`` (one of :data:`ROLES`), made by the migration; made again if a
    database was emptied since (a test's flush, a restore into a fresh database)."""
    if role not in ROLES:
        raise ValueError(role)
    return Group.objects.get_or_create(name=role)[0]


def require(
    actor: AbstractBaseUser | AnonymousUser, permission: str, obj: Model | None = None
) -> None:
    """Refuse (``PermissionDenied``, a 403 in a view) unless ``actor`` has ``permission``.

    Every write service calls it first, so an admin action, a patient's link and
    a background task pass the same rule as a screen.
    """
    if not isinstance(actor, PermissionsMixin | AnonymousUser):  # a user model without perms
        raise PermissionDenied
    if not actor.has_perm(permission, obj):
        raise PermissionDenied


View = TypeVar("View", bound=Callable[..., HttpResponseBase])
ObjectLoader = Callable[..., Model]


def requires(permission: str, *, obj: ObjectLoader | None = None) -> Callable[[View], View]:
    """Guard a view with ``permission``; a user without it gets 403 (``PermissionDenied``).

    ``obj`` loads the object the rule is asked about from the view's arguments
    (``request`` and the URL's keywords; a missing row is a 404). The rule's name
    is kept on the view (``required_permission``), so a test can list the URL
    conf and find any page without a rule.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            target = obj(request, *args, **kwargs) if obj is not None else None
            require(request.user, permission, target)
            return view(request, *args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def required_permission(view: Callable[..., Any]) -> str | None:
    """The rule :func:`requires` put on ``view``, or None.

    An admin page is guarded by its site (``clinic.admin_site``), which Django
    asks on each request; its URL's view names the site (or the model's admin).
    """
    from clinic.admin_site import MANAGE, ClinicAdminSite

    model_admin = getattr(view, "model_admin", None)
    site = getattr(view, "admin_site", None) or getattr(model_admin, "admin_site", None)
    if isinstance(site, ClinicAdminSite):
        return MANAGE
    return getattr(view, "required_permission", None)
