"""Changes to booked sessions (``courses.rescheduling``) and the session day's steps
(``courses.session_day``), through the services the screens use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.procedures import ProcedureSerializer
from api.serializers.sessions import SessionSerializer
from api.serializers.writes import CancelInput, EmptyInput, RescheduleInput, StepInput
from api.views.base import ApiView
from api.views.planning import IDEMPOTENCY
from courses import rescheduling, session_day
from courses.models import Procedure, Session

MOVED_ANSWER = inline_serializer("MovedAnswer", {"sessions": SessionSerializer(many=True)})
DAY_ANSWER = inline_serializer(
    "SessionDayAnswer",
    {"session": SessionSerializer(), "procedure": ProcedureSerializer(allow_null=True)},
)


def _session(pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("course__patient"), pk=pk)


class SessionReschedule(ApiView):
    """Move a session ("this") or it and every later one ("following", keeping their
    gaps). Refused like the screen: gaps off the rules (unless ``override_reason``), a
    time taken, a session changed since ``version`` (409 ``stale``)."""

    write_permission = "courses.book"
    serializer_class = RescheduleInput

    @extend_schema(
        operation_id="sessions_reschedule", request=RescheduleInput,
        responses={200: MOVED_ANSWER}, parameters=[IDEMPOTENCY],
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return self.once(lambda: self._move(pk))

    def _move(self, pk: int) -> Response:
        asked = self.body(RescheduleInput)
        moved = rescheduling.reschedule_session(session=_session(pk), actor=self.actor, **asked)
        return Response({"sessions": SessionSerializer(moved, many=True).data})


class SessionCancel(ApiView):
    """Cancel one session (a reason is required); its slot is free and the patient told."""

    write_permission = "courses.book"
    serializer_class = CancelInput

    @extend_schema(operation_id="sessions_cancel", request=CancelInput,
                   responses={200: SessionSerializer}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        def cancel() -> Response:
            asked = self.body(CancelInput)
            session = rescheduling.cancel_session(
                session=_session(pk), reason=asked["reason"], actor=self.actor
            )
            return Response(SessionSerializer(session).data)

        return self.once(cancel)


class SessionNoShow(ApiView):
    """Record that the patient did not come (once their arrival time has passed)."""

    write_permission = "courses.book"
    serializer_class = EmptyInput

    @extend_schema(operation_id="sessions_no_show", request=EmptyInput,
                   responses={200: SessionSerializer}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return self.once(lambda: self._mark(pk, rescheduling.mark_no_show))

    def _mark(self, pk: int, action: Callable[..., Session]) -> Response:
        self.body(EmptyInput)
        session = action(session=_session(pk), actor=self.actor)
        return Response(SessionSerializer(session).data)


class SessionConfirm(SessionNoShow):
    """The patient confirmed they will come (by phone, at the desk)."""

    write_permission = "courses.confirm_attendance"

    @extend_schema(operation_id="sessions_confirm", request=EmptyInput,
                   responses={200: SessionSerializer}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return self.once(lambda: self._mark(pk, session_day.confirm_attendance))


def _step_call(step: str, session: Session, asked: dict[str, Any], actor: Any) -> object:
    """Call the session-day service for ``step`` with what the step takes."""
    given = {name: value for name, value in asked.items() if name != "step"}
    if step == "disinfect":
        return session_day.record_disinfection(session=session, actor=actor, **given)
    return STEP_SERVICES[step](session=session, actor=actor, **given)


STEP_SERVICES: dict[str, Callable[..., object]] = {
    "check-in": session_day.check_in,
    "cream-on": session_day.put_cream_on,
    "cream-off": session_day.wash_cream_off,
    "antiseptic-before": session_day.record_antiseptic_before,
    "materials": session_day.choose_materials,
    "start": session_day.start_procedure,
    "passes": session_day.record_passes,
    "remove-zone": session_day.remove_zone,
    "needle": session_day.record_needle_change,
    "antiseptic-after": session_day.record_antiseptic_after,
    "finish": session_day.finish,
}


class SessionProcedure(ApiView):
    """The session day: GET its state (steps done, zones, version); POST one step, in the
    procedure's order only, refused with the screen's codes (another day, an earlier
    session open, an uncleared screening, cream not washed off, a stale ``version``...)."""

    read_permission = "patients.view_clinical"
    write_permission = "courses.run_session"
    serializer_class = StepInput

    @extend_schema(operation_id="sessions_procedure_retrieve", responses={200: DAY_ANSWER})
    def get(self, request: Request, pk: int) -> Response:
        return Response(self._state(_session(pk)))

    @extend_schema(operation_id="sessions_procedure_step", request=StepInput,
                   responses={200: DAY_ANSWER}, parameters=[IDEMPOTENCY])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        def step() -> Response:
            asked = self.body(StepInput)
            session = _session(pk)
            _step_call(asked["step"], session, asked, self.actor)
            return Response(self._state(session))

        return self.once(step)

    @staticmethod
    def _state(session: Session) -> dict[str, Any]:
        session.refresh_from_db()
        procedure = Procedure.objects.filter(session=session).prefetch_related("zones").first()
        return {
            "session": SessionSerializer(session).data,
            "procedure": ProcedureSerializer(procedure).data if procedure else None,
        }
