"""The pure rules behind the questions before a visit (issue #17): no database."""

from datetime import UTC, datetime, timedelta

import pytest

from patients import screening
from patients.screening import Result

ARRIVES = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("yes", "expected"),
    [
        ([], Result.CLEAR),
        (["herpes_active"], Result.DEFER),
        (["acne_active"], Result.DEFER),
        (["warts"], Result.DEFER),
        (["anticoagulants"], Result.REFUSE),
        (["eczema_psoriasis"], Result.REFUSE),
        (["herpes_active", "anticoagulants"], Result.REFUSE),
    ],
)
def test_patient_answers_are_judged_by_the_staff_rules(yes, expected):
    answers = screening.previsit_answers("face", yes)
    assert screening.overall_result(screening.assess(answers)) is expected


def test_in_area_answers_land_on_the_sessions_region():
    answers = screening.previsit_answers("face", ["acne_active", "warts", "eczema_psoriasis"])
    assert answers.acne_regions == answers.wart_regions == frozenset({"face"})
    assert answers.eczema_psoriasis_regions == frozenset({"face"})
    assert not answers.rosacea
    assert not answers.keloid_tendency
    findings = screening.assess(answers)
    assert screening.result_for_region(findings, "face") is Result.REFUSE
    assert screening.result_for_region(findings, "body") is Result.CLEAR


def test_every_question_feeds_a_known_rule():
    assert set(screening.PREVISIT_RULES) <= set(screening.RULES)


def test_an_unknown_question_is_refused():
    with pytest.raises(ValueError, match="not a pre-visit question"):
        screening.previsit_answers("face", ["rosacea"])


@pytest.mark.parametrize(
    ("now", "is_open", "expected"),
    [
        (ARRIVES - timedelta(hours=48, seconds=1), True, "too_early"),
        (ARRIVES - timedelta(hours=48), True, None),  # the window opens on the dot
        (ARRIVES - timedelta(seconds=1), True, None),
        (ARRIVES, True, "started"),  # and closes at the arrival
        (ARRIVES + timedelta(days=1), True, "started"),
        (ARRIVES - timedelta(hours=1), False, "closed"),
    ],
)
def test_the_window_opens_hours_before_and_closes_at_the_arrival(now, is_open, expected):
    refusal = screening.previsit_refusal(
        now=now, arrives_at=ARRIVES, window_hours=48, session_open=is_open
    )
    assert refusal == expected


def test_the_window_follows_the_clinic_setting():
    assert screening.previsit_opens_at(ARRIVES, 24) == ARRIVES - timedelta(hours=24)
    now = ARRIVES - timedelta(hours=30)
    kwargs = {"now": now, "arrives_at": ARRIVES, "session_open": True}
    assert screening.previsit_refusal(window_hours=24, **kwargs) == "too_early"
    assert screening.previsit_refusal(window_hours=48, **kwargs) is None
