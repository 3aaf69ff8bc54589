"""Course rules from DOMAIN.md ("Needle length", "The course", "The in-clinic procedure").

Pure: numbers arrive in a ``TreatmentRules`` built from the clinic's editable
settings. Every refusal is a ``RuleViolation`` with a stable code and a
sentence; those marked ``overridable`` may be accepted with a practitioner's
written reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from clinic.pure_i18n import date_text, gettext, ngettext


@dataclass(frozen=True)
class RuleViolation:
    code: str
    message: str
    overridable: bool = False


class RuleError(Exception):
    """One or more rules refuse the request."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]


@dataclass(frozen=True)
class TreatmentRules:
    min_sessions: int = 4
    max_sessions: int = 6
    max_gap_weeks: int = 6
    cream_from_mm: Decimal = Decimal("1.0")
    cream_minutes: int = 20
    slot_step_minutes: int = 15
    # (needle length up to and including, minimum weeks), ascending by length
    minimum_gaps: tuple[tuple[Decimal, int], ...] = (
        (Decimal("0.5"), 2),
        (Decimal("1.0"), 3),
        (Decimal("1.5"), 4),
        (Decimal("2.0"), 5),
    )


def needs_cream(rules: TreatmentRules, needle_mm: Decimal) -> bool:
    """Anaesthetic cream is required from ``cream_from_mm`` up, optional below."""
    return needle_mm >= rules.cream_from_mm


def cream_minutes(rules: TreatmentRules, needle_mm: Decimal) -> int:
    return rules.cream_minutes if needs_cream(rules, needle_mm) else 0


def minimum_gap_weeks(rules: TreatmentRules, needle_mm: Decimal) -> int:
    """The shortest spacing for this needle length: the first step that covers it.

    A needle longer than every step takes the longest step's minimum.
    """
    for up_to, weeks in rules.minimum_gaps:
        if needle_mm <= up_to:
            return weeks
    return rules.minimum_gaps[-1][1]


def check_session_count(rules: TreatmentRules, count: int) -> list[RuleViolation]:
    if rules.min_sessions <= count <= rules.max_sessions:
        return []
    return [
        RuleViolation(
            "session_count",
            gettext("A course has %(min)d to %(max)d sessions, not %(count)d.")
            % {"min": rules.min_sessions, "max": rules.max_sessions, "count": count},
        )
    ]


def check_needle(
    needle_mm: Decimal, area_min: Decimal, area_max: Decimal, area: str
) -> list[RuleViolation]:
    """A needle length outside the area's range is refused unless overridden."""
    if area_min <= needle_mm <= area_max:
        return []
    allowed = f"{area_min} mm" if area_min == area_max else f"{area_min}-{area_max} mm"
    return [
        RuleViolation(
            "needle_out_of_range",
            gettext("%(needle)s mm is outside the range for %(area)s (%(allowed)s).")
            % {"needle": needle_mm, "area": area, "allowed": allowed},
            overridable=True,
        )
    ]


def check_indication_area(
    indication: str, area: str, fitting_areas: Sequence[str]
) -> list[RuleViolation]:
    """An indication is treated only on the areas the catalogue lists for it (none: any)."""
    if not fitting_areas or area in fitting_areas:
        return []
    return [
        RuleViolation(
            "indication_area",
            gettext("%(indication)s is not treated on %(area)s; it fits %(areas)s.")
            % {
                "indication": indication,
                "area": area.lower(),
                "areas": ", ".join(a.lower() for a in fitting_areas),
            },
        )
    ]


def check_gap_days(rules: TreatmentRules, needle_mm: Decimal, gap_days: int) -> list[RuleViolation]:
    """A gap outside [minimum for the needle, maximum] is refused unless overridden."""
    minimum = minimum_gap_weeks(rules, needle_mm)
    if gap_days < minimum * 7:
        return [
            RuleViolation(
                "gap_below_minimum",
                gettext(
                    "A gap of %(gap)s is shorter than the %(minimum)d-week minimum "
                    "for %(needle)s mm needles."
                )
                % {"gap": format_weeks(gap_days), "minimum": minimum, "needle": needle_mm},
                overridable=True,
            )
        ]
    if gap_days > rules.max_gap_weeks * 7:
        return [
            RuleViolation(
                "gap_above_maximum",
                gettext("A gap of %(gap)s is longer than the %(maximum)d-week maximum.")
                % {"gap": format_weeks(gap_days), "maximum": rules.max_gap_weeks},
                overridable=True,
            )
        ]
    return []


def gap_problems(
    rules: TreatmentRules, needle_mm: Decimal, days: Sequence[date], *, overridden: bool
) -> dict[int, RuleViolation]:
    """Gaps between a course's sessions that break the spacing rules.

    ``days`` are the local days of the sessions that hold their time, in order;
    the answer maps the later session's position (1-based) to what is wrong.
    A course whose gaps a practitioner overrode with a reason has none. The one
    rule behind the course page's timeline and the courses overview.
    """
    if overridden:
        return {}
    found = {}
    for position, (before, after) in enumerate(zip(days, days[1:], strict=False), start=2):
        violations = check_gap_days(rules, needle_mm, (after - before).days)
        if violations:
            found[position] = violations[0]
    return found


