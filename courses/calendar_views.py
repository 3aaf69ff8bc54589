"""Calendars: day and week per practitioner or room, and planning from a free slot."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import services as clinic_services
from clinic.actors import AuthenticatedHttpRequest
from clinic.forms import SHOWN_FIRST_DAY, SHOWN_LAST_DAY
from clinic.models import Clinic, Practitioner, Room
from clinic.permissions import requires
from clinic.pure_i18n import date_text
from clinic.site import message_host
from courses import calendar, calendar_data, rescheduling, services
from courses.feed import practitioner_feed
from courses.forms import SlotForm
from courses.models import HOLDING_STATUSES, Course, CourseStatus
from patients.forms import PatientSearchForm
from patients.models import Patient
from patients.selectors import search_patients

SLOT_SESSION_KEY = "planner_slot"
# A picked slot fills in the planner for this long, then is forgotten, so an old
# pick never pre-fills a course planned later from a patient's page.
SLOT_REMEMBERED_FOR = timedelta(hours=1)
PATIENT_MATCHES = 20
# The calendar pages cover these days: a date outside is refused with the reason
# (year 1 or 9999 would overflow the week's or the next page's date), and the
# first and last pages have no link further.
CALENDAR_FIRST_DAY, CALENDAR_LAST_DAY = SHOWN_FIRST_DAY, SHOWN_LAST_DAY


@requires("courses.view_calendar")
def calendar_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """This week of the logged-in cosmetologist, else of the first practitioner or room."""
    today = timezone.localdate().isoformat()
    own = Practitioner.objects.filter(user=request.user, is_bookable=True).first()
    first = own or Practitioner.objects.filter(is_bookable=True, user__is_active=True).first()
    if first is not None:
        return redirect("calendar:show", kind="practitioner", pk=first.pk, view="week", day=today)
    room = Room.objects.filter(is_active=True).first()
    if room is not None:
        return redirect("calendar:show", kind="room", pk=room.pk, view="week", day=today)
    return render(request, "courses/calendar_empty.html")


@requires("courses.view_calendar")
def calendar_page(request: HttpRequest, kind: str, pk: int, view: str, day: date) -> HttpResponse:
    """A practitioner's or room's day or week: bookings, shading and free slots."""
    if view not in ("day", "week"):
        raise Http404("No such calendar view.")
    if not is_calendar_day(day):
        reason = gettext("The calendar shows dates from %(first)s to %(last)s.") % {
            "first": date_format(CALENDAR_FIRST_DAY, "d F Y"),
            "last": date_format(CALENDAR_LAST_DAY, "d F Y"),
        }
        return render(request, "400.html", {"reason": reason}, status=400)
    days = calendar.week_of(day) if view == "week" else [day]
    step = Clinic.for_request(request).slot_step_minutes
    now = timezone.now()
    resource: Practitioner | Room
    if kind == "practitioner":
        resource = get_object_or_404(Practitioner.objects.select_related("user"), pk=pk)
        layout = calendar_data.practitioner_layout(resource, days, now=now, step_minutes=step)
    elif kind == "room":
        resource = get_object_or_404(Room, pk=pk)
        layout = calendar_data.room_layout(resource, days, now=now, step_minutes=step)
    else:
        raise Http404("No such calendar.")
    jump = timedelta(days=7 if view == "week" else 1)
    context = {
        "kind": kind, "resource": resource, "view": view, "day": day, "layout": layout,
        "previous": _calendar_day_or_none(day - jump),
        "next": _calendar_day_or_none(day + jump), "today": timezone.localdate(now),
        "practitioners": Practitioner.objects.filter(is_bookable=True, user__is_active=True)
        .select_related("user"),
        "rooms": Room.objects.filter(is_active=True),
        "grid_hours": len(layout.hour_marks),
        "plan_url": reverse("calendar:plan"),
        "plan_suffix": f"&practitioner={pk}" if kind == "practitioner" else "",
        **_calendar_permissions(request),
    }  # fmt: skip
    return render(request, "courses/calendar.html", context)


def _calendar_permissions(request: HttpRequest) -> dict[str, bool]:
    """What the page offers the role: treatments and cream (clinical), session days
    (everyone's for a manager, a practitioner's own), the feed."""
    user = request.user
    return {
        "clinical": user.has_perm("patients.view_clinical"),
        "may_run_any": user.has_perm("courses.run_any_session"),
        "may_feed": user.has_perm("courses.use_feed"),
    }


def is_calendar_day(day: date) -> bool:
    """Whether the calendar pages show ``day`` (see ``CALENDAR_FIRST_DAY``)."""
    return CALENDAR_FIRST_DAY <= day <= CALENDAR_LAST_DAY


def _calendar_day_or_none(day: date) -> date | None:
    return day if is_calendar_day(day) else None


def _remember_slot(request: HttpRequest, form: SlotForm) -> None:
    until = timezone.now() + SLOT_REMEMBERED_FOR
    request.session[SLOT_SESSION_KEY] = {"slot": form.data_for_session(),
                                         "until": until.isoformat()}  # fmt: skip


def _remembered_slot(request: HttpRequest) -> SlotForm | None:
    """The slot picked in the calendar, while it is recent and still in the future."""
    stored = request.session.get(SLOT_SESSION_KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("slot"), dict):
        return None
    until = parse_datetime(str(stored.get("until", "")))
    if until is None or until < timezone.now():
        forget_slot(request)
        return None
    form = SlotForm(stored["slot"])
    return form if form.is_valid() else None


@requires("courses.book")
@require_http_methods(["GET", "POST"])
def plan_at(request: HttpRequest) -> HttpResponse:
    """Start planning from a free slot: pick the patient, or book a missing session there.

    The slot is kept in the session so the course planner opens with it filled
    in; the patient search is posted, so no name ever appears in a URL.
    """
    form: SlotForm | None
    if request.method == "GET":
        form = SlotForm(request.GET)
        if not form.is_valid():
            return render(request, "courses/plan_at.html", {"slot_form": form}, status=400)
        _remember_slot(request, form)
    form = _remembered_slot(request)
    if form is None:
        messages.error(request, gettext("Pick a free time in the calendar first."))
        return redirect("calendar:home")
    search = PatientSearchForm(request.POST if request.method == "POST" else None)
    matches: list[Patient] = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"].strip():
        matches = list(Patient.objects.filter(search_patients(search.cleaned_data["q"]))
                       [:PATIENT_MATCHES])  # fmt: skip
    context = {
        "slot_form": form, "slot": form.cleaned_data, "search": search, "matches": matches,
        "searched": search.is_bound, "short_courses": _short_courses(form.cleaned_data),
    }  # fmt: skip
    return render(request, "courses/plan_at.html", context)


def _short_courses(slot: dict) -> list[Course]:
    """Running courses of the slot's practitioner with fewer sessions than planned."""
    courses = Course.objects.filter(
        status__in=[CourseStatus.PLANNED, CourseStatus.IN_PROGRESS]
    ).annotate(holding=Count("sessions", filter=Q(sessions__status__in=HOLDING_STATUSES)))
    if slot["practitioner"] is not None:
        courses = courses.filter(practitioner=slot["practitioner"])
    return list(
        courses.filter(holding__lt=F("sessions_planned"))
        .select_related("patient", "area")
        .order_by("patient__last_name", "id")[:PATIENT_MATCHES]
    )


