"""What the API's writes take: strict JSON bodies, checked as the screens' forms check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from rest_framework import serializers

from api.serializers.base import Day, LocalTime, Moment, Strict
from clinic.models import Device, DisinfectionMoment, Lot, Practitioner, Product, Weekday
from clinic.regions import BodyRegion
from courses.models import EndPoint, Indication, TreatmentArea
from patients.models import Patient
from patients.screening import Answers

MAX_ID = 2**62


def ref(queryset: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=queryset)


def text(max_length: int, *, required: bool = False) -> serializers.CharField:
    if required:
        return serializers.CharField(max_length=max_length)
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default=""
    )


class NeedleLength(serializers.DecimalField):
    """Millimetres, 0.1 to 3.0, two decimals at most, kept as typed (as the planner form
    keeps it, so a refusal reads the same: "1.5 mm")."""

    def __init__(self) -> None:
        super().__init__(
            max_digits=3, decimal_places=2, min_value=Decimal("0.1"), max_value=Decimal("3.0")
        )

    def to_internal_value(self, data: Any) -> Decimal:
        checked = super().to_internal_value(data)
        typed = Decimal(str(data).strip())
        return typed if typed == checked else checked


class PlanInput(Strict):
    """The course planner's form: what to treat, how, with whom, from when."""

    patient = ref(Patient.objects.all())
    indication = ref(Indication.objects.filter(is_active=True))
    area = ref(TreatmentArea.objects.filter(is_active=True))
    needle_mm = NeedleLength()
    sessions_planned = serializers.IntegerField(min_value=1, max_value=12)
    target_gap_weeks = serializers.IntegerField(min_value=1, max_value=26)
    practitioner = ref(Practitioner.objects.filter(is_bookable=True, user__is_active=True))
    preferred_weekday = serializers.ChoiceField(
        choices=Weekday.choices, allow_null=True, required=False, default=None
    )
    preferred_time = LocalTime()
    start_on = Day(help_text="The first session on or after this day.")
    needle_override_reason = text(2000)
    gap_override_reason = text(2000)


class ConfirmInput(Strict):
    expected_arrivals = serializers.ListField(
        child=Moment(), required=False, allow_null=True, default=None, max_length=12,
        help_text="The previewed arrival times: if the calendar changed since, nothing is "
        "booked and the answer (409, plan_changed) carries the new proposal.",
    )  # fmt: skip


class RescheduleInput(Strict):
    new_day = Day()
    new_time = LocalTime()
    scope = serializers.ChoiceField(choices=[("this", "this"), ("following", "following")])
    reason = text(500)
    override_reason = text(500)
    version = serializers.IntegerField(
        min_value=0, max_value=10**9, required=False, allow_null=True, default=None,
        help_text="The session's schedule_version as last read: a session changed since is "
        "not moved (409, stale).",
    )  # fmt: skip


class CancelInput(Strict):
    reason = text(500, required=True)


class EmptyInput(Strict):
    """No members (an empty object, or no body)."""


class ScreeningInput(Strict):
    """The contraindication questionnaire; the result is computed, never sent."""

    herpes_active = serializers.BooleanField(default=False)
    acne_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyRegion.choices), default=list, max_length=20
    )
    rosacea = serializers.BooleanField(default=False)
    wart_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyRegion.choices), default=list, max_length=20
    )
    eczema_psoriasis_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyRegion.choices), default=list, max_length=20
    )
    anticoagulants = serializers.BooleanField(default=False)
    keloid_tendency = serializers.BooleanField(default=False)
    notes = text(5000)
    caution_decision = serializers.ChoiceField(
        choices=[("approve", "approve"), ("decline", "decline")], allow_null=True,
        required=False, default=None,
    )  # fmt: skip
    caution_reason = text(2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        decision = attrs.get("caution_decision")
        if decision and not attrs.get("rosacea"):
            raise serializers.ValidationError(
                {"caution_decision": [gettext("A decision is only recorded for rosacea.")]}
            )
        if decision and not attrs.get("caution_reason", "").strip():
            raise serializers.ValidationError(
                {"caution_reason": [gettext("Write the reason for the decision.")]}
            )
        return attrs

    @staticmethod
    def answers(data: dict[str, Any]) -> Answers:
        return Answers(
            herpes_active=data["herpes_active"],
            acne_regions=frozenset(data["acne_regions"]),
            rosacea=data["rosacea"],
            wart_regions=frozenset(data["wart_regions"]),
            eczema_psoriasis_regions=frozenset(data["eczema_psoriasis_regions"]),
            anticoagulants=data["anticoagulants"],
            keloid_tendency=data["keloid_tendency"],
        )


# The session day's steps (courses.session_day), in the procedure's order, and what each
# takes besides ``step``. Every step after check-in carries the procedure's version.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "check-in": (),
    "cream-on": ("version",),
    "cream-off": ("version",),
    "antiseptic-before": ("version",),
    "disinfect": ("device", "moment"),
    "materials": ("version", "product", "lot", "device"),
    "start": ("version",),
    "passes": ("version", "zone", "horizontal", "vertical", "diagonal", "note"),
    "remove-zone": ("version", "zone_id"),
    "needle": ("version", "note"),
    "antiseptic-after": ("version",),
    "finish": ("version", "end_point", "notes", "stop_reason"),
}
OPTIONAL_STEP_FIELDS = frozenset({"note", "notes", "stop_reason"})
NEEDLE_NOTE_LENGTH = 200  # NeedleChange.note


class StepInput(Strict):
    """One step of the session day; the members a step takes are listed with ``step``."""

    step = serializers.ChoiceField(choices=[(name, name) for name in STEP_FIELDS])
    version = serializers.IntegerField(min_value=1, max_value=10**9, required=False)
    device = serializers.PrimaryKeyRelatedField(
        queryset=Device.objects.filter(retired=False), required=False
    )
    moment = serializers.ChoiceField(choices=DisinfectionMoment.choices, required=False)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True), required=False
    )
    # Any lot: whether it may be used that day (expired, recalled, another product's) is
    # the session-day service's rule (clinic.stock.lot_problems), refused with its code.
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all(), required=False)
    zone = serializers.CharField(max_length=60, required=False)
    horizontal = serializers.IntegerField(min_value=0, max_value=30, required=False)
    vertical = serializers.IntegerField(min_value=0, max_value=30, required=False)
    diagonal = serializers.IntegerField(min_value=0, max_value=30, required=False)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    zone_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    end_point = serializers.ChoiceField(choices=EndPoint.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    stop_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        takes = STEP_FIELDS[attrs["step"]]
        errors: dict[str, list[str]] = {}
        for name in attrs:
            if name != "step" and name not in takes:
                errors[name] = [gettext("Not taken by this step.")]
        for name in takes:
            if name not in attrs and name not in OPTIONAL_STEP_FIELDS:
                errors[name] = [gettext("This field is required.")]
        if attrs["step"] == "needle" and len(attrs.get("note", "")) > NEEDLE_NOTE_LENGTH:
            errors["note"] = [
                gettext("At most %(count)d characters.") % {"count": NEEDLE_NOTE_LENGTH}
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
