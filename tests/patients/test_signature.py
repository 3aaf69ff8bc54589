"""What a signature on the patient's consent may be (pure rules, issue #17)."""

import pytest

from patients import signature

GOOD = "M10 10 L20 20 L30 25 M100 50 L120 60 L140 70"


def test_a_drawn_signature_in_the_canvas_is_accepted():
    assert signature.drawing_problem(GOOD) is None
    assert signature.drawing_problem("M0 0 L600 200 L1 1 L2 2 L3 3") is None  # the edges


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("", "empty"),
        ("M10 10 L20 20", "too_short"),
        ("M10 10 L601 20 L1 1 L2 2 L3 3", "outside"),
        ("M10 10 L20 201 L1 1 L2 2 L3 3", "outside"),
        ("M10 10 L-5 20 L1 1 L2 2 L3 3", "format"),
        ("M10.5 10 L20 20 L1 1 L2 2 L3 3", "format"),
        ("M10 10 L20 20 Z", "format"),
        ('M10 10 L20 20"/><script>alert(1)</script>', "format"),
        ("M10 10\x00 L20 20 L1 1 L2 2 L3 3", "format"),
        ("L10 10 L20 20 L1 1 L2 2 L3 3", "format"),
        ("data:image/png;base64,iVBORw0KGgo=", "format"),
        (" " + GOOD, "format"),
        ("M1 1" + " L2 2" * 5000, "too_long"),
    ],
)
def test_anything_else_is_refused_not_cleaned(path, problem):
    assert signature.drawing_problem(path) == problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Anna Ivanova", None),
        ("Анна Иванова", None),
        ("O'Brien-Smith", None),
        ("", "empty"),
        ("A", "too_short"),
        ("1234 5678", "no_letters"),
        ("Anna\x00Ivanova", "control"),
        ("Anna\u202eavonavI", "control"),  # a right-to-left override hides what is signed
        ("A" * 201, "too_long"),
    ],
)
def test_a_typed_name_must_read_as_a_name(name, problem):
    assert signature.typed_name_problem(name) == problem


def test_a_typed_name_is_stored_with_its_spaces_tidied():
    assert signature.normalise_name("  Anna   Ivanova \t") == "Anna Ivanova"
