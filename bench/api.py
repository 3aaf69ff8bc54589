"""Server time of the REST API's busiest reads on the large clinic (issue #18).

Run in its own process against a database filled by bench.data (after the planning
benchmark): ``GET /api/v1/sessions/`` for a week (everyone's, and one practitioner's)
and ``GET /api/v1/availability/`` for a practitioner's and a room's week, each through
Django's full request handling with a manager's bearer token, for varying weeks and
people; one JSON line reports median and p95 milliseconds and queries.
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

import clinic.wsgi  # noqa: E402, F401 - start up as the web server does (gc.freeze() included)
from api import services  # noqa: E402
from bench.screens import timed  # noqa: E402 - the screens' timing, for the API's requests
from clinic.models import Practitioner, Room  # noqa: E402
from clinic.permissions import MANAGER, role_group  # noqa: E402


def measure(runs: int) -> None:
    settings.API_RATE_LIMIT = 10**9  # one client asking hundreds of times a minute
    rng = random.Random(18)
    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    role_group(MANAGER).user_set.add(manager)
    raw = services.create_token(user=manager, name="bench", read_only=False, actor=manager)[1]
    client = Client(SERVER_NAME="localhost", headers={"Authorization": f"Bearer {raw}"})
    staff = list(Practitioner.objects.order_by("pk").values_list("pk", flat=True))
    rooms = list(Room.objects.order_by("pk").values_list("pk", flat=True))
    today = timezone.localdate()
    weeks = [today + timedelta(weeks=w) for w in range(-20, 20)]

    def url(path: str, **params: object) -> str:
        return f"/api/v1/{path}/?{urlencode(params)}"

    def week(path: str, **who: Callable[[], int]) -> Callable[[int], str]:
        def make(i: int) -> str:
            first = rng.choice(weeks)
            last = first + timedelta(days=6)
            chosen = {name: pick() for name, pick in who.items()}
            return url(path, date_from=first.isoformat(), date_to=last.isoformat(), **chosen)

        return make

    calls = {
        "GET sessions (a week, everyone)": week("sessions"),
        "GET sessions (a week, practitioner)": week(
            "sessions", practitioner=lambda: rng.choice(staff)
        ),
        "GET availability (practitioner, week)": week(
            "availability", practitioner=lambda: rng.choice(staff)
        ),
        "GET availability (room, week)": week("availability", room=lambda: rng.choice(rooms)),
    }
    print(json.dumps({name: timed(client, urls, runs) for name, urls in calls.items()}))


if __name__ == "__main__":
    measure(int(sys.argv[2]))
