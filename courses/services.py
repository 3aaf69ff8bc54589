"""Writes for courses: check the rules, plan, and confirm (book) a whole course.

Changes to booked sessions are in ``courses.rescheduling``; the locks, clash
checks and session writes both use are in ``courses.booking``.

The preview (``propose_course``) plans outside any lock and, when some session
has no slot, looks for the nearest fixes; the confirmation (``confirm_course``)
locks, re-checks the rules and the calendar, and writes, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from clinic.actors import Actor
from clinic.models import Clinic, Practitioner
from clinic.permissions import require
from clinic.pure_i18n import date_text
from courses import events, planning, rules
from courses.booking import (
    CourseError,
    book_sessions,
    calendar_for,
    clinic_tz,
    lock_booking_rows,
    plan_request,
    session_from,
    treatment_rules,
)
from courses.models import ChangeKind, Course, CourseStatus, Indication, Session, TreatmentArea
from patients.clearance import planning_deferrals, planning_problems
from patients.models import Patient
from patients.screening import Problem


class PlanningFailed(Exception):
    """Some session has no slot; says which, and (from the preview) suggests fixes."""

    def __init__(self, error: planning.NoSlotError, suggestions: list[str] | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.suggestions = suggestions or []


class PlanChanged(Exception):
    """The calendar changed since the preview; here is the new proposal and what moved."""

    def __init__(
        self, proposals: list[planning.Proposal], previewed: list[datetime] | None = None
    ) -> None:
        super().__init__(gettext("The calendar changed since the preview."))
        self.proposals = proposals
        self.previewed = previewed or []

    @property
    def changes(self) -> list[str]:
        """One line per session whose arrival differs from the preview, in local time."""
        tz = clinic_tz()
        lines = []
        for index, proposal in enumerate(self.proposals):
            now = proposal.slot.arrives_at
            was = self.previewed[index] if index < len(self.previewed) else None
            if was == now:
                continue
            before = date_text(was.astimezone(tz), "D d M H:i") if was else gettext("not previewed")
            lines.append(
                gettext("Session %(number)d: %(before)s → %(after)s")
                % {
                    "number": proposal.number,
                    "before": before,
                    "after": date_text(now.astimezone(tz), "D d M H:i"),
                }
            )
        if len(self.previewed) > len(self.proposals):
            dropped = len(self.previewed) - len(self.proposals)
            lines.append(
                ngettext(
                    "%(count)d previewed session dropped",
                    "%(count)d previewed sessions dropped",
                    dropped,
                )
                % {"count": dropped}
            )
        return lines


def course_violations(
    *,
    patient: Patient,
    indication: Indication,
    area: TreatmentArea,
    needle_mm: Decimal,
    sessions_planned: int,
    target_gap_weeks: int,
    rule_set: rules.TreatmentRules,
    needle_override_reason: str = "",
    gap_override_reason: str = "",
    clinic: Clinic | None = None,
) -> list[rules.RuleViolation]:
    """Every reason the course may not be planned, after written overrides."""
    found: list[rules.RuleViolation] = []
    if indication.refused:
        reason = indication.refusal_reason
        if indication.alternative:
            reason = gettext("%(reason)s Offer %(alternative)s instead.") % {
                "reason": reason,
                "alternative": indication.alternative.name.lower(),
            }
        found.append(rules.RuleViolation("indication_refused", reason))
    else:  # a refused indication's own reason says it all
        found += rules.check_indication_area(
            indication.name, area.name, [a.name for a in indication.areas.order_by("name")]
        )
    found += rules.check_session_count(rule_set, sessions_planned)
    found += rules.unresolved(
        rules.check_needle(needle_mm, area.needle_min_mm, area.needle_max_mm, area.name),
        {"needle_out_of_range": needle_override_reason},
    )
    gap_reason = {
        "gap_below_minimum": gap_override_reason,
        "gap_above_maximum": gap_override_reason,
    }
    found += rules.unresolved(
        rules.check_target_gap(rule_set, needle_mm, target_gap_weeks), gap_reason
    )
    found += [
        rules.RuleViolation(problem.code, problem.message)
        for problem in planning_problems(patient, region=area.region, clinic=clinic)
    ]
    return found


COURSE_RULE_FIELDS = (
    "patient", "indication", "area", "needle_mm", "sessions_planned", "target_gap_weeks",
    "needle_override_reason", "gap_override_reason",
)  # fmt: skip


@transaction.atomic
def create_draft_course(
    *,
    patient: Patient,
    indication: Indication,
    area: TreatmentArea,
    needle_mm: Decimal,
    sessions_planned: int,
    target_gap_weeks: int,
    practitioner: Practitioner,
    preferred_weekday: int | None,
    preferred_time: time,
    start_on: date,
    actor: Actor,
    needle_override_reason: str = "",
    gap_override_reason: str = "",
    now: datetime | None = None,
) -> Course:
    """Save the course request as a draft after every rule has passed.

    The start date must be today or later and inside the sane date window.
    ``now`` is the moment of the request (the clock's by default; demo history
    books as of weeks ago).
    """
    require(actor, "courses.plan")
    clinic = Clinic.current()
    now = now or timezone.now()
    violations = rules.check_typed_date(start_on, today=timezone.localdate(now))
    violations += course_violations(
        patient=patient,
        indication=indication,
        area=area,
        needle_mm=needle_mm,
        sessions_planned=sessions_planned,
        target_gap_weeks=target_gap_weeks,
        rule_set=treatment_rules(clinic),
        needle_override_reason=needle_override_reason,
        gap_override_reason=gap_override_reason,
        clinic=clinic,
    )
    if violations:
        raise CourseError(violations)
    return Course.objects.create(
        patient=patient,
        indication=indication,
        area=area,
        needle_mm=needle_mm,
        sessions_planned=sessions_planned,
        target_gap_weeks=target_gap_weeks,
        practitioner=practitioner,
        preferred_weekday=preferred_weekday,
        preferred_time=preferred_time,
        start_on=start_on,
        needle_override_reason=needle_override_reason.strip(),
        gap_override_reason=gap_override_reason.strip(),
        created_by=actor,
    )


@dataclass(frozen=True)
class Deferral:
    """Deferrals standing on a course's area, and the first day session 1 may take."""

    problems: list[Problem]
    not_before: date


