"""Free time of a practitioner or a room, as the calendars offer it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import serializers

from api.serializers.base import Day

MAX_AVAILABILITY_DAYS = 31


class AvailabilityQuery(serializers.Serializer):
    practitioner = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    room = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    date_from = Day(help_text="First day (clinic's time zone), inclusive.")
    date_to = Day(help_text="Last day, inclusive; at most 31 days after date_from.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("practitioner" in attrs) == ("room" in attrs):
            raise serializers.ValidationError(gettext("Give either a practitioner or a room."))
        days = (attrs["date_to"] - attrs["date_from"]).days
        if not 0 <= days < MAX_AVAILABILITY_DAYS:
            raise serializers.ValidationError(
                {"date_to": [gettext("From date_from to at most %(days)d days on.")
                             % {"days": MAX_AVAILABILITY_DAYS}]}
            )  # fmt: skip
        return attrs


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    step_minutes = serializers.IntegerField()
    slots = SlotSerializer(many=True)
