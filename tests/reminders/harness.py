"""The fault tests' machinery: a Redis server, worker processes, an SMTP sink and the
dispatcher, each started by the test on loopback and stopped in its teardown.

Nothing here is mocked: the workers are ``celery worker`` processes (prefork) on
the test's own PostgreSQL database and a Redis server of their own, sending over
SMTP to a server in the test process that records each message's Message-ID
(``<outbox-PK@host>``), so losses and duplicates are counted at the receiving end.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import close_old_connections, connection, connections
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<outbox-(\d+)@", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def stop_group(process: subprocess.Popen, grace: float = 5.0) -> None:
    """Stop a process started in a session of its own, with everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    with contextlib.suppress(ProcessLookupError):  # children outliving their parent too
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"({path.name}: no log)"
    return f"--- last {min(lines, len(text))} lines of {path.name}\n" + "\n".join(text[-lines:])


class RedisServer:
    """redis-server on a free loopback port, keeping nothing on disk (like the issue's)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.workdir / f"redis-{self.starts}.log"
        self.process = subprocess.Popen(  # noqa: S603 - our own server
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
             "--logfile", str(log)],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        if not wait_until(lambda: self._answers(client), timeout=15):
            raise RuntimeError(f"redis-server did not start\n{tail(log)}")

    def queued_tasks(self) -> int:
        """Tasks waiting in Celery's default queue (a Redis list named after it)."""
        return int(redis.Redis(port=self.port, socket_connect_timeout=1).llen("celery"))

    def kill(self) -> None:
        """SIGKILL: whatever the broker held (queued tasks) is gone."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, grace=2)

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False


class SinkHandler:
    """Records each message's outbox id and arrival; refuses every RCPT with 451 on demand."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.times: list[float] = []
        self.refusing = False
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Relay unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        found = MESSAGE_ID.search(envelope.content.split(b"\r\n\r\n", 1)[0])
        self.ids.append(int(found.group(1)) if found else -1)
        self.times.append(time.monotonic())
        return "250 Message accepted for delivery"


class Sink:
    """An aiosmtpd server on loopback in this process, standing for the clinic's relay."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port())
        self.port = self.controller.port

    def start(self) -> None:
        # aiosmtpd logs every connection at INFO: thousands of lines that would bury a
        # failure's report in the captured log.
        self.quieted = logging.getLogger("mail.log")
        self.level = self.quieted.level
        self.quieted.setLevel(logging.WARNING)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
        self.quieted.setLevel(self.level)

    def last_arrival(self) -> float:
        return self.handler.times[-1] if self.handler.times else float("nan")


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    """``celery -A clinic worker --pool=prefork --concurrency=3`` in a process group of its own."""

    def __init__(self, number: int, logdir: Path, env: dict[str, str]) -> None:
        self.log = logdir / f"worker-{number}.log"
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own worker
                [sys.executable, "-m", "celery", "-A", "clinic", "worker", "--pool=prefork",
                 "--concurrency=3", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the worker logs that it consumes (its pool children are up)."""
        if not wait_until(lambda: b" ready." in self.log.read_bytes(), timeout, step=0.3):
            raise RuntimeError(f"the worker did not become ready\n{tail(self.log)}")

    def children(self) -> list[int]:
        assert self.process is not None
        found: list[int] = []
        with contextlib.suppress(FileNotFoundError):
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                found += [int(c) for c in (task / "children").read_text().split()]
        return found

    def kill_group(self) -> int:
        """SIGKILL the worker and its pool children at once; returns how many children died."""
        assert self.process is not None
        children = len(self.children())
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        return children

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


