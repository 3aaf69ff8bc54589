"""The manager's retry-by-period form: its longest period, at the edges."""

import pytest

from reminders.forms import RetryPeriodForm


@pytest.mark.parametrize(
    ("start", "end", "valid"),
    [
        ("2024-01-01", "2024-12-31", True),  # a leap year, both days included
        ("2025-01-01", "2025-12-31", True),
        ("2024-12-31", "2026-01-01", False),  # 367 days
        ("2025-01-01", "2025-01-01", True),  # one day
    ],
)
def test_a_period_is_at_most_a_year_with_both_ends_included(start, end, valid, now):
    form = RetryPeriodForm({"start": start, "end": end})
    assert form.is_valid() == valid
