"""Staff screens for courses: plan, preview, confirm, the course page, changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from audit.records import record_read
from clinic.actors import AuthenticatedHttpRequest
from clinic.models import Clinic, Practitioner
from clinic.permissions import require, requires
from clinic.pure_i18n import date_text
from courses import (
    calendar_views,
    overview,
    planning,
    rescheduling,
    rules,
    selectors,
    services,
    session_day,
)
from courses.forms import CancelForm, ConfirmForm, CourseForm, RescheduleForm
from courses.models import HOLDING_STATUSES, Course, CourseStatus, MinimumGap, Session
from courses.outcome_views import outcome_context
from patients import services as patient_services
from patients.clearance import planning_deferrals, planning_problems
from patients.forms import HomeRollerForm
from patients.models import Patient
from patients.selectors import status_of

T = TypeVar("T")


# Violations that belong next to one field of the planner form.
VIOLATION_FIELDS = {"indication_area": "area", "date_in_past": "start_on",
                    "date_out_of_range": "start_on"}  # fmt: skip


def _add_violations(form: CourseForm, error: services.CourseError) -> None:
    for violation in error.violations:
        message = violation.message
        if violation.overridable:
            message = gettext("%(problem)s Give a written reason below to override.") % {
                "problem": message
            }
        form.add_error(VIOLATION_FIELDS.get(violation.code), message)


@requires("courses.plan")
@require_http_methods(["GET", "POST"])
def course_create(request: AuthenticatedHttpRequest, patient_pk: int) -> HttpResponse:
    """The course planner form; a valid request is saved as a draft and previewed."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    own = Practitioner.objects.filter(user=request.user).first()
    picked = calendar_views.remembered_course_initial(request)
    form = CourseForm(request.POST or None, practitioner=own, initial=picked)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_draft_course(
                patient=patient, actor=request.user, **form.cleaned_data
            )
        except services.CourseError as error:
            _add_violations(form, error)
        else:
            calendar_views.forget_slot(request)
            return redirect("courses:detail", pk=course.pk)
    context = {
        "form": form,
        "patient": patient,
        "picked": picked,
        "minimum_gaps": MinimumGap.objects.all(),
        "status": status_of(patient, clinic=Clinic.for_request(request)),
    }
    return render(request, "courses/course_form.html", context)


@dataclass(frozen=True)
class TimelineRow:
    session: Session
    position: int | None  # 1-based among sessions that hold their time
    gap_days: int | None
    gap_text: str
    gap_problem: str


def timeline(
    course: Course, sessions: list[Session], rule_set: rules.TreatmentRules
) -> list[TimelineRow]:
    """Sessions in time order with gaps (between sessions that hold time) and warnings.

    The warnings come from ``rules.gap_problems``, the rule the overview uses too.
    """
    days = [timezone.localdate(s.arrives_at) for s in sessions if s.holds_time]
    problems = rules.gap_problems(
        rule_set, course.needle_mm, days, overridden=bool(course.gap_override_reason)
    )
    rows, position = [], 0
    for session in sessions:
        if not session.holds_time:
            rows.append(TimelineRow(session, None, None, "", ""))
            continue
        position += 1
        gap = (days[position - 1] - days[position - 2]).days if position > 1 else None
        text = rules.format_weeks(gap) if gap else ""
        found = problems.get(position)
        rows.append(TimelineRow(session, position, gap, text, found.message if found else ""))
    return rows


@requires("courses.view_courses")
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(
        Course.objects.select_related(
            "patient", "indication", "area", "practitioner__user", "created_by"
        ),
        pk=pk,
    )
    if course.status == CourseStatus.DRAFT:  # a plan not yet booked: for its planners
        require(request.user, "courses.plan", course)
        record_read(request, course)
        return _preview(request, course)
    record_read(request, course)
    return _course_page(request, course)


