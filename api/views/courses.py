"""Courses (reads): booked ones for every role; previews (drafts) for those who plan."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import Cursor
from api.serializers.courses import CourseFilter, CourseSerializer
from api.views.base import ApiView, clinical, query
from courses.models import Course


class CourseMixin(ApiView):
    read_permission = "courses.view_courses"
    serializer_class = CourseSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["clinical"] = clinical(self.request)
        return context

    def visible(self) -> QuerySet[Course]:
        courses = Course.objects.all()
        if not self.request.user.has_perm("courses.plan"):
            courses = courses.booked()  # a preview not yet booked: for its planners
        return courses


class CourseList(mixins.ListModelMixin, CourseMixin):
    """Courses, by id; filter by patient, practitioner, status, ``updated_since``."""

    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Course]:
        asked = query(self.request, CourseFilter)
        courses = self.visible()
        if "updated_since" in asked:
            courses = courses.filter(updated_at__gte=asked.pop("updated_since"))
        return courses.filter(**asked)

    @extend_schema(operation_id="courses_list", parameters=[CourseFilter])
    def get(self, request: Request) -> Response:
        return self.list(request)


class CourseDetail(mixins.RetrieveModelMixin, CourseMixin):
    """One course."""

    def get_queryset(self) -> QuerySet[Course]:
        return self.visible()

    @extend_schema(operation_id="courses_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return self.retrieve(request, pk=pk)
