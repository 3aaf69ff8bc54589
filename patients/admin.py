"""Admin for patient records. Screenings and consents are read-only records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
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
    list_display = ["patient", "taken_at", "result", "source", "taken_by"]
    list_filter = ["result", "source", "taken_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "taken_by"]
    date_hierarchy = "taken_at"


@admin.register(CautionDecision)
class CautionDecisionAdmin(ReadRecordedAdmin, ReadOnlyRecordAdmin):
    list_display = ["screening", "approved", "decided_by", "decided_at"]
    list_filter = ["approved", "decided_at"]
    search_fields = ["screening__patient__last_name", "screening__patient__first_name"]


def sheet_language_choices() -> list[tuple[str, str]]:
    """The patients' languages (a sheet in another would never be shown)."""
    return list(settings.PATIENT_LANGUAGES)


class InformationSheetForm(forms.ModelForm):
    language = forms.ChoiceField(choices=sheet_language_choices)

    class Meta:
        model = InformationSheet
        fields = ["language", "version", "title", "text", "published_on"]


@admin.register(InformationSheet)
class InformationSheetAdmin(CheckedModelAdmin):
    """Information sheets, one language each. A sheet someone consented on is kept as it
    was read (its consents keep the hash of its text): publish a new version instead."""

    form = InformationSheetForm
    list_display = ["version", "language", "title", "published_on"]
    list_filter = ["language"]
    search_fields = ["version", "title"]
    date_hierarchy = "published_on"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and ProcedureConsent.objects.filter(sheet=obj).exists():
            return ["language", "version", "title", "text", "published_on"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and ProcedureConsent.objects.filter(sheet=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ProcedureConsent)
class ProcedureConsentAdmin(ReadRecordedAdmin, ReadOnlyRecordAdmin):
    list_display = ["patient", "sheet", "accepted_at", "source", "method", "witnessed_by"]
    list_filter = ["sheet", "source", "method", "accepted_at"]
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
