"""The patient's course page (signed link, no login).

Shown in the patient's language and time zone. Every answer that is not the
page itself is the friendly link-error page (reminders.views.link_error), with
a 4xx and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses.models import Course
from courses.previsit import PrevisitError, record_previsit_answers
from courses.selectors import clinic_session_times, patient_home_care
from patients import home_rules
from patients import services as patient_services
from patients.forms import HomeUseForm
from patients.services import PatientError, record_patient_consent
from portal import access, page
from portal.forms import ConsentForm, PrevisitForm
from reminders import links
from reminders import services as reminder_services
from reminders.views import link_error

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

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
            return _refused(request, token, error)
        patient = course.patient
        with translation.override(patient.language), timezone.override(patient.time_zone):
            return view(request, course, token, *args, **kwargs)  # rendered inside

    return wrapped


def _refused(request: HttpRequest, token: str, error: links.LinkError) -> HttpResponse:
    """The link-error page, in the patient's language when the link names one; for an
    expired or revoked link of a course, with the "send me a new link" button."""
    if error.reason not in RENEWABLE:
        return link_error(request, error.reason, patient=error.patient)
    try:
        patient = access.course_for_new_link(token).patient
    except links.LinkError:
        return link_error(request, error.reason, patient=error.patient)
    url = reverse("portal:new_link", args=[token])
    return link_error(request, error.reason, patient=patient, new_link_url=url)


@require_GET
@patient_page
def course(request: HttpRequest, course: Course, token: str) -> HttpResponse:
    """Every session of the course: when to come (and why earlier), its status, what the
    patient can do about it, the aftercare sheet of each session done, and home care."""
    return _page(request, course, token)


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
    status: int = 200,
    *,
    error: str = "",
    previsit: dict[int, PrevisitForm] | None = None,
    consent_form: ConsentForm | None = None,
    home_use_form: HomeUseForm | None = None,
) -> HttpResponse:
    """The course page; after a refused POST, again with the form's errors or the reason at
    the top (a 4xx; nothing was saved)."""
    now = timezone.now()
    if home_use_form is None:
        local = timezone.localtime(now)
        home_use_form = HomeUseForm(
            initial={"used_on": local.date(), "used_at_time": local.time().replace(second=0)}
        )
    context = {
        "course": course,
        "token": token,
        "page_error": error,
        "home_use_form": home_use_form,
        "moved": status == 200 and "moved" in request.GET,  # back from a move: say it is done
        "score_choices": range(11),  # the satisfaction scale (courses.outcomes)
        **page.course_context(
            course, Clinic.current(), now=now, previsit=previsit, consent_form=consent_form
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
        return _page(request, course, token, 400, home_use_form=form)
    if not form.is_valid():
        return _page(request, course, token, 400, home_use_form=form)
    try:
        use, created = patient_services.log_home_use(
            roller=care.roller, used_at=form.used_at(),
            disinfected=form.cleaned_data["disinfected"],
            actor=system_actor(SystemActor.PATIENT_LINK),
        )  # fmt: skip
    except patient_services.PatientError as error:
        form.add_error(None, error.message)
        return _page(request, course, token, 400, home_use_form=form)
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
    session_day = formats.date_format(timezone.localtime(quiet.session_at), "l j E Y")
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
