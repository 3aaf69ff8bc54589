"""Writes for the day of a session: check-in, cream, preparation, passes, finish.

Every step after check-in names the procedure ``version`` the user saw; a step
taken from a stale page (another tab or colleague moved on) is refused with a
clear message instead of overwriting. The session row is locked for each step,
and every step is refused off the session's booked day or before the course's
earlier sessions are finished (``check_session_day``, the one place that rule is
applied), and out of the procedure's fixed order (``session_flow.check_order``).

Every step takes the ``actor`` who took it (``clinic.actors``); check-in and
disinfection keep it on their rows (``checked_in_by``, ``done_by``), the other
steps have no column for it yet (the audit trail will record it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import ParamSpec, TypeVar, overload

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from clinic.actors import Actor
from clinic.devices import device_problems
from clinic.models import Clinic, Device, Disinfection, Lot, Product
from clinic.permissions import require
from clinic.selectors import device_facts
from clinic.services import take_spare_needle
from courses import events, overview, rules, session_flow
from courses.aftercare import AftercareFacts, build_aftercare
from courses.lots import locked_lot_problems
from courses.models import (
    HOLDING_STATUSES,
    AftercareSheet,
    CourseStatus,
    NeedleChange,
    Procedure,
    Session,
    SessionStatus,
    ZoneRecord,
)
from courses.services import treatment_rules
from courses.session_flow import (
    ANTISEPTIC_AFTER,
    ANTISEPTIC_BEFORE,
    CREAM,
    PRODUCT,
    ROLLING,
    WASH_OFF,
)
from patients.clearance import session_day_problems


class SessionDayError(Exception):
    """A step was refused; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


P = ParamSpec("P")
T = TypeVar("T")


