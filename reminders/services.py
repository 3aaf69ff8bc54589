"""The outbox: rows written with the booking change that causes them, then delivered.

Creating: called inside the booking, reschedule or cancellation transaction,
so rows appear and disappear with the change. Delivering: a row goes pending ->
queued -> sending -> an outcome. A dispatcher claims due rows ("queued", one
claimant wins each row) and publishes a send task each; the task starts the row
("sending", recording which worker process started it; only one task wins),
re-checks it, sends outside any transaction, then records the outcome.

The promise: no duplicate in normal operation, in retries, or with several
dispatchers. Recovery: rows queued but not started within the clinic's
``requeue_after_seconds`` are published again (the broker lost them); rows a
dead worker process of this host started go back at once (its message may have
gone: at most one duplicate per killed process, and Celery's hand-back of the
killed task delivers it at once); rows started on another host wait for the
lease. A channel whose relay or gateway keeps failing is paused by its circuit
breaker (``reminders.breaker``): its messages wait with their attempts back and
go when it is back, unless their moment has passed.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from clinic.actors import Actor
from clinic.models import Clinic, OpeningHours, Practitioner
from clinic.permissions import require
from courses import patient_moves, rescheduling
from courses.models import OPEN_STATUSES, Course, Session
from patients.models import Patient
from reminders import breaker, links, schedule, validity, webhooks, workers
from reminders import channels as registry
from reminders.channels import ChannelDown, PermanentFailure, TemporaryFailure
from reminders.models import (
    BEFORE_SESSION,
    Channel,
    Kind,
    MessageEvent,
    OutboxMessage,
    Status,
)

logger = logging.getLogger(__name__)


def policy(clinic: Clinic | None = None) -> schedule.Policy:
    clinic = clinic or Clinic.current()
    return schedule.Policy(
        lead_hours=clinic.reminder_lead_hours,
        short_lead_hours=clinic.short_reminder_lead_hours,
        aftercare_at=clinic.aftercare_at,
        quiet_start=clinic.quiet_start,
        quiet_end=clinic.quiet_end,
    )


def patient_channels(patient: Patient) -> list[tuple[str, str]]:
    """(channel, address) the patient chose, consented to and has an address for."""
    return registry.reachable(patient)


def channel_states(patient: Patient) -> list[tuple[StrOrPromise, str]]:
    """(channel label, state) for each channel the patient chose, as the outbox sees it.

    The state is "on" when reminders go there (``patient_channels``, the rule
    the outbox itself follows), else why not: "no_consent" (never given, or
    withdrawn by the unsubscribe link) or "no_address".
    """
    reachable = {key for key, _ in patient_channels(patient)}
    states = []
    for channel in registry.all():
        if channel.chosen(patient):
            state = (
                "on" if channel.key in reachable
                else "no_consent" if not channel.consented(patient) else "no_address"
            )  # fmt: skip
            states.append((channel.label, state))
    return states


def _create(key: str, **fields: object) -> OutboxMessage | None:
    message, created = OutboxMessage.objects.get_or_create(dedupe_key=key, defaults=fields)
    if not created:
        return None
    MessageEvent.objects.create(
        message=message, event="created", detail=f"due {message.due_at:%Y-%m-%d %H:%M} UTC"
    )
    return message


def _cancel(messages: QuerySet[OutboxMessage], reason: str) -> int:
    ids = list(messages.filter(status=Status.PENDING).values_list("id", flat=True))
    OutboxMessage.objects.filter(id__in=ids, status=Status.PENDING).update(status=Status.CANCELLED)
    MessageEvent.objects.bulk_create(
        MessageEvent(message_id=i, event="cancelled", detail=reason) for i in ids
    )
    return len(ids)


def sync_session(session: Session, *, now: datetime | None = None) -> None:
    """Make the pending reminders of a session match its current schedule.

    Rows of an older schedule version are cancelled; rows for the current
    version are created when the session is still open. Called in the same
    transaction as the change.
    """
    stale = OutboxMessage.objects.filter(session=session, kind__in=BEFORE_SESSION)
    if session.status in OPEN_STATUSES:
        stale = stale.exclude(schedule_version=session.schedule_version)
    _cancel(stale, "the session moved or was cancelled")
    channels = patient_channels(session.patient) if session.status in OPEN_STATUSES else []
    if channels:
        _create_reminders(session, session.patient, channels, policy(), now or timezone.now())


def _create_reminders(
    session: Session,
    patient: Patient,
    channels: list[tuple[str, str]],
    rules: schedule.Policy,
    now: datetime,
) -> None:
    due_times = schedule.reminder_due_times(
        session.arrives_at, ZoneInfo(patient.time_zone), rules, now
    )
    for channel, address in channels:
        for kind, due in due_times.items():
            if kind == Kind.REMINDER_2H and not registry.takes_short_reminder(channel, patient):
                continue  # the short reminder goes by SMS to patients who chose SMS
            _create(
                f"session:{session.pk}:{kind}:{channel}:v{session.schedule_version}",
                kind=kind, channel=channel, recipient=address, patient=patient,
                course_id=session.course_id, session=session,
                schedule_version=session.schedule_version, due_at=due,
            )  # fmt: skip


def queue_course_booked(
    course: Course, sessions: list[Session], *, now: datetime | None = None
) -> None:
    """The booking confirmation and every session's reminders, for a course just booked."""
    patient = course.patient
    channels = patient_channels(patient)
    if not channels:
        return
    now, rules = now or timezone.now(), policy()
    due = schedule.send_now_due(now, ZoneInfo(patient.time_zone), rules)
    for channel, address in channels:
        _create(
            f"course:{course.pk}:{Kind.COURSE_BOOKED}:{channel}",
            kind=Kind.COURSE_BOOKED, channel=channel, recipient=address, patient=patient,
            course=course, due_at=due,
        )  # fmt: skip
    for session in sessions:
        _create_reminders(session, patient, channels, rules, now)


