"""Reads of the clinic's resources that several screens share (no writes)."""

from __future__ import annotations

from clinic.devices import DeviceFacts
from clinic.models import Device


def device_facts(device: Device) -> DeviceFacts:
    """What the device rules (``clinic.devices``) need to know of a device row."""
    kind = device.device_type
    return DeviceFacts(
        label=device.label, kind=kind.kind, needle_mm=kind.needle_mm, pen_min_mm=kind.pen_min_mm,
        pen_max_mm=kind.pen_max_mm, use_count=device.use_count, use_limit=device.use_limit,
        last_used_at=device.last_used_at, last_disinfected_at=device.last_disinfected_at,
        retired=device.retired, single_use_cartridges=kind.single_use_cartridges,
    )  # fmt: skip
