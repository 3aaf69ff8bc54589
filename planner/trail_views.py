"""The audit trail for managers: clinic-wide with filters and CSV, and per patient."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from audit.trail import Filters, TrailRow, complete, trail
from clinic.permissions import requires
from patients.models import Patient
from planner.trail import patient_filters
from planner.trail_forms import TrailFilterForm

PAGE_SIZE = 50
CSV_MAX_ROWS = 100_000
view_trail = requires("audit.view_trail")


def _filters(request: HttpRequest) -> tuple[TrailFilterForm, Filters | None]:
    form = TrailFilterForm(request.GET or None)
    if not request.GET:
        return form, Filters()
    return form, form.filters() if form.is_valid() else None


def _page(request: HttpRequest, filters: Filters) -> tuple[object, list[TrailRow]]:
    page = Paginator(trail(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return page, complete(page.object_list)


@view_trail
def trail_list(request: HttpRequest) -> HttpResponse:
    """Every read, change, authentication event and refusal, newest first."""
    form, filters = _filters(request)
    context: dict[str, object] = {"form": form, "patient": None}
    if filters is None:
        return render(request, "planner/trail.html", context, status=400)
    context["page"], context["rows"] = _page(request, filters)
    return render(request, "planner/trail.html", context)


@view_trail
def patient_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who saw or changed this patient's record (and everything under it)."""
    patient = get_object_or_404(Patient, pk=pk)
    form, filters = _filters(request)
    context: dict[str, object] = {"form": form, "patient": patient}
    if filters is None:
        return render(request, "planner/trail.html", context, status=400)
    context["page"], context["rows"] = _page(request, patient_filters(patient.pk, filters))
    return render(request, "planner/trail.html", context)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: one starting like a formula (``=``,
    ``+``, ``-``, ``@``, tab, return; OWASP "CSV injection") gets a leading apostrophe.
    The trail holds text anyone can type (the user name of a failed log-in, a path)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_value(row: TrailRow) -> list[str]:
    changes = "; ".join(f"{name}: {old!s} -> {new!s}" for name, old, new in row.changes)
    cells = [
        row.at.isoformat(), row.kind, row.action, row.who, str(row.user_id or ""),
        row.object_type, row.object_id, row.method, row.path, row.request_id, row.detail, changes,
    ]  # fmt: skip
    return [spreadsheet_safe(str(cell)) for cell in cells]


@view_trail
def trail_csv(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV (at most ``CSV_MAX_ROWS`` rows, newest first)."""
    form, filters = _filters(request)
    if filters is None:
        return render(request, "planner/trail.html", {"form": form}, status=400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    writer = csv.writer(response)
    writer.writerow([_("when"), _("kind"), _("action"), _("who"), _("user id"),
                     _("object type"), _("object id"), _("method"), _("path"),
                     _("request id"), _("detail"), _("changes")])  # fmt: skip
    keys = trail(filters)[:CSV_MAX_ROWS]
    for start in range(0, len(keys), 500):
        for row in complete(keys[start : start + 500]):
            writer.writerow(_csv_value(row))
    return response
