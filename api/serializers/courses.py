"""Courses: their request, status and sessions; the planner's proposals."""

from __future__ import annotations

from typing import Any

from courses import planning


def proposals_data(proposals: list[planning.Proposal]) -> list[dict[str, Any]]:
    """The planner's proposed sessions, as the preview shows them (with why each landed)."""
    return [
        {
            "number": p.number,
            "arrives_at": p.slot.arrives_at,
            "procedure_starts_at": p.slot.procedure_starts_at,
            "procedure_ends_at": p.slot.procedure_ends_at,
            "room": p.slot.room_id,
            "reason": str(p.reason),
        }
        for p in proposals
    ]
