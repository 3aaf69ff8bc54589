"""A browser's CSP violation report becomes one log line with no patient data or secret."""

import json

import pytest

from clinic.csp_reports import Budget, UnreadableReport, read_report, summarise


def report_uri_body(**fields):
    return json.dumps({"csp-report": fields}).encode()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"document-uri": "https://p.example/patients/12/?q=Clarke",
             "effective-directive": "style-src-attr", "blocked-uri": "inline",
             "source-file": "https://p.example/patients/12/", "line-number": 40},
            "directive=style-src-attr blocked=inline page=/patients/12/ "
            "source=/patients/12/ line=40",
        ),
        (
            {"document-uri": "https://p.example/p/confirm/eyJzIjo1.abc:xyz/",
             "violated-directive": "script-src 'self'",
             "blocked-uri": "https://cdn.evil.example/lib.js?patient=Clarke"},
            "directive=script-src blocked=https://cdn.evil.example page=/p/confirm/[redacted]/ "
            "source=- line=-",
        ),
        (
            {"document-uri": "javascript:alert(1)", "effective-directive": "x; rm -rf /",
             "blocked-uri": "Jane Clarke +447900000001", "line-number": "12; drop"},
            "directive=other blocked=other page=- source=- line=-",
        ),
        (
            {"documentURL": "https://p.example/calendar/feed/s3cret.ics",
             "effectiveDirective": "img-src", "blockedURL": "data:image/png;base64,AAAA"},
            "directive=img-src blocked=data page=/calendar/feed/[redacted].ics source=- line=-",
        ),
    ],
)  # fmt: skip
def test_a_report_is_summarised_without_names_queries_or_link_secrets(fields, expected):
    assert summarise(read_report(report_uri_body(**fields))) == expected


def test_the_reporting_api_shape_is_read_too():
    body = json.dumps([{"type": "csp-violation", "body": {"effectiveDirective": "font-src"}}])
    assert summarise(read_report(body.encode())).startswith("directive=font-src ")


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"\xff\xfe", b"[]", b"[1]", b'{"csp-report": "x"}', b"42"]
)
def test_anything_but_a_report_is_unreadable(body):
    with pytest.raises(UnreadableReport):
        read_report(body)


def test_the_budget_logs_a_limited_number_of_lines_per_window_then_again():
    budget = Budget(limit=3, seconds=60)
    assert [budget.take(now=100.0 + i) for i in range(5)] == [True, True, True, False, False]
    assert budget.dropped == 2
    assert budget.take(now=161.0) is True  # a new window
