"""The patient moves a session of their course (issue #17): offers, a confirm step, the move.

GET lists the times offered, by day, in the patient's language and time zone.
POST with ``step=review`` shows what the chosen time moves (the whole new
schedule when later sessions move too) and changes nothing; POST with
``step=confirm`` books it through ``reminders.services.move_by_patient``, the
locked service. A time taken meanwhile answers 409 with fresh offers; a
crafted time outside the rules or the cut-off answers 400 with the reason;
nothing is changed either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses import patient_moves
from courses.booking import CourseError, Move, clinic_tz
from courses.models import Course
from courses.self_service import Offer
from portal import page
from portal.views import patient_page
from reminders import services as reminder_services

# Refusals that mean "the calendar changed meanwhile": the patient chooses again from
# fresh offers (409). Any other refusal is about the request itself (400).
CHANGED = {"slot_unavailable", "slot_taken", "no_slot", "plan_changed", "stale", "unchanged"}


def _patient_reason(error: CourseError) -> str:
    """The refusal in the patient's words (the staff's sentences name staff remedies)."""
    codes = set(error.codes)
    if codes & {"slot_unavailable", "slot_taken"}:
        return _("Sorry, that time has just been taken. Here are the times free now.")
    if codes & {"time_in_past", "date_in_past", "date_out_of_range", "time_skipped"}:
        return _("That time cannot be booked; please pick one of the offered times.")
    return str(error)


@dataclass(frozen=True)
class Choosable:
    """One offered time and what its form posts: the clinic's wall-clock day and time."""

    offer: Offer
    value: str
    following: str  # the later sessions' new arrivals (epoch seconds), as the offer showed

    @property
    def arrives_at(self) -> datetime:
        return self.offer.slot.arrives_at


@dataclass(frozen=True)
class DayOffers:
    day: date
    offers: list[Choosable]


def _by_day(offers: list[Offer]) -> list[DayOffers]:
    """Offers grouped by the patient's local day (the current time zone)."""
    groups: dict[date, list[Choosable]] = {}
    for offer in offers:
        local = offer.slot.arrives_at.astimezone(clinic_tz())
        following = ",".join(str(int(p.slot.arrives_at.timestamp())) for p in offer.following)
        choosable = Choosable(offer, f"{local:%Y-%m-%dT%H:%M}", following)
        groups.setdefault(timezone.localtime(offer.slot.arrives_at).date(), []).append(choosable)
    return [DayOffers(day, items) for day, items in groups.items()]


def _row(course: Course, ordinal: int) -> page.SessionRow | None:
    rows = page.session_rows(course, now=timezone.now())
    return next((r for r in rows if r.ordinal == ordinal), None)


def _offers_page(
    request: HttpRequest, course: Course, token: str, row: page.SessionRow,
    *, error: str = "", status: int = 200,
) -> HttpResponse:  # fmt: skip
    offers: list[Offer] = []
    refusal = ""
    try:
        offers = patient_moves.patient_offers(row.session)
    except CourseError as why:
        refusal = str(why)
    context = {
        "course": course, "token": token, "row": row, "clinic": Clinic.current(),
        "days": _by_day(offers), "refusal": refusal, "error": error,
    }  # fmt: skip
    return render(request, "portal/move.html", context, status=status)


@dataclass(frozen=True)
class Choice:
    session_id: int
    version: int
    day: date
    at: time
    practitioner_id: int
    expected: list[datetime] | None


def _parse(data: dict[str, str]) -> Choice | None:
    """The chosen time from the form, or None when anything in it is malformed."""
    try:
        when = datetime.strptime(data.get("slot", ""), "%Y-%m-%dT%H:%M")
        expected = None
        if "following" in data:
            raw = [v for v in data["following"].split(",") if v]
            expected = [datetime.fromtimestamp(int(v), UTC) for v in raw]
        return Choice(
            int(data.get("session", "")), int(data.get("version", "")), when.date(),
            when.time(), int(data.get("practitioner", "")), expected,
        )  # fmt: skip
    except (ValueError, OverflowError, OSError):
        return None


@require_http_methods(["GET", "POST"])
@patient_page
def move(request: HttpRequest, course: Course, token: str, ordinal: int) -> HttpResponse:
    """Offer times for one session; review a chosen one; confirm it."""
    row = _row(course, ordinal)
    if row is None:
        context = {"clinic": Clinic.current(), "course": course, "token": token,
                   "missing": True}  # fmt: skip
        return render(request, "portal/move.html", context, status=404)
    if request.method == "GET":
        return _offers_page(request, course, token, row)
    choice = _parse({k: str(v) for k, v in request.POST.items()})
    if choice is None:
        unreadable = _("That choice could not be read; please pick a time below.")
        return _offers_page(request, course, token, row, status=400, error=unreadable)
    if choice.session_id != row.session.pk:  # the course changed since: ordinals moved
        changed = _("Your course changed since this page was opened; here it is now.")
        return _offers_page(request, course, token, row, status=409, error=changed)
    try:
        if request.POST.get("step") == "confirm":
            reminder_services.move_by_patient(
                session=row.session, new_day=choice.day, new_time=choice.at,
                version=choice.version, practitioner_id=choice.practitioner_id,
                expected_following=choice.expected or [],
                actor=system_actor(SystemActor.PATIENT_LINK),
            )  # fmt: skip
            url = reverse("portal:course", args=[token])
            return redirect(f"{url}?moved={ordinal}#session-{ordinal}")
        if choice.version != row.session.schedule_version:
            raise CourseError.single(
                "stale", _("This session was changed since the page was opened; see its time now.")
            )
        moves = patient_moves.preview_move(
            row.session, new_day=choice.day, new_time=choice.at,
            practitioner_id=choice.practitioner_id,
        )  # fmt: skip
    except CourseError as error:
        status = 409 if set(error.codes) & CHANGED else 400
        return _offers_page(
            request, course, token, row, error=_patient_reason(error), status=status
        )
    return _review(request, course, token, row, choice, moves)


def _review(
    request: HttpRequest, course: Course, token: str, row: page.SessionRow,
    choice: Choice, moves: list[Move],
) -> HttpResponse:  # fmt: skip
    """The whole course as it will be, the moved sessions marked, and the confirm button."""
    new = {m.session.pk: m.slot.arrives_at for m in moves}
    schedule = [
        {"ordinal": r.ordinal, "was": r.session.arrives_at, "new": new.get(r.session.pk),
         "session": r.session}
        for r in page.session_rows(course, now=timezone.now())
        if r.session.holds_time
    ]  # fmt: skip
    following = ",".join(str(int(m.slot.arrives_at.timestamp())) for m in moves[1:])
    context = {
        "course": course, "token": token, "row": row, "clinic": Clinic.current(),
        "choice": choice, "first": moves[0], "schedule": schedule, "following": following,
        "slot_value": f"{choice.day:%Y-%m-%d}T{choice.at:%H:%M}",
        "moves_following": len(moves) > 1,
    }  # fmt: skip
    return render(request, "portal/move_confirm.html", context)
