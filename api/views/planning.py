"""Planning a course through the API: the preview (a draft and its proposed sessions), then
the booking, with the screens' refusals and their codes (``courses.services``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.courses import CourseSerializer, ProposalSerializer, proposals_data
from api.serializers.sessions import SessionSerializer
from api.serializers.writes import ConfirmInput, PlanInput
from api.views.base import ApiView, clinical
from courses import services
from courses.models import Course

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Send the same key again to retry safely: the first answer is given again "
    "and nothing is booked twice.",
)  # fmt: skip

PLAN_ANSWER = inline_serializer(
    "PlanAnswer",
    {
        "course": CourseSerializer(),
        "proposals": ProposalSerializer(many=True),
        "deferral_not_before": serializers.DateField(allow_null=True),
        "deferral_problems": serializers.ListField(child=serializers.CharField()),
    },
)
BOOKED_ANSWER = inline_serializer(
    "BookedAnswer", {"course": CourseSerializer(), "sessions": SessionSerializer(many=True)}
)


class CoursePlan(ApiView):
    """Plan a course: the rules are checked (refusals carry the screens' codes; an
    overridable one passes with its written reason), a preview (draft) is saved and every
    session is proposed. When some session finds no slot, nothing is kept: 422 ``no_slot``
    with the nearest fixes. Book it with ``POST /courses/{id}/confirm/``."""

    write_permission = "courses.plan"
    serializer_class = PlanInput

    @extend_schema(
        operation_id="courses_plan", request=PlanInput, responses={201: PLAN_ANSWER},
        parameters=[IDEMPOTENCY],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        return self.once(self._plan)

    def _plan(self) -> Response:
        asked = self.body(PlanInput)
        with transaction.atomic():  # no slot: the preview is not kept
            course = services.create_draft_course(actor=self.actor, **asked)
            proposals = services.propose_course(course)
        deferral = services.course_deferral(course)
        context = {"clinical": clinical(self.request)}
        data: dict[str, Any] = {
            "course": CourseSerializer(course, context=context).data,
            "proposals": proposals_data(proposals),
            "deferral_not_before": deferral.not_before if deferral else None,
            "deferral_problems": [p.message for p in deferral.problems] if deferral else [],
        }
        return Response(data, status=201)


class CourseConfirm(ApiView):
    """Book a previewed course: every session in one transaction, re-checked under lock.
    Send the previewed ``expected_arrivals``: if the calendar changed, nothing is booked
    (409 ``plan_changed`` with the new proposal). Use an ``Idempotency-Key``."""

    write_permission = "courses.plan"
    serializer_class = ConfirmInput

    @extend_schema(
        operation_id="courses_confirm", request=ConfirmInput, responses={201: BOOKED_ANSWER},
        parameters=[IDEMPOTENCY],
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return self.once(lambda: self._confirm(pk))

    def _confirm(self, pk: int) -> Response:
        asked = self.body(ConfirmInput)
        course = get_object_or_404(Course.objects.select_related("patient", "area"), pk=pk)
        sessions = services.confirm_course(
            course=course, actor=self.actor, expected_arrivals=asked["expected_arrivals"]
        )
        course.refresh_from_db()
        context = {"clinical": clinical(self.request)}
        data = {
            "course": CourseSerializer(course, context=context).data,
            "sessions": SessionSerializer(sessions, many=True).data,
        }
        return Response(data, status=201)
