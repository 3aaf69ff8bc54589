"""Reports: weekly counts, the chart and the CSV export."""

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from courses.models import CourseStatus, SessionStatus
from planner import charts
from planner.reports import summarise
from reminders.models import OutboxMessage, Status
from tests.factories import manager_user
from tests.mfa import force_verified_login
from tests.queries import queries_to_get

PERIOD = {"first_day": "2026-01-01", "last_day": "2026-03-31"}


def test_summarise_folds_days_into_weeks_clipped_to_the_period():
    counts = {"sessions_done": Counter({date(2026, 1, 1): 2, date(2026, 1, 5): 1}),
              "no_shows": Counter({date(2026, 1, 6): 1, date(2026, 1, 20): 5})}  # fmt: skip
    report = summarise(date(2026, 1, 1), date(2026, 1, 12), counts)
    assert [w.starts_on for w in report.weeks] == [date(2025, 12, 29), date(2026, 1, 5),
                                                   date(2026, 1, 12)]  # fmt: skip
    assert [(w.sessions_done, w.no_shows) for w in report.weeks] == [(2, 0), (1, 1), (0, 0)]
    assert report.weeks[1].no_show_text == "50.0%"
    assert report.weeks[2].no_show_rate is None


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (20, 20), (480, 500)]
)
def test_chart_scale_rounds_up_to_a_readable_top(value, expected):
    assert charts.nice_ceiling(value) == expected


def test_chart_bars_are_proportional_and_share_a_baseline():
    chart = charts.grouped_bars(["A", "B"], ["done", "missed"], [[10, 5], [0, 2]])
    heights = [b.height for b in chart.bars]
    assert heights[0] == 2 * heights[1]
    assert heights[2] == 0
    assert {round(b.y + b.height, 2) for b in chart.bars} == {chart.baseline}
    assert chart.bars[1].title == "A: 5 missed"
    assert [t.label for t in chart.ticks] == ["0", "2", "4", "6", "8", "10"]


@pytest.fixture
def history(book, patient):
    patient.reminder_channel, patient.email_consent_at = "email", datetime(2025, 12, 1, tzinfo=UTC)
    patient.save()
    course = book(sessions_planned=4)
    outcomes = [SessionStatus.COMPLETED, SessionStatus.NO_SHOW, SessionStatus.STOPPED,
                SessionStatus.COMPLETED]  # fmt: skip
    for session, status in zip(course.sessions.order_by("number"), outcomes, strict=True):
        session.status = status
        session.save()
    course.status = CourseStatus.COMPLETED
    course.save()
    messages = list(OutboxMessage.objects.order_by("due_at"))
    for message in messages[:2]:
        message.status, message.sent_at = Status.SENT, datetime(2026, 1, 5, 9, tzinfo=UTC)
        message.save()
    messages[2].status = Status.FAILED
    messages[2].due_at = datetime(2026, 2, 2, 9, tzinfo=UTC)
    messages[2].save()
    return course


def test_report_counts_the_period(client, practitioner, history):
    force_verified_login(client, manager_user())  # reports are for managers
    response = client.get(reverse("report"), PERIOD)
    assert response.status_code == 200
    totals = response.context["report"].totals
    assert (totals.sessions_done, totals.no_shows, totals.courses_completed) == (3, 1, 1)
    assert (totals.reminders_sent, totals.reminders_failed) == (2, 1)
    assert totals.no_show_text == "25.0%"
    html = response.content.decode()
    assert "<svg" in html
    assert "25.0%" in html
    assert len(response.context["chart"].bars) == 2 * len(response.context["report"].weeks)


def test_report_outside_the_period_counts_nothing(client, practitioner, history):
    force_verified_login(client, manager_user())  # reports are for managers
    totals = client.get(reverse("report"), {"first_day": "2026-06-01", "last_day": "2026-06-30"})
    assert totals.context["report"].totals.sessions_done == 0


def test_report_csv_export(client, practitioner, history):
    force_verified_login(client, manager_user())  # reports are for managers
    response = client.get(reverse("report_csv"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="clinic-report-20260101-20260331.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["week starting", "sessions done", "no-shows"]
    assert rows[-1] == ["total", "3", "1", "25.0%", "1", "2", "1"]
    assert rows[1][0] == "2025-12-29"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"first_day": "2026-03-01", "last_day": "2026-02-01"}, "ends before it starts"),
        ({"first_day": "2024-01-01", "last_day": "2026-01-01"}, "at most 366 days"),
        ({"first_day": "yesterday", "last_day": "2026-01-01"}, "Enter a valid date"),
        ({"first_day": "2026-01-01"}, "This field is required"),
        ({"first_day": "9999-12-01", "last_day": "9999-12-31"}, "Pick dates between"),
        ({"first_day": "0001-01-01", "last_day": "0001-01-31"}, "Pick dates between"),
    ],
)
def test_bad_periods_say_why(client, practitioner, params, message):
    force_verified_login(client, manager_user())  # reports are for managers
    for name in ("report", "report_csv"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_report_defaults_to_the_last_eight_weeks(client, practitioner, now):
    force_verified_login(client, manager_user())  # reports are for managers
    report = client.get(reverse("report")).context["report"]
    assert report.last_day == date(2026, 1, 2)
    assert report.first_day == date(2025, 12, 29) - timedelta(weeks=7)
    assert len(report.weeks) == 8


def test_report_query_count_does_not_grow_with_data(client, practitioner, book, history):
    force_verified_login(client, manager_user())  # reports are for managers

    before = queries_to_get(client, reverse("report"), PERIOD)
    from tests.factories import cleared_patient

    course = book(patient=cleared_patient(practitioner.user), sessions_planned=6)
    course.sessions.update(status=SessionStatus.COMPLETED)
    assert queries_to_get(client, reverse("report"), PERIOD) == before


def test_reports_require_login(client, db):
    for name in ("report", "report_csv"):
        assert client.get(reverse(name)).status_code == 302


def test_webhook_deliveries_are_not_counted_as_reminders(client, history):
    """Issue #18: a webhook delivery is an outbox row too, but no reminder."""
    for n, status in enumerate([Status.SENT, Status.FAILED]):
        OutboxMessage.objects.create(
            kind="webhook", channel="webhook", recipient="https://crm.example/", status=status,
            due_at=datetime(2026, 2, 2, 9, tzinfo=UTC), sent_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
            dedupe_key=f"webhook:test:{n}",
        )  # fmt: skip
    force_verified_login(client, manager_user())
    totals = client.get(reverse("report"), PERIOD).context["report"].totals
    assert (totals.reminders_sent, totals.reminders_failed) == (2, 1)
