"""Admin for clinic-wide resources."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from clinic.models import Clinic, Practitioner, WorkerHeartbeat


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Clinic.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Clinic | None = None) -> bool:
        return False


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "job_title", "is_bookable", "user__email", "user__is_active"]
    list_filter = ["is_bookable", "job_title", "user__is_active"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]
    readonly_fields = ["name", "seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
