"""Reads of a patient's data in the admin are recorded like the planner's own pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from audit.records import READ_METHODS, record_read


class ReadRecordedAdmin(admin.ModelAdmin):
    """A change (or view-only) page of a patient's record or clinical data leaves a read
    record, as the patient page does: noted here, written once the page is shown (a GET
    or HEAD answered 2xx; ``AuditContextMiddleware``). Put it first among the bases."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method in READ_METHODS:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                record_read(request, obj, detail="admin")
        return super().change_view(request, object_id, form_url, extra_context)
