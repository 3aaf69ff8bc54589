"""The session day's record: steps done with their times, zones, the version to send back."""

from __future__ import annotations

from rest_framework import serializers

from courses.models import Procedure, ZoneRecord


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = ZoneRecord
        fields = ["id", "zone", "horizontal", "vertical", "diagonal", "note"]


class ProcedureSerializer(serializers.ModelSerializer):
    zones = ZoneSerializer(many=True, read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "version", "checked_in_at", "checked_in_by", "screening", "cream_on_at",
            "cream_off_at", "antiseptic_before_at", "product", "lot", "device",
            "started_at", "antiseptic_after_at", "end_point", "notes", "finished_at",
            "stop_reason", "zones",
        ]  # fmt: skip
