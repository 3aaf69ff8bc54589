from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from courses.aftercare import AftercareFacts, build_aftercare, recovery_time


def facts(**changes):
    values = {
        "patient_first_name": "Emma", "treated_on": datetime(2026, 3, 10, 10, 20), "area": "face",
        "needle_mm": Decimal("0.5"), "end_point": "erythema", "skin_risks": [],
        "next_session": datetime(2026, 3, 31, 10, 0), "time_zone": "Europe/London",
        "clinic_name": "Demo Skin Clinic", "clinic_phone": "+44 20 7946 0000",
    }  # fmt: skip
    values.update(changes)
    return AftercareFacts(**values)


@pytest.mark.parametrize(
    ("needle", "text"),
    [("0.3", "1 to 3 days"), ("0.5", "1 to 3 days"), ("1.0", "3 to 5 days"),
     ("1.5", "about a week"), ("2.0", "up to two weeks")],
)  # fmt: skip
def test_recovery_time_grows_with_depth(needle, text):
    assert recovery_time(Decimal(needle)) == text


def test_sheet_covers_expectations_sun_products_and_next_session():
    text = build_aftercare(facts())
    assert "Full recovery takes 1 to 3 days" in text
    assert "SPF 50+ every day, in any weather" in text
    assert "non-foaming cleanser" in text
    assert "Tuesday 31 March 2026 at 10:00 (Europe/London)" in text
    assert "Call Demo Skin Clinic on +44 20 7946 0000" in text


def test_sheet_includes_the_patients_own_skin_risks():
    text = build_aftercare(facts(skin_risks=[("Sensitive skin", "More discomfort and redness.")]))
    assert "- Sensitive skin: More discomfort and redness." in text


def test_last_session_and_deep_work():
    text = build_aftercare(facts(next_session=None, needle_mm=Decimal("2.0"),
                                 end_point="pinpoint_bleeding"))  # fmt: skip
    assert "This was the last session of your course." in text
    assert "Tiny scabs" in text


def test_sheet_lists_the_warning_signs_of_infection_and_when_to_call():
    text = build_aftercare(facts())
    section = text.split("When to call the clinic\n", 1)[1]
    assert section.startswith(
        "Call Demo Skin Clinic on +44 20 7946 0000 straight away if you notice signs of infection:"
    )
    for sign in ("redness that spreads", "pain or swelling that increases after the first 48 hours",
                 "pus", "fever", "red streaks"):  # fmt: skip
        assert sign in section


def test_warning_section_still_says_to_call_when_the_clinic_has_no_phone():
    text = build_aftercare(facts(clinic_phone=""))
    assert "Call Demo Skin Clinic straight away if you notice signs of infection:" in text


def test_sheet_writes_days_without_a_leading_zero_as_every_other_message():
    text = build_aftercare(facts(treated_on=datetime(2026, 3, 3, 10, 20),
                                 next_session=datetime(2026, 3, 24, 9, 5)))  # fmt: skip
    assert "Treated on Tuesday 3 March 2026 (face" in text
    assert "- Tuesday 24 March 2026 at 09:05 (Europe/London)." in text
    assert " 03 March" not in text


def test_sheet_without_a_clinic_phone_still_says_whom_to_call():
    text = build_aftercare(facts(clinic_phone=""))
    assert "Call Demo Skin Clinic straight away if you notice signs of infection:" in text
    assert text.endswith("Questions or worries? Call Demo Skin Clinic.")


def test_sheet_names_days_and_months_in_the_active_language():
    # Django's own catalogues name the days and months; the sheet's sentences follow once the
    # project's catalogues hold them.
    with translation.override("ru"):
        text = build_aftercare(facts())
    assert "вторник 31 марта 2026" in text.lower()
    assert "Tuesday" not in text
