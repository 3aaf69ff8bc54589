"""A short, human summary of a User-Agent header ("Firefox on Windows"), no parsing library.

Only for the staff's own list of their sessions: close enough to tell one's
phone from one's desk computer; never used to decide anything.
"""

from __future__ import annotations

# The first name found wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def summarise_browser(user_agent: str) -> str:
    """E.g. "Chrome on Android"; "Unknown browser" when nothing is recognised."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
