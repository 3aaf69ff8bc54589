"""Reading a browser's Content-Security-Policy violation report into one safe log line.

A report is written by any browser that loads a page, so it is untrusted input:
only the fields that say *what* was blocked are kept, each reduced to a form that
cannot carry patient data or a link secret (a directive name, the blocked
address's origin or keyword, the page's and script's paths without their query,
secrets redacted, and a line number). Pure: no Django, so it is tested with tables.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from clinic.logs import redact

MAX_REPORT_BYTES = 8 * 1024
DIRECTIVE = re.compile(r"[a-z-]{1,40}")
KEYWORDS = frozenset({"inline", "eval", "data", "blob", "self", "wasm-eval", "trusted-types-sink"})
PATH = re.compile(r"/[A-Za-z0-9/_.:%\[\]-]{0,200}")


class UnreadableReport(ValueError):
    """The body is not a CSP report (not JSON, or no report object in it)."""


def read_report(body: bytes) -> dict[str, object]:
    """The report object of a ``report-uri`` (``{"csp-report": {...}}``) or Reporting API body.

    Raises ``UnreadableReport`` for anything else.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableReport("not JSON") from error
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0].get("body")  # the Reporting API sends a list of {"type", "body"}
    elif isinstance(data, dict):
        data = data.get("csp-report")
    if not isinstance(data, dict):
        raise UnreadableReport("no report object")
    return data


def _field(report: dict[str, object], *names: str) -> str:
    for name in names:
        value = report.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return ""


def _origin_or_keyword(value: str) -> str:
    """``https://host:port`` of an address, or a keyword such as ``inline``; no path."""
    if value in KEYWORDS:
        return value
    parts = urlsplit(value)
    if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"
    return parts.scheme[:20] if parts.scheme.isalpha() else "other"


def _path(value: str) -> str:
    """The path of an address, without its query or fragment, secrets redacted."""
    match = PATH.match(urlsplit(value).path)
    return redact(match.group(0)) if match else "-"


def summarise(report: dict[str, object]) -> str:
    """One log line: directive, blocked origin or keyword, page path, source path and line."""
    directive = _field(report, "effective-directive", "effectiveDirective", "violated-directive")
    directive = directive.split(" ")[0]
    line = _field(report, "line-number", "lineNumber")
    directive = directive if DIRECTIVE.fullmatch(directive) else "other"
    blocked = _origin_or_keyword(_field(report, "blocked-uri", "blockedURL"))
    page = _path(_field(report, "document-uri", "documentURL"))
    source = _path(_field(report, "source-file", "sourceFile"))
    line = line if line.isdigit() and len(line) < 8 else "-"
    return f"directive={directive} blocked={blocked} page={page} source={source} line={line}"


class Budget:
    """At most ``limit`` log lines per ``seconds`` (per process); the rest are only counted.

    The report address is public: a script posting reports in a loop must not
    fill the disk with log lines.
    """

    def __init__(self, limit: int = 60, seconds: float = 60.0) -> None:
        self.limit, self.seconds = limit, seconds
        self.window_start, self.used, self.dropped = 0.0, 0, 0

    def take(self, now: float) -> bool:
        """True when a line may be logged at ``now`` (a monotonic clock reading)."""
        if now - self.window_start >= self.seconds:
            self.window_start, self.used = now, 0
        if self.used < self.limit:
            self.used += 1
            return True
        self.dropped += 1
        return False
