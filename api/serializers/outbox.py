"""The message outbox (reminders): what was sent, what failed, and why."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import Period
from reminders.models import OutboxMessage, Status


class OutboxMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboxMessage
        fields = [
            "id", "kind", "channel", "recipient", "patient", "course", "session", "status",
            "due_at", "attempts", "sent_at", "last_error", "created_at",
        ]  # fmt: skip


class OutboxFilter(Period):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    patient = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
