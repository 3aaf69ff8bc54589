from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from clinic.devices import DeviceFacts, device_problems, needs_disinfection

T = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def roller(**changes):
    values = {
        "label": "D-01", "kind": "roller", "needle_mm": Decimal("0.5"), "pen_min_mm": None,
        "pen_max_mm": None, "use_count": 3, "use_limit": 20, "last_used_at": T,
        "last_disinfected_at": T + timedelta(minutes=30), "retired": False,
        "single_use_cartridges": False,
    }  # fmt: skip
    values.update(changes)
    return DeviceFacts(**values)


def pen(**changes):
    return roller(kind="pen", needle_mm=None, pen_min_mm=Decimal("0.25"),
                  pen_max_mm=Decimal("2.0"), single_use_cartridges=True, **changes)  # fmt: skip


def codes(device, needle="0.5"):
    return [p.code for p in device_problems(device, Decimal(needle))]


@pytest.mark.parametrize(
    ("device", "needle", "expected"),
    [
        (roller(), "0.5", []),
        (roller(use_count=19), "0.5", []),
        (roller(use_count=20), "0.5", ["device_worn"]),
        (roller(retired=True), "0.5", ["device_retired"]),
        (roller(), "1.0", ["device_needle_mismatch"]),
        (roller(last_disinfected_at=T - timedelta(minutes=1)), "0.5", ["device_not_disinfected"]),
        (roller(last_disinfected_at=T), "0.5", ["device_not_disinfected"]),  # same moment as use
        (roller(last_used_at=None, last_disinfected_at=None), "0.5", ["device_not_disinfected"]),
        (roller(last_used_at=None), "0.5", []),
        (pen(), "1.5", []),
        (pen(), "2.5", ["device_needle_mismatch"]),
        (pen(last_disinfected_at=None), "1.0", []),  # sterile single-use cartridges
        (roller(use_count=25, retired=True), "1.0",
         ["device_retired", "device_worn", "device_needle_mismatch"]),
    ],
)  # fmt: skip
def test_device_may_be_used_only_when_sharp_clean_and_matching(device, needle, expected):
    assert codes(device, needle) == expected


def test_needs_disinfection_until_cleaned_after_last_use():
    assert needs_disinfection(roller(last_disinfected_at=T - timedelta(hours=1)))
    assert not needs_disinfection(roller())
