"""The patient's aftercare sheet, built from the session (pure; DOMAIN.md, "Aftercare").

Recovery time by needle depth is the project's reading of "from several days to a
couple of weeks, depending on depth".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

RECOVERY_BY_DEPTH = [  # needles up to (mm), what to expect
    (Decimal("0.5"), "1 to 3 days"),
    (Decimal("1.0"), "3 to 5 days"),
    (Decimal("1.5"), "about a week"),
    (Decimal("99"), "up to two weeks"),
]


# Signs of infection after the first days' normal redness and swelling (the project's
# patient-safety wording; the hours are those of the sheet's "what to expect").
NORMAL_SWELLING_HOURS = 48
WARNING_SIGNS = [
    "redness that spreads or gets stronger instead of fading",
    f"pain or swelling that increases after the first {NORMAL_SWELLING_HOURS} hours",
    "pus, or yellow crusts, on the treated skin",
    "a fever, or feeling hot and unwell",
    "red streaks spreading out from the treated area",
]


@dataclass(frozen=True)
class AftercareFacts:
    patient_first_name: str
    treated_on: datetime  # local
    area: str
    needle_mm: Decimal
    end_point: str  # EndPoint label, or ""
    skin_risks: list[tuple[str, str]]
    next_session: datetime | None  # local
    time_zone: str
    clinic_name: str
    clinic_phone: str


def recovery_time(needle_mm: Decimal) -> str:
    return next(text for up_to, text in RECOVERY_BY_DEPTH if needle_mm <= up_to)


def _day(moment: datetime) -> str:
    """The day without a leading zero ("Tuesday 3 March 2026"), as every message writes it."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def build_aftercare(facts: AftercareFacts) -> str:
    """Plain text, printable and sendable as it is."""
    lines = [
        f"Aftercare for {facts.patient_first_name}",
        f"Treated on {_day(facts.treated_on)} ({facts.area}, {facts.needle_mm} mm needles).",
        "",
        "What to expect",
        "- Redness and some swelling are normal. "
        f"Full recovery takes {recovery_time(facts.needle_mm)}.",
    ]
    if facts.end_point == "pinpoint_bleeding" or facts.needle_mm >= Decimal("1.5"):
        lines.append("- Tiny scabs where the skin bled may form; let them fall off on their own.")
    lines += [
        "",
        "Protect your skin",
        "- Sun protection matters most: use a broad-spectrum SPF 50+ every day, in any weather.",
        "- Cleanse with a gentle, non-foaming cleanser.",
        "- Use products for sensitive skin: soothing, barrier-repairing, hyaluronic-acid care.",
        "- Avoid make-up, saunas, swimming pools and exfoliating products for 24 to 48 hours.",
    ]
    if facts.skin_risks:
        lines += ["", "Because of your skin type"]
        lines += [f"- {label}: {risk}" for label, risk in facts.skin_risks]
    lines += ["", "Your next session"]
    if facts.next_session is not None:
        lines.append(
            f"- {_day(facts.next_session)} at {facts.next_session:%H:%M} ({facts.time_zone}). "
            "Tell us beforehand about a cold sore, an acne flare or new medicines."
        )
    else:
        lines.append("- This was the last session of your course.")
    contact = f" on {facts.clinic_phone}" if facts.clinic_phone else ""
    lines += [
        "",
        "When to call the clinic",
        f"Call {facts.clinic_name}{contact} straight away if you notice signs of infection:",
        *(f"- {sign}" for sign in WARNING_SIGNS),
        "If you cannot reach us and feel unwell, contact your doctor or an urgent care service.",
    ]
    lines += ["", f"Questions or worries? Call {facts.clinic_name}{contact}."]
    return "\n".join(lines)
