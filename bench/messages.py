"""Reminder delivery benchmark: 10,000 due messages through a real Celery worker
(a separate process; BENCH_WORKER_OPTIONS, default 3 prefork children) and Redis
to an SMTP sink on loopback (bench.sink).

Prints one JSON line: messages per second, duplicates, losses, the worker's
peak memory (main process plus children).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

from bench.sink import Sink

ROOT = Path(__file__).resolve().parent.parent
# The dispatcher runs here, as beat would start it in a worker: one run drains the
# backlog (at most 1,000 rows in flight) within its 40-second budget; this is how
# long the benchmark waits before starting the next run while rows are still open.
POLL_SECONDS = 0.5
WORKER_OPTIONS = os.environ.get("BENCH_WORKER_OPTIONS", "--pool=prefork --concurrency=3").split()


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (a worker and its pool children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def memory_kb(pid: int) -> int:
    """Proportional set size (shared pages split between sharers) of a process tree, KiB.

    PSS, not RSS: prefork children share most of their pages with the parent,
    and adding up RSS would count those pages once per process.
    """
    total = 0
    for current in process_tree(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            line = next(row for row in rollup.splitlines() if row.startswith("Pss:"))
            total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process tree has used so far. Per message, it is a
    steadier figure than the rate on a machine whose CPU speed drifts."""
    ticks = 0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def build(count: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from clinic.models import Clinic, Practitioner, Room
    from clinic.permissions import PRACTITIONER, role_group
    from courses.models import Course, CourseStatus, Indication, Session, TreatmentArea
    from patients.models import Patient
    from reminders.models import OutboxMessage

    call_command("migrate", verbosity=0)
    Clinic.objects.get_or_create(pk=1, defaults={"name": "Benchmark clinic"})
    user = User.objects.create(username="bench", is_staff=True, email="bench@example.com")
    role_group(PRACTITIONER).user_set.add(user)
    practitioner = Practitioner.objects.create(user=user)
    room = Room.objects.create(name="Room 1")
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        Patient(first_name="Msg", last_name=f"Patient {i}", date_of_birth=date(1980, 1, 1),
                email=f"msg{i}@example.com", email_consent_at=now)
        for i in range(100)
    )  # fmt: skip
    area, indication = (
        TreatmentArea.objects.get(code="face"),
        Indication.objects.get(code="wrinkles"),
    )
    courses = Course.objects.bulk_create(
        Course(patient=p, indication=indication, area=area, needle_mm=Decimal("0.5"),
               sessions_planned=4, target_gap_weeks=3, practitioner=practitioner,
               preferred_time=clock_time(10), start_on=now.date(), status=CourseStatus.PLANNED,
               created_by=user)
        for p in patients
    )  # fmt: skip
    Session.objects.bulk_create(
        Session(course=c, number=n + 1, practitioner=practitioner, room=room, patient=c.patient,
                arrives_at=now + timedelta(days=7 * n + 1, minutes=30 * i),
                procedure_starts_at=now + timedelta(days=7 * n + 1, minutes=30 * i),
                procedure_ends_at=now + timedelta(days=7 * n + 1, minutes=30 * i + 30))
        for i, c in enumerate(courses) for n in range(4)
    )  # fmt: skip
    sessions = list(Session.objects.select_related("patient").order_by("id"))
    OutboxMessage.objects.bulk_create(_messages(count, courses, sessions, now), batch_size=2000)
    with connection.cursor() as cursor:  # measure a settled database, not autovacuum's work
        cursor.execute("VACUUM ANALYZE")


def _messages(count: int, courses: list, sessions: list, now: object) -> object:
    """One in ten is a course-booked e-mail (with its calendar file); the rest reminders."""
    from reminders.models import Channel, Kind, OutboxMessage

    for i in range(count):
        if i % 10 == 0:
            course = courses[i % len(courses)]
            yield OutboxMessage(
                kind=Kind.COURSE_BOOKED, channel=Channel.EMAIL, recipient=course.patient.email,
                patient=course.patient, course=course, dedupe_key=f"bench:{i}",
                due_at=now - timedelta(minutes=1),
            )  # fmt: skip
        else:
            session = sessions[i % len(sessions)]
            yield OutboxMessage(
                kind=Kind.REMINDER_48H, channel=Channel.EMAIL, recipient=session.patient.email,
                patient=session.patient, course_id=session.course_id, session=session,
                schedule_version=session.schedule_version, dedupe_key=f"bench:{i}",
                due_at=now - timedelta(minutes=1),
            )  # fmt: skip


def measure(count: int) -> dict[str, object]:
    sink = Sink()
    sink.start()
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    run = drain(env)
    sink.stop()
    from reminders.models import OutboxMessage, Status

    sent = OutboxMessage.objects.filter(status=Status.SENT).count()
    received = len(sink.ids)
    return {
        "messages": count,
        "seconds": round(run["elapsed"], 1),
        "per_second": round(count / run["elapsed"], 1),
        "sent": sent,
        "received": received,
        "duplicates": received - len(set(sink.ids)),
        "losses": count - len(set(sink.ids)),
        "worker_peak_mb": round(run["peak_kb"] / 1024, 1),
        "worker_cpu_ms_per_message": round(run["worker_cpu"] / count * 1000, 2),
        "harness_cpu_ms_per_message": round(run["own_cpu"] / count * 1000, 2),
        "worker": " ".join(WORKER_OPTIONS),
        "per_second_by_tenth": rates_by_tenth(sink.times),
    }


def drain(env: dict[str, str]) -> dict[str, float]:
    """Start a real worker with ``env``, run the dispatcher here until no message is open,
    stop the worker; the seconds taken, the worker's peak memory and CPU, and our CPU."""
    os.environ.update(env)
    import django

    django.setup()
    from clinic.celery import app
    from reminders.models import OutboxMessage, Status
    from reminders.tasks import dispatch_due_messages_task

    app.control.purge()
    worker = subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, "-m", "celery", "-A", "clinic", "worker", *WORKER_OPTIONS,
         "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, memory_kb(worker.pid))
            time.sleep(1.0)  # reading smaps is costly for the kernel; keep the sampler light

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1.0) and time.monotonic() < deadline:
        pass
    started, worker_cpu, own_cpu = time.monotonic(), cpu_seconds(worker.pid), time.process_time()
    open_statuses = [Status.PENDING, Status.QUEUED, Status.SENDING]
    while OutboxMessage.objects.filter(status__in=open_statuses).exists():
        if not dispatch_due_messages_task():
            time.sleep(POLL_SECONDS)
        if time.monotonic() - started > 600:
            break
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    done.set()
    worker_cpu = cpu_seconds(worker.pid) - worker_cpu
    own_cpu = time.process_time() - own_cpu
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    return {"elapsed": elapsed, "peak_kb": peak, "worker_cpu": worker_cpu, "own_cpu": own_cpu}


def rates_by_tenth(times: list[float]) -> list[float]:
    """Messages per second over each tenth of the messages received: a rate that falls
    as the run goes on points at something that grows with the work done."""
    tenth = len(times) // 10
    if tenth < 2:
        return []
    spans = [times[(i + 1) * tenth - 1] - times[i * tenth] for i in range(10)]
    return [round(tenth / span, 1) if span > 0 else 0.0 for span in spans]


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    step, number = sys.argv[1], int(sys.argv[2])
    if step == "build":
        build(number)
        print(json.dumps({"built": number}))
    else:
        print(json.dumps(measure(number)))
