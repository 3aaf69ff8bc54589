"""Patients: contact and preferences; clinical fields for the roles that see them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import Cursor, NewestCursor
from api.problems import Problem
from api.serializers.base import Since
from api.serializers.patients import ConsentSerializer, PatientSerializer, ScreeningSerializer
from api.serializers.writes import EmptyInput, ScreeningInput
from api.views.base import ApiView, clinical, query
from api.views.planning import IDEMPOTENCY
from audit.records import record_read
from patients import services as patient_services
from patients.clearance import patient_sheet
from patients.models import Patient, ProcedureConsent, Screening


class PatientMixin(ApiView):
    read_permission = "patients.view_record"
    serializer_class = PatientSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["clinical"] = clinical(self.request)
        return context


class PatientList(mixins.ListModelMixin, PatientMixin):
    """Patients, by id; ``updated_since`` for sync. No search by name: patient details stay
    out of addresses (and so out of logs)."""

    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Patient]:
        patients = Patient.objects.select_related("latest_screening", "latest_consent")
        since = query(self.request, Since).get("updated_since")
        if since is not None:
            patients = patients.filter(updated_at__gte=since)
        return patients

    @extend_schema(operation_id="patients_list", parameters=[Since])
    def get(self, request: Request) -> Response:
        return self.list(request)


class PatientDetail(mixins.RetrieveModelMixin, PatientMixin):
    """One patient (the read is recorded in the audit trail, as on the screens)."""

    queryset = Patient.objects.select_related("latest_screening", "latest_consent")

    @extend_schema(operation_id="patients_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        patient = self.get_object()
        record_read(request._request, patient)
        return Response(self.get_serializer(patient).data)


class PatientRecords(ApiView):
    """A patient's clinical records: read by clinicians, recorded by clinicians."""

    read_permission = "patients.view_clinical"
    write_permission = "patients.screen"

    def patient(self, pk: int) -> Patient:
        return get_object_or_404(Patient, pk=pk)


class ScreeningList(mixins.ListModelMixin, PatientRecords):
    """The patient's dated screenings, newest first (staff's and the patient's own answers
    before a visit). POST takes a new one: its result is computed by the same rules as the
    screen's (clear, caution, defer, refuse) and it supersedes the previous one."""

    serializer_class = ScreeningSerializer
    pagination_class = NewestCursor

    def get_queryset(self) -> QuerySet[Screening]:
        patient = self.patient(self.kwargs["pk"])
        return patient.screenings.select_related("caution_decision")

    @extend_schema(operation_id="screenings_list")
    def get(self, request: Request, pk: int) -> Response:
        return self.list(request)

    @extend_schema(operation_id="screenings_create", request=ScreeningInput,
                   responses={201: ScreeningSerializer}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        def record() -> Response:
            asked = self.body(ScreeningInput)
            decision = {"approve": True, "decline": False}.get(asked["caution_decision"] or "")
            screening = patient_services.record_screening(
                patient=self.patient(pk), answers=ScreeningInput.answers(asked),
                notes=asked["notes"], actor=self.actor, caution_approved=decision,
                caution_reason=asked["caution_reason"].strip(),
            )  # fmt: skip
            return Response(ScreeningSerializer(screening).data, status=201)

        return self.once(record)


class ConsentList(mixins.ListModelMixin, PatientRecords):
    """The patient's consents, newest first. POST records consent witnessed by the token's
    user, on the information sheet current for the patient's language."""

    serializer_class = ConsentSerializer
    pagination_class = NewestCursor

    def get_queryset(self) -> QuerySet[ProcedureConsent]:
        return self.patient(self.kwargs["pk"]).consents.select_related("sheet")

    @extend_schema(operation_id="consents_list")
    def get(self, request: Request, pk: int) -> Response:
        return self.list(request)

    @extend_schema(operation_id="consents_create", request=EmptyInput,
                   responses={201: ConsentSerializer}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        def record() -> Response:
            self.body(EmptyInput)
            patient = self.patient(pk)
            sheet = patient_sheet(patient)
            if sheet is None:
                raise Problem(422, "no_sheet", gettext(
                    "No information sheet is published yet. A manager adds one in the admin."
                ))  # fmt: skip
            consent = patient_services.record_consent(
                patient=patient, sheet=sheet, actor=self.actor
            )
            return Response(ConsentSerializer(consent).data, status=201)

        return self.once(record)