def _flow(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        return call(*args, **kwargs)
    except session_flow.FlowError as error:
        raise SessionDayError(error.code, error.message) from error


DONE_STATUSES = (SessionStatus.COMPLETED, SessionStatus.STOPPED)


def check_session_day(session: Session, now: datetime) -> None:
    """Refuse a step off the session's booked day (clinic's zone) or ahead of the course's
    earlier sessions that are not finished yet (DOMAIN.md). Every session-day step calls it.
    """
    earlier = (
        Session.objects.filter(
            course_id=session.course_id,
            arrives_at__lt=session.arrives_at,
            status__in=HOLDING_STATUSES,
        )
        .exclude(status__in=DONE_STATUSES)
        .order_by("arrives_at")
        .only("number", "arrives_at", "status")
    )
    _flow(
        session_flow.check_session_day,
        booked_on=timezone.localdate(session.arrives_at),
        today=timezone.localdate(now),
        unfinished_earlier=[
            session_flow.EarlierSession(e.number, timezone.localdate(e.arrives_at), e.status)
            for e in earlier
        ],
    )


@overload
def _locked(
    session: Session, version: int, now: datetime | None = None
) -> tuple[Session, Procedure]: ...
@overload
def _locked(
    session: Session, version: None, now: datetime | None = None
) -> tuple[Session, Procedure | None]: ...
def _locked(
    session: Session, version: int | None, now: datetime | None = None
) -> tuple[Session, Procedure | None]:
    """Lock the session; with ``now``, also apply the session-day rule (a step on the day)."""
    session = Session.objects.select_for_update().select_related("course__area").get(pk=session.pk)
    procedure = Procedure.objects.filter(session=session).first()
    if version is not None and (procedure is None or procedure.version != version):
        raise SessionDayError(
            "stale",
            gettext(
                "This session was changed in another window since you opened it. "
                "The page now shows its current state; check it and try again."
            ),
        )
    if now is not None:
        check_session_day(session, now)
    return session, procedure


def done_steps(procedure: Procedure) -> set[str]:
    """The procedure steps already recorded, as ``session_flow.PROCEDURE_STEPS`` names them."""
    recorded = {
        CREAM: procedure.cream_on_at is not None,
        WASH_OFF: procedure.cream_off_at is not None,
        ANTISEPTIC_BEFORE: procedure.antiseptic_before_at is not None,
        PRODUCT: procedure.product_id is not None,
        ROLLING: procedure.started_at is not None and procedure.zones.exists(),
        ANTISEPTIC_AFTER: procedure.antiseptic_after_at is not None,
    }
    return {step for step, done in recorded.items() if done}


def _check_order(session: Session, procedure: Procedure, step: str) -> None:
    cream_used = needs_cream(session) or procedure.cream_on_at is not None
    _flow(session_flow.check_order, step, done=done_steps(procedure), cream_used=cream_used)


def _save(session: Session, procedure: Procedure, status: str | None = None) -> Procedure:
    if status is not None:
        _flow(session_flow.move, session, status)
        session.save(update_fields=["status"])
        overview.refresh_course_summary(session.course_id)
    procedure.version += 1
    procedure.save()
    return procedure


def needs_cream(session: Session, rule_set: rules.TreatmentRules | None = None) -> bool:
    return rules.needs_cream(rule_set or treatment_rules(), session.course.needle_mm)


def check_cleared(session: Session, now: datetime) -> None:
    """Refuse when the latest screening does not clear the treated area today (DOMAIN.md:
    a session cannot start on a stale or failing screening). Check-in and the needling start
    both call it, so a screening recorded after check-in that defers the area stops needling.
    """
    problems = session_day_problems(
        session.course.patient, region=session.course.area.region, now=now
    )
    if problems:
        raise SessionDayError(
            "not_cleared",
            gettext(
                "The patient cannot be treated today: %(problems)s Screen again if things have "
                "changed, or reschedule the session."
            )
            % {"problems": "; ".join(p.message for p in problems)},
        )


@transaction.atomic
def confirm_attendance(*, session: Session, actor: Actor) -> Session:
    """The patient confirmed they will come (from staff or the patient's link)."""
    require(actor, "courses.confirm_attendance", session)
    session, _ = _locked(session, None)
    _flow(session_flow.move, session, SessionStatus.CONFIRMED)
    session.save(update_fields=["status"])
    events.session_confirmed(session, actor=actor)
    return session


@transaction.atomic
def check_in(*, session: Session, actor: Actor, now: datetime | None = None) -> Procedure:
    """Check the patient in after re-confirming the screening for the treated area today."""
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, _ = _locked(session, None)
    _flow(session_flow.check_move, session.status, SessionStatus.CHECKED_IN)
    check_session_day(session, now)
    check_cleared(session, now)
    patient = session.course.patient
    assert patient.latest_screening is not None  # check_cleared refuses a patient without one
    procedure = Procedure.objects.create(
        session=session, checked_in_at=now, checked_in_by=actor, screening=patient.latest_screening
    )
    _flow(session_flow.move, session, SessionStatus.CHECKED_IN)
    session.save(update_fields=["status"])
    return procedure


@transaction.atomic
def put_cream_on(
    *, session: Session, version: int, actor: Actor, now: datetime | None = None
) -> Procedure:
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, procedure = _locked(session, version, now)
    _flow(session_flow.check_move, session.status, SessionStatus.CREAM_ON)
    _check_order(session, procedure, CREAM)
    procedure.cream_on_at = now
    return _save(session, procedure, SessionStatus.CREAM_ON)


@transaction.atomic
def wash_cream_off(
    *, session: Session, version: int, actor: Actor, now: datetime | None = None
) -> Procedure:
    """Record the wash-off; refused before the clinic's exposure time has passed."""
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, procedure = _locked(session, version, now)
    _flow(session_flow.check_move, session.status, SessionStatus.CREAM_OFF)
    _check_order(session, procedure, WASH_OFF)
    assert procedure.cream_on_at is not None  # set with CREAM_ON, the only way to CREAM_OFF
    _flow(session_flow.check_wash_off, procedure.cream_on_at, now, Clinic.current().cream_minutes)
    procedure.cream_off_at = now
    return _save(session, procedure, SessionStatus.CREAM_OFF)


PREPARING = (SessionStatus.CHECKED_IN, SessionStatus.CREAM_ON, SessionStatus.CREAM_OFF)


@transaction.atomic
def record_antiseptic_before(
    *, session: Session, version: int, actor: Actor, now: datetime | None = None
) -> Procedure:
    """Antiseptic on the area: after the cream is washed off (when cream is used)."""
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, procedure = _locked(session, version, now)
    if session.status not in PREPARING:
        raise SessionDayError(
            "not_preparing", gettext("Antiseptic before is recorded before needling.")
        )
    _check_order(session, procedure, ANTISEPTIC_BEFORE)
    procedure.antiseptic_before_at = now
    return _save(session, procedure)


def _check_device(device: Device, needle_mm: Decimal) -> None:
    problems = device_problems(device_facts(device), needle_mm)
    if problems:
        raise SessionDayError(problems[0].code, " ".join(p.message for p in problems))


def _check_lot(lot: Lot, product: Product, session: Session, procedure: Procedure) -> Lot:
    """The lot, locked (a recall, or another session taking its last unit, waits for this
    step), if the one lot rule lets it be used on the session's local day."""
    lot, problems = locked_lot_problems(
        lot, product_id=product.pk, day=timezone.localdate(session.arrives_at), besides=procedure
    )
    if problems:
        raise SessionDayError(problems[0].code, " ".join(p.message for p in problems))
    return lot


@transaction.atomic
def choose_materials(
    *,
    session: Session,
    version: int,
    product: Product,
    lot: Lot,
    device: Device,
    actor: Actor,
    now: datetime | None = None,
) -> Procedure:
    """The product, its lot and the device, after the antiseptic. The lot must be one of the
    product's that may be used on the session's day (not expired, recalled or used up); the
    device must be usable for this needle."""
    require(actor, "courses.run_session", session)
    session, procedure = _locked(session, version, now or timezone.now())
    if session.status not in PREPARING:
        raise SessionDayError(
            "not_preparing", gettext("Product and device are chosen before needling.")
        )
    _check_order(session, procedure, PRODUCT)
    lot = _check_lot(lot, product, session, procedure)
    device = Device.objects.select_related("device_type").get(pk=device.pk)  # fresh wear, hygiene
    _check_device(device, session.course.needle_mm)
    procedure.product, procedure.lot, procedure.device = product, lot, device
    return _save(session, procedure)


@transaction.atomic
def record_disinfection(
    *,
    device: Device,
    moment: str,
    actor: Actor,
    session: Session | None = None,
    now: datetime | None = None,
) -> Disinfection:
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    device = Device.objects.select_for_update().get(pk=device.pk)
    device.last_disinfected_at = now
    device.save(update_fields=["last_disinfected_at"])
    return Disinfection.objects.create(
        device=device, moment=moment, done_at=now, done_by=actor, session=session
    )


@transaction.atomic
def start_procedure(
    *, session: Session, version: int, actor: Actor, now: datetime | None = None
) -> Procedure:
    """Start needling: after antiseptic, with a usable device, after the cream is off, and
    only while today's latest screening still clears the area (``check_cleared``)."""
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, procedure = _locked(session, version, now)
    _flow(
        session_flow.check_start,
        session.status,
        cream_required=needs_cream(session) or procedure.cream_on_at is not None,
        antiseptic_before=procedure.antiseptic_before_at is not None,
        device_chosen=procedure.device_id is not None,
    )
    check_cleared(session, now)
    assert procedure.device_id is not None  # check_start refused a start without a device
    device = (
        Device.objects.select_for_update().select_related("device_type").get(pk=procedure.device_id)
    )
    _check_device(device, session.course.needle_mm)
    device.use_count += 1
    device.last_used_at = now
    device.save(update_fields=["use_count", "last_used_at"])
    if device.device_type.single_use_cartridges:
        take_spare_needle(device.device_type_id)  # a fresh sterile cartridge for this session
    procedure.started_at = now
    return _save(session, procedure, SessionStatus.IN_PROCEDURE)


def _in_procedure(session: Session) -> None:
    if session.status != SessionStatus.IN_PROCEDURE:
        raise SessionDayError(
            "not_in_procedure", gettext("This is recorded while needling is under way.")
        )


def _rolling(session: Session, version: int, now: datetime) -> tuple[Session, Procedure]:
    """Lock a session whose needling is under way and whose rolling may be recorded now."""
    session, procedure = _locked(session, version, now)
    _in_procedure(session)
    _check_order(session, procedure, ROLLING)
    return session, procedure


@transaction.atomic
def record_passes(
    *,
    session: Session,
    version: int,
    zone: str,
    horizontal: int,
    vertical: int,
    diagonal: int,
    note: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> Procedure:
    """Set the passes counted over one zone (a zone named again is updated).

    More passes than the clinic's number per direction are a deviation: refused
    without a note saying why (DOMAIN.md, seven-pass protocol).
    """
    require(actor, "courses.run_session", session)
    session, procedure = _rolling(session, version, now or timezone.now())
    passes = session_flow.ZonePasses(zone.strip(), horizontal, vertical, diagonal, note.strip())
    _flow(session_flow.check_passes, passes, required=Clinic.current().passes_per_direction)
    ZoneRecord.objects.update_or_create(
        procedure=procedure,
        zone=passes.zone,
        defaults={
            "horizontal": horizontal, "vertical": vertical, "diagonal": diagonal,
            "note": passes.note,
        },
    )  # fmt: skip
    return _save(session, procedure)


@transaction.atomic
def remove_zone(
    *, session: Session, version: int, zone_id: int, actor: Actor, now: datetime | None = None
) -> Procedure:
    """Take back a zone recorded by mistake, while the rolling is still under way."""
    require(actor, "courses.run_session", session)
    session, procedure = _rolling(session, version, now or timezone.now())
    deleted, _ = ZoneRecord.objects.filter(procedure=procedure, pk=zone_id).delete()
    if not deleted:
        raise SessionDayError(
            "zone_missing", gettext("That zone is not recorded for this session.")
        )
    return _save(session, procedure)


@transaction.atomic
def record_needle_change(
    *,
    session: Session,
    version: int,
    note: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> Procedure:
    require(actor, "courses.run_session", session)
    session, procedure = _rolling(session, version, now or timezone.now())
    NeedleChange.objects.create(procedure=procedure, changed_at=now or timezone.now(), note=note)
    if procedure.device_id is not None:
        kind = Device.objects.values_list("device_type_id", flat=True).get(pk=procedure.device_id)
        take_spare_needle(kind)  # a fresh cartridge or roller
    return _save(session, procedure)


@transaction.atomic
def record_antiseptic_after(
    *, session: Session, version: int, actor: Actor, now: datetime | None = None
) -> Procedure:
    """Antiseptic again, after the rolling (at least one zone's passes recorded)."""
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, procedure = _locked(session, version, now)
    _in_procedure(session)
    _check_order(session, procedure, ANTISEPTIC_AFTER)
    procedure.antiseptic_after_at = now
    return _save(session, procedure)


@transaction.atomic
def finish(
    *,
    session: Session,
    version: int,
    end_point: str,
    notes: str = "",
    stop_reason: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> Procedure:
    """Complete the session (every zone has its passes) or stop it short with a reason."""
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    session, procedure = _locked(session, version, now)
    _in_procedure(session)
    zones = [
        session_flow.ZonePasses(z.zone, z.horizontal, z.vertical, z.diagonal, z.note)
        for z in procedure.zones.all()
    ]
    status = _flow(
        session_flow.check_finish,
        zones,
        required=Clinic.current().passes_per_direction,
        antiseptic_after=procedure.antiseptic_after_at is not None,
        stop_reason=stop_reason,
    )
    procedure.end_point, procedure.notes = end_point, notes.strip()
    procedure.stop_reason, procedure.finished_at = stop_reason.strip(), now
    _save(session, procedure, status)
    _write_aftercare(session, procedure, now)
    _refresh_course_status(session)
    events.session_finished(session, now=now, actor=actor)
    return procedure


def _write_aftercare(session: Session, procedure: Procedure, now: datetime) -> AftercareSheet:
    """The sheet is the patient's: written in their language, whoever finishes the session."""
    with translation.override(session.course.patient.language):
        text = build_aftercare(aftercare_facts(session, procedure, now=now))
    sheet, _ = AftercareSheet.objects.update_or_create(
        session=session, defaults={"text": text, "created_at": now}
    )
    return sheet


def aftercare_facts(
    session: Session, procedure: Procedure | None, *, now: datetime
) -> AftercareFacts:
    """What the session's aftercare sheet says, as things stand at ``now``.

    The next session is the first one of the course still ahead of both the
    treated session and ``now``: a sheet sent later never names a past date.
    """
    course = session.course
    patient = course.patient
    clinic = Clinic.current()
    following = (
        course.sessions.filter(
            status__in=HOLDING_STATUSES, arrives_at__gt=max(session.arrives_at, now)
        )
        .order_by("arrives_at")
        .first()
    )
    treated = (procedure.started_at if procedure else None) or session.procedure_starts_at
    return AftercareFacts(
        patient_first_name=patient.first_name,
        treated_on=timezone.localtime(treated),
        area=course.area.name.lower(),
        needle_mm=course.needle_mm,
        end_point=procedure.end_point if procedure else "",
        skin_risks=patient.skin_risks,
        next_session=timezone.localtime(following.arrives_at) if following else None,
        time_zone=timezone.get_current_timezone_name(),
        clinic_name=clinic.name,
        clinic_phone=clinic.phone,
    )


def _refresh_course_status(session: Session) -> None:
    course = session.course
    statuses = set(
        course.sessions.filter(status__in=HOLDING_STATUSES).values_list("status", flat=True)
    )
    done = {SessionStatus.COMPLETED, SessionStatus.STOPPED}
    course.status = CourseStatus.COMPLETED if statuses <= done else CourseStatus.IN_PROGRESS
    course.save(update_fields=["status", "updated_at"])
