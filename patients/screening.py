"""Contraindication screening rules (pure: no database, no clock).

Source: ../shared/DOMAIN.md, "Contraindications". Each condition maps to one
of four results, worst first: ``refuse`` blocks planning, ``defer`` blocks
sessions until resolved but keeps the course, ``caution`` needs a
practitioner's recorded decision, ``clear`` allows treatment. Conditions that
concern "the area" only count when the treated region is one where the
patient has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum

from clinic.regions import BodyRegion


def gettext_noop(message: str) -> str:
    """Marks a text for the catalogues (``make messages`` extracts this name) without
    translating it here: this module is pure. The Django side translates it where it
    is shown (patients.models.Patient.skin_risks, patients.selectors.status_of)."""
    return message


class Result(IntEnum):
    """Screening outcomes, ordered so that ``max`` gives the worst."""

    CLEAR = 0
    CAUTION = 1
    DEFER = 2
    REFUSE = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Result:
        return cls[code.upper()]


@dataclass(frozen=True)
class Rule:
    code: str
    result: Result
    condition: str
    explanation: str
    in_area: bool  # True: applies only to the regions where the patient has it


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule(
            "herpes_active",
            Result.DEFER,
            "Herpes exacerbation (active cold sore)",
            "No session until the outbreak has resolved.",
            in_area=False,  # DOMAIN.md: no area qualifier; it defers every area's session
        ),
        Rule(
            "acne_active",
            Result.DEFER,
            "Inflammatory elements (active acne) in the area",
            "Defer treatment of the area until the inflammation has resolved.",
            in_area=True,
        ),
        Rule(
            "rosacea",
            Result.CAUTION,
            "Rosacea",
            "A practitioner must record an individual decision before treatment.",
            in_area=False,
        ),
        Rule(
            "warts",
            Result.DEFER,
            "Warts in the area of application",
            "No session on an area with warts.",
            in_area=True,
        ),
        Rule(
            "eczema_psoriasis",
            Result.REFUSE,
            "Eczema or psoriasis in the area",
            "Microneedling is refused on an area with eczema or psoriasis.",
            in_area=True,
        ),
        Rule(
            "anticoagulants",
            Result.REFUSE,
            "Taking anticoagulants",
            "Microneedling is refused while the patient takes anticoagulants.",
            in_area=False,
        ),
        Rule(
            "keloid_tendency",
            Result.REFUSE,
            "Tendency to form keloid scars",
            "Microneedling is refused for patients who form keloid scars.",
            in_area=False,
        ),
    ]
}

SKIN_STATE_RISKS: dict[str, tuple[str, str]] = {
    # code: (label, risk shown to the practitioner and in aftercare)
    "weakened": (
        gettext_noop("Weakened skin"),
        gettext_noop("Poor healing: expect a slower recovery."),
    ),
    "dry": (
        gettext_noop("Dehydrated / dry skin"),
        gettext_noop("Tightness and peeling after treatment."),
    ),
    "problematic": (
        gettext_noop("Problematic skin"),
        gettext_noop("Treatment may provoke rashes."),
    ),
    "sensitive": (
        gettext_noop("Sensitive skin"),
        gettext_noop("More discomfort and redness than usual."),
    ),
}


@dataclass(frozen=True)
class Answers:
    """What the patient answered; region sets name where an in-area condition is."""

    herpes_active: bool = False
    acne_regions: frozenset[str] = frozenset()
    rosacea: bool = False
    wart_regions: frozenset[str] = frozenset()
    eczema_psoriasis_regions: frozenset[str] = frozenset()
    anticoagulants: bool = False
    keloid_tendency: bool = False


@dataclass(frozen=True)
class Finding:
    """One rule that fired, and where (empty ``regions``: the whole patient)."""

    rule: Rule
    regions: frozenset[str] = field(default_factory=frozenset)

    @property
    def result(self) -> Result:
        return self.rule.result

    def applies_to(self, region: str) -> bool:
        return not self.rule.in_area or region in self.regions

    def describe(self) -> str:
        where = ""
        if self.regions:
            labels = sorted(BodyRegion(r).label.lower() for r in self.regions)
            where = f" ({', '.join(labels)})"
        return f"{self.rule.condition}{where}: {self.rule.explanation}"


def assess(answers: Answers) -> list[Finding]:
    """Every rule the answers trigger, worst first."""
    flags = {
        "herpes_active": answers.herpes_active,
        "rosacea": answers.rosacea,
        "anticoagulants": answers.anticoagulants,
        "keloid_tendency": answers.keloid_tendency,
    }
    regions = {
        "acne_active": answers.acne_regions,
        "warts": answers.wart_regions,
        "eczema_psoriasis": answers.eczema_psoriasis_regions,
    }
    findings = [Finding(RULES[code]) for code, present in flags.items() if present]
    findings += [Finding(RULES[code], frozenset(where)) for code, where in regions.items() if where]
    return sorted(findings, key=lambda f: (-f.result, f.rule.code))


def overall_result(findings: Iterable[Finding]) -> Result:
    """The worst result of any finding, anywhere on the patient."""
    return max((f.result for f in findings), default=Result.CLEAR)


def result_for_region(findings: Iterable[Finding], region: str) -> Result:
    """The worst result among findings that concern treating ``region``."""
    return overall_result(f for f in findings if f.applies_to(region))


def skin_risks(states: Iterable[str]) -> list[tuple[str, str]]:
    """(label, risk) for each skin state the patient has, in a stable order."""
    present = set(states)
    return [SKIN_STATE_RISKS[code] for code in SKIN_STATE_RISKS if code in present]


@dataclass(frozen=True)
class Problem:
    """Why a patient may not be treated or planned: a stable code and a sentence.

    ``defers``: a deferral, which blocks sessions but not planning (DOMAIN.md:
    "defer blocks the session but keeps the course").
    """

    code: str
    message: str
    defers: bool = False


@dataclass(frozen=True)
class ScreeningFacts:
    """What the clearance check needs to know of the latest screening."""

    taken_at: datetime
    taken_on: date  # taken_at's date in the clinic's time zone
    findings: tuple[Finding, ...]
    caution_approved: bool | None  # None: no decision recorded yet


def clearance_problems(
    screening: ScreeningFacts | None,
    *,
    region: str,
    now: datetime,
    valid_days: int,
    same_day_as: date | None = None,
    consent_current: bool,
) -> list[Problem]:
    """Why the patient may not be treated on ``region``; empty when they may.

    Planning needs a screening no older than ``valid_days``; a session day
    (``same_day_as`` given, in the clinic's local date) needs one taken that day.
    """
    problems: list[Problem] = []
    if not consent_current:
        problems.append(
            Problem("consent_missing", "No current consent to the procedure is recorded.")
        )
    if screening is None:
        return [*problems, Problem("screening_missing", "The patient has not been screened.")]
    if same_day_as is not None and screening.taken_on != same_day_as:
        problems.append(
            Problem(
                "screening_not_today",
                "The screening must be re-confirmed on the day of the session.",
            )
        )
    elif now - screening.taken_at > timedelta(days=valid_days):
        problems.append(
            Problem(
                "screening_expired",
                f"The latest screening is older than {valid_days} days; screen again.",
            )
        )
    problems += _findings_problems(screening, region)
    return problems


def _findings_problems(screening: ScreeningFacts, region: str) -> list[Problem]:
    problems = []
    for finding in screening.findings:
        if not finding.applies_to(region):
            continue
        if finding.result is Result.CAUTION:
            if screening.caution_approved is None:
                problems.append(
                    Problem("caution_undecided", f"Decision needed: {finding.describe()}")
                )
            elif not screening.caution_approved:
                problems.append(
                    Problem("caution_declined", f"Declined by a practitioner: {finding.describe()}")
                )
        elif finding.result is not Result.CLEAR:
            code = f"{finding.result.code}_{finding.rule.code}"
            defers = finding.result is Result.DEFER
            problems.append(Problem(code, finding.describe(), defers))
    return problems


@dataclass(frozen=True)
class Status:
    """How a patient's screening reads in lists: a code, a label and a tone."""

    code: str
    label: str
    tone: str  # Bootstrap contextual colour; the label always says it in words too


STATUS_FILTERS = {
    "not_screened": gettext_noop("Not screened"),
    "expired": gettext_noop("Screening expired"),
    "clear": gettext_noop("Clear"),
    "caution": gettext_noop("Caution"),
    "defer": gettext_noop("Deferred"),
    "refuse": gettext_noop("Refused"),
}


def screening_status(
    *,
    result: Result | None,
    taken_at: datetime | None,
    caution_approved: bool | None,
    now: datetime,
    valid_days: int,
) -> Status:
    """The patient's screening status as shown in the patient list and page."""
    if result is None or taken_at is None:
        return Status("not_screened", gettext_noop("Not screened"), "secondary")
    if now - taken_at > timedelta(days=valid_days):
        return Status("expired", gettext_noop("Screening expired"), "secondary")
    if result is Result.CAUTION:
        if caution_approved is None:
            return Status("caution", gettext_noop("Caution: decision needed"), "warning")
        if caution_approved:
            return Status("caution", gettext_noop("Caution: approved"), "info")
        return Status("caution", gettext_noop("Caution: declined"), "danger")
    tones = {Result.CLEAR: "success", Result.DEFER: "warning", Result.REFUSE: "danger"}
    return Status(result.code, STATUS_FILTERS[result.code], tones[result])


# --- Before the visit (issue #17) -------------------------------------------------------
# The day-of questions a patient answers on their course page before a session. Each
# question is named by the rule it feeds, so the patient's answers are judged by the same
# rules (``assess``) as a screening taken by staff. Rosacea and keloid scarring are asked
# once by staff; they do not come and go between sessions.
PREVISIT_RULES: tuple[str, ...] = (
    "herpes_active",
    "acne_active",
    "anticoagulants",
    "eczema_psoriasis",
    "warts",
)


def previsit_answers(region: str, yes: Iterable[str]) -> Answers:
    """The patient's "yes" answers (rule codes of ``PREVISIT_RULES``) as screening answers
    for a session on ``region``: in-area conditions are placed on that region.

    An unknown code raises ``ValueError`` (a form lets none through).
    """
    said_yes = set(yes)
    unknown = said_yes - set(PREVISIT_RULES)
    if unknown:
        raise ValueError(f"not a pre-visit question: {sorted(unknown)}")
    area = frozenset({region})

    def where(code: str) -> frozenset[str]:
        return area if code in said_yes else frozenset()

    return Answers(
        herpes_active="herpes_active" in said_yes,
        acne_regions=where("acne_active"),
        wart_regions=where("warts"),
        eczema_psoriasis_regions=where("eczema_psoriasis"),
        anticoagulants="anticoagulants" in said_yes,
    )


def previsit_opens_at(arrives_at: datetime, window_hours: int) -> datetime:
    """When the pre-visit questions of a session arriving at ``arrives_at`` open."""
    return arrives_at - timedelta(hours=window_hours)


def previsit_refusal(
    *, now: datetime, arrives_at: datetime, window_hours: int, session_open: bool
) -> str | None:
    """Why the patient may not answer a session's pre-visit questions now, or None.

    Open from ``window_hours`` before the arrival (that instant included) until the
    arrival (excluded), for a session still booked (scheduled or confirmed). Codes:
    ``closed`` (cancelled, missed, under way or done), ``started`` (the arrival time has
    come), ``too_early``.
    """
    if not session_open:
        return "closed"
    if now >= arrives_at:
        return "started"
    if now < previsit_opens_at(arrives_at, window_hours):
        return "too_early"
    return None
