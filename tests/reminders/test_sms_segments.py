"""SMS segment counting (GSM 03.38 7-bit vs UCS-2), a pure module."""

import pytest

from reminders.sms_segments import count_segments, is_gsm


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),  # 2 x 153
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters count 2
        ("€" + "a" * 159, "GSM-7", 161, 2),
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),  # the escape pair is never split
        ("a" * 152 + "[" + "a" * 152, "GSM-7", 306, 3),  # ... so 306 septets take 3 parts
        ("éàüÑ@£$¥", "GSM-7", 8, 1),  # in the default alphabet, not UCS-2
        ("я" * 70, "UCS-2", 70, 1),
        ("я" * 71, "UCS-2", 71, 2),
        ("я" * 134, "UCS-2", 134, 2),  # 2 x 67
        ("я" * 135, "UCS-2", 135, 3),
        ("a" * 159 + "я", "UCS-2", 160, 3),  # one Cyrillic letter turns the whole text UCS-2
        ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: a surrogate pair, 2 code units
        ("a" * 66 + "😀" + "a" * 10, "UCS-2", 78, 2),  # the pair is never split across parts
        ("ç", "UCS-2", 1, 1),  # lower-case c-cedilla is not in GSM 03.38 (only Ç is)
    ],
)
def test_counts_segments_by_encoding(text, encoding, units, segments):
    counted = count_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_a_surrogate_pair_that_would_straddle_a_part_starts_the_next():
    text = "a" * 66 + "😀" + "a" * 66  # 134 units: fits 2 x 67 only if the pair is split
    assert count_segments(text).segments == 3


def test_gsm_alphabet_includes_the_extension_table():
    assert is_gsm("{}[]~|^\\€")
    assert not is_gsm("Привет")