def queue_after_session(session: Session, *, now: datetime | None = None) -> None:
    """The aftercare sheet the morning after; "course completed" if it was the last session."""
    now = now or timezone.now()
    patient = session.patient
    tz = ZoneInfo(patient.time_zone)
    for channel, address in patient_channels(patient):
        _create(
            f"session:{session.pk}:{Kind.AFTERCARE}:{channel}",
            kind=Kind.AFTERCARE, channel=channel, recipient=address, patient=patient,
            course_id=session.course_id, session=session, schedule_version=session.schedule_version,
            due_at=schedule.aftercare_due(session.procedure_ends_at, tz, policy()),
        )  # fmt: skip
        if session.course.status == "completed":
            _create(
                f"course:{session.course_id}:{Kind.COURSE_COMPLETED}:{channel}",
                kind=Kind.COURSE_COMPLETED, channel=channel, recipient=address, patient=patient,
                course_id=session.course_id, due_at=schedule.send_now_due(now, tz, policy()),
            )  # fmt: skip


def queue_cancellation_notice(session: Session, *, now: datetime | None = None) -> None:
    """Tell the practitioner that the patient cancelled through a link (``cancel_by_patient``)."""
    email = session.practitioner.user.email
    if email:
        _create(
            f"session:{session.pk}:{Kind.CANCELLED_BY_PATIENT}:v{session.schedule_version}",
            kind=Kind.CANCELLED_BY_PATIENT, channel=Channel.EMAIL, recipient=email,
            session=session, course_id=session.course_id, practitioner=session.practitioner,
            schedule_version=session.schedule_version, due_at=now or timezone.now(),
        )  # fmt: skip


PATIENT_CANCEL_REASON = "Cancelled by the patient through the reminder link"


@transaction.atomic
def cancel_by_patient(
    *, session: Session, version: int, actor: Actor, now: datetime | None = None
) -> Session:
    """The patient's cancel link: cancel the session and tell the practitioner, as one write.

    ``version`` is the schedule version the link named; it is checked again
    under the session's lock, so a session the clinic moved after the patient
    opened the page is not cancelled (LinkError "stale"). A session no longer
    open (cancelled meanwhile, or begun) raises CourseError from ``cancel_session``.
    """
    require(actor, "courses.cancel_by_patient", session)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.is_open and locked.schedule_version != version:
        raise links.LinkError("stale")
    # No staff author: the history row names none, and the clinic's change notice
    # (which tells the patient what staff changed) is not queued.
    cancelled = rescheduling.cancel_session(
        session=locked, reason=PATIENT_CANCEL_REASON, actor=actor
    )
    queue_cancellation_notice(locked, now=now)  # the version the patient's link named
    return cancelled


