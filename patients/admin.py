"""Admin for patient records. Screenings and consents are read-only records."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_reads import ReadRecordedAdmin
from clinic.admin import CheckedModelAdmin
from patients.models import (
    CautionDecision,
    HomeRoller,
    HomeUse,
    InformationSheet,
    Patient,
    ProcedureConsent,
    Screening,
)


class ReadOnlyRecordAdmin(CheckedModelAdmin):
    """Clinical records are written by the planner's screens, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(ReadRecordedAdmin, CheckedModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "date_of_birth",
        "phone",
        "email",
        "reminder_channel",
    ]
    list_filter = ["reminder_channel", "language", "fitzpatrick_type", "latest_screening__result"]
    search_fields = ["last_name", "first_name", "email", "phone"]
    readonly_fields = ["latest_screening", "latest_consent", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    list_per_page = 50


@admin.register(Screening)
class ScreeningAdmin(ReadRecordedAdmin, ReadOnlyRecordAdmin):
    list_display = ["patient", "taken_at", "result", "taken_by"]
    list_filter = ["result", "taken_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "taken_by"]
    date_hierarchy = "taken_at"


@admin.register(CautionDecision)
class CautionDecisionAdmin(ReadRecordedAdmin, ReadOnlyRecordAdmin):
    list_display = ["screening", "approved", "decided_by", "decided_at"]
    list_filter = ["approved", "decided_at"]
    search_fields = ["screening__patient__last_name", "screening__patient__first_name"]


@admin.register(InformationSheet)
class InformationSheetAdmin(CheckedModelAdmin):
    list_display = ["version", "title", "published_on"]
    search_fields = ["version", "title"]
    date_hierarchy = "published_on"


@admin.register(ProcedureConsent)
class ProcedureConsentAdmin(ReadRecordedAdmin, ReadOnlyRecordAdmin):
    list_display = ["patient", "sheet", "accepted_at", "witnessed_by"]
    list_filter = ["sheet", "accepted_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "sheet", "witnessed_by"]


class HomeUseInline(admin.TabularInline):
    """The patient's log of a roller: written on their course page only."""

    model = HomeUse
    fields = ("used_at", "disinfected", "logged_at")
    readonly_fields = ("used_at", "disinfected", "logged_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(HomeRoller)
class HomeRollerAdmin(ReadRecordedAdmin, ReadOnlyRecordAdmin):
    """Home rollers recommended from the staff course page, with the patient's log."""

    list_display = ["patient", "needle_mm", "recommended_at", "recommended_by"]
    list_filter = ["recommended_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "recommended_by"]
    inlines = [HomeUseInline]
