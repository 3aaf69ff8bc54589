"""The contraindication rules from DOMAIN.md, one row per condition."""

from datetime import UTC, date, datetime, timedelta

import pytest

from patients.screening import (
    RULES,
    SKIN_STATE_RISKS,
    Answers,
    Result,
    ScreeningFacts,
    assess,
    clearance_problems,
    overall_result,
    result_for_region,
    screening_status,
    skin_risks,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answers", "rule", "result"),
    [
        (Answers(herpes_active=True), "herpes_active", Result.DEFER),
        (Answers(acne_regions=frozenset({"face"})), "acne_active", Result.DEFER),
        (Answers(rosacea=True), "rosacea", Result.CAUTION),
        (Answers(wart_regions=frozenset({"hands"})), "warts", Result.DEFER),
        (Answers(eczema_psoriasis_regions=frozenset({"body"})), "eczema_psoriasis", Result.REFUSE),
        (Answers(anticoagulants=True), "anticoagulants", Result.REFUSE),
        (Answers(keloid_tendency=True), "keloid_tendency", Result.REFUSE),
    ],
)
def test_each_contraindication_gives_its_result_and_names_its_rule(answers, rule, result):
    findings = assess(answers)
    assert [f.rule.code for f in findings] == [rule]
    assert overall_result(findings) is result


def test_every_rule_is_covered_by_the_table_above():
    assert set(RULES) == {
        "herpes_active", "acne_active", "rosacea", "warts", "eczema_psoriasis",
        "anticoagulants", "keloid_tendency",
    }  # fmt: skip


def test_no_answers_is_clear():
    assert assess(Answers()) == []
    assert overall_result([]) is Result.CLEAR


@pytest.mark.parametrize(
    ("answers", "expected", "rules"),
    [
        (Answers(herpes_active=True, rosacea=True), Result.DEFER, ["herpes_active", "rosacea"]),
        (
            Answers(anticoagulants=True, herpes_active=True, rosacea=True),
            Result.REFUSE,
            ["anticoagulants", "herpes_active", "rosacea"],
        ),
        (
            Answers(keloid_tendency=True, anticoagulants=True),
            Result.REFUSE,
            ["anticoagulants", "keloid_tendency"],
        ),
        (
            Answers(wart_regions=frozenset({"hands"}), acne_regions=frozenset({"face"})),
            Result.DEFER,
            ["acne_active", "warts"],
        ),
    ],
)
def test_combined_findings_take_the_worst_result_and_list_every_reason(answers, expected, rules):
    findings = assess(answers)
    assert overall_result(findings) is expected
    assert [f.rule.code for f in findings] == rules


@pytest.mark.parametrize(
    ("answers", "region", "expected"),
    [
        (Answers(wart_regions=frozenset({"hands"})), "hands", Result.DEFER),
        (Answers(wart_regions=frozenset({"hands"})), "face", Result.CLEAR),
        (Answers(acne_regions=frozenset({"face"})), "face", Result.DEFER),
        (Answers(acne_regions=frozenset({"face"})), "scalp", Result.CLEAR),
        (Answers(eczema_psoriasis_regions=frozenset({"body", "neck"})), "neck", Result.REFUSE),
        (Answers(eczema_psoriasis_regions=frozenset({"body"})), "face", Result.CLEAR),
        (Answers(herpes_active=True), "face", Result.DEFER),  # whole patient, any area
        (Answers(herpes_active=True), "body", Result.DEFER),
        (Answers(herpes_active=True), "scalp", Result.DEFER),
        (Answers(anticoagulants=True), "scalp", Result.REFUSE),
    ],
)
def test_in_area_conditions_only_count_for_their_region(answers, region, expected):
    assert result_for_region(assess(answers), region) is expected


@pytest.mark.parametrize("state", list(SKIN_STATE_RISKS))
def test_each_skin_state_has_a_risk_text(state):
    [(label, risk)] = skin_risks([state])
    assert label == SKIN_STATE_RISKS[state][0]
    assert risk


def test_skin_states_are_warnings_not_refusals():
    risks = skin_risks(["sensitive", "weakened", "dry", "problematic"])
    assert [label for label, _ in risks] == [
        "Weakened skin", "Dehydrated / dry skin", "Problematic skin", "Sensitive skin",
    ]  # fmt: skip


