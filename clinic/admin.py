"""Admin for clinic-wide resources."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic import services
from clinic.models import (
    Absence,
    Clinic,
    Closure,
    Device,
    DeviceType,
    Disinfection,
    OpeningHours,
    Practitioner,
    Product,
    Room,
    WorkerHeartbeat,
    WorkingHours,
)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email"]
    fieldsets = [
        ("Contact (shown to patients)", {"fields": ["name", "phone", "email", "address"]}),
        ("Patients", {"fields": ["screening_valid_days", "deferral_days", "adult_age"]}),
        (
            "Courses and sessions",
            {
                "fields": [
                    "min_sessions", "max_sessions", "max_gap_weeks", "cream_from_mm",
                    "cream_minutes", "slot_step_minutes",
                ],
                "description": "Minimum gaps by needle length are under Courses > Minimum gaps.",
            },
        ),
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Clinic.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Clinic | None = None) -> bool:
        return False


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    inlines = [WorkingHoursInline]
    list_display = [
        "__str__", "job_title", "is_bookable", "user__email", "user__is_active", "has_feed",
    ]  # fmt: skip
    list_filter = ["is_bookable", "job_title", "user__is_active"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke_calendar_feeds"]

    @admin.display(description="Calendar feed", boolean=True)
    def has_feed(self, practitioner: Practitioner) -> bool:
        return bool(practitioner.feed_token)

    @admin.action(description="Turn off their calendar feeds (the secret addresses stop working)")
    def revoke_calendar_feeds(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> None:
        for practitioner in queryset.exclude(feed_token=None):
            services.turn_off_calendar_feed(practitioner=practitioner)
        self.message_user(request, "Calendar feeds turned off.")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]
    readonly_fields = ["name", "seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["is_active"]
    search_fields = ["name"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]
    list_filter = ["weekday"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "starts_on", "ends_on"]
    search_fields = ["reason"]
    date_hierarchy = "starts_on"


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "starts", "ends"]
    list_filter = ["weekday", "practitioner"]
    list_select_related = ["practitioner__user"]
    search_fields = ["practitioner__user__first_name", "practitioner__user__last_name"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "starts_at", "ends_at", "reason"]
    list_filter = ["practitioner"]
    list_select_related = ["practitioner__user"]
    search_fields = ["practitioner__user__first_name", "practitioner__user__last_name", "reason"]
    date_hierarchy = "starts_at"


@admin.register(DeviceType)
class DeviceTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "needle_mm",
        "pen_min_mm",
        "pen_max_mm",
        "needle_count",
        "material",
    ]
    list_filter = ["kind", "material", "sharpening"]
    search_fields = ["name"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["label", "device_type", "use_count", "use_limit", "last_used_at",
                    "last_disinfected_at", "retired"]  # fmt: skip
    list_filter = ["retired", "device_type"]
    search_fields = ["label"]
    list_select_related = ["device_type"]
    readonly_fields = ["use_count", "last_used_at", "last_disinfected_at"]


@admin.register(Disinfection)
class DisinfectionAdmin(admin.ModelAdmin):
    list_display = ["device", "moment", "done_at", "done_by"]
    list_filter = ["moment", "device"]
    date_hierarchy = "done_at"
    list_select_related = ["device__device_type", "done_by"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "texture", "low_molecular_weight", "is_active"]
    list_filter = ["texture", "low_molecular_weight", "is_active"]
    search_fields = ["name"]
