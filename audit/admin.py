"""The trail in the admin: read-only for everyone, superusers and managers included."""

from __future__ import annotations

from typing import Any

import pghistory.core
from django.contrib import admin
from django.http import HttpRequest

from audit.models import AccessEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete (and so no actions menu): the trail stays as written."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "action", "username", "object_type", "object_id", "method"]
    list_filter = ["kind", "action"]
    date_hierarchy = "at"


class ChangeEventAdmin(ReadOnlyAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "pgh_context"]
    list_filter = ["pgh_label"]


for _event_model in pghistory.core.event_models():
    admin.site.register(_event_model, ChangeEventAdmin)