def _course_page(
    request: HttpRequest,
    course: Course,
    *,
    roller_form: HomeRollerForm | None = None,
    outcome_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The booked course's page: its timeline, problems, the patient's home roller, and how
    the course is working (grades, satisfaction)."""
    sessions = list(
        course.sessions.select_related("room", "practitioner__user").prefetch_related(
            "changes__changed_by", "photos"
        )
    )
    rule_set = services.treatment_rules()
    holding = sum(1 for s in sessions if s.status in HOLDING_STATUSES)
    context = {
        "course": course,
        "rows": timeline(course, sessions, rule_set),
        "problems": [
            *planning_problems(course.patient, region=course.area.region),
            *planning_deferrals(course.patient, region=course.area.region),
            *filter(None, [rules.shortfall(course.sessions_planned, holding)]),
        ],
        "holding": holding,
        "max_sessions": rule_set.max_sessions,
        "cream_minutes": rules.cream_minutes(rule_set, course.needle_mm),
        "interleaving": selectors.interleave_warnings(
            course,
            [timezone.localdate(s.arrives_at) for s in sessions if s.holds_time],
            rule_set,
        ),
    }
    if request.user.has_perm("patients.view_clinical"):
        clinic = Clinic.current()
        context["home_care"] = selectors.patient_home_care(
            course.patient, clinic, now=timezone.now()
        )
        context["roller_form"] = roller_form or HomeRollerForm(
            initial={"needle_mm": clinic.home_roller_max_mm}
        )
        context["roller_range"] = (clinic.home_roller_min_mm, clinic.home_roller_max_mm)
        context.update(outcome_context(course, sessions), outcome_error=outcome_error)
    return render(request, "courses/course_detail.html", context, status=status)


@requires("patients.recommend_home_roller")
@require_POST
def course_home_roller(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A practitioner recommends a home roller to the course's patient (DOMAIN.md, "Home
    care"); the patient logs its uses on their course page."""
    course = get_object_or_404(
        Course.objects.booked().select_related(
            "patient", "indication", "area", "practitioner__user", "created_by"
        ),
        pk=pk,
    )
    form = HomeRollerForm(request.POST)
    if form.is_valid():
        try:
            patient_services.recommend_home_roller(
                patient=course.patient, needle_mm=form.cleaned_data["needle_mm"],
                note=form.cleaned_data["note"], actor=request.user,
            )  # fmt: skip
        except patient_services.PatientError as error:
            form.add_error("needle_mm", error.message)
    if not form.is_valid():
        return _course_page(request, course, roller_form=form, status=400)
    messages.success(
        request, gettext("Home roller recommended: the patient logs its uses on their course page.")
    )
    return redirect(reverse("courses:detail", args=[pk]) + "#home-care")


def _preview(
    request: HttpRequest,
    course: Course,
    proposals: list[planning.Proposal] | None = None,
    changes: list[str] | None = None,
) -> HttpResponse:
    context: dict[str, object] = {
        "course": course,
        "changes": changes or [],
        "deferral": services.course_deferral(course),
    }
    try:
        if course.is_expired_draft():
            raise services.CourseError.single(
                services.DRAFT_EXPIRED, str(services.DRAFT_EXPIRED_MESSAGE)
            )
        proposals = proposals or services.propose_course(course)
    except services.PlanningFailed as failed:
        context.update(failure=failed.error, suggestions=failed.suggestions)
    except services.CourseError as error:
        context.update(failure=error, suggestions=[], refused=True)
    else:
        context.update(
            proposals=proposals,
            interleaving=selectors.interleave_warnings(course, [p.day for p in proposals]),
            confirm_form=ConfirmForm(
                initial={"expected": ",".join(p.slot.arrives_at.isoformat() for p in proposals)}
            ),
        )
    return render(request, "courses/course_preview.html", context)


@requires("courses.plan")
@require_POST
def course_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("patient", "area"), pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("The preview could not be read. Here it is again."))
        return redirect("courses:detail", pk=pk)
    try:
        sessions = services.confirm_course(
            course=course,
            actor=request.user,
            expected_arrivals=form.cleaned_data["expected"],
        )
    except services.PlanChanged as changed:
        messages.warning(
            request,
            gettext(
                "The calendar changed since the preview, so nothing was booked. "
                "Check the new times below and confirm again."
            ),
        )
        return _preview(request, course, changed.proposals, changed.changes)
    except (services.CourseError, services.PlanningFailed) as error:
        messages.error(request, str(error))
        return redirect("courses:detail", pk=pk)
    messages.success(
        request,
        ngettext(
            "Course booked: %(count)d session.", "Course booked: %(count)d sessions.", len(sessions)
        )
        % {"count": len(sessions)},
    )
    return redirect("courses:detail", pk=pk)


