"""Admin for the treatment catalogue and for courses (read-mostly: change them in the planner)."""

from __future__ import annotations

from django.contrib import admin

from audit.admin_reads import ReadRecordedAdmin
from clinic.admin import CheckedModelAdmin, ServiceWrittenAdmin, ServiceWrittenInline
from courses.models import (
    AftercareSheet,
    Course,
    Indication,
    MinimumGap,
    NeedleChange,
    OutcomeGrade,
    Procedure,
    Satisfaction,
    Session,
    SessionChange,
    TreatmentArea,
    ZoneRecord,
)


@admin.register(Indication)
class IndicationAdmin(CheckedModelAdmin):
    list_display = ["name", "code", "refused", "outcome_scale", "is_active"]
    list_filter = ["refused", "is_active"]
    search_fields = ["name", "code"]


@admin.register(TreatmentArea)
class TreatmentAreaAdmin(CheckedModelAdmin):
    list_display = [
        "name",
        "region",
        "needle_min_mm",
        "needle_max_mm",
        "procedure_minutes",
        "is_active",
    ]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "code"]


@admin.register(MinimumGap)
class MinimumGapAdmin(CheckedModelAdmin):
    list_display = ["up_to_mm", "min_weeks"]
    list_editable = ["min_weeks"]


class SessionInline(ServiceWrittenInline):
    model = Session
    fields = readonly_fields = (
        "number", "arrives_at", "procedure_starts_at", "procedure_ends_at", "room", "status"
    )  # fmt: skip


@admin.register(Course)
class CourseAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    """Courses are planned, confirmed and cancelled in the planner, which checks the rules."""

    list_display = [
        "patient",
        "indication",
        "area",
        "needle_mm",
        "practitioner",
        "status",
        "created_at",
    ]
    list_filter = ["status", "indication", "area", "practitioner"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "indication", "area", "practitioner__user"]
    readonly_fields = ["patient", "created_by", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    """Sessions move through the planner's screens, which keep the rules and history."""

    list_display = ["course", "number", "arrives_at", "practitioner", "room", "status"]
    list_filter = ["status", "practitioner", "room"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["course__indication", "course__area", "practitioner__user", "room"]
    date_hierarchy = "arrives_at"


@admin.register(SessionChange)
class SessionChangeAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    list_display = [
        "session",
        "kind",
        "from_arrives_at",
        "to_arrives_at",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["kind"]
    date_hierarchy = "changed_at"


class ZoneInline(ServiceWrittenInline):
    model = ZoneRecord


class NeedleChangeInline(ServiceWrittenInline):
    model = NeedleChange


@admin.register(Procedure)
class ProcedureAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    """The day's record, for audit; it is written through the session screen."""

    list_display = ["session", "checked_in_at", "started_at", "finished_at", "device", "end_point"]
    list_filter = ["end_point"]
    date_hierarchy = "checked_in_at"
    list_select_related = ["session", "device__device_type"]
    inlines = [ZoneInline, NeedleChangeInline]


@admin.register(AftercareSheet)
class AftercareSheetAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    """Written when a session ends; what the patient was given, so never edited here."""

    list_display = ["session", "created_at"]
    date_hierarchy = "created_at"


@admin.register(OutcomeGrade)
class OutcomeGradeAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    """Grades, for audit; recorded on the course page (courses.outcome_services)."""

    list_display = ["course", "session", "scale", "grade", "recorded_at", "recorded_by"]
    list_filter = ["scale"]
    date_hierarchy = "recorded_at"
    list_select_related = ["course", "session", "recorded_by"]


@admin.register(Satisfaction)
class SatisfactionAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    """The patients' scores, for audit; given on their course page or recorded by staff."""

    list_display = ["session", "score", "source", "recorded_at"]
    list_filter = ["source"]
    date_hierarchy = "recorded_at"
    list_select_related = ["session"]