def course_deferral(course: Course, clinic: Clinic | None = None) -> Deferral | None:
    """A deferral keeps the course but moves its start (DOMAIN.md, "Contraindications").

    The condition is expected to resolve within the clinic's ``deferral_days``
    of the screening that found it, so session 1 is planned no earlier than
    that; check-in still refuses until a new screening clears the area.
    """
    clinic = clinic or Clinic.current()
    problems = planning_deferrals(course.patient, region=course.area.region, clinic=clinic)
    screening = course.patient.latest_screening
    if not problems or screening is None:
        return None
    found_on = timezone.localdate(screening.taken_at)
    return Deferral(problems, found_on + timedelta(days=clinic.deferral_days))


def propose_course(
    course: Course, rule_set: rules.TreatmentRules | None = None, *, now: datetime | None = None
) -> list[planning.Proposal]:
    """Every session of a draft course placed in the calendar, for the preview (reads only).

    While a deferral stands, session 1 goes no earlier than it allows. When some
    session has no slot, PlanningFailed carries the nearest fixes: several more
    plans, run here, outside any lock, never while confirming.
    """
    request = _course_request(course, rule_set or treatment_rules(), now=now)
    try:
        return planning.plan_series(calendar_for(course, request), request)
    except planning.NoSlotError as error:
        raise PlanningFailed(error, suggest_fixes(course, request)) from error


def _course_request(
    course: Course, rule_set: rules.TreatmentRules, *, now: datetime | None
) -> planning.PlanRequest:
    deferral = course_deferral(course)
    start_on = max(course.start_on, deferral.not_before) if deferral else None
    return plan_request(course, rule_set, start_on=start_on, now=now)


def suggest_fixes(course: Course, request: planning.PlanRequest) -> list[str]:
    """The nearest changes that would let the whole course fit."""
    suggestions = []
    others = Practitioner.objects.filter(is_bookable=True, user__is_active=True).exclude(
        pk=course.practitioner_id
    )
    for other in others.select_related("user")[:5]:
        try:
            plan = planning.plan_series(
                calendar_for(course, request, practitioner_id=other.pk), request
            )
        except planning.NoSlotError:
            continue
        first = plan[0].slot.arrives_at.astimezone(clinic_tz())
        suggestions.append(
            gettext("%(practitioner)s can take the whole course, starting %(day)s.")
            % {"practitioner": other, "day": date_text(first, "D d M Y")}
        )
        break
    for weeks in (1, 2, 4, 8, 12, 26):
        later = request.start_on + timedelta(weeks=weeks)
        moved = planning.PlanRequest(**{**request.__dict__, "start_on": later})
        try:
            plan = planning.plan_series(calendar_for(course, moved), moved)
        except planning.NoSlotError:
            continue
        suggestions.append(
            gettext("Starting on or after %(start)s fits every session (the first on %(first)s).")
            % {"start": date_text(later, "D d M Y"), "first": date_text(plan[0].day, "D d M")}
        )
        break
    return suggestions


