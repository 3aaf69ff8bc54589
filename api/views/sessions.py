"""Sessions: filtered by period, practitioner, room, patient, course, status, change."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import SessionCursor
from api.serializers.base import Period
from api.serializers.sessions import SessionFilter, SessionSerializer
from api.views.base import ApiView, query
from courses.models import LONGEST_VISIT, Session

FILTERS = ("practitioner", "room", "patient", "course", "status")


def changed_since(sessions: QuerySet[Session], since: object) -> QuerySet[Session]:
    """Sessions with a change recorded at or after ``since``: the audit trail's change events
    (every insert and update of a session, its status included) say when."""
    events = Session.audit_events.rel.related_model.objects  # type: ignore[attr-defined]
    return sessions.filter(pk__in=events.filter(pgh_created_at__gte=since).values("pgh_obj_id"))


class SessionList(mixins.ListModelMixin, ApiView):
    """Sessions in time order. ``date_from``/``date_to`` are the days the patient arrives
    (the clinic's time zone)."""

    read_permission = "courses.view_courses"
    serializer_class = SessionSerializer
    pagination_class = SessionCursor

    def get_queryset(self) -> QuerySet[Session]:
        asked = query(self.request, SessionFilter)
        sessions: QuerySet[Session] = Session.objects.all()
        start, end = Period.bounds(asked)
        if start is not None:
            sessions = sessions.filter(procedure_starts_at__gte=start, arrives_at__gte=start)
        if end is not None:
            sessions = sessions.filter(procedure_starts_at__lt=end + LONGEST_VISIT,
                                       arrives_at__lt=end)  # fmt: skip
        sessions = sessions.filter(**{name: asked[name] for name in FILTERS if name in asked})
        if "updated_since" in asked:
            sessions = changed_since(sessions, asked["updated_since"])
        return sessions

    @extend_schema(operation_id="sessions_list", parameters=[SessionFilter])
    def get(self, request: Request) -> Response:
        return self.list(request)


class SessionDetail(mixins.RetrieveModelMixin, ApiView):
    """One session."""

    read_permission = "courses.view_courses"
    serializer_class = SessionSerializer
    queryset = Session.objects.all()

    @extend_schema(operation_id="sessions_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return self.retrieve(request, pk=pk)
