"""``/api/v1/``: every operation of the API, and its OpenAPI schema."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, register_converter


class IdConverter:
    """A record id: 1 to 18 digits (a longer number is no id, and would overflow a query)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

from api.views import clinic, courses, me, outbox, patients, planning, session_writes, sessions  # noqa: E402, I001
from api.views.schema import SchemaView  # noqa: E402

app_name = "api"

urlpatterns = [
    # The contract, public (it holds no data): tests/api/test_schema.py keeps api/openapi.yaml
    # equal to it.
    path("schema/", login_not_required(SchemaView.as_view()), name="schema"),
    path("me/", me.MeView.as_view(), name="me"),
    path("catalogue/indications/", clinic.IndicationList.as_view(), name="indications"),
    path("catalogue/areas/", clinic.AreaList.as_view(), name="areas"),
    path("practitioners/", clinic.PractitionerList.as_view(), name="practitioners"),
    path("rooms/", clinic.RoomList.as_view(), name="rooms"),
    path("availability/", clinic.Availability.as_view(), name="availability"),
    path("patients/", patients.PatientList.as_view(), name="patients"),
    path("patients/<id:pk>/", patients.PatientDetail.as_view(), name="patient"),
    path("patients/<id:pk>/screenings/", patients.ScreeningList.as_view(), name="screenings"),
    path("patients/<id:pk>/consents/", patients.ConsentList.as_view(), name="consents"),
    path("courses/", courses.CourseList.as_view(), name="courses"),
    path("courses/plan/", planning.CoursePlan.as_view(), name="course_plan"),
    path("courses/<id:pk>/confirm/", planning.CourseConfirm.as_view(), name="course_confirm"),
    path("courses/<id:pk>/", courses.CourseDetail.as_view(), name="course"),
    path("sessions/", sessions.SessionList.as_view(), name="sessions"),
    path("sessions/<id:pk>/", sessions.SessionDetail.as_view(), name="session"),
    path(
        "sessions/<id:pk>/reschedule/",
        session_writes.SessionReschedule.as_view(),
        name="session_reschedule",
    ),
    path("sessions/<id:pk>/cancel/", session_writes.SessionCancel.as_view(), name="session_cancel"),
    path(
        "sessions/<id:pk>/no-show/", session_writes.SessionNoShow.as_view(), name="session_no_show"
    ),
    path(
        "sessions/<id:pk>/confirm/", session_writes.SessionConfirm.as_view(), name="session_confirm"
    ),
    path(
        "sessions/<id:pk>/procedure/",
        session_writes.SessionProcedure.as_view(),
        name="session_procedure",
    ),
    path("outbox/", outbox.OutboxList.as_view(), name="outbox"),
    path("outbox/<id:pk>/", outbox.OutboxDetail.as_view(), name="outbox_message"),
    path("outbox/<id:pk>/retry/", outbox.OutboxRetry.as_view(), name="outbox_retry"),
]