@transaction.atomic
def confirm_course(
    *,
    course: Course,
    actor: Actor,
    expected_arrivals: list[datetime] | None = None,
    now: datetime | None = None,
) -> list[Session]:
    """Book every session of a draft course in one transaction.

    Re-checks the rules and the calendar under lock. When ``expected_arrivals``
    (the previewed times) no longer match, nothing is booked: PlanChanged
    carries the new proposal for the user to review. When a session no longer
    fits, PlanningFailed says which, without suggestions: those are the
    preview's to find, once the locks are released.
    """
    require(actor, "courses.plan", course)
    lock_booking_rows([course.practitioner_id], course.patient_id)
    locked = (
        Course.objects.select_for_update()
        .select_related("area", "patient", "indication")
        .filter(pk=course.pk)
        .first()
    )
    now = now or timezone.now()
    if locked is None or locked.is_expired_draft(now):
        raise CourseError.single(DRAFT_EXPIRED, str(DRAFT_EXPIRED_MESSAGE))
    course = locked
    if course.status != CourseStatus.DRAFT:
        raise CourseError.single(
            "not_draft", gettext("This course is already booked or cancelled.")
        )
    clinic = Clinic.current()
    rule_set = treatment_rules(clinic)
    violations = course_violations(
        **{field: getattr(course, field) for field in COURSE_RULE_FIELDS},
        rule_set=rule_set,
        clinic=clinic,
    )
    if violations:
        raise CourseError(violations)
    request = _course_request(course, rule_set, now=now)
    try:
        proposals = planning.plan_series(calendar_for(course, request), request)
    except planning.NoSlotError as error:
        raise PlanningFailed(error) from error
    if (
        expected_arrivals is not None
        and [p.slot.arrives_at for p in proposals] != expected_arrivals
    ):
        raise PlanChanged(proposals, expected_arrivals)
    sessions = book_sessions(
        sessions=[session_from(course, p) for p in proposals], kind=ChangeKind.BOOKED,
        actor=actor, now=now,
    )  # fmt: skip
    course.status = CourseStatus.PLANNED
    course.save(update_fields=["status", "updated_at"])
    events.course_booked(course, sessions, now=now)
    return sessions


DRAFT_EXPIRED = "draft_expired"
DRAFT_EXPIRED_MESSAGE = gettext_lazy(
    "This preview has expired and was not booked; plan the course again."
)


@transaction.atomic
def discard_draft(*, course: Course, actor: Actor) -> None:
    """Delete a course preview the user turned down; a booked course is never deleted.

    Drafts hold no sessions. The row is locked and its status re-checked, so a
    confirmation in another tab either booked it first (refused here) or finds
    it gone.
    """
    require(actor, "courses.plan", course)
    draft = Course.objects.select_for_update().filter(pk=course.pk).first()
    if draft is None or draft.status != CourseStatus.DRAFT:
        raise CourseError.single(
            "not_draft", gettext("This course is already booked or cancelled.")
        )
    draft.delete()


@transaction.atomic
def delete_expired_drafts(*, actor: Actor, now: datetime | None = None) -> int:
    """Delete previews never confirmed within ``CLINIC_DRAFT_EXPIRY_HOURS``; how many.

    Drafts hold no sessions. Rows a confirmation has locked are skipped (it
    refuses an expired draft anyway), and the delete re-checks the status.
    ``actor`` is the clean-up's system actor (no row records it yet).
    """
    require(actor, "clinic.maintain")
    expired = list(
        Course.objects.expired_drafts(now)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    _, per_model = Course.objects.filter(pk__in=expired, status=CourseStatus.DRAFT).delete()
    return per_model.get(Course._meta.label, 0)


@transaction.atomic
def revoke_patient_links(*, course: Course, actor: Actor) -> Course:
    """Every link to the course's page sent so far stops working; new messages carry new ones."""
    require(actor, "courses.revoke_patient_link", course)
    Course.objects.filter(pk=course.pk).update(
        patient_link_version=models.F("patient_link_version") + 1
    )
    course.refresh_from_db(fields=["patient_link_version"])
    return course