def shortfall(planned: int, holding: int) -> RuleViolation | None:
    """Fewer sessions hold a time (booked or done) than the course plans, e.g. after a
    cancellation: staff book a replacement or shorten the course. The one rule behind
    the course page's warning and the courses overview.
    """
    if holding >= planned:
        return None
    return RuleViolation(
        "short_of_sessions",
        ngettext(
            "Only %(holding)d of the %(planned)d planned session is booked or done "
            "(some were cancelled or missed): book a replacement session.",
            "Only %(holding)d of the %(planned)d planned sessions are booked or done "
            "(some were cancelled or missed): book a replacement session.",
            planned,
        )
        % {"holding": holding, "planned": planned},
    )


def check_target_gap(rules: TreatmentRules, needle_mm: Decimal, weeks: int) -> list[RuleViolation]:
    return check_gap_days(rules, needle_mm, weeks * 7)


def gap_window_days(rules: TreatmentRules, needle_mm: Decimal) -> tuple[int, int]:
    """(shortest, longest) allowed gap in days for this needle length."""
    return minimum_gap_weeks(rules, needle_mm) * 7, rules.max_gap_weeks * 7


def format_weeks(days: int) -> str:
    """Gap in weeks as people say it: "3 weeks", "3.4 weeks"."""
    if days % 7 == 0:
        whole = days // 7
        return ngettext("%(weeks)d week", "%(weeks)d weeks", whole) % {"weeks": whole}
    # A fraction of weeks: no plural form to choose by a whole number.
    return gettext("%(weeks)s weeks") % {"weeks": f"{days / 7:.1f}"}


def unresolved(
    violations: list[RuleViolation], override_reasons: dict[str, str]
) -> list[RuleViolation]:
    """Violations left after applying written overrides (keyed by violation code).

    Only overridable rules can be overridden, and only with a non-blank reason.
    """
    return [
        v for v in violations if not (v.overridable and override_reasons.get(v.code, "").strip())
    ]


# Any date a user can type (a course start, a new session day, a calendar day) is
# accepted only this far around today: far enough for any real plan or look-back,
# near enough that date arithmetic on it (horizons, gaps) can never overflow.
DATE_WINDOW_PAST_DAYS = 366
DATE_WINDOW_FUTURE_DAYS = 2 * 366


def sane_date_window(today: date) -> tuple[date, date]:
    """(earliest, latest) date a user may type, inclusive."""
    return (
        today - timedelta(days=DATE_WINDOW_PAST_DAYS),
        today + timedelta(days=DATE_WINDOW_FUTURE_DAYS),
    )


def check_typed_date(day: date, *, today: date, allow_past: bool = False) -> list[RuleViolation]:
    """A typed date must lie in the sane window and, unless ``allow_past``, not before today.

    The one check for planning, rescheduling and calendar dates, in forms and services.
    """
    earliest, latest = sane_date_window(today)
    if not allow_past and day < today:
        return [
            RuleViolation(
                "date_in_past", gettext("That date has passed; pick today or a later date.")
            )
        ]
    if not earliest <= day <= latest:
        return [
            RuleViolation(
                "date_out_of_range",
                gettext("Pick a date between %(earliest)s and %(latest)s.")
                % {"earliest": date_text(earliest, "d M Y"), "latest": date_text(latest, "d M Y")},
            )
        ]
    return []


def check_not_past(moment: datetime, *, now: datetime) -> list[RuleViolation]:
    """Nothing is booked or moved to a time before now."""
    if moment < now:
        return [
            RuleViolation("time_in_past", gettext("That time has passed; pick a time from now on."))
        ]
    return []


@dataclass(frozen=True)
class OtherCourse:
    """Another running course of the same patient on the same region."""

    label: str
    needle_mm: Decimal
    days: tuple[date, ...]


def interleave_warnings(
    rules: TreatmentRules,
    *,
    needle_mm: Decimal,
    days: Sequence[date],
    others: Sequence[OtherCourse],
) -> list[str]:
    """Warn when two courses on one region come closer than the longer needle's minimum gap.

    Skin treated by one course has not recovered when the other treats it
    again; the minimum gap of the longer needle of the two is the yardstick
    (DOMAIN.md, "The course"). A warning, not a refusal: the practitioner decides.
    """
    warnings = []
    for other in others:
        if not days or not other.days:
            continue
        longer = max(needle_mm, other.needle_mm)
        minimum = minimum_gap_weeks(rules, longer)
        closest = min(abs((a - b).days) for a in days for b in other.days)
        if closest >= minimum * 7:
            continue
        facts = {"other": other.label, "minimum": minimum, "needle": longer, "days": closest}
        if closest == 0:
            warning = gettext(
                "This course and %(other)s treat the same area and have sessions on the same "
                "day, closer than the %(minimum)d-week minimum for %(needle)s mm needles."
            )
        elif closest < 7:
            warning = ngettext(
                "This course and %(other)s treat the same area and have sessions %(days)d day "
                "apart, closer than the %(minimum)d-week minimum for %(needle)s mm needles.",
                "This course and %(other)s treat the same area and have sessions %(days)d days "
                "apart, closer than the %(minimum)d-week minimum for %(needle)s mm needles.",
                closest,
            )
        else:
            facts["gap"] = format_weeks(closest)
            warning = gettext(
                "This course and %(other)s treat the same area and have sessions %(gap)s "
                "apart, closer than the %(minimum)d-week minimum for %(needle)s mm needles."
            )
        warnings.append(warning % facts)
    return warnings