def queue_move_notice(
    session: Session, *, practitioner_ids: set[int], now: datetime | None = None
) -> None:
    """Tell the practitioners (the session's, and the one it left, if another took it) that
    the patient moved the session through their course page (``move_by_patient``).

    One row per move and practitioner, keyed by the session's new schedule version,
    sent at once; the e-mail shows the time it had (from the session's history) and the
    new one.
    """
    for practitioner in Practitioner.objects.filter(pk__in=practitioner_ids).select_related("user"):
        if practitioner.user.email:
            _create(
                f"session:{session.pk}:{Kind.MOVED_BY_PATIENT}:{practitioner.pk}"
                f":v{session.schedule_version}",
                kind=Kind.MOVED_BY_PATIENT, channel=Channel.EMAIL,
                recipient=practitioner.user.email, session=session,
                course_id=session.course_id, practitioner=practitioner,
                schedule_version=session.schedule_version, due_at=now or timezone.now(),
            )  # fmt: skip


@transaction.atomic
def move_by_patient(
    *,
    session: Session,
    new_day: date,
    new_time: time,
    version: int,
    actor: Actor,
    practitioner_id: int | None = None,
    expected_following: list[datetime] | None = None,
    now: datetime | None = None,
) -> list[Session]:
    """The patient's move from their course page, and the practitioner's notice, as one write.

    The move is ``courses.patient_moves.reschedule_by_patient`` (its locks and
    checks); the reminders follow the sessions (``events.session_changed``); the
    patient is not sent the clinic's change notice (they made the change).
    """
    require(actor, "courses.reschedule_by_patient", session)
    before = session.practitioner_id
    moved = patient_moves.reschedule_by_patient(
        session=session, new_day=new_day, new_time=new_time, version=version, actor=actor,
        practitioner_id=practitioner_id, expected_following=expected_following, now=now,
    )  # fmt: skip
    queue_move_notice(moved[0], practitioner_ids={before, moved[0].practitioner_id}, now=now)
    return moved


# Staff changes made within this long of each other reach the patient as one message.
CHANGE_NOTICE_DELAY = timedelta(minutes=5)


def queue_change_notice(*, course: Course, now: datetime | None = None) -> None:
    """Tell the patient the clinic moved, cancelled or added sessions of their course.

    Called in the transaction of every staff change (a part of that write, whose
    service takes the actor; no transaction of its own). One pending notice per
    course and channel: a change within a few minutes of another pushes the
    same row back rather than adding one, and the text and calendar files are
    rendered from the course as it is when the notice goes. Nothing is queued
    while the course-booked message is still waiting: it will show the change.
    """
    now = now or timezone.now()
    patient = course.patient
    due = schedule.send_now_due(now + CHANGE_NOTICE_DELAY, ZoneInfo(patient.time_zone), policy())
    for channel, address in patient_channels(patient):
        booked = OutboxMessage.objects.filter(
            course=course, kind=Kind.COURSE_BOOKED, channel=channel, status=Status.PENDING
        )
        if booked.exists():
            continue
        for _ in range(3):  # a row claimed meanwhile is left to go; the next number is ours
            if _postpone_or_create_notice(course, channel, address, due):
                break


def _postpone_or_create_notice(course: Course, channel: str, address: str, due: datetime) -> bool:
    # Numbered by the notices already on their way or done, so two changes at once
    # meet on the same key (the unique constraint) and share one row.
    done = OutboxMessage.objects.filter(course=course, kind=Kind.SESSIONS_CHANGED, channel=channel)
    number = done.exclude(status=Status.PENDING).count()
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=f"course:{course.pk}:{Kind.SESSIONS_CHANGED}:{channel}:{number}",
        defaults={"kind": Kind.SESSIONS_CHANGED, "channel": channel, "recipient": address,
                  "patient_id": course.patient_id, "course": course, "due_at": due},
    )  # fmt: skip
    if not created and not OutboxMessage.objects.filter(
        pk=message.pk, status=Status.PENDING
    ).update(due_at=due, recipient=address):
        return False
    MessageEvent.objects.create(
        message=message, event="created" if created else "postponed",
        detail=f"due {due:%Y-%m-%d %H:%M} UTC (a change by the clinic)",
    )  # fmt: skip
    return True


