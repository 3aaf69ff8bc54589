"""Whether a device may be used for a session (pure; DOMAIN.md, "The device").

An expired (dull) device must not be used; devices are disinfected before and
after every use (dermapens with sterile single-use cartridges excepted); the
needle length must be the session's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class DeviceFacts:
    label: str
    kind: str  # "roller" or "pen"
    needle_mm: Decimal | None
    pen_min_mm: Decimal | None
    pen_max_mm: Decimal | None
    use_count: int
    use_limit: int
    last_used_at: datetime | None
    last_disinfected_at: datetime | None
    retired: bool
    single_use_cartridges: bool


@dataclass(frozen=True)
class DeviceProblem:
    code: str
    message: str


def needs_disinfection(device: DeviceFacts) -> bool:
    """True until a disinfection is recorded after the last use (or ever, if unused)."""
    if device.single_use_cartridges:
        return False
    if device.last_disinfected_at is None:
        return True
    return device.last_used_at is not None and device.last_disinfected_at <= device.last_used_at


def fits_needle(device: DeviceFacts, needle_mm: Decimal) -> bool:
    if device.kind == "pen":
        return (
            device.pen_min_mm is not None
            and device.pen_max_mm is not None
            and device.pen_min_mm <= needle_mm <= device.pen_max_mm
        )
    return device.needle_mm == needle_mm


def device_problems(device: DeviceFacts, needle_mm: Decimal) -> list[DeviceProblem]:
    """Every reason the device may not be used at ``needle_mm``; empty when it may."""
    problems = []
    if device.retired:
        problems.append(DeviceProblem("device_retired", f"{device.label} is retired."))
    if device.use_count >= device.use_limit:
        problems.append(
            DeviceProblem(
                "device_worn",
                f"{device.label} has reached its limit of {device.use_limit} uses: its needles "
                "are dull.",
            )
        )
    if not fits_needle(device, needle_mm):
        problems.append(
            DeviceProblem(
                "device_needle_mismatch", f"{device.label} does not have {needle_mm} mm needles."
            )
        )
    if needs_disinfection(device):
        problems.append(
            DeviceProblem(
                "device_not_disinfected",
                f"{device.label} has not been disinfected since its last use.",
            )
        )
    return problems
