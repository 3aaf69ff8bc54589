"""The patient's course page (signed link, no login).

Shown in the patient's language and time zone. Every answer that is not the
page itself is the friendly link-error page (reminders.views.link_error), with
a 4xx and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses.models import Course
from courses.selectors import clinic_session_times, patient_home_care
from patients import home_rules
from patients import services as patient_services
from patients.forms import HomeUseForm
from portal import access, page
from reminders import links
from reminders import services as reminder_services
from reminders.views import link_error

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Course, str, P], HttpResponse]

# A course link refused for these reasons still names its course: the page offers to
# send a new one to the contact on file.
RENEWABLE = ("link_expired", "revoked")


def patient_page(view: PortalView[P]) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
    """A portal view: public, never cached, the token opened into its course, and the answer
    rendered in the patient's language and time zone (errors too, once the patient is known)."""

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapped(
        request: HttpRequest, token: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        try:
            course = access.open_course(token)
        except links.LinkError as error:
            return _refused(request, token, error.reason)
        patient = course.patient
        with translation.override(patient.language), timezone.override(patient.time_zone):
            response = view(request, course, token, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response

    return wrapped


def _refused(request: HttpRequest, token: str, reason: str) -> HttpResponse:
    """The link-error page; for an expired or revoked link of a course, in the patient's
    language and with the "send me a new link" button."""
    if reason not in RENEWABLE:
        return link_error(request, reason)
    try:
        patient = access.course_for_new_link(token).patient
    except links.LinkError:
        return link_error(request, reason)
    with translation.override(patient.language):
        url = reverse("portal:new_link", args=[token])
        return link_error(request, reason, new_link_url=url)


@require_GET
@patient_page
def course(request: HttpRequest, course: Course, token: str) -> HttpResponse:
    """Every session of the course: when to come (and why earlier), its status, what the
    patient can do about it, the aftercare sheet of each session done, and home care."""
    return _course_page(request, course, token)


def _course_page(
    request: HttpRequest,
    course: Course,
    token: str,
    *,
    home_use_form: HomeUseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    if home_use_form is None:
        local = timezone.localtime(now)
        home_use_form = HomeUseForm(
            initial={"used_on": local.date(), "used_at_time": local.time().replace(second=0)}
        )
    context = {
        "course": course,
        "token": token,
        "home_use_form": home_use_form,
        **page.course_context(course, Clinic.current(), now=now),
    }
    return render(request, "portal/course.html", context, status=status)


@require_POST
@patient_page
def home_use(request: HttpRequest, course: Course, token: str) -> HttpResponse:
    """The patient logs a use of their home roller; a use inside the quiet days around a
    clinic session is logged with a warning (it happened: the practitioner must see it)."""
    clinic = Clinic.current()
    care = patient_home_care(course.patient, clinic, now=timezone.now())
    form = HomeUseForm(request.POST)
    if care is None:
        form.is_valid()
        form.add_error(None, gettext("No home roller has been recommended to you."))
        return _course_page(request, course, token, home_use_form=form, status=400)
    if not form.is_valid():
        return _course_page(request, course, token, home_use_form=form, status=400)
    try:
        use, created = patient_services.log_home_use(
            roller=care.roller, used_at=form.used_at(),
            disinfected=form.cleaned_data["disinfected"],
            actor=system_actor(SystemActor.PATIENT_LINK),
        )  # fmt: skip
    except patient_services.PatientError as error:
        form.add_error(None, error.message)
        return _course_page(request, course, token, home_use_form=form, status=400)
    if created:
        messages.success(request, gettext("Your home use is logged."))
    else:
        messages.info(request, gettext("You had already logged this use."))
    quiet = home_rules.quiet_conflict(
        use.used_at, clinic_session_times(course.patient), clinic.home_roller_quiet_days
    )
    if quiet is not None:
        messages.warning(request, _quiet_warning(quiet, clinic))
    if created and not use.disinfected:
        messages.warning(request, gettext("Always disinfect the roller before and after use."))
    return redirect(reverse("portal:course", args=[token]) + "#home-care")


def _quiet_warning(quiet: home_rules.QuietPeriod, clinic: Clinic) -> str:
    session_day = formats.date_format(timezone.localtime(quiet.session_at), "l j F Y")
    days = clinic.home_roller_quiet_days
    return ngettext(
        "Please do not use the roller within %(days)s day before or after a clinic session: "
        "this use was close to your session on %(day)s. We have noted it for your practitioner.",
        "Please do not use the roller within %(days)s days before or after a clinic session: "
        "this use was close to your session on %(day)s. We have noted it for your practitioner.",
        days,
    ) % {"days": days, "day": session_day}


@login_not_required
@never_cache
@require_POST
def new_link(request: HttpRequest, token: str) -> HttpResponse:
    """Send a fresh link to the course page to the patient's contact on file only.

    Also for a link that has expired or been revoked (the one way back in without
    calling the clinic). The answer is the same whether or not anything was
    sent (it does not tell whether the patient has an e-mail address or phone
    on file); 429 once the course's requests for the day are used up. A
    tampered link sends nothing.
    """
    try:
        course = access.course_for_new_link(token)
    except links.LinkError as error:
        return link_error(request, error.reason)
    patient = course.patient
    with translation.override(patient.language), timezone.override(patient.time_zone):
        try:
            reminder_services.request_course_link(
                course=course, actor=system_actor(SystemActor.PATIENT_LINK)
            )
        except reminder_services.TooManyLinkRequests:
            return render(request, "portal/new_link.html", {"too_many": True}, status=429)
        return render(request, "portal/new_link.html", {"too_many": False})
