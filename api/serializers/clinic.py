"""The catalogue, practitioners and rooms."""

from __future__ import annotations

from rest_framework import serializers

from clinic.models import Practitioner, Room
from courses.models import Indication, TreatmentArea


class IndicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indication
        fields = [
            "id", "code", "name", "refused", "refusal_reason", "alternative", "areas", "is_active",
        ]  # fmt: skip


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = TreatmentArea
        fields = [
            "id", "code", "name", "region", "needle_min_mm", "needle_max_mm",
            "procedure_minutes", "is_active",
        ]  # fmt: skip


class PractitionerSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta:
        model = Practitioner
        fields = ["id", "name", "job_title", "is_bookable", "is_active"]

    def get_name(self, practitioner: Practitioner) -> str:
        return str(practitioner)


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "is_active"]
