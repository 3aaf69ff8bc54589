"""Courses: their request, status and sessions; the planner's proposals."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import LocalTime, Since
from courses import planning
from courses.models import Course, CourseStatus


class TreatmentSerializer(serializers.ModelSerializer):
    """What is treated and how (``patients.view_clinical``)."""

    class Meta:
        model = Course
        fields = [
            "indication", "area", "needle_mm", "target_gap_weeks", "needle_override_reason",
            "gap_override_reason",
        ]  # fmt: skip


class CourseSerializer(serializers.ModelSerializer):
    preferred_time = LocalTime()
    treatment = serializers.SerializerMethodField(
        help_text="Null for roles that may not see clinical data (reception)."
    )

    class Meta:
        model = Course
        fields = [
            "id", "patient", "practitioner", "status", "sessions_planned", "preferred_weekday",
            "preferred_time", "start_on", "done_sessions", "next_holding_at", "created_by",
            "created_at", "updated_at", "treatment",
        ]  # fmt: skip

    @extend_schema_field(TreatmentSerializer(allow_null=True))
    def get_treatment(self, course: Course) -> dict[str, Any] | None:
        if not self.context.get("clinical"):
            return None
        return dict(TreatmentSerializer(course).data)


class CourseFilter(Since):
    patient = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    practitioner = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    status = serializers.ChoiceField(choices=CourseStatus.choices, required=False)


class ProposalSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    arrives_at = serializers.DateTimeField()
    procedure_starts_at = serializers.DateTimeField()
    procedure_ends_at = serializers.DateTimeField()
    room = serializers.IntegerField()
    reason = serializers.CharField()


def proposals_data(proposals: list[planning.Proposal]) -> list[dict[str, Any]]:
    """The planner's proposed sessions, as the preview shows them (with why each landed)."""
    return [
        {
            "number": p.number,
            "arrives_at": p.slot.arrives_at,
            "procedure_starts_at": p.slot.procedure_starts_at,
            "procedure_ends_at": p.slot.procedure_ends_at,
            "room": p.slot.room_id,
            "reason": str(p.reason),
        }
        for p in proposals
    ]
