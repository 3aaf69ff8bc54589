"""How many SMS segments a text takes (pure: no Django).

The rules are 3GPP TS 23.038 (the GSM 7-bit default alphabet and its extension
table) and TS 23.040 (concatenation):

- A text made only of GSM 03.38 characters is sent 7-bit: 160 characters in a
  single message, 153 a part when concatenated (the user data header takes 7).
  A character of the extension table (``^{}\\[~]|€`` and form feed) is an escape
  plus a character: it counts 2, and a part never splits the pair.
- Anything else (Cyrillic, most accented letters, emoji) sends the whole text
  as UCS-2: 70 UTF-16 code units in a single message, 67 a part. A character
  outside the Basic Multilingual Plane is a surrogate pair, 2 code units, and a
  part never splits the pair either.

So one Cyrillic letter turns a 150-character English-sized text into three
segments: the segment count, not the length, is what a clinic pays for.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SegmentCount:
    """A text's encoding, its length in that encoding's units, and its segments."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm(text: str) -> bool:
    """Whether every character is in the GSM 03.38 default alphabet or its extension."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def _unit_sizes(text: str, gsm: bool) -> list[int]:
    """Each character's size in units: its septets, or its UTF-16 code units."""
    if gsm:
        return [2 if char in GSM_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _parts(sizes: list[int], part: int) -> int:
    """Parts of at most ``part`` units, filled in order, no character split across two."""
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts


def count_segments(text: str) -> SegmentCount:
    """The segments ``text`` is sent in (an empty text is still one message)."""
    gsm = is_gsm(text)
    sizes = _unit_sizes(text, gsm)
    units = sum(sizes)
    single, part = (GSM_SINGLE, GSM_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    segments = 1 if units <= single else _parts(sizes, part)
    return SegmentCount("GSM-7" if gsm else "UCS-2", units, segments)
