"""Benchmarks (``make bench``): speed and memory targets, reported, never asserted in tests."""

import statistics


def median_and_p95(timings: list[float]) -> dict[str, float]:
    """Median and 95th percentile (nearest rank) of millisecond timings, rounded."""
    ordered = sorted(timings)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(int(0.95 * len(ordered)) - 1, 0)], 1),
    }