class Beat:
    """The dispatcher as beat runs it, on a shortened tick, in a thread of the test process.

    In production beat publishes ``dispatch_due_messages_task`` every minute and a
    worker runs it. Here the task's function runs every ``tick`` seconds: beat's
    minute is a setting (CELERY_BEAT_SCHEDULE) the workers would need changed, while
    this tick shortens with the clinic's other times; the dispatcher keeps running
    while the worker it would run in is killed (beat's next tick would reach the
    new worker anyway); and what it meets (the broker refusing while Redis is
    down) lands in ``errors`` for the report instead of a worker's log. The faults
    under test are the broker's, the workers' and the relay's, not beat's.
    """

    def __init__(self, tick: float = 1.0, budget: float = 2.0) -> None:
        self.tick, self.budget = tick, budget
        self.claimed = 0
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="beat", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(30)

    def _run(self) -> None:
        from reminders.tasks import dispatch_due_messages_task

        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    self.claimed += dispatch_due_messages_task(budget_seconds=self.budget)
                except Exception as error:  # beat logs a failed run and ticks on
                    line = traceback.format_exception_only(error)[-1].strip()
                    self.errors.append(f"{time.strftime('%H:%M:%S')} {line[:300]}")
                self.stopping.wait(self.tick)
        finally:
            connections.close_all()


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Point this process's Celery app (the dispatcher's publisher) at the test's Redis."""
    from clinic.celery import app

    keys = ("broker_url", "broker_transport", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    drop_broker_pools(app)
    # As clinic/settings.py configures Redis (the embedded broker names its own transport).
    app.conf.update(broker_url=url, broker_transport=None,
                    broker_transport_options={"ack_emulation": False})  # fmt: skip
    try:
        yield
    finally:
        drop_broker_pools(app)
        app.conf.update(saved)


def drop_broker_pools(app: Celery) -> None:
    """Forget pooled broker connections, so the next publish connects to the broker now
    configured (what Celery does in a forked child; it has no public call for it).

    kombu keeps producer pools in a process-wide registry keyed by connection:
    closing the app's pool alone left a closed pool there for the suite's own
    broker, and the next test publishing to it failed ("Acquire on closed pool").
    ``kombu.pools.reset`` closes and forgets them all, as kombu does after a fork.
    """
    producers = app.amqp._producer_pool
    for pool in (app._pool, producers):
        if pool is not None:
            with contextlib.suppress(Exception):
                pool.force_close_all()
    kombu.pools.reset()
    app._pool = app.amqp._producer_pool = None


def build_messages(count: int) -> list[int]:
    """``count`` due e-mail reminders, each to its own patient (one course, one session each).

    Written in bulk (like bench/messages.py ``build``): each row is a 48-hour
    reminder for a session days ahead, so nothing expires while the faults last.
    """
    from django.contrib.auth.models import User

    from clinic.models import Practitioner, Room
    from courses.models import Course, CourseStatus, Indication, Session, TreatmentArea
    from patients.models import Patient
    from reminders.models import Channel, Kind, OutboxMessage

    now = timezone.now()
    user = User.objects.create(username="faults", is_staff=True, email="faults@example.com")
    practitioner, room = Practitioner.objects.create(user=user), Room.objects.create(name="Room")
    patients = Patient.objects.bulk_create(
        Patient(first_name="Fault", last_name=f"Patient {i}", date_of_birth=date(1980, 1, 1),
                email=f"fault{i}@example.com", email_consent_at=now)
        for i in range(count)
    )  # fmt: skip
    area = TreatmentArea.objects.get(code="face")
    indication = Indication.objects.get(code="wrinkles")
    courses = Course.objects.bulk_create(
        Course(patient=p, indication=indication, area=area, needle_mm=Decimal("0.5"),
               sessions_planned=4, target_gap_weeks=3, practitioner=practitioner,
               preferred_time=clock_time(10), start_on=now.date(), status=CourseStatus.PLANNED,
               created_by=user)
        for p in patients
    )  # fmt: skip
    starts = [now + timedelta(days=3, minutes=30 * i) for i in range(count)]
    sessions = Session.objects.bulk_create(
        Session(course=c, number=1, practitioner=practitioner, room=room, patient=c.patient,
                arrives_at=at, procedure_starts_at=at, procedure_ends_at=at + timedelta(minutes=30))
        for c, at in zip(courses, starts, strict=True)
    )  # fmt: skip
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(kind=Kind.REMINDER_48H, channel=Channel.EMAIL, recipient=s.patient.email,
                      patient=s.patient, course_id=s.course_id, session=s,
                      schedule_version=s.schedule_version, dedupe_key=f"faults:{s.pk}",
                      due_at=now - timedelta(minutes=1))
        for s in sessions
    )  # fmt: skip
    return [row.pk for row in rows]


