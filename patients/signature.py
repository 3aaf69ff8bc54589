"""What a patient's signature on a consent may be (pure: no database, no clock).

Two ways to sign on the course page (issue #17): a typed full name, or a drawing made
on a small canvas (static/js/signature.js), sent as SVG path data in the canvas's own
coordinates: strokes of "M x y" followed by "L x y" points, whole numbers inside the
box. Anything else is refused, never cleaned up: the stored drawing is exactly what
was signed, and it is drawn back for staff as the ``d`` of an SVG path.
"""

from __future__ import annotations

import re
import unicodedata

CANVAS_WIDTH = 600
CANVAS_HEIGHT = 200
MAX_DRAWING_CHARS = 20_000  # about 2,000 points: a long signature, not a picture
MIN_DRAWING_POINTS = 5  # a dot or a click is not a signature
MAX_NAME_CHARS = 200

_POINT = r"\d{1,4} \d{1,4}"
_STROKE = rf"M{_POINT}(?: L{_POINT})*"
DRAWING = re.compile(rf"{_STROKE}(?: {_STROKE})*")
_NUMBERS = re.compile(r"\d+")


def drawing_problem(path: str) -> str | None:
    """Why ``path`` is not an acceptable drawn signature, or None.

    Codes: ``empty``, ``too_long``, ``format``, ``outside`` (a point off the canvas),
    ``too_short`` (fewer than ``MIN_DRAWING_POINTS`` points).
    """
    if not path:
        return "empty"
    if len(path) > MAX_DRAWING_CHARS:
        return "too_long"
    if not DRAWING.fullmatch(path):
        return "format"
    numbers = [int(n) for n in _NUMBERS.findall(path)]
    xs, ys = numbers[0::2], numbers[1::2]
    if max(xs) > CANVAS_WIDTH or max(ys) > CANVAS_HEIGHT:
        return "outside"
    if len(xs) < MIN_DRAWING_POINTS:
        return "too_short"
    return None


def typed_name_problem(name: str) -> str | None:
    """Why ``name`` (already stripped) is not an acceptable typed signature, or None.

    Codes: ``empty``, ``too_long``, ``control`` (a control or invisible formatting
    character), ``no_letters``, ``too_short`` (a single letter is an initial, not a name).
    """
    if not name:
        return "empty"
    if len(name) > MAX_NAME_CHARS:
        return "too_long"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "control"
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return "no_letters"
    if len(letters) < 2:
        return "too_short"
    return None


def normalise_name(name: str) -> str:
    """The typed name as stored: stripped, inner runs of spaces made one."""
    return " ".join(name.split())
