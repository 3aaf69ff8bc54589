"""Server time of the cosmetologists' busiest screens on the large clinic.

Run in its own process against a database filled by bench.data (after the
planning benchmark): each screen is requested through Django's full request
handling (middleware, view, template) as a logged-in manager, for varying days
and people, and one JSON line reports median and p95 milliseconds and queries.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time as clock
from collections.abc import Callable
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

import clinic.wsgi  # noqa: E402, F401 - start up as the web server does (gc.freeze() included)
from bench import median_and_p95  # noqa: E402
from clinic.models import Practitioner, Room  # noqa: E402
from clinic.permissions import MANAGER, role_group  # noqa: E402

WARM_UP = 3


def timed(client: Client, urls: Callable[[int], str], runs: int) -> dict:
    """GET ``urls(i)`` ``runs`` times after a warm-up: median and p95 ms, the queries' range."""
    timings, queries = [], []
    for i in range(WARM_UP + runs):
        url = urls(i)
        started = clock.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)  # production settings redirect plain HTTP
        elapsed = (clock.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
        if i >= WARM_UP:
            timings.append(elapsed)
            queries.append(len(captured))
    return {
        **median_and_p95(timings),
        "queries": f"{min(queries)}-{max(queries)}",
    }


def measure(runs: int) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment would
    rng = random.Random(5)
    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    role_group(MANAGER).user_set.add(manager)  # a manager by role, not a superuser (#16)
    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    # Managers pass the two-step code step before any page (clinic.accounts).
    device, _ = TOTPDevice.objects.get_or_create(user=manager, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    staff = list(Practitioner.objects.order_by("pk").values_list("pk", flat=True))
    rooms = list(Room.objects.order_by("pk").values_list("pk", flat=True))
    today = timezone.localdate()
    weeks = [today + timedelta(weeks=w) for w in range(-20, 20)]

    def week(kind: str, ids: list[int]) -> Callable[[int], str]:
        return lambda i: reverse(
            "calendar:show", args=[kind, rng.choice(ids), "week", rng.choice(weeks).isoformat()]
        )

    report_start = (today - timedelta(weeks=8)).isoformat()
    screens = {
        "today board (everyone's)": lambda i: reverse("home"),
        "week calendar (practitioner)": week("practitioner", staff),
        "week calendar (room)": week("room", rooms),
        "courses overview": lambda i: reverse("courses:overview") + f"?page={1 + i % 5}",
        "report (8 weeks)": lambda i: (
            reverse("report") + f"?first_day={report_start}&last_day={today.isoformat()}"
        ),
    }
    print(json.dumps({name: timed(client, urls, runs) for name, urls in screens.items()}))


if __name__ == "__main__":
    measure(int(sys.argv[2]))
