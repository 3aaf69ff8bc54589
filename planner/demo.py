"""Demo data for a newcomer's first ``make run``.

Loaded once: every row is looked up before it is created, so running it again
changes nothing. Each feature adds its own rows here, so a newcomer always sees
the planner populated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from clinic.actors import Actor
from clinic.models import Clinic, Practitioner
from clinic.permissions import MANAGER, PRACTITIONER, RECEPTION, role_group
from courses.demo import (
    load_demo_calendar,
    load_demo_courses,
    load_demo_devices,
    load_demo_history,
)
from patients.demo import load_demo_patients
from reminders.demo import settle_demo_history

DEMO_CLINIC = {
    "name": "Demo Skin Clinic",
    "phone": "+44 20 7946 0000",
    "email": "reception@demo-clinic.example",
    "address": "1 Example Street\nLondon\nW1A 1AA",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_STAFF = [
    # username, password, first name, last name, job title, role (clinic.permissions)
    ("anna", "demo-anna-2026", "Anna", "Kowalska", "Cosmetologist", PRACTITIONER),
    ("maria", "demo-maria-2026", "Maria", "Rossi", "Cosmetologist", PRACTITIONER),
    ("manager", "demo-manager-2026", "Clara", "Mendes", "Clinic manager", MANAGER),
    ("reception", "demo-reception-2026", "Rita", "Novak", "Front desk", RECEPTION),
]


@transaction.atomic
def load_demo_data(*, actor: Actor) -> list[DemoLogin]:
    """Create the demo clinic and staff unless they exist; return the logins.

    ``actor`` is the demo loader (``system_actor(SystemActor.DEMO)``); the rows
    it writes name the demo's staff member who would have done each step.
    """
    Clinic.objects.get_or_create(pk=1, defaults=DEMO_CLINIC)
    logins = [_ensure_staff(*row) for row in DEMO_STAFF]
    anna = get_user_model().objects.get(username=DEMO_STAFF[0][0])
    load_demo_patients(practitioner_user=anna)
    load_demo_calendar()
    load_demo_courses()
    load_demo_devices()
    load_demo_history()
    settle_demo_history()
    return logins


def _ensure_staff(
    username: str, password: str, first: str, last: str, title: str, role: str
) -> DemoLogin:
    """A demo login in its role's group; only practitioners are bookable. The manager is
    no superuser (a demo database from before the roles loses that flag here)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo-clinic.example",
            "is_staff": True,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif user.is_superuser:
        user.is_superuser = False
        user.save(update_fields=["is_superuser"])
    user.groups.add(role_group(role))
    Practitioner.objects.get_or_create(
        user=user, defaults={"job_title": title, "is_bookable": role == PRACTITIONER}
    )
    return DemoLogin(username=username, password=password, role=title)
