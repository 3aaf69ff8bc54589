"""The patient's course page (signed link, no login).

Shown in the patient's language and time zone. Every answer that is not the
page itself is the friendly link-error page (reminders.views.link_error), with
a 4xx and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses.models import Course
from courses.previsit import PrevisitError, record_previsit_answers
from patients.services import PatientError, record_patient_consent
from portal import access, page
from portal.forms import ConsentForm, PrevisitForm
from reminders import links
from reminders.views import link_error

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

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
            return link_error(request, error.reason, patient=error.patient)
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
    return render(request, "portal/course.html", context)


# Why the questions before a visit were refused (screening.previsit_refusal's codes).
PREVISIT_REFUSALS: dict[str, StrPromise] = {
    "closed": _("This session is no longer booked, so there is nothing to answer for it."),
    "started": _("This session has already started: please tell your practitioner instead."),
    "too_early": _("The questions open closer to the session. Please come back then."),
    "no_session": _("Your course has no such session."),
}
# Why a consent was refused (patients.services.record_patient_consent's codes).
CONSENT_REFUSALS: dict[str, StrPromise] = {
    "sheet_not_current": _(
        "The information sheet has been updated. Please read the new version below."
    ),
    "sheet_changed": _(
        "The information sheet has been updated. Please read the new version below."
    ),
}


def _page(
    request: HttpRequest,
    course: Course,
    token: str,
    status: int,
    *,
    error: str = "",
    previsit: dict[int, PrevisitForm] | None = None,
    consent_form: ConsentForm | None = None,
) -> HttpResponse:
    """The course page again after a refused POST: the form with its errors, or the reason
    at the top (a 4xx; nothing was saved)."""
    context = {
        "course": course,
        "token": token,
        "page_error": error,
        **page.course_context(
            course, Clinic.current(), previsit=previsit, consent_form=consent_form
        ),
    }
    return render(request, "portal/course.html", context, status=status)


def _course_url(token: str, anchor: str) -> str:
    return reverse("portal:course", args=[token]) + f"#{anchor}"


@require_POST
@patient_page
def previsit(request: HttpRequest, course: Course, token: str, ordinal: int) -> HttpResponse:
    """The patient's answers to the day-of questions before session ``ordinal``: kept as a
    patient-reported screening (it clears nothing: the practitioner still screens them)."""
    now = timezone.now()
    row = page.session_by_ordinal(course, ordinal, now=now)
    if row is None:
        return _page(request, course, token, 404, error=str(PREVISIT_REFUSALS["no_session"]))
    form = page.previsit_form(row.ordinal, request.POST)
    try:
        if not form.is_valid():
            page.check_previsit_open(row, Clinic.current(), now=now)  # say why it is closed
            return _page(request, course, token, 400, previsit={row.ordinal: form})
        record_previsit_answers(
            session=row.session,
            yes=form.yes(),
            actor=system_actor(SystemActor.PATIENT_LINK),
            now=now,
        )
    except PrevisitError as refused:
        return _page(request, course, token, 409, error=str(PREVISIT_REFUSALS[refused.code]))
    return redirect(_course_url(token, f"before-visit-{row.ordinal}"))


@require_POST
@patient_page
def consent(request: HttpRequest, course: Course, token: str) -> HttpResponse:
    """The patient consents on the information sheet they were shown, signing with a typed
    full name or a drawing. A second submit on the same sheet keeps the first record."""
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, course, token, 400, consent_form=form)
    data = form.cleaned_data
    sheet = page.sheet_for_consent(data["sheet"])
    try:
        if sheet is None:
            raise PatientError("sheet_changed", "No such sheet.")
        record_patient_consent(
            patient=course.patient,
            sheet=sheet,
            shown_sha256=data["shown"],
            typed_name=data["typed_name"],
            drawing=data["drawing"],
            actor=system_actor(SystemActor.PATIENT_LINK),
        )
    except PatientError as refused:
        if refused.code != "already_consented":  # a double submit: the first one counts
            message = CONSENT_REFUSALS.get(refused.code, CONSENT_REFUSALS["sheet_changed"])
            return _page(request, course, token, 409, error=str(message))
    return redirect(_course_url(token, "consent"))