@requires("courses.plan")
@require_POST
def course_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk, status=CourseStatus.DRAFT)
    try:
        services.discard_draft(course=course, actor=request.user)
    except services.CourseError as error:  # confirmed in another tab meanwhile
        messages.error(request, str(error))
        return redirect("courses:detail", pk=pk)
    messages.info(request, gettext("Draft discarded."))
    return redirect("patients:detail", pk=course.patient_id)


def _attempt(request: HttpRequest, action: Callable[[], T], done: Callable[[T], str]) -> None:
    """Run one course change and tell the user how it went."""
    try:
        result = action()
    except services.CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(result))


@requires("courses.book")
@require_http_methods(["GET", "POST"])
def course_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Asks why and for a deliberate yes; the patient then gets a "sessions changed" message."""
    course = get_object_or_404(Course.objects.select_related("patient"), pk=pk)
    form = CancelForm(request.POST or None, what="course")
    if _cancelled(request, form, lambda: rescheduling.cancel_course(
        course=course, reason=form.cleaned_data["reason"], actor=request.user
    )):  # fmt: skip
        messages.success(
            request, gettext("The rest of the course is cancelled; the patient is told.")
        )
        return redirect("courses:detail", pk=pk)
    context = {"form": form, "course": course, "session": None}
    return render(request, "courses/cancel.html", context)


def _cancelled(request: HttpRequest, form: CancelForm, action: Callable[[], object]) -> bool:
    """Run a posted, valid cancellation; a refusal becomes the form's error."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        action()
    except services.CourseError as error:
        for violation in error.violations:
            form.add_error(None, violation.message)
        return False
    return True


@requires("courses.book")
@require_POST
def course_replacement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    _attempt(
        request,
        lambda: rescheduling.book_replacement(course=course, actor=request.user),
        lambda s: (
            gettext("Replacement session booked for %(when)s.")
            % {"when": date_text(timezone.localtime(s.arrives_at), "D d M Y, H:i")}
        ),
    )
    return redirect("courses:detail", pk=pk)