class TooManyLinkRequests(Exception):
    """The course's new links for today are used up (the clinic's ``link_requests_per_day``)."""


LINK_REQUEST_WINDOW = timedelta(days=1)


@transaction.atomic
def request_course_link(*, course: Course, actor: Actor, now: datetime | None = None) -> int:
    """Send a fresh link to the course page to the patient's contact on file; how many rows.

    Only to where the patient's reminders go (their channel, consented, with an
    address): never to an address from the request. At most the clinic's
    ``link_requests_per_day`` requests per course in 24 hours, counted from the
    outbox (a request writes one row per channel, so the busiest channel's rows);
    one more raises TooManyLinkRequests. The link itself is made when the message goes, so it
    carries the course's current link version and a fresh expiry.
    """
    require(actor, "reminders.request_course_link", course)
    now = now or timezone.now()
    Course.objects.select_for_update().filter(pk=course.pk).first()  # one request at a time
    earlier = OutboxMessage.objects.filter(
        course=course, kind=Kind.COURSE_LINK, created_at__gt=now - LINK_REQUEST_WINDOW
    )
    per_channel = (
        earlier.values("channel").annotate(rows=Count("id")).values_list("rows", flat=True)
    )
    if max(per_channel, default=0) >= Clinic.current().link_requests_per_day:
        raise TooManyLinkRequests
    number = OutboxMessage.objects.filter(course=course, kind=Kind.COURSE_LINK).count()
    created = 0
    for channel, address in patient_channels(course.patient):
        created += bool(
            _create(
                f"course:{course.pk}:{Kind.COURSE_LINK}:{channel}:{number}",
                kind=Kind.COURSE_LINK,
                channel=channel,
                recipient=address,
                patient_id=course.patient_id,
                course=course,
                due_at=now,
                created_at=now,
            )  # fmt: skip
        )
    return created


@transaction.atomic
def queue_daily_agendas(*, actor: Actor, now: datetime | None = None) -> int:
    """Each working practitioner's agenda for today, due at the clinic's opening time."""
    require(actor, "reminders.send")
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    opening = OpeningHours.objects.filter(weekday=today.weekday()).order_by("opens").first()
    if opening is None:
        return 0
    due = max(now, datetime.combine(today, opening.opens, tzinfo=tz))
    busy = (
        Session.objects.arriving_on(today, tz)
        .filter(status__in=OPEN_STATUSES)
        .values_list("practitioner_id", flat=True)
    )
    created = 0
    for practitioner in Practitioner.objects.filter(pk__in=busy).select_related("user"):
        if practitioner.user.email and _create(
            f"agenda:{practitioner.pk}:{today.isoformat()}",
            kind=Kind.DAILY_AGENDA, channel=Channel.EMAIL, recipient=practitioner.user.email,
            practitioner=practitioner, due_at=due,
        ):  # fmt: skip
            created += 1
    return created


@transaction.atomic
def withdraw_consent(*, patient: Patient, channel: str, actor: Actor) -> None:
    """The patient's unsubscribe: no more messages on that channel."""
    require(actor, "reminders.unsubscribe", patient)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    registry.get(channel).withdraw_consent(patient)
    _cancel(OutboxMessage.objects.filter(patient=patient, channel=channel), "consent withdrawn")


# --- Delivery -------------------------------------------------------------------


# Rows really in flight (queued to the broker recently, or started within the
# lease), at most. A backlog stays "pending" in the table rather than queueing
# in the broker, where its rows could outlive their lease.
MAX_IN_FLIGHT = 1000
CLAIM_BATCH = 500
# While the cap holds a backlog back, the dispatcher looks again this often.
BACKLOG_POLL_SECONDS = 0.5


def paused_channels() -> dict[str, datetime]:
    """The channels the circuit breaker paused, each with since when."""
    return {
        channel: state.paused_since
        for channel, state in breaker.paused().items()
        if state.paused_since is not None
    }


