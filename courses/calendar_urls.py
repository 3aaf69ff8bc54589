"""Calendars, the free-slot planner entry and the practitioners' iCalendar feeds."""

from datetime import date

from django.urls import path, register_converter

from courses import calendar_views


class DateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError (e.g. 2026-02-30): no match, so a 404

    def to_url(self, value: date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


register_converter(DateConverter, "isodate")

app_name = "calendar"

urlpatterns = [
    path("", calendar_views.calendar_home, name="home"),
    path(
        "<str:kind>/<int:pk>/<str:view>/<isodate:day>/",
        calendar_views.calendar_page,
        name="show",
    ),
    path("plan/", calendar_views.plan_at, name="plan"),
    path("plan/replacement/<int:course_pk>/", calendar_views.replacement_at, name="replacement"),
    path("feed/", calendar_views.feed_settings, name="feed_settings"),
    path("feed/<slug:action>/", calendar_views.feed_change, name="feed_change"),
    path("feed/<str:token>.ics", calendar_views.feed, name="feed"),
]
