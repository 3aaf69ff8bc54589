"""Staff screens for patients: list, page, register/edit, screening, consent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from audit.records import record_read
from clinic.actors import AuthenticatedHttpRequest
from clinic.models import Clinic
from clinic.permissions import requires
from patients import screening, services
from patients.clearance import current_information_sheet, has_current_consent, patient_sheet
from patients.forms import (
    CautionDecisionForm,
    ConsentForm,
    PatientForm,
    PatientSearchForm,
    ScreeningForm,
)
from patients.models import InformationSheet, Patient, Screening
from patients.selectors import patient_list as select_patients
from patients.selectors import status_of

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "patient_search"


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    status: screening.Status
    consent_current: bool


@requires("patients.view_record")
@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    """Search and browse patients.

    The search text is posted and kept in the session, so names, phone numbers
    and e-mail addresses never appear in URLs or server logs.
    """
    if request.method == "POST":
        form = PatientSearchForm(request.POST)
        if form.is_valid():
            request.session[SEARCH_SESSION_KEY] = form.cleaned_data["q"]
            status = form.cleaned_data["status"] if _sees_clinical(request) else ""
            return redirect(reverse("patients:list") + (f"?status={status}" if status else ""))
        messages.error(
            request,
            gettext("The search could not be read: %(errors)s") % {"errors": form.errors.as_text()},
        )
        return redirect("patients:list")
    query = request.session.get(SEARCH_SESSION_KEY, "")
    filters = PatientSearchForm({"q": query, "status": request.GET.get("status", "")})
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    if not _sees_clinical(request):  # screening results are clinical: no filtering by them
        status = ""
    clinic = Clinic.for_request(request)
    found = select_patients(
        query=query, status=status, now=timezone.now(), valid_days=clinic.screening_valid_days
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    sheets: dict[str, InformationSheet | None] = {}  # the current sheet per patient language
    rows = []
    for p in page:
        if p.language not in sheets:
            sheets[p.language] = current_information_sheet(language=p.language)
        rows.append(
            PatientRow(p, status_of(p, clinic=clinic), has_current_consent(p, sheets[p.language]))
        )
    return render(
        request,
        "patients/patient_list.html",
        {"form": filters, "page": page, "rows": rows, "query": query, "status": status},
    )


@requires("patients.view_record")
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(
        Patient.objects.select_related(
            "latest_screening__caution_decision",
            "latest_screening__taken_by",
            "latest_consent__sheet",
            "latest_consent__witnessed_by",
        ),
        pk=pk,
    )
    record_read(request, patient)
    clinic = Clinic.for_request(request)
    latest = patient.latest_screening
    sheet = patient_sheet(patient)
    outbox = list(patient.messages.prefetch_related("events").order_by("-due_at")[:30])
    # counted only when the list is full, so the page can say it shows only the latest
    outbox_total = patient.messages.count() if len(outbox) == 30 else len(outbox)
    context = {
        "patient": patient,
        "status": status_of(patient, clinic=clinic),
        "screening": latest,
        "findings": latest.findings() if latest else [],
        "screening_age_days": (timezone.now() - latest.taken_at).days if latest else None,
        "consent_current": has_current_consent(patient, sheet),
        "current_sheet": sheet,
        "age": patient.age_on(timezone.localdate()),
        "earlier_screenings": patient.screenings.exclude(
            pk__in=[latest.pk] if latest else []
        ).select_related("session")[:10],
        **courses_and_drafts(patient),
        "outbox": outbox,
        "outbox_total": outbox_total,
    }
    return render(request, "patients/patient_detail.html", context)


def courses_and_drafts(patient: Patient) -> dict[str, list]:
    """The patient's real courses, and apart from them the previews not yet expired (one query)."""
    listed = (patient.courses.booked() | patient.courses.open_drafts()).select_related(
        "indication", "area", "practitioner__user"
    )
    courses: list[Any] = []
    drafts: list[Any] = []
    for course in listed:
        (drafts if course.is_draft else courses).append(course)
    return {"courses": courses, "drafts": drafts}


def _sees_clinical(request: HttpRequest) -> bool:
    """Whether the user may see the clinical parts of a patient's record."""
    return request.user.has_perm("patients.view_clinical")


@requires("patients.change_contact")
@require_http_methods(["GET", "POST"])
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinical=_sees_clinical(request))
    if request.method == "POST" and form.is_valid():
        patient = services.save_patient(
            patient=form.save(commit=False),
            email_consent=form.cleaned_data["email_consent"],
            sms_consent=form.cleaned_data["sms_consent"],
            guardian_consent=form.cleaned_data["guardian_consent"],
            actor=request.user,
        )
        # The next step is a screening, for those who take one (not the front desk).
        done = gettext("%(name)s is registered.") % {"name": patient.full_name}
        if _sees_clinical(request):
            done = f"{done} {gettext('Screen them next.')}"
        messages.success(request, done)
        return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": None})


@requires("patients.change_contact")
@require_http_methods(["GET", "POST"])
def patient_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST or None, instance=patient, clinical=_sees_clinical(request))
    if request.method == "POST" and form.is_valid():
        services.save_patient(
            patient=form.save(commit=False),
            email_consent=form.cleaned_data["email_consent"],
            sms_consent=form.cleaned_data["sms_consent"],
            guardian_consent=form.cleaned_data["guardian_consent"],
            actor=request.user,
        )
        messages.success(request, gettext("Patient details saved."))
        return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@requires("patients.screen")
@require_http_methods(["GET", "POST"])
def screening_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = services.record_screening(
            patient=patient,
            answers=form.answers(),
            notes=form.cleaned_data["notes"],
            actor=request.user,
            caution_approved=form.caution_approved(),
            caution_reason=form.cleaned_data["caution_reason"].strip(),
        )
        label = screening.Result.from_code(record.result).name.title()
        messages.success(request, f"Screening saved. Result: {label}.")
        return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/screening_form.html", {"form": form, "patient": patient})


@requires("patients.screen")
@require_http_methods(["GET", "POST"])
def caution_decision_create(
    request: AuthenticatedHttpRequest, pk: int, screening_pk: int
) -> HttpResponse:
    record = get_object_or_404(Screening.objects.select_related("patient"), pk=screening_pk)
    if record.patient_id != pk:  # compared here: SQLite cannot bind a foreign key past 64 bits
        raise Http404(gettext("No such screening for this patient."))
    record_read(request, record)
    form = CautionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_caution_decision(
                screening_record=record,
                approved=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.PatientError as error:
            messages.error(request, error.message)
            return redirect("patients:detail", pk=pk)
        messages.success(request, gettext("Decision recorded."))
        return redirect("patients:detail", pk=pk)
    context = {
        "form": form,
        "patient": record.patient,
        "screening": record,
        "findings": record.findings(),
    }
    return render(request, "patients/decision_form.html", context)


@requires("patients.screen")
@require_http_methods(["GET", "POST"])
def consent_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    sheet = patient_sheet(patient)
    if sheet is None:
        messages.error(
            request,
            gettext("No information sheet is published yet. A manager adds one in the admin."),
        )
        return redirect("patients:detail", pk=pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_consent(patient=patient, sheet=sheet, actor=request.user)
        except services.PatientError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                gettext("Consent recorded on sheet version %(version)s.")
                % {"version": sheet.version},
            )
        return redirect("patients:detail", pk=pk)
    context = {"form": form, "patient": patient, "sheet": sheet}
    return render(request, "patients/consent_form.html", context)
