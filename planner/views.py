"""Site-wide pages: home (the today board) and the reports."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.actors import AuthenticatedHttpRequest
from clinic.models import Clinic, Practitioner
from clinic.permissions import requires
from courses import board
from courses.services import clinic_tz
from planner import charts
from planner.forms import PeriodForm
from planner.outcome_report import outcome_csv_rows, outcome_groups
from planner.reports import build_report, csv_rows, monday_of
from reminders.health import paused_notices


@requires("planner.view_board")
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The today board: the logged-in cosmetologist's sessions (or everyone's)."""
    own = Practitioner.objects.filter(user=request.user, is_bookable=True).first()
    show_all = own is None or request.GET.get("all") == "1"
    now = timezone.now()
    sessions = board.sessions_of_day(timezone.localdate(now), None if show_all else own)
    context = {
        "rows": board.board_rows(sessions, now=now, clinic=Clinic.for_request(request)),
        "show_all": show_all,
        "can_choose": own is not None,
        "server_now": now,
        "refresh_seconds": board.REFRESH_SECONDS,
        # In the refreshed part too: an open board shows a relay going down and coming back.
        "notices": paused_notices(now),
    }
    template = "planner/_board.html" if request.GET.get("fragment") else "planner/home.html"
    return render(request, template, context)


REPORT_SERIES = [_("sessions done"), _("no-shows")]


def _report_period(request: HttpRequest) -> PeriodForm:
    today = timezone.localdate()
    defaults = {"first_day": monday_of(today) - timedelta(weeks=7), "last_day": today}
    return PeriodForm(request.GET or {k: v.isoformat() for k, v in defaults.items()})


@requires("planner.view_reports")
def report(request: HttpRequest) -> HttpResponse:
    """Sessions, no-shows, completed courses and reminders over a period, with a chart."""
    form = _report_period(request)
    if not form.is_valid():
        return render(request, "planner/report.html", {"form": form}, status=400)
    result = build_report(**form.cleaned_data, tz=clinic_tz())
    chart = charts.grouped_bars(
        [date_format(w.starts_on, "d M") for w in result.weeks], [str(s) for s in REPORT_SERIES],
        [[w.sessions_done, w.no_shows] for w in result.weeks],
    )  # fmt: skip
    context = {"form": form, "report": result, "chart": chart,
               "series": [str(s) for s in REPORT_SERIES],
               "outcomes": outcome_groups(**form.cleaned_data, tz=clinic_tz()),
               "export_query": request.GET.urlencode()}  # fmt: skip
    return render(request, "planner/report.html", context)


def _unreadable_period(form: PeriodForm) -> HttpResponse:
    problems = " ".join(map(str, form.errors.get("__all__", []))) + " ".join(
        f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items() if k != "__all__"
    )
    return HttpResponse(
        gettext("The period could not be read: %(problems)s") % {"problems": problems},
        status=400, content_type="text/plain; charset=utf-8",
    )  # fmt: skip


def _csv(name: str, rows: list[list[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv.writer(response).writerows(rows)
    return response


@requires("planner.view_reports")
def report_csv(request: HttpRequest) -> HttpResponse:
    """The report's weekly table as CSV."""
    form = _report_period(request)
    if not form.is_valid():
        return _unreadable_period(form)
    result = build_report(**form.cleaned_data, tz=clinic_tz())
    name = f"clinic-report-{result.first_day:%Y%m%d}-{result.last_day:%Y%m%d}.csv"
    return _csv(name, csv_rows(result))


@requires("planner.view_reports")
def report_outcomes_csv(request: HttpRequest) -> HttpResponse:
    """The period's average improvement per indication and needle length, as CSV."""
    form = _report_period(request)
    if not form.is_valid():
        return _unreadable_period(form)
    first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    groups = outcome_groups(first, last, tz=clinic_tz())
    return _csv(f"clinic-outcomes-{first:%Y%m%d}-{last:%Y%m%d}.csv", outcome_csv_rows(groups))
