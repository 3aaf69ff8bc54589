"""No link secret in a log line: patients' signed links and practitioners' feed tokens."""

import io
import logging

import pytest

from clinic.logs import RedactLinkSecrets, redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Gone: /p/confirm/eyJzIjo1.abc-DEF_1:xyz/", "Gone: /p/confirm/[redacted]/"),
        (
            '"GET /p/cancel/tok3n/?x=1 HTTP/1.1" 400 12',
            '"GET /p/cancel/[redacted]/?x=1 HTTP/1.1" 400 12',
        ),
        ("Not Found: /calendar/feed/s3cr3t.ics", "Not Found: /calendar/feed/[redacted].ics"),
        ("Bad Request: /p/unsubscribe/a%00b/", "Bad Request: /p/unsubscribe/[redacted]/"),
        ("Not Found: /patients/12/", "Not Found: /patients/12/"),
        ("/calendar/feed/settings/ is a staff page", "/calendar/feed/settings/ is a staff page"),
    ],
)
def test_link_secrets_are_redacted_and_other_paths_kept(line, expected):
    assert redact(line) == expected


@pytest.fixture
def console():
    """The configured console handler (settings.LOGGING), writing into a buffer."""
    [handler] = [h for h in logging.getLogger().handlers if any(
        isinstance(f, RedactLinkSecrets) for f in h.filters)]  # fmt: skip
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_a_refused_patient_link_is_logged_without_its_token(client, db, console):
    response = client.get("/p/confirm/not-a-real-token-1234/")
    assert response.status_code == 400
    logged = console.getvalue()
    assert "/p/confirm/[redacted]/" in logged
    assert "not-a-real-token-1234" not in logged


def test_the_development_servers_request_lines_go_through_the_filter(console):
    logging.getLogger("django.server").info('"%s" %s %s', "GET /p/cancel/s3cret/ HTTP/1.1", 410, 9)
    assert "s3cret" not in console.getvalue()
    assert "/p/cancel/[redacted]/" in console.getvalue()