@requires("courses.book")
@require_POST
def replacement_at(request: AuthenticatedHttpRequest, course_pk: int) -> HttpResponse:
    """Book a course's missing session at the remembered slot."""
    course = get_object_or_404(Course, pk=course_pk)
    form = _remembered_slot(request)
    if form is None:
        messages.error(request, gettext("Pick a free time in the calendar first."))
        return redirect("calendar:home")
    try:
        session = rescheduling.book_replacement(
            course=course, actor=request.user, at=form.cleaned_data["at"]
        )
    except services.CourseError as error:
        messages.error(request, str(error))
        return redirect(reverse("calendar:plan") + "?" + form.query_string())
    forget_slot(request)
    when = timezone.localtime(session.arrives_at)
    messages.success(
        request,
        gettext("Replacement session booked for %(when)s.")
        % {"when": date_text(when, "D d M Y, H:i")},
    )
    return redirect("courses:detail", pk=course.pk)


def remembered_course_initial(request: HttpRequest) -> dict:
    """Course planner defaults from a slot picked in the calendar, if any."""
    form = _remembered_slot(request)
    if form is None:
        return {}
    local = timezone.localtime(form.cleaned_data["at"])
    initial = {"start_on": local.date(), "preferred_time": local.time().replace(second=0),
               "preferred_weekday": local.weekday()}  # fmt: skip
    if form.cleaned_data["practitioner"] is not None:
        initial["practitioner"] = form.cleaned_data["practitioner"].pk
    return initial


def forget_slot(request: HttpRequest) -> None:
    request.session.pop(SLOT_SESSION_KEY, None)


@requires("courses.use_feed")
def feed_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The logged-in practitioner's private calendar feed: its address, renew, turn off."""
    own = Practitioner.objects.filter(user=request.user).first()
    address = None
    if own is not None and own.feed_token:
        address = request.build_absolute_uri(reverse("calendar:feed", args=[own.feed_token]))
    return render(request, "courses/feed_settings.html", {"own": own, "address": address})


@requires("courses.use_feed")
@require_POST
def feed_change(request: AuthenticatedHttpRequest, action: str) -> HttpResponse:
    own = get_object_or_404(Practitioner, user=request.user)
    if action == "renew":
        clinic_services.renew_calendar_feed(practitioner=own, actor=request.user)
        messages.success(
            request, gettext("New feed address made; any previous address stopped working.")
        )
    elif action == "off":
        clinic_services.turn_off_calendar_feed(practitioner=own, actor=request.user)
        messages.success(request, gettext("Calendar feed turned off; its address no longer works."))
    else:
        raise Http404("No such change.")
    return redirect("calendar:feed_settings")


@login_not_required
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for a phone's calendar: the secret address is the key."""
    practitioner = Practitioner.objects.select_related("user").filter(feed_token=token).first()
    if practitioner is None:
        return HttpResponse(
            gettext("This calendar address is not valid (it may have been turned off or renewed)."),
            status=404, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
    body = practitioner_feed(
        practitioner, clinic=Clinic.for_request(request), now=timezone.now(), host=message_host()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"  # it names patients
    response["X-Robots-Tag"] = "noindex"
    return response
