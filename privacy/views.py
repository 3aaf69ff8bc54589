"""Managers' screens: a patient's export, their erasure after a confirmation, and the
retention review's list of patients due for erasure."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from audit.records import record_read
from clinic.actors import AuthenticatedHttpRequest
from clinic.permissions import requires
from courses.models import Session, SessionPhoto, SessionStatus
from patients.models import Patient
from privacy import services
from privacy.export import read_export, stream_zip
from privacy.forms import ErasureForm
from privacy.models import DueForErasure, ErasureSource


def _patient(request: HttpRequest, pk: int) -> Patient:
    return get_object_or_404(Patient, pk=pk)


@requires("privacy.export_patient", obj=_patient)
@require_GET
def export_patient(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The patient's ZIP, streamed; the download is an audited read of the patient."""
    patient = _patient(request, pk)
    record_read(request, patient, detail="export")
    response = StreamingHttpResponse(stream_zip(read_export(patient.pk)),
                                     content_type="application/zip")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}.zip"'
    return response


def _what_goes(patient: Patient) -> dict[str, int]:
    """What the confirmation page says the erasure will do (counts only)."""
    return {
        "open_sessions": Session.objects.filter(
            patient=patient, status__in=[SessionStatus.SCHEDULED, SessionStatus.CONFIRMED]
        ).count(),
        "photos": SessionPhoto.objects.filter(session__patient=patient).count(),
    }


@requires("privacy.erase_patient", obj=_patient)
@require_http_methods(["GET", "POST"])
def erase_patient(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask for the patient's full name, then erase; a refusal answers 400 with its reason."""
    patient = _patient(request, pk)
    source = request.GET.get("source") if request.method == "GET" else None
    form = ErasureForm(request.POST or None, initial={"source": source or ErasureSource.REQUEST})
    context = {"patient": patient, "form": form, **_what_goes(patient),
               "refusal": services.erasure_refusal(patient)}  # fmt: skip
    if request.method == "GET":
        record_read(request, patient, detail="erasure confirmation")
        return render(request, "privacy/erase.html", context)
    if not form.is_valid():
        return render(request, "privacy/erase.html", context, status=400)
    try:
        result = services.erase_patient(
            patient=patient, confirm_name=form.cleaned_data["confirm_name"], actor=request.user,
            source=form.cleaned_data["source"],
        )  # fmt: skip
    except services.ErasureRefused as refusal:
        context["refusal"] = refusal
        return render(request, "privacy/erase.html", context, status=400)
    messages.success(
        request,
        gettext("The personal data of patient #%(id)s was erased; they are now %(pseudonym)s.")
        % {"id": patient.pk, "pseudonym": result.pseudonym},
    )
    return redirect("patients:detail", pk=patient.pk)


@requires("privacy.review_retention")
@require_GET
def due_for_erasure(request: HttpRequest) -> HttpResponse:
    """The patients past the clinic's retention period, oldest activity first."""
    rows = DueForErasure.objects.select_related("patient")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "privacy/due.html", {"page": page})