@transaction.atomic
def claim_due(
    *,
    actor: Actor,
    now: datetime | None = None,
    limit: int = CLAIM_BATCH,
    republish_stale: bool = True,
) -> list[int]:
    """Mark rows "queued" for the broker and return their ids; each row is won by one claimant.

    Three kinds of rows are (re)claimed, oldest first: rows queued longer than
    the clinic's ``requeue_after_seconds`` and never started (the broker lost
    their task: published again, attempts unchanged; a duplicate task is
    harmless, only one wins the start), rows a worker started longer ago than
    the lease (their worker is gone), and due pending rows. ``republish_stale``
    is the dispatcher's word on the first kind (``tasks.republish_needed``: the
    broker holds fewer send tasks than there are queued rows, or cannot say);
    without it, stale queued rows are still in the broker behind slow workers, so
    they are neither published again nor left out of the in-flight cap. No kind
    is claimed on a paused channel, except its probe (``_take_probe``: one
    message each ``breaker_probe_seconds``). The in-flight cap counts only rows
    really in flight. Row locks skip rows another dispatcher holds, and each
    claiming update repeats its condition, so a row another claimant took
    meanwhile is not taken twice.
    """
    require(actor, "reminders.send")
    now = now or timezone.now()
    clinic = Clinic.current()
    requeued = Q(status=Status.QUEUED, claimed_at__lt=now - _requeue_age(clinic))
    expired = Q(status=Status.SENDING, started_at__lt=now - _lease(clinic))
    limit = min(limit, MAX_IN_FLIGHT - _in_flight(now, clinic, all_queued=not republish_stale))
    if limit <= 0:
        return []  # the workers are behind: claiming more would only age rows in the broker
    held, probing = breaker.take_probes(now=now, clinic=clinic)
    kinds = [(expired, "started_at"), (_due(now), "due_at")]
    if republish_stale:
        kinds.insert(0, (requeued, "claimed_at"))
    candidates: dict[int, str] = {}
    # Index-served reads, one per kind, rather than one with "or" (which reads and
    # sorts the whole queue); then one probe message per paused channel due one.
    for condition, oldest in kinds:
        if len(candidates) < limit:
            open_only = condition & ~Q(channel__in=held) if held else condition
            candidates |= _oldest(open_only, oldest, limit - len(candidates))
    for channel in sorted(probing):
        candidates |= _take_probe(channel, kinds[:-1], now)
    if not candidates:
        return []
    return _mark_queued(candidates, requeued, expired, now)


# How many of a paused channel's oldest due messages one tick checks for a probe.
PROBE_SCAN = 50


def _take_probe(channel: str, stale: list[tuple[Q, str]], now: datetime) -> dict[int, str]:
    """The probe of a paused channel: its oldest due message still worth sending.

    Checked here, before it is published: an outage's oldest messages have often
    expired (a reminder whose session began), and a probe that sends nothing
    would cost a whole probe interval each. Those are ended here as the send
    task would end them; when all ``PROBE_SCAN`` read were, the next tick probes
    again at once. Without a due one, a stale queued or started row is the probe.
    """
    due = _oldest(_due(now) & Q(channel=channel), "due_at", PROBE_SCAN)
    rows = OutboxMessage.objects.select_related("patient", "session", "course").in_bulk(list(due))
    for pk in due:  # oldest first
        refusal = _why_not_send(rows[pk], now)
        if refusal is None:
            return {pk: Status.PENDING}
        _end_unsent(rows[pk], *refusal, now)
    if len(due) == PROBE_SCAN:
        breaker.probe_at_once(channel=channel, now=now)
        return {}
    for condition, oldest in stale:
        found = _oldest(condition & Q(channel=channel), oldest, 1)
        if found:
            return found
    return {}


def _end_unsent(message: OutboxMessage, status: str, reason: str, now: datetime) -> None:
    """A pending row that must not go any more ends cancelled or expired, with the reason."""
    if OutboxMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
        status=status, last_error=reason
    ):
        MessageEvent.objects.create(message_id=message.pk, event=status, detail=reason, at=now)


def _oldest(condition: Q, oldest: str, count: int) -> dict[int, str]:
    return dict(
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(condition)
        .order_by(oldest, "id")  # ties (a batch queued at one moment) in the order written
        .values_list("id", "status")[:count]
    )


