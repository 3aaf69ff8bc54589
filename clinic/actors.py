"""Who performs a write: the one name every write service uses for it.

Every write service takes a keyword-only ``actor``. Views pass
``request.user``; work nobody at a screen started passes a named system actor
from here, so a history row, an outbox row or (later) an audit entry always
names who acted: a staff member, the patient through a signed link, or one of
the planner's own background jobs.

System actors are ordinary user rows that cannot log in (inactive, unusable
password, no staff flag), made on first use, so foreign keys to the user model
can point at them like at any person.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

Actor = User
"""The type of the ``actor`` argument of every write service: the user model
(``settings.AUTH_USER_MODEL`` is Django's own), the type the ``..._by`` foreign
keys hold, so a type checker lets an actor be stored in them."""


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a staff screen: the login-required middleware has already
    turned anonymous visitors away, so ``request.user`` is an :data:`Actor`.
    Only for annotating views (type checkers read it; Django never builds one)."""

    user: Actor


def acting_user(request: HttpRequest) -> Actor:
    """The staff member behind a request to a screen or an admin action.

    The login-required middleware and the admin site turn anonymous visitors
    away before any view runs; this says so to the type checker, and refuses
    (403) should a request ever arrive without a logged-in user.
    """
    user = request.user
    if not isinstance(user, Actor) or not user.is_authenticated:
        raise PermissionDenied
    return user


class SystemActor(StrEnum):
    """The planner's own actors; the value is the user name they appear under."""

    PATIENT_LINK = "system-patient-link"  # the patient, through a signed link
    REMINDERS = "system-reminders"  # the outbox dispatcher and send tasks
    MAINTENANCE = "system-maintenance"  # periodic clean-ups and heartbeats
    DEMO = "system-demo"  # the demo loader (`manage.py seed_demo`)
    # A management command run by whoever holds the server's shell (`manage.py erase_patient`).
    COMMAND = "system-command"


def system_actor(which: SystemActor) -> Actor:
    """The user row standing for ``which``, made (unable to log in) on first use."""
    user, created = get_user_model().objects.get_or_create(
        username=str(which), defaults={"is_active": False, "is_staff": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_patient_link(user: AbstractBaseUser | None) -> bool:
    """True for the actor standing for the patient acting through a signed link."""
    return user is not None and user.get_username() == SystemActor.PATIENT_LINK


def is_system_actor(user: AbstractBaseUser | None) -> bool:
    """True for the planner's own actors, which are never people at a screen."""
    return user is not None and user.get_username() in set(SystemActor)
