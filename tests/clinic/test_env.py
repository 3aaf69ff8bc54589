import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import read_bool, read_int, read_list, read_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("off", False),
        ("False", False),
        ("", True),
    ],
)
def test_read_bool_accepts_usual_words(raw, expected):
    assert read_bool("FLAG", default=True, environ={"FLAG": raw}) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled"])
def test_read_bool_refuses_other_words_naming_the_variable(raw):
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        read_bool("FLAG", default=False, environ={"FLAG": raw})


def test_read_int_reads_and_defaults():
    assert read_int("N", 5, environ={"N": "42"}) == 42
    assert read_int("N", 5, environ={}) == 5


@pytest.mark.parametrize(("raw", "message"), [("ten", "not a whole number"), ("-1", "minimum")])
def test_read_int_refuses_bad_values(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        read_int("N", 5, minimum=0, environ={"N": raw})


def test_read_list_splits_and_drops_blanks():
    assert read_list("L", environ={"L": " a.example, ,b.example "}) == ["a.example", "b.example"]
    assert read_list("L", ["x"], environ={}) == ["x"]


def test_read_str_strips_and_defaults():
    assert read_str("S", "d", environ={"S": "  "}) == "d"
    assert read_str("S", "d", environ={"S": " v "}) == "v"