def _mark_queued(candidates: dict[int, str], requeued: Q, expired: Q, now: datetime) -> list[int]:
    token = uuid.uuid4().hex
    ids = list(candidates)
    claim = {"status": Status.QUEUED, "claimed_at": now, "claim_token": token}
    OutboxMessage.objects.filter(requeued, id__in=ids).update(**claim)
    OutboxMessage.objects.filter(expired, id__in=ids).update(
        **claim, started_at=None, started_by="", attempts=F("attempts") + 1
    )
    OutboxMessage.objects.filter(status=Status.PENDING, id__in=ids).update(
        **claim, attempts=F("attempts") + 1
    )
    claimed = list(
        OutboxMessage.objects.filter(  # found through the index of "queued" rows
            status=Status.QUEUED, claimed_at=now, claim_token=token
        ).values_list("id", flat=True)
    )
    why: dict[str, tuple[str, str]] = {
        Status.QUEUED: ("re-published", "not started within the requeue time (the queue lost it)"),
        Status.SENDING: ("reclaimed", "its worker did not finish within the lease"),
    }
    MessageEvent.objects.bulk_create(
        MessageEvent(message_id=pk, event=event, detail=detail, at=now)
        for pk in claimed
        if candidates[pk] in why
        for event, detail in [why[candidates[pk]]]
    )
    return claimed


def _lease(clinic: Clinic) -> timedelta:
    return timedelta(minutes=clinic.sending_lease_minutes)


def _requeue_age(clinic: Clinic) -> timedelta:
    return timedelta(seconds=clinic.requeue_after_seconds)


def _in_flight(now: datetime, clinic: Clinic, *, all_queued: bool = False) -> int:
    """Rows queued recently (or all queued rows, when the broker still holds the stale
    ones) plus rows started within the lease (each count index-served)."""
    queued_rows = OutboxMessage.objects.filter(status=Status.QUEUED)
    if not all_queued:
        queued_rows = queued_rows.filter(claimed_at__gte=now - _requeue_age(clinic))
    queued = queued_rows.count()
    started = OutboxMessage.objects.filter(
        status=Status.SENDING, started_at__gte=now - _lease(clinic)
    ).count()
    return queued + started


@transaction.atomic
def reclaim_dead_workers(*, actor: Actor, now: datetime | None = None) -> int:
    """Rows started by a worker process of this host that no longer exists go back to the queue.

    Called when a worker starts and on every dispatcher run: a killed worker's
    rows are sent again at once, not after the lease (its message may have gone
    out already: at most one duplicate each). Rows started on another host keep
    the lease (this host cannot see that process).
    """
    require(actor, "reminders.send")
    now = now or timezone.now()
    starters = set(
        OutboxMessage.objects.filter(  # "sending" rows: the in-flight few, index-served
            status=Status.SENDING, started_by__startswith=workers.host_name_prefix()
        ).values_list("started_by", flat=True)
    )
    dead = [starter for starter in starters if workers.is_dead_here(starter)]
    ids = list(
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(status=Status.SENDING, started_by__in=dead)
        .values_list("id", flat=True)
    )
    OutboxMessage.objects.filter(id__in=ids, status=Status.SENDING, started_by__in=dead).update(
        status=Status.PENDING, started_at=None, started_by=""
    )
    MessageEvent.objects.bulk_create(
        MessageEvent(message_id=pk, event="reclaimed", detail="its worker died", at=now)
        for pk in ids
    )
    return len(ids)


def count_queued() -> int:
    """Rows queued to the broker and not started (index-served): the send tasks it should hold."""
    return OutboxMessage.objects.filter(status=Status.QUEUED).count()


def backlog_waiting(*, now: datetime | None = None) -> bool:
    """Whether due messages are still waiting to be claimed (on channels not paused, or
    on a paused one whose probe is due)."""
    now = now or timezone.now()
    held = {c for c, s in breaker.paused().items() if s.probe_at is None or s.probe_at > now}
    return OutboxMessage.objects.filter(_due(now)).exclude(channel__in=held).exists()


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, due_at__lte=now)


def _why_not_send(message: OutboxMessage, now: datetime) -> tuple[str, str] | None:
    """(status, reason) when the message must not go, else None."""
    refusal = validity.why_not_send(message, now)
    if refusal is not None:
        return refusal
    patient = message.patient
    if patient is not None and (message.channel, message.recipient) not in {
        (c, a) for c, a in patient_channels(patient)
    }:
        return Status.CANCELLED, "no consent or no address for this channel any more"
    return None


