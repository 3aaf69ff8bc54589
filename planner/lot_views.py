"""Lots and their recall, and spare-needle stock, for managers (issue #19).

The recall list reads the procedures that name the lot: every session that used
it, and no other. A page of it is a fixed number of queries however many
sessions used the lot (tests/planner/test_lots.py counts them).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from audit.records import record_read
from clinic import services as clinic_services
from clinic.actors import AuthenticatedHttpRequest
from clinic.models import Lot, StockItem
from clinic.permissions import requires
from courses.lots import lots_for_recall, recall_csv_rows, recall_procedures
from planner.lot_forms import LotFilterForm, RecallForm
from planner.trail_views import spreadsheet_safe
from reminders import recall
from reminders.channels import reachable

PAGE_SIZE = 50
manage_stock = requires("clinic.manage_stock")


@manage_stock
def lot_list(request: HttpRequest) -> HttpResponse:
    """Every lot, filtered by product and status, with how many sessions used each."""
    form = LotFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "planner/lots.html", {"form": form}, status=400)
    data = form.cleaned_data if request.GET else {}
    product = data.get("product")
    lots = lots_for_recall(
        product_id=product.pk if product else None, status=data.get("status", ""),
        today=timezone.localdate(),
    )  # fmt: skip
    page = Paginator(lots, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "today": timezone.localdate()}
    return render(request, "planner/lots.html", context)


def _detail(
    request: HttpRequest, lot: Lot, recall_form: RecallForm, status: int = 200
) -> HttpResponse:
    page = Paginator(recall_procedures(lot), PAGE_SIZE).get_page(request.GET.get("page"))
    record_read(request, lot, detail="recall list")
    rows = [(p.session, bool(reachable(p.session.patient))) for p in page.object_list]
    context = {"lot": lot, "page": page, "rows": rows, "recall_form": recall_form,
               "today": timezone.localdate()}  # fmt: skip
    return render(request, "planner/lot_detail.html", context, status=status)


def _lot(pk: int) -> Lot:
    return get_object_or_404(Lot.objects.select_related("product", "recalled_by"), pk=pk)


@manage_stock
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every session that used the lot: patient, date, practitioner, status; paginated."""
    return _detail(request, _lot(pk), RecallForm(auto_id="recall_%s"))


@manage_stock
def lot_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The recall list as CSV: the session's day, patient, patient number, practitioner and
    status (what a call list needs, nothing more)."""
    lot = _lot(pk)
    record_read(request, lot, detail="recall list CSV")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recall-lot-{lot.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([gettext("session day"), gettext("patient"), gettext("patient number"),
                     gettext("practitioner"), gettext("session status")])  # fmt: skip
    for at, patient, patient_id, practitioner, status in recall_csv_rows(lot):
        cells = [timezone.localdate(at).isoformat(), patient, str(patient_id), practitioner, status]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return response


@manage_stock
@require_POST
def lot_recall(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark the lot recalled, with the reason; the acting manager is kept with it."""
    lot = _lot(pk)
    form = RecallForm(request.POST, auto_id="recall_%s")
    if not form.is_valid():
        messages.error(request, gettext("Check the highlighted fields."))
        return _detail(request, lot, form, status=400)
    try:
        clinic_services.recall_lot(lot=lot, reason=form.cleaned_data["reason"], actor=request.user)
    except clinic_services.AlreadyRecalled:
        messages.info(request, gettext("This lot was already recalled."))
    else:
        messages.success(request, gettext("Lot recalled: no session can choose it any more."))
    return redirect("lot_detail", pk=lot.pk)


@manage_stock
@require_POST
def lot_notify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Queue the recall notice to every patient treated with the lot (once each)."""
    lot = _lot(pk)
    try:
        notices = recall.queue_recall_notices(lot=lot, actor=request.user)
    except recall.NotRecalled:
        messages.error(request, gettext("Mark the lot recalled before messaging its patients."))
        return _detail(request, lot, RecallForm(auto_id="recall_%s"), status=400)
    messages.success(
        request,
        gettext("%(queued)s messages queued; %(already)s patients had been messaged before.")
        % {"queued": notices.queued, "already": notices.already},
    )
    if notices.unreachable:
        messages.warning(
            request,
            gettext(
                "%(count)s patients have no e-mail or SMS a message may go to: call them "
                "(marked in the list)."
            )
            % {"count": len(notices.unreachable)},
        )
    return redirect("lot_detail", pk=lot.pk)


@manage_stock
def stock(request: HttpRequest) -> HttpResponse:
    """Spare needles: the items to reorder first, then the rest."""
    items = sorted(
        StockItem.objects.select_related("device_type"),
        key=lambda item: (not item.needs_reorder, item.device_type.name),
    )
    return render(request, "planner/stock.html", {"items": items})
