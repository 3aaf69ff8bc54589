"""The session-day screen: one page that walks through the procedure in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.records import record_read
from clinic.actors import AuthenticatedHttpRequest
from clinic.devices import device_problems, needs_disinfection
from clinic.models import Clinic, Device
from clinic.permissions import requires
from clinic.selectors import device_facts
from courses import photos, selectors, session_day, session_flow
from courses.forms import (
    STALE_PAGE,
    DisinfectForm,
    FinishForm,
    MaterialsForm,
    NeedleChangeForm,
    PassesForm,
    PhotoForm,
    RemoveZoneForm,
    StepForm,
)
from courses.models import Procedure, Session, SessionPhoto, ZoneRecord
from courses.selectors import latest_previsit
from patients.clearance import has_current_consent, patient_sheet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _session(pk: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related(
            "course__patient__latest_screening", "course__area", "course__indication",
            "course__patient__latest_consent__sheet", "practitioner__user", "room",
        ),
        pk=pk,
    )  # fmt: skip


def _session_of(request: HttpRequest, pk: int, **kwargs: object) -> Session:
    """The session a session-day URL names: the object its permission is asked about."""
    return get_object_or_404(Session.objects.select_related("practitioner"), pk=pk)


def _device_rows(session: Session) -> list[dict[str, object]]:
    rows = []
    for device in Device.objects.filter(retired=False).select_related("device_type"):
        facts = device_facts(device)
        rows.append(
            {
                "device": device,
                "problems": device_problems(facts, session.course.needle_mm),
                "needs_disinfection": needs_disinfection(facts),
            }
        )
    return rows


@requires("courses.run_session", obj=_session_of)
def session_page(
    request: HttpRequest, pk: int, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    session = _session(pk)
    record_read(request, session)
    procedure = (
        Procedure.objects.filter(session=session)
        .select_related("product", "lot", "device__device_type")
        .first()
    )
    clinic = Clinic.for_request(request)
    version = {"version": procedure.version} if procedure else {}
    forms_: dict[str, forms.Form] = {
        name: form_class(initial=version, auto_id=f"{name}_%s")
        for name, form_class in (
            ("passes", PassesForm), ("needle", NeedleChangeForm), ("finish", FinishForm),
            ("photo", PhotoForm),
        )
    }  # fmt: skip
    if session.status in session_day.PREPARING:
        forms_["materials"] = _step_form(MaterialsForm, "materials", session, initial=version)
    forms_.update(bound or {})  # ids are prefixed: several forms share the page
    zones = list(procedure.zones.all()) if procedure else []
    required = clinic.passes_per_direction
    context = {
        "session": session,
        "course": session.course,
        "procedure": procedure,
        "cream_required": session_day.needs_cream(session),
        "wash_off_due": (
            session_flow.wash_off_due(procedure.cream_on_at, clinic.cream_minutes)
            if procedure and procedure.cream_on_at and not procedure.cream_off_at
            else None
        ),
        "server_now": timezone.now(),
        "zones": [(z, _zone_state(z, required)) for z in zones],
        "required": required,
        "devices": _device_rows(session) if session.status in session_day.PREPARING else [],
        "preparing": session.status in session_day.PREPARING,
        "allowed": _allowed_steps(session, procedure) if procedure else {},
        "day_refusal": _day_refusal(session) if session.is_open else "",
        "forms": forms_,
        "needle_changes": list(procedure.needle_changes.all()) if procedure else [],
        "photos": list(session.photos.all()),
        "photo_refusal": session_flow.photo_refusal(
            status=session.status,
            booked_on=timezone.localdate(session.arrives_at),
            today=timezone.localdate(),
        ),
        "outbox": session.messages.prefetch_related("events").order_by("due_at"),
        **_patient_side(session),
        **_home_care_at_check_in(session, clinic),
    }
    return render(request, "courses/session_day.html", context, status=status)


def _patient_side(session: Session) -> dict[str, object]:
    """What the patient gave on their course page (issue #17), shown at check-in: their
    latest answers before this visit, and their consent (how, when, on which sheet)."""
    patient = session.course.patient
    previsit = latest_previsit([session.pk]).get(session.pk)
    return {
        "previsit": previsit,
        "previsit_findings": previsit.findings() if previsit else [],
        "consent": patient.latest_consent,
        "consent_current": has_current_consent(patient, patient_sheet(patient)),
    }


def _home_care_at_check_in(session: Session, clinic: Clinic) -> dict[str, object]:
    """The patient's home roller for the practitioner at check-in: its log, and the uses
    inside this session's quiet days (DOMAIN.md, "Home care")."""
    care = selectors.patient_home_care(session.patient, clinic, now=timezone.now())
    if care is None:
        return {"home_care": None, "home_uses_too_close": []}
    close = [r for r in care.rows if r.quiet and r.quiet.session_at == session.arrives_at]
    return {"home_care": care, "home_uses_too_close": close}


def _day_refusal(session: Session) -> str:
    """Why the session cannot be run now (another day, an earlier session open), or ""."""
    try:
        session_day.check_session_day(session, timezone.now())
    except session_day.SessionDayError as error:
        return error.message
    return ""


def _allowed_steps(session: Session, procedure: Procedure) -> dict[str, bool]:
    """Which procedure steps the order allows now (the page offers only those)."""
    done = session_day.done_steps(procedure)
    cream_used = session_day.needs_cream(session) or procedure.cream_on_at is not None
    allowed = {}
    for step in session_flow.PROCEDURE_STEPS:
        try:
            session_flow.check_order(step, done=done, cream_used=cream_used)
        except session_flow.FlowError:
            allowed[step] = False
        else:
            allowed[step] = True
    return allowed


def _zone_state(zone: ZoneRecord, required: int) -> str:
    """ "over" (more passes than the protocol's: flagged), "complete" or "short"."""
    passes = session_flow.ZonePasses(zone.zone, zone.horizontal, zone.vertical, zone.diagonal)
    if passes.over_directions(required):
        return "over"
    return "short" if passes.short_directions(required) else "complete"


def _version(request: HttpRequest) -> int:
    form = StepForm(request.POST)
    if not form.is_valid():
        raise session_day.SessionDayError("stale", str(STALE_PAGE))
    return form.cleaned_data["version"]


def _button(
    action: Callable[..., object], done: StrOrPromise
) -> Callable[[AuthenticatedHttpRequest, Session], str]:
    def handle(request: AuthenticatedHttpRequest, session: Session) -> str:
        action(session=session, version=_version(request), actor=request.user)
        return str(done)  # in the language of this request

    return handle


def _check_in(request: AuthenticatedHttpRequest, session: Session) -> str:
    session_day.check_in(session=session, actor=request.user)
    return gettext("Checked in: the screening is confirmed for today.")


def _confirm(request: AuthenticatedHttpRequest, session: Session) -> str:
    session_day.confirm_attendance(session=session, actor=request.user)
    return gettext("Attendance confirmed.")


BUTTONS: dict[str, Callable[[AuthenticatedHttpRequest, Session], str]] = {
    "confirm": _confirm,
    "check-in": _check_in,
    "cream-on": _button(
        session_day.put_cream_on, _("Cream on: the countdown to wash-off has started.")
    ),
    "cream-off": _button(session_day.wash_cream_off, _("Cream washed off.")),
    "antiseptic-before": _button(session_day.record_antiseptic_before, _("Antiseptic recorded.")),
    "start": _button(session_day.start_procedure, _("Needling started.")),
    "antiseptic-after": _button(session_day.record_antiseptic_after, _("Antiseptic recorded.")),
}


def _materials(form: MaterialsForm, session: Session, request: AuthenticatedHttpRequest) -> str:
    session_day.choose_materials(session=session, actor=request.user, **form.cleaned_data)
    return gettext("Product and device recorded.")


def _passes(form: PassesForm, session: Session, request: AuthenticatedHttpRequest) -> str:
    session_day.record_passes(session=session, actor=request.user, **form.cleaned_data)
    return gettext("Passes recorded for %(zone)s.") % {"zone": form.cleaned_data["zone"]}


def _remove_zone(form: RemoveZoneForm, session: Session, request: AuthenticatedHttpRequest) -> str:
    session_day.remove_zone(session=session, actor=request.user, **form.cleaned_data)
    return gettext("Zone removed.")


def _needle(form: NeedleChangeForm, session: Session, request: AuthenticatedHttpRequest) -> str:
    session_day.record_needle_change(session=session, actor=request.user, **form.cleaned_data)
    return gettext("Needle change recorded.")


def _finish(form: FinishForm, session: Session, request: AuthenticatedHttpRequest) -> str:
    procedure = session_day.finish(session=session, actor=request.user, **form.cleaned_data)
    if procedure.stop_reason:
        return gettext("Session stopped short.")
    return gettext("Session completed.")


def _disinfect(form: DisinfectForm, session: Session, request: AuthenticatedHttpRequest) -> str:
    device = form.cleaned_data["device"]
    session_day.record_disinfection(
        device=device, moment=form.cleaned_data["moment"], actor=request.user, session=session
    )
    return gettext("%(device)s: disinfection recorded.") % {"device": device.label}


FORMS: dict[str, tuple[type[forms.Form], Callable[..., str]]] = {
    "disinfect": (DisinfectForm, _disinfect),
    "materials": (MaterialsForm, _materials),
    "passes": (PassesForm, _passes),
    "remove-zone": (RemoveZoneForm, _remove_zone),
    "needle": (NeedleChangeForm, _needle),
    "finish": (FinishForm, _finish),
}


def _step_form(
    form_class: type[forms.Form], step: str, session: Session, **kwargs: Any
) -> forms.Form:
    """A step's form; ids are prefixed with the step (several forms share the page). The
    materials' lots are judged for the session's local day."""
    if form_class is MaterialsForm:
        kwargs["day"] = timezone.localdate(session.arrives_at)
    data = kwargs.pop("data", None)
    return form_class(data, auto_id=f"{step}_%s", **kwargs)


HIDDEN_FORMS = {"remove-zone"}  # only hidden fields: bad input means a stale or altered page


@requires("courses.run_session", obj=_session_of)
@require_POST
def session_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """Carry out one step; a refused step says why and the page shows the current state."""
    session = _session(pk)
    if step not in BUTTONS and step not in FORMS:
        raise Http404("No such step.")
    try:
        if step in BUTTONS:
            done = BUTTONS[step](request, session)
        else:
            form_class, handler = FORMS[step]
            form = _step_form(form_class, step, session, data=request.POST)
            if not form.is_valid() and step in HIDDEN_FORMS:
                raise session_day.SessionDayError("stale", str(STALE_PAGE))
            if not form.is_valid():
                messages.error(request, gettext("Check the highlighted fields."))
                return session_page(request, pk, bound={step: form}, status=400)
            done = handler(form, session, request)
    except session_day.SessionDayError as error:
        messages.error(request, error.message)
        if step in FORMS and error.code != "stale":
            bound = _step_form(FORMS[step][0], step, session, data=request.POST)
            return session_page(request, pk, bound={step: bound}, status=400)
    else:
        messages.success(request, done)
    return redirect("courses:session_day", pk=pk)


@requires("patients.view_clinical")
def aftercare(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    record_read(request, session, detail="aftercare sheet")
    if not hasattr(session, "aftercare"):
        raise Http404("No aftercare sheet yet: it is written when the session ends.")
    procedure = Procedure.objects.filter(session=session).select_related("product", "lot").first()
    context = {"session": session, "sheet": session.aftercare, "procedure": procedure}
    return render(request, "courses/aftercare.html", context)


@requires("courses.run_session", obj=_session_of)
@require_POST
def photo_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = PhotoForm(request.POST, request.FILES, auto_id="photo_%s")
    if not form.is_valid():
        messages.error(request, gettext("Choose before or after, and a photo file."))
        return session_page(request, pk, bound={"photo": form}, status=400)
    try:
        photos.add_photo(
            session=session, kind=form.cleaned_data["kind"], upload=form.cleaned_data["image"],
            actor=request.user,
        )  # fmt: skip
    except photos.PhotoError as error:
        form.add_error("image", error.message)
        messages.error(request, error.message)
        return session_page(request, pk, bound={"photo": form}, status=400)
    messages.success(request, gettext("Photo saved (location data removed)."))
    return redirect("courses:session_day", pk=pk)


@requires("patients.view_clinical")
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served only to logged-in staff (the middleware), never as public media."""
    photo = get_object_or_404(SessionPhoto, pk=pk)
    record_read(request, photo)
    try:
        image = photo.image.open("rb")
    except FileNotFoundError:  # its file was lost (or is still being moved into place)
        raise Http404("The photo's file is missing.") from None
    response = FileResponse(image, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"  # a patient's face stays off disk caches
    return response
