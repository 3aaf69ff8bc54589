"""Sessions (for every role: times, place, status) and their filters."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import Period, Since
from courses.models import Session, SessionStatus


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = [
            "id", "course", "number", "patient", "practitioner", "room", "arrives_at",
            "procedure_starts_at", "procedure_ends_at", "status", "schedule_version",
            "created_at",
        ]  # fmt: skip


class SessionFilter(Period, Since):
    practitioner = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    room = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    patient = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    course = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    status = serializers.ChoiceField(choices=SessionStatus.choices, required=False)
