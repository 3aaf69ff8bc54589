"""The patient's aftercare sheet, built from the session (pure; DOMAIN.md, "Aftercare").

Recovery time by needle depth is the project's reading of "from several days to a
couple of weeks, depending on depth".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from clinic.pure_i18n import date_text, gettext, gettext_lazy

RECOVERY_BY_DEPTH = [  # needles up to (mm), what to expect
    (Decimal("0.5"), gettext_lazy("1 to 3 days")),
    (Decimal("1.0"), gettext_lazy("3 to 5 days")),
    (Decimal("1.5"), gettext_lazy("about a week")),
    (Decimal("99"), gettext_lazy("up to two weeks")),
]


# Signs of infection after the first days' normal redness and swelling (the project's
# patient-safety wording; the hours are those of the sheet's "what to expect").
NORMAL_SWELLING_HOURS = 48
WARNING_SIGNS = [
    gettext_lazy("redness that spreads or gets stronger instead of fading"),
    # Formatted with the hours where the sheet is built (formatting a lazy text translates it).
    gettext_lazy("pain or swelling that increases after the first %(hours)d hours"),
    gettext_lazy("pus, or yellow crusts, on the treated skin"),
    gettext_lazy("a fever, or feeling hot and unwell"),
    gettext_lazy("red streaks spreading out from the treated area"),
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
    return str(next(text for up_to, text in RECOVERY_BY_DEPTH if needle_mm <= up_to))


def _day(moment: datetime) -> str:
    """The day without a leading zero ("Tuesday 3 March 2026"), as every message writes it."""
    return date_text(moment, "l j E Y")


def build_aftercare(facts: AftercareFacts) -> str:
    """Plain text, printable and sendable as it is, in the active language."""
    lines = [
        gettext("Aftercare for %(name)s") % {"name": facts.patient_first_name},
        gettext("Treated on %(day)s (%(area)s, %(needle)s mm needles).")
        % {"day": _day(facts.treated_on), "area": facts.area, "needle": facts.needle_mm},
        "",
        gettext("What to expect"),
        gettext("- Redness and some swelling are normal. Full recovery takes %(recovery)s.")
        % {"recovery": recovery_time(facts.needle_mm)},
    ]
    if facts.end_point == "pinpoint_bleeding" or facts.needle_mm >= Decimal("1.5"):
        lines.append(
            gettext("- Tiny scabs where the skin bled may form; let them fall off on their own.")
        )
    lines += [
        "",
        gettext("Protect your skin"),
        gettext(
            "- Sun protection matters most: use a broad-spectrum SPF 50+ every day, in any weather."
        ),
        gettext("- Cleanse with a gentle, non-foaming cleanser."),
        gettext(
            "- Use products for sensitive skin: soothing, barrier-repairing, hyaluronic-acid care."
        ),
        gettext(
            "- Avoid make-up, saunas, swimming pools and exfoliating products for 24 to 48 hours."
        ),
    ]
    if facts.skin_risks:
        lines += ["", gettext("Because of your skin type")]
        lines += [
            gettext("- %(label)s: %(risk)s") % {"label": label, "risk": risk}
            for label, risk in facts.skin_risks
        ]
    lines += ["", gettext("Your next session")]
    if facts.next_session is not None:
        lines.append(
            gettext(
                "- %(day)s at %(time)s (%(time_zone)s). "
                "Tell us beforehand about a cold sore, an acne flare or new medicines."
            )
            % {
                "day": _day(facts.next_session),
                "time": f"{facts.next_session:%H:%M}",
                "time_zone": facts.time_zone,
            }
        )
    else:
        lines.append(gettext("- This was the last session of your course."))
    lines += ["", *_when_to_call(facts)]
    return "\n".join(lines)


def _when_to_call(facts: AftercareFacts) -> list[str]:
    """The signs of infection and whom to call: with the clinic's phone if it has one."""
    clinic = {"clinic": facts.clinic_name, "phone": facts.clinic_phone}
    if facts.clinic_phone:
        call = gettext(
            "Call %(clinic)s on %(phone)s straight away if you notice signs of infection:"
        )
        questions = gettext("Questions or worries? Call %(clinic)s on %(phone)s.")
    else:
        call = gettext("Call %(clinic)s straight away if you notice signs of infection:")
        questions = gettext("Questions or worries? Call %(clinic)s.")
    return [
        gettext("When to call the clinic"),
        call % clinic,
        *(f"- {sign % {'hours': NORMAL_SWELLING_HOURS}}" for sign in WARNING_SIGNS),
        gettext(
            "If you cannot reach us and feel unwell, contact your doctor or an urgent care service."
        ),
        "",
        questions % clinic,
    ]