@requires("courses.revoke_patient_link")
@require_POST
def course_revoke_links(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every course-page link the patient has stops working; the next message brings a new one."""
    course = get_object_or_404(Course.objects.booked(), pk=pk)
    services.revoke_patient_links(course=course, actor=request.user)
    messages.success(
        request,
        gettext(
            "The patient's links to this course no longer work; their next message has a new one."
        ),
    )
    return redirect("courses:detail", pk=pk)


def _with_version(data: QueryDict, version: int) -> RescheduleForm:
    """The form as the person filled it in, carrying the session's current version."""
    fresh = data.copy()
    fresh["version"] = str(version)
    form = RescheduleForm(fresh)
    form.is_valid()
    return form


@requires("courses.book")
@require_http_methods(["GET", "POST"])
def session_reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("course__patient"), pk=pk)
    local = timezone.localtime(session.arrives_at)
    form = RescheduleForm(
        request.POST or None,
        initial={
            "new_day": local.date(), "new_time": local.time(), "version": session.schedule_version,
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            rescheduling.reschedule_session(
                session=session, actor=request.user, **form.cleaned_data
            )
        except services.CourseError as error:
            if "stale" in error.codes:  # show the session as it is now; a new Move is deliberate
                session.refresh_from_db()
                form = _with_version(request.POST, session.schedule_version)
            for violation in error.violations:
                form.add_error(None, violation.message)
        else:
            messages.success(request, gettext("Session moved."))
            return redirect("courses:detail", pk=session.course_id)
    return render(request, "courses/session_reschedule.html", {"form": form, "session": session})


@requires("courses.book")
@require_http_methods(["GET", "POST"])
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Asks why and for a deliberate yes; the patient then gets a "session cancelled" message."""
    session = get_object_or_404(Session.objects.select_related("course__patient"), pk=pk)
    form = CancelForm(request.POST or None, what="session")
    if _cancelled(request, form, lambda: rescheduling.cancel_session(
        session=session, reason=form.cleaned_data["reason"], actor=request.user
    )):  # fmt: skip
        messages.success(
            request, gettext("Session cancelled; its slot is free and the patient is told.")
        )
        return redirect("courses:detail", pk=session.course_id)
    context = {"form": form, "course": session.course, "session": session}
    return render(request, "courses/cancel.html", context)


@requires("courses.book")
@require_POST
def session_no_show(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=pk)
    _attempt(
        request,
        lambda: rescheduling.mark_no_show(session=session, actor=request.user),
        lambda _: gettext("Marked as a no-show."),
    )
    return redirect("courses:detail", pk=session.course_id)


@requires("courses.confirm_attendance")
@require_POST
def session_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The patient confirmed by phone or at the desk (the front desk's confirmation)."""
    session = get_object_or_404(Session, pk=pk)
    try:
        session_day.confirm_attendance(session=session, actor=request.user)
    except session_day.SessionDayError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Attendance confirmed."))
    return redirect("courses:detail", pk=session.course_id)


OVERVIEW_PAGE_SIZE = 25


def _page_number(request: HttpRequest) -> int:
    """The page asked for: 1 for anything that is not a page number, and a huge one capped
    (it then shows the last page), as Paginator.get_page does."""
    raw = request.GET.get("page", "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return max(1, int(raw) if len(raw) < 8 else 10**7)


def _overview_page(
    courses: QuerySet[Course], attention: bool, number: int
) -> tuple[list[int], int, int]:
    """(page's course ids, courses listed, courses needing attention); past the last
    page, the last page (as Paginator.get_page)."""
    found = overview.page_of_running(
        courses, attention_only=attention, number=number, size=OVERVIEW_PAGE_SIZE
    )
    if found is not None:
        pks, listed, drifting = found
        return pks, listed, listed if attention else drifting
    total, drifting = overview.count_running(courses)
    listed = drifting if attention else total
    last = max(1, -(-listed // OVERVIEW_PAGE_SIZE))
    found = overview.page_of_running(
        courses, attention_only=attention, number=last, size=OVERVIEW_PAGE_SIZE
    )
    return (found[0] if found else []), listed, drifting


@requires("courses.view_courses")
def course_overview(request: HttpRequest) -> HttpResponse:
    """Running courses with progress and next session; drifting ones first."""
    practitioners = Practitioner.objects.filter(user__is_active=True).select_related("user")
    chosen = request.GET.get("practitioner", "")
    # isdigit() alone accepts "²", which int() refuses; only ASCII digits are an id.
    practitioner_id = int(chosen) if chosen.isascii() and chosen.isdigit() else None
    if chosen and not any(p.pk == practitioner_id for p in practitioners):
        return render(request, "400.html", {"reason": gettext("No such practitioner.")}, status=400)
    now, tz, rule_set = timezone.now(), services.clinic_tz(), services.treatment_rules()
    courses = overview.running_courses(
        now=now, tz=tz, rule_set=rule_set, practitioner_id=practitioner_id
    )
    attention = request.GET.get("attention") == "1"
    pks, total, drifting = _overview_page(courses, attention, _page_number(request))
    paginator = Paginator(courses.values_list("pk", flat=True), OVERVIEW_PAGE_SIZE)
    paginator.count = total  # counted with the page's rows: no second count
    page = paginator.page(min(_page_number(request), paginator.num_pages))
    rows = overview.page_rows(pks, now=now, tz=tz, rule_set=rule_set)
    context = {
        "page": page, "rows": rows, "practitioners": practitioners,
        "practitioner_id": practitioner_id, "attention": attention,
        "drifting": drifting, "total": total,
    }  # fmt: skip
    return render(request, "courses/overview.html", context)
