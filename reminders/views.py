"""Patients' signed links (no login) and the staff's message screens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clinic.actors import AuthenticatedHttpRequest, SystemActor, system_actor
from clinic.permissions import requires
from courses import session_day
from courses.models import Session, SessionStatus
from courses.services import CourseError
from patients.models import Patient
from reminders import channels, health, links, services
from reminders.content import when
from reminders.forms import RetryPeriodForm
from reminders.models import OutboxMessage, Status

LINK_ERRORS = {
    # reason: (HTTP status, what the patient reads; "%(arrival)s" is the session's time)
    "tampered": (
        400,
        gettext_lazy("This link is not valid. It may have been cut off when copied."),
    ),
    "expired": (410, gettext_lazy("This link has expired: the session has already started.")),
    # The patient already did what the link offers (or the clinic cancelled the
    # session): say so, rather than that the appointment changed.
    "cancelled": (410, gettext_lazy("This session is already cancelled.")),
    "confirmed": (410, gettext_lazy("You have already confirmed — see you on %(arrival)s.")),
    "stale": (
        410,
        gettext_lazy(
            "Your appointment has changed since this message was sent. Please use the "
            "link in the most recent message, or call us."
        ),
    ),
    "closed": (410, gettext_lazy("This session can no longer be changed online.")),
    # The course page's link (portal): too old, or replaced by the clinic.
    "link_expired": (
        410,
        gettext_lazy(
            "This link has expired. We can send a new one to the e-mail address or phone "
            "number we have for you, or call us."
        ),
    ),
    "revoked": (
        410,
        gettext_lazy(
            "This link no longer works: the clinic has replaced it. Please use the link in "
            "the most recent message, or call us."
        ),
    ),
}


@contextmanager
def _patients_language(patient: Patient | None) -> Iterator[None]:
    """Render a patient's page in their language and time zone (the request's without one)."""
    if patient is None:
        yield
        return
    with translation.override(patient.language), timezone.override(patient.time_zone):
        yield


def link_error(
    request: HttpRequest,
    reason: str,
    session: Session | None = None,
    patient: Patient | None = None,
    *,
    new_link_url: str = "",
) -> HttpResponse:
    """The friendly page for a link that cannot act: in the patient's language when the
    link names a patient (its session's, or the one given), else the browser's.
    ``new_link_url`` offers a new link (the course page's link, expired or revoked: sent
    to the contact on file only)."""
    status, text = LINK_ERRORS[reason]
    patient = patient or (session.patient if session is not None else None)
    with _patients_language(patient):
        shown = str(text)
        if session is not None:
            shown = shown % {"arrival": when(session.arrives_at, _tz(session))}
        context = {"text": shown, "book_again": reason == "cancelled", "new_link_url": new_link_url}
        return render(request, "reminders/link_error.html", context, status=status)


def _session_for(action: str, token: str) -> Session:
    """The link's session, or a LinkError saying why the link cannot act on it.

    A cancelled session (by the patient's own link or by the clinic) and a
    confirmation already given are named as such, before the version check:
    cancelling bumps the version, and "your appointment has changed" would
    send the patient looking for a newer message that does not exist.
    """
    link = links.read_session_token(action, token)
    session = Session.objects.select_related("patient", "course").filter(pk=link.session_id).first()
    if session is None:
        raise links.LinkError("tampered")
    if session.status == SessionStatus.CANCELLED:
        raise links.LinkError("cancelled", session)
    if session.schedule_version != link.version:
        raise links.LinkError("stale", session)
    if timezone.now() >= session.arrives_at:
        raise links.LinkError("expired", session)
    if action == "confirm" and session.status == SessionStatus.CONFIRMED:
        raise links.LinkError("confirmed", session)
    return session


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the session; only a POST confirms, so a mail scanner opening the link does not."""
    try:
        session = _session_for("confirm", token)
        if session.status != SessionStatus.SCHEDULED:
            raise links.LinkError("closed", session)
    except links.LinkError as error:
        return link_error(request, error.reason, error.session)
    patient = session.patient
    if request.method == "GET":
        with _patients_language(patient):
            arrival = when(session.arrives_at, _tz(session))
            return render(request, "reminders/confirm_ask.html", {"arrival": arrival})
    try:
        session_day.confirm_attendance(
            session=session, actor=system_actor(SystemActor.PATIENT_LINK)
        )
    except session_day.SessionDayError:
        return link_error(request, "closed", patient=patient)
    with _patients_language(patient):
        arrival = when(session.arrives_at, _tz(session))
        context = {
            "title": _("Thank you"),
            "text": _("See you on %(arrival)s.") % {"arrival": arrival},
        }
        return render(request, "reminders/link_done.html", context)


def _tz(session: Session) -> ZoneInfo:
    return ZoneInfo(session.patient.time_zone)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the session; only a POST cancels it, frees the slot and tells the practitioner."""
    try:
        session = _session_for("cancel", token)
        if not session.is_open:
            raise links.LinkError("closed", session)
    except links.LinkError as error:
        return link_error(request, error.reason, error.session)
    patient = session.patient
    if request.method == "GET":
        with _patients_language(patient):
            arrival = when(session.arrives_at, _tz(session))
            return render(request, "reminders/cancel_confirm.html", {"arrival": arrival})
    try:
        services.cancel_by_patient(
            session=session, version=session.schedule_version,
            actor=system_actor(SystemActor.PATIENT_LINK),
        )  # fmt: skip
    except links.LinkError as error:
        return link_error(request, error.reason, patient=patient)
    except CourseError:
        return link_error(request, "closed", patient=patient)
    with _patients_language(patient):
        arrival = when(session.arrives_at, _tz(session))
        text = _("Your session on %(arrival)s is cancelled. Call us to book another time.")
        context = {"title": _("Session cancelled"), "text": text % {"arrival": arrival}}
        return render(request, "reminders/link_done.html", context)


@login_not_required
@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; POST (also the mail client's one-click unsubscribe) withdraws the consent."""
    try:
        patient_id, channel = links.read_unsubscribe_token(token)
    except links.LinkError as error:
        return link_error(request, error.reason)
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not channels.is_registered(channel):
        return link_error(request, "tampered")
    if request.method == "GET":
        if not channels.get(channel).consented(patient):  # the link opened again: say so
            with _patients_language(patient):
                label = str(channels.get(channel).label)
                title, text = _("Already unsubscribed"), _("You get no reminders by %(channel)s.")
                context = {"title": title, "text": text % {"channel": label}}
                return render(request, "reminders/link_done.html", context)
        with _patients_language(patient):
            label = str(channels.get(channel).label)
            return render(request, "reminders/unsubscribe_confirm.html", {"channel": label})
    services.withdraw_consent(
        patient=patient, channel=channel, actor=system_actor(SystemActor.PATIENT_LINK)
    )
    with _patients_language(patient):
        label = str(channels.get(channel).label)
        text = _("You will get no more reminders by %(channel)s.") % {"channel": label}
        context = {"title": _("Unsubscribed"), "text": text}
        return render(request, "reminders/link_done.html", context)


# Who may retry every failed message of a period at once (managers).
RETRY_ALL_PERMISSION = "reminders.retry_period"


@requires("reminders.view_failed")
def failed_messages(request: HttpRequest) -> HttpResponse:
    """Clinic-wide: messages that could not be delivered, with a retry button.

    A paused channel is named at the top; a manager also gets the form to retry
    every failed message of a period.
    """
    form = RetryPeriodForm() if request.user.has_perm(RETRY_ALL_PERMISSION) else None
    return _failed_page(request, form)


def _failed_page(
    request: HttpRequest, form: RetryPeriodForm | None, status: int = 200
) -> HttpResponse:
    failed = (
        OutboxMessage.objects.filter(status=Status.FAILED)
        .select_related("patient", "practitioner__user", "staff", "endpoint", "webhook")
        .order_by("-due_at")
    )
    page = Paginator(failed, 50).get_page(request.GET.get("page"))
    context = {"page": page, "notices": health.paused_notices(), "retry_form": form}
    return render(request, "reminders/failed.html", context, status=status)


@requires(RETRY_ALL_PERMISSION)
@require_POST
def retry_period(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A manager's "retry all failed messages of a period": the count first, then the retry."""
    form = RetryPeriodForm(request.POST)
    if not form.is_valid():
        return _failed_page(request, form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if not form.cleaned_data["confirm"]:
        count = services.count_failed_between(start=start, end=end)
        context = {"start": start, "end": end, "count": count}
        return render(request, "reminders/retry_period_confirm.html", context)
    count = services.retry_failed_between(start=start, end=end, actor=request.user)
    queued = ngettext(
        "%(count)s failed message queued again.", "%(count)s failed messages queued again.", count
    )
    messages.success(request, queued % {"count": count})
    return redirect("reminders:failed")


MESSAGES_PAGE_SIZE = 50


@requires("patients.view_record")
def patient_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """Every message to one patient, newest first, a page at a time."""
    patient = get_object_or_404(Patient, pk=pk)
    outbox = patient.messages.prefetch_related("events").order_by("-due_at", "-id")
    page = Paginator(outbox, MESSAGES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"patient": patient, "page": page, "outbox": page.object_list}
    return render(request, "reminders/patient_messages.html", context)


@requires("reminders.retry")
@require_POST
def retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    if services.retry_failed(message=message, actor=request.user):
        messages.success(request, _("The message is queued again."))
    else:
        messages.info(request, _("That message is not failed any more."))
    return redirect("reminders:failed")
