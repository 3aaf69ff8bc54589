"""Shared serializer pieces: strict bodies, bounded dates, the query filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.forms import SHOWN_FIRST_DAY, SHOWN_LAST_DAY
from courses.booking import clinic_tz

MAX_RANGE_DAYS = 366


class Strict(serializers.Serializer):
    """A JSON body: an object whose every member is a field here (unknown ones are refused,
    not ignored: a typo must not silently do less than asked)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: [gettext("Unknown field.")] for name in unknown}
                )
        return super().to_internal_value(data)


def check_day(day: date) -> date:
    if not SHOWN_FIRST_DAY <= day <= SHOWN_LAST_DAY:
        raise serializers.ValidationError(
            gettext("Give a date between %(first)s and %(last)s.")
            % {"first": SHOWN_FIRST_DAY.isoformat(), "last": SHOWN_LAST_DAY.isoformat()}
        )
    return day


class Day(serializers.DateField):
    """A calendar date inside the years the planner shows (1900-2999)."""

    def to_internal_value(self, value: Any) -> date:
        return check_day(super().to_internal_value(value))


class Moment(serializers.DateTimeField):
    """A date and time with its offset (naive times are read in the clinic's zone), inside
    the years the planner shows."""

    def to_internal_value(self, value: Any) -> datetime:
        moment = super().to_internal_value(value)
        check_day(moment.date())
        return moment


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
     "example": "10:00"}
)  # fmt: skip
class LocalTime(serializers.TimeField):
    """A wall-clock time in the clinic's zone, ``HH:MM`` or ``HH:MM:SS`` (no offset)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M:%S", input_formats=["%H:%M:%S", "%H:%M"], **kwargs)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clinic_tz())


class Period(serializers.Serializer):
    """``date_from`` and ``date_to``: clinic days, both inclusive, at most a year apart."""

    date_from = Day(required=False, help_text="First day (clinic's time zone), inclusive.")
    date_to = Day(required=False, help_text="Last day (clinic's time zone), inclusive.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("date_from"), attrs.get("date_to")
        if first and last and first > last:
            raise serializers.ValidationError(
                {"date_to": [gettext("Must not be before date_from.")]}
            )
        if first and last and (last - first).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"date_to": [gettext("At most %(days)d days.") % {"days": MAX_RANGE_DAYS}]}
            )
        return attrs

    @staticmethod
    def bounds(attrs: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
        first, last = attrs.get("date_from"), attrs.get("date_to")
        start = day_start(first) if first else None
        end = day_start(last + timedelta(days=1)) if last else None
        return start, end


class Since(serializers.Serializer):
    updated_since = Moment(
        required=False, help_text="Only records changed at or after this moment (for sync)."
    )


def local_today() -> date:
    return timezone.localdate()