class Run:
    """One fault run: the rows it expects, the sink, the workers and the dispatcher."""

    def __init__(self, expected: list[int], sink: Sink, logdir: Path, env: dict[str, str]) -> None:
        self.expected = set(expected)
        self.sink = sink
        self.logdir = logdir
        self.env = env
        self.workers: list[Worker] = []
        self.beat = Beat()
        self.notes: list[str] = []
        self.started = time.monotonic()

    def start_worker(self) -> Worker:
        worker = Worker(len(self.workers) + 1, self.logdir, self.env)
        self.workers.append(worker)
        worker.start()
        worker.wait_ready()
        return worker

    def note(self, text: str) -> None:
        self.notes.append(f"{time.monotonic() - self.started:.1f} s: {text}")

    def delivered(self) -> int:
        return len(self.expected & set(self.sink.handler.ids))

    def wait_delivered(self, count: int, timeout: float) -> bool:
        """Until ``count`` arrived (False at once when no row is left to send)."""
        return (
            wait_until(lambda: self.delivered() >= count or not self.open_rows(), timeout, 0.5)
            and self.delivered() >= count
        )

    def open_rows(self) -> int:
        from reminders.models import OutboxMessage, Status

        done = (Status.SENT, Status.FAILED, Status.CANCELLED, Status.EXPIRED)
        return OutboxMessage.objects.filter(pk__in=self.expected).exclude(status__in=done).count()

    def wait_all(self, timeout: float) -> bool:
        """Until every expected message arrived and no row is left open."""
        return wait_until(
            lambda: self.delivered() == len(self.expected) and not self.open_rows(), timeout, 0.5
        )

    def duplicates(self) -> int:
        return len(self.sink.handler.ids) - len(set(self.sink.handler.ids))

    def lost(self) -> set[int]:
        return self.expected - set(self.sink.handler.ids)

    def statuses(self) -> dict[str, int]:
        from reminders.models import OutboxMessage

        rows = OutboxMessage.objects.filter(pk__in=self.expected).values_list("status", flat=True)
        return dict(Counter(rows))

    def stop(self) -> None:
        self.beat.stop()
        for worker in self.workers:
            worker.stop()

    def report(self) -> str:
        """Everything a failed assertion should show: counts, errors, the logs' ends."""
        return "\n".join([self.summary(), *(tail(worker.log) for worker in self.workers)])

    def summary(self) -> str:
        """Counts, errors and what happened when (printed by a passing test too)."""
        from reminders.models import OutboxMessage

        rows = OutboxMessage.objects.filter(pk__in=self.expected)
        errors = Counter(rows.exclude(last_error="").values_list("last_error", flat=True))
        twice = Counter(self.sink.handler.ids)
        parts = [
            f"expected {len(self.expected)}, received {len(self.sink.handler.ids)} "
            f"({self.delivered()} distinct), duplicates {self.duplicates()} "
            f"{sorted(pk for pk, n in twice.items() if n > 1)[:20]}, lost {len(self.lost())} "
            f"{sorted(self.lost())[:20]}, refused RCPTs {self.sink.handler.refused}",
            f"statuses: {self.statuses()}",
            f"last errors: {errors.most_common(5)}",
            f"dispatcher: claimed {self.beat.claimed}, errors {len(self.beat.errors)}: "
            f"{self.beat.errors[-5:]}",
            "notes: " + "; ".join(self.notes),
        ]
        return "\n".join(parts)