NO_ANSWERS = Answers()


def facts(answers=NO_ANSWERS, *, days_ago=0, approved=None):
    taken_at = NOW - timedelta(days=days_ago)
    return ScreeningFacts(taken_at, taken_at.date(), tuple(assess(answers)), approved)


def codes(problems):
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("screening", "consent", "expected"),
    [
        (facts(), True, []),
        (None, True, ["screening_missing"]),
        (facts(), False, ["consent_missing"]),
        (None, False, ["consent_missing", "screening_missing"]),
        (facts(days_ago=30), True, []),
        (facts(days_ago=31), True, ["screening_expired"]),
        (facts(Answers(herpes_active=True)), True, ["defer_herpes_active"]),
        (facts(Answers(keloid_tendency=True)), True, ["refuse_keloid_tendency"]),
        (facts(Answers(rosacea=True)), True, ["caution_undecided"]),
        (facts(Answers(rosacea=True), approved=True), True, []),
        (facts(Answers(rosacea=True), approved=False), True, ["caution_declined"]),
        (facts(Answers(wart_regions=frozenset({"face"}))), True, ["defer_warts"]),
        (facts(Answers(wart_regions=frozenset({"hands"}))), True, []),
    ],
)
def test_planning_clearance(screening, consent, expected):
    problems = clearance_problems(
        screening, region="face", now=NOW, valid_days=30, consent_current=consent
    )
    assert codes(problems) == expected
    assert all(p.message for p in problems)


def test_expiry_boundary_is_exact_to_the_second():
    at_limit = ScreeningFacts(NOW - timedelta(days=30), date(2026, 2, 8), (), None)
    past_limit = ScreeningFacts(NOW - timedelta(days=30, seconds=1), date(2026, 2, 8), (), None)
    kwargs = {"region": "face", "now": NOW, "valid_days": 30, "consent_current": True}
    assert clearance_problems(at_limit, **kwargs) == []
    assert codes(clearance_problems(past_limit, **kwargs)) == ["screening_expired"]


@pytest.mark.parametrize(("days_ago", "expected"), [(0, []), (1, ["screening_not_today"])])
def test_session_day_needs_a_screening_taken_that_day(days_ago, expected):
    problems = clearance_problems(
        facts(days_ago=days_ago),
        region="face",
        now=NOW,
        valid_days=30,
        same_day_as=NOW.date(),
        consent_current=True,
    )
    assert codes(problems) == expected


@pytest.mark.parametrize(
    ("result", "days_ago", "approved", "code", "label"),
    [
        (None, 0, None, "not_screened", "Not screened"),
        (Result.CLEAR, 31, None, "expired", "Screening expired"),
        (Result.CLEAR, 0, None, "clear", "Clear"),
        (Result.DEFER, 0, None, "defer", "Deferred"),
        (Result.REFUSE, 0, None, "refuse", "Refused"),
        (Result.CAUTION, 0, None, "caution", "Caution: decision needed"),
        (Result.CAUTION, 0, True, "caution", "Caution: approved"),
        (Result.CAUTION, 0, False, "caution", "Caution: declined"),
    ],
)
def test_screening_status_labels(result, days_ago, approved, code, label):
    status = screening_status(
        result=result,
        taken_at=None if result is None else NOW - timedelta(days=days_ago),
        caution_approved=approved,
        now=NOW,
        valid_days=30,
    )
    assert (status.code, status.label) == (code, label)


@pytest.mark.parametrize(
    ("answers", "defers"),
    [
        (Answers(herpes_active=True), True),
        (Answers(acne_regions=frozenset({"face"})), True),
        (Answers(wart_regions=frozenset({"face"})), True),
        (Answers(eczema_psoriasis_regions=frozenset({"face"})), False),
        (Answers(anticoagulants=True), False),
        (Answers(rosacea=True), False),
    ],
)
def test_only_deferrals_are_marked_as_not_blocking_planning(answers, defers):
    [problem] = clearance_problems(
        facts(answers), region="face", now=NOW, valid_days=30, consent_current=True
    )
    assert problem.defers is defers
