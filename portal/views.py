"""The patient's course page (signed link, no login).

Shown in the patient's language and time zone. Every answer that is not the
page itself is the friendly link-error page (reminders.views.link_error), with
a 4xx and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.models import Clinic
from courses.models import Course
from portal import access, page
from reminders import links
from reminders.views import link_error

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Course, str, P], HttpResponse]


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
            return link_error(request, error.reason)
        patient = course.patient
        with translation.override(patient.language), timezone.override(patient.time_zone):
            response = view(request, course, token, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response

    return wrapped


@require_GET
@patient_page
def course(request: HttpRequest, course: Course, token: str) -> HttpResponse:
    """Every session of the course: when to come (and why earlier), its status, what the
    patient can do about it, and the aftercare sheet of each session done."""
    context = {"course": course, "token": token, **page.course_context(course, Clinic.current())}
    context["moved"] = "moved" in request.GET  # back from a move: say it is done
    return render(request, "portal/course.html", context)
