"""The catalogue, practitioners, rooms and their free time (reads)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import Cursor
from api.serializers.availability import AvailabilityQuery, AvailabilitySerializer
from api.serializers.clinic import (
    AreaSerializer,
    IndicationSerializer,
    PractitionerSerializer,
    RoomSerializer,
)
from api.views.base import ApiView, query
from clinic.models import Clinic, Practitioner, Room
from courses import calendar, calendar_data
from courses.models import Indication, TreatmentArea


class IndicationList(mixins.ListModelMixin, ApiView):
    """The catalogue's indications, with the areas each is treated on (none: any area)."""

    read_permission = "courses.view_courses"
    serializer_class = IndicationSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Indication]:
        return Indication.objects.prefetch_related("areas")

    @extend_schema(operation_id="indications_list")
    def get(self, request: Request) -> Response:
        return self.list(request)


class AreaList(mixins.ListModelMixin, ApiView):
    """The catalogue's treatment areas, with their needle range and procedure time."""

    read_permission = "courses.view_courses"
    serializer_class = AreaSerializer
    pagination_class = Cursor
    queryset = TreatmentArea.objects.all()

    @extend_schema(operation_id="areas_list")
    def get(self, request: Request) -> Response:
        return self.list(request)


class PractitionerList(mixins.ListModelMixin, ApiView):
    """The practitioners (cosmetologists) who can be booked, and those who no longer can."""

    read_permission = "courses.view_calendar"
    serializer_class = PractitionerSerializer
    pagination_class = Cursor
    queryset = Practitioner.objects.select_related("user")

    @extend_schema(operation_id="practitioners_list")
    def get(self, request: Request) -> Response:
        return self.list(request)


class RoomList(mixins.ListModelMixin, ApiView):
    """The clinic's rooms."""

    read_permission = "courses.view_calendar"
    serializer_class = RoomSerializer
    pagination_class = Cursor
    queryset = Room.objects.all()

    @extend_schema(operation_id="rooms_list")
    def get(self, request: Request) -> Response:
        return self.list(request)


class Availability(ApiView):
    """Free slots of one practitioner (inside the clinic's and their hours) or one room, in a
    period of at most 31 days: the times the calendars offer, clear of bookings, absences
    and closures, from now on, on the clinic's slot step."""

    read_permission = "courses.view_calendar"
    serializer_class = AvailabilitySerializer

    @extend_schema(operation_id="availability", parameters=[AvailabilityQuery])
    def get(self, request: Request) -> Response:
        asked = query(request, AvailabilityQuery)
        first = asked["date_from"]
        days = [first + timedelta(days=n) for n in range((asked["date_to"] - first).days + 1)]
        step = Clinic.current().slot_step_minutes
        layout = _layout(asked, days, step)
        slots = [
            {"starts_at": free.starts_at, "ends_at": free.starts_at + timedelta(minutes=step)}
            for column in layout.columns
            for free in column.free
        ]
        return Response(AvailabilitySerializer({"step_minutes": step, "slots": slots}).data)


def _layout(asked: dict[str, Any], days: list[Any], step: int) -> calendar.Layout:
    now = timezone.now()
    if "practitioner" in asked:
        practitioner = get_object_or_404(Practitioner, pk=asked["practitioner"])
        return calendar_data.practitioner_layout(practitioner, days, now=now, step_minutes=step)
    room = get_object_or_404(Room, pk=asked["room"])
    return calendar_data.room_layout(room, days, now=now, step_minutes=step)
