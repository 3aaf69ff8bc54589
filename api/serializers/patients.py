"""Patients: contact and preferences for every role; the clinical part only for clinicians."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from patients.models import Patient, ProcedureConsent, Screening


class LatestScreeningSerializer(serializers.ModelSerializer):
    class Meta:
        model = Screening
        fields = ["id", "taken_at", "result"]


class ClinicalSerializer(serializers.ModelSerializer):
    """Skin profile, notes and the latest screening and consent (``patients.view_clinical``)."""

    latest_screening = LatestScreeningSerializer(allow_null=True, read_only=True)
    latest_consent_at = serializers.DateTimeField(
        source="latest_consent.accepted_at", allow_null=True, read_only=True, default=None
    )

    class Meta:
        model = Patient
        fields = [
            "fitzpatrick_type", "skin_weakened", "skin_dry", "skin_problematic",
            "skin_sensitive", "notes", "latest_screening", "latest_consent_at",
        ]  # fmt: skip


class PatientSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    clinical = serializers.SerializerMethodField(
        help_text="Null for roles that may not see clinical data (reception)."
    )

    class Meta:
        model = Patient
        fields = [
            "id", "first_name", "last_name", "date_of_birth", "sex", "email", "phone",
            "reminder_channel", "email_consent_at", "sms_consent_at", "language", "time_zone",
            "guardian_name", "guardian_consent_at", "created_at", "updated_at", "clinical",
        ]  # fmt: skip

    def get_phone(self, patient: Patient) -> str:
        return str(patient.phone) if patient.phone else ""

    @extend_schema_field(ClinicalSerializer(allow_null=True))
    def get_clinical(self, patient: Patient) -> dict[str, Any] | None:
        if not self.context.get("clinical"):
            return None
        return dict(ClinicalSerializer(patient).data)


class ScreeningSerializer(serializers.ModelSerializer):
    caution_decision = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = [
            "id", "patient", "source", "session", "taken_at", "taken_by", "herpes_active",
            "acne_regions", "rosacea", "wart_regions", "eczema_psoriasis_regions",
            "anticoagulants", "keloid_tendency", "notes", "result", "findings",
            "caution_decision",
        ]  # fmt: skip

    def get_findings(self, record: Screening) -> list[str]:
        return [finding.describe() for finding in record.findings()]

    @extend_schema_field({"type": "string", "enum": ["approved", "declined"], "nullable": True})
    def get_caution_decision(self, record: Screening) -> str | None:
        decision = getattr(record, "caution_decision", None)
        if decision is None:
            return None
        return "approved" if decision.approved else "declined"


class ConsentSerializer(serializers.ModelSerializer):
    sheet_version = serializers.CharField(source="sheet.version", read_only=True)

    class Meta:
        model = ProcedureConsent
        fields = [
            "id", "patient", "sheet", "sheet_version", "accepted_at", "witnessed_by", "source",
            "method", "text_sha256",
        ]  # fmt: skip