def _start(message: OutboxMessage, now: datetime) -> bool:
    """Win the row for this worker process: "queued" -> "sending", recording who started it.

    A row already "sending" is taken over only when the process that started it
    is gone (a worker child killed mid-send, whose task the broker handed back):
    its message may have gone out already, so at most one duplicate. Any other
    row is not ours: a repeated task, or a row already handled.
    """
    me = workers.current_starter()
    mine = {"status": Status.SENDING, "started_at": now, "started_by": me}
    if message.status == Status.QUEUED:
        won = OutboxMessage.objects.filter(pk=message.pk, status=Status.QUEUED).update(**mine)
    elif message.status == Status.SENDING and workers.is_dead_here(message.started_by):
        won = OutboxMessage.objects.filter(
            pk=message.pk, status=Status.SENDING, started_by=message.started_by
        ).update(**mine)
        if won:
            MessageEvent.objects.create(message=message, event="reclaimed",
                                        detail="its worker died", at=now)  # fmt: skip
    else:
        return False
    message.status, message.started_at, message.started_by = Status.SENDING, now, me
    return bool(won)


def _finish(message: OutboxMessage, status: str, event: str, **fields: object) -> bool:
    """Record an outcome only if the row is still ours ("sending", started by us).

    A success is recorded on the row itself (sent_at, provider id); every other
    outcome also gets a history event saying why.
    """
    done = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, started_by=message.started_by
    ).update(status=status, **fields)
    if done and status != Status.SENT:
        MessageEvent.objects.create(
            message_id=message.pk, event=event, detail=str(fields.get("last_error", ""))
        )
    return bool(done)


def deliver(message_id: int, *, actor: Actor, now: datetime | None = None) -> str:
    """Start one queued message, send it and record what happened; returns the outcome.

    Not one transaction: nothing is sent while a transaction is open (the start
    and the outcome are writes of their own, before and after the send). A
    webhook delivery's outcome then tells its endpoint, and any other message
    failed for good is announced to the webhooks (``webhooks.after_delivery``).
    """
    require(actor, "reminders.send")
    now = now or timezone.now()
    # The course and practitioner load only for the kinds that use them.
    found = OutboxMessage.objects.select_related("patient", "session", "endpoint", "webhook")
    message = found.filter(pk=message_id).first()
    if message is None or not _start(message, now):
        return "skipped"  # a second delivery of the same task, or already handled
    outcome = _deliver(message, actor, now)
    webhooks.after_delivery(message, outcome, actor=actor, now=now)
    return outcome


def _deliver(message: OutboxMessage, actor: Actor, now: datetime) -> str:
    refusal = _why_not_send(message, now)
    if refusal is not None:
        status, reason = refusal
        _finish(message, status, status, last_error=reason)
        breaker.probe_again(channel=message.channel, claimed_at=message.claimed_at, now=now)
        return status
    if breaker.paused_since_claim(channel=message.channel, claimed_at=message.claimed_at):
        return _hold(message, "the channel was paused after this message was queued", now)
    try:
        provider_id = _send(message, now)
    except ChannelDown as error:  # the relay or gateway itself: the breaker counts it
        return _temporary_failure(message, str(error), now, actor)
    except TemporaryFailure as error:  # this message only (a full mailbox); its attempt counts
        if not isinstance(error, _ChannelFault):  # the relay answered: the channel works
            breaker.record_success(channel=message.channel, now=now)
        return _retry_or_fail(message, str(error), now, Clinic.current())
    except PermanentFailure as error:  # the relay answered: the channel works
        breaker.record_success(channel=message.channel, now=now)
        _finish(message, Status.FAILED, "failed", last_error=str(error))
        return Status.FAILED
    breaker.record_success(channel=message.channel, now=now)
    _finish(
        message,
        Status.SENT,
        "sent",
        sent_at=timezone.now(),
        provider_message_id=provider_id,
        last_error="",
    )
    return Status.SENT


