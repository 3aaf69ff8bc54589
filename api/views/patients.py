"""Patients: contact and preferences; clinical fields for the roles that see them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import Cursor
from api.serializers.base import Since
from api.serializers.patients import PatientSerializer
from api.views.base import ApiView, clinical, query
from audit.records import record_read
from patients.models import Patient


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
