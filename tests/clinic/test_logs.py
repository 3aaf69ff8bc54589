"""No link secret in a log line: patients' signed links and practitioners' feed tokens."""

import copy
import io
import logging
import logging.config

import pytest
from django.utils.log import DEFAULT_LOGGING

from clinic.logs import redact


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
def console(settings):
    """The logging of settings.LOGGING, its console handler writing into a buffer.

    Configured afresh: a Celery worker started by an earlier test in this process
    may have replaced the root logger's handlers.
    """
    config = copy.deepcopy(settings.LOGGING)
    buffer = io.StringIO()
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


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


def test_with_debug_on_no_handler_of_djangos_prints_a_token(settings, capsys):
    """As `make run` logs: Django's default logging first, then the planner's (DEBUG on)."""
    settings.DEBUG = True
    config = copy.deepcopy(settings.LOGGING)
    buffer = io.StringIO()
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(DEFAULT_LOGGING)  # its console handler binds to captured stderr
    logging.config.dictConfig(config)
    try:
        logging.getLogger("django.request").warning("Gone: %s", "/p/confirm/s3cret-token/")
    finally:
        logging.config.dictConfig(DEFAULT_LOGGING)
        logging.config.dictConfig(settings.LOGGING)
    assert "s3cret-token" not in capsys.readouterr().err
    assert "s3cret-token" not in buffer.getvalue()
    assert buffer.getvalue().count("/p/confirm/[redacted]/") == 1  # once, not twice