def _temporary_failure(message: OutboxMessage, error: str, now: datetime, actor: Actor) -> str:
    """The relay is down: a channel that is (or now becomes) paused holds the message with
    its attempt back; before that, the message retries and its attempt counts."""
    clinic = Clinic.current()
    if not breaker.record_failure(channel=message.channel, now=now, clinic=clinic, actor=actor):
        return _retry_or_fail(message, error, now, clinic)
    return _hold(message, f"{error} (the channel is paused; this attempt does not count)", now)


def _hold(message: OutboxMessage, why: str, now: datetime) -> str:
    """Back to the queue with its attempt given back, to go when the channel resumes.

    Its due time stays: /healthz's age of the oldest due message grows through
    an outage (and the probe, the oldest due, is the one waiting longest).
    """
    _finish(message, Status.PENDING, "held", last_error=why, attempts=max(message.attempts - 1, 0))
    return "held"


def _retry_or_fail(message: OutboxMessage, error: str, now: datetime, clinic: Clinic) -> str:
    if message.attempts >= clinic.message_max_attempts:
        _finish(
            message,
            Status.FAILED,
            "failed",
            last_error=f"gave up after {message.attempts} attempts: {error}",
        )
        return Status.FAILED
    delay = schedule.retry_delay(message.attempts, clinic.retry_base_seconds)
    _finish(message, Status.PENDING, "retry", last_error=error, due_at=now + delay)
    return "retry"


def _send(message: OutboxMessage, now: datetime) -> str:
    """Render and send on the message's channel; raises Temporary/PermanentFailure.

    Any other error from a channel (a broken backend, a full disk) counts as a
    temporary failure: the message keeps to the attempt limit and ends failed,
    visible to staff, instead of staying "sending" and being reclaimed forever.
    Only the error's type is kept: its text may carry an address.
    """
    try:
        channel = registry.get(message.channel)
    except registry.UnknownChannel as error:
        raise PermanentFailure(str(error)) from None
    try:
        rendered = channel.render(message, now=now)
        return channel.send(rendered, to=message.recipient, reference=f"outbox-{message.pk}")
    except (TemporaryFailure, PermanentFailure):
        raise
    except Exception as error:  # any channel fault must end in a recorded outcome
        logger.warning(
            "outbox message %s: the %s channel raised %s", message.pk, channel.key,
            type(error).__name__,
        )  # fmt: skip
        raise _ChannelFault(
            f"the {channel.label} channel failed ({type(error).__name__})"
        ) from None


class _ChannelFault(TemporaryFailure):
    """A channel raised something unexpected (a bug, a full disk): this message's
    temporary failure, which neither pauses the channel nor proves it works."""


@transaction.atomic
def retry_failed(*, message: OutboxMessage, actor: Actor, now: datetime | None = None) -> bool:
    """Staff's retry button: a failed message goes back to the queue, due now."""
    require(actor, "reminders.retry", message)
    updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
        status=Status.PENDING, due_at=now or timezone.now(), attempts=0
    )
    if updated:
        MessageEvent.objects.create(message_id=message.pk, event="retry requested")
    return bool(updated)


def _failed_between(start: date, end: date) -> QuerySet[OutboxMessage]:
    """Failed rows due from ``start`` to ``end`` inclusive (clinic days), index-served."""
    tz = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return OutboxMessage.objects.filter(status=Status.FAILED, due_at__gte=since, due_at__lt=until)


def count_failed_between(*, start: date, end: date) -> int:
    """How many failed messages a retry of that period would queue again."""
    return _failed_between(start, end).count()


@transaction.atomic
def retry_failed_between(
    *, start: date, end: date, actor: Actor, now: datetime | None = None
) -> int:
    """A manager's "retry all": every failed message due in the period goes back, due now.

    Each row starts its attempts afresh and gets its own "retry requested"
    event; the send-time checks still decide whether it goes (a reminder whose
    session has started expires instead). Returns how many were queued again.
    """
    require(actor, "reminders.retry_period")
    now = now or timezone.now()
    ids = list(_failed_between(start, end).select_for_update().values_list("id", flat=True))
    OutboxMessage.objects.filter(id__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, due_at=now, attempts=0
    )
    detail = f"all failed messages due {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    MessageEvent.objects.bulk_create(
        MessageEvent(message_id=pk, event="retry requested", detail=detail, at=now) for pk in ids
    )
    return len(ids)
