"""Gunicorn's settings for the web process (Procfile: ``gunicorn -c python:clinic.gunicorn_conf``).

Read from the environment like the planner's own settings (``clinic.env``):

- ``PLANNER_ADDR``: address and port to listen on (default ``127.0.0.1:8000``, as
  ``make run``); behind a reverse proxy on another host, e.g. ``0.0.0.0:8000``.
- ``WEB_CONCURRENCY``: worker processes (default 2; gunicorn's own default is 1).
- ``FORWARDED_ALLOW_IPS`` (read by gunicorn itself): the proxies trusted to say
  the request came over HTTPS (default ``127.0.0.1,::1``).

The access log goes to standard output through ``RedactingLogger``: a patient's
signed link and a practitioner's feed carry their secret in the path (and in
the Referer of the pages they open), so each line passes the planner's
``RedactLinkSecrets`` filter, as Django's own log lines do.
"""

from __future__ import annotations

from gunicorn.config import Config
from gunicorn.glogging import Logger

from clinic.env import read_int, read_str
from clinic.logs import RedactLinkSecrets

wsgi_app = "clinic.wsgi:application"
bind = [read_str("PLANNER_ADDR", "127.0.0.1:8000")]
workers = read_int("WEB_CONCURRENCY", 2, minimum=1)
accesslog = "-"
errorlog = "-"
# Slow clients are the proxy's to buffer; a request the planner takes longer than this
# over is a bug, and its worker is restarted rather than left hanging.
timeout = read_int("WEB_TIMEOUT", 30, minimum=5)
graceful_timeout = 30
# No control socket (gunicorn 24+ opens one in the home folder by default): processes
# are managed by signals, and two planners on one host would fight over the one path.
control_socket_disable = True


class RedactingLogger(Logger):
    """Gunicorn's logger, with no link secret in its access or error lines."""

    def setup(self, cfg: Config) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactLinkSecrets) for f in log.filters):
                log.addFilter(RedactLinkSecrets())


logger_class = RedactingLogger
