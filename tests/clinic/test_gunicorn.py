"""The web process: gunicorn with the planner's settings, and no link secret in its logs."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def gunicorn_env(**env):
    environment = {k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"}
    environment.update(env)
    return environment


def printed_config(**env):
    result = subprocess.run(  # noqa: S603 - our own gunicorn and settings
        [GUNICORN, "--config", "python:clinic.gunicorn_conf", "--print-config"],
        cwd=ROOT, env=gunicorn_env(**env), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }


@pytest.mark.parametrize(("env", "workers"), [({}, "2"), ({"WEB_CONCURRENCY": "5"}, "5")])
def test_workers_come_from_web_concurrency_default_two(env, workers):
    config = printed_config(**env)
    assert config["workers"] == workers
    assert config["control_socket_disable"] == "True"


def test_listens_where_planner_addr_says():
    assert printed_config(PLANNER_ADDR="127.0.0.1:8123")["bind"] == "['127.0.0.1:8123']"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_never_prints_a_patient_link_token(tmp_path):
    """A real gunicorn on the embedded defaults (a fresh SQLite in a temporary folder)."""
    env = gunicorn_env(
        DATABASE_URL="", REDIS_URL="", VAR_DIR=str(tmp_path), DEBUG="1",
        PLANNER_ADDR=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1",
    )  # fmt: skip
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log = tmp_path / "web.log"
    with log.open("w") as out:
        web = subprocess.Popen(  # noqa: S603
            [GUNICORN, "--config", "python:clinic.gunicorn_conf"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://{env['PLANNER_ADDR']}"
            deadline = time.monotonic() + 30
            while fetch_or_none(f"{base}/login/") != 200:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            assert fetch(f"{base}/p/confirm/s3cret-Link-T0ken/") == 400
            assert fetch(f"{base}/calendar/feed/f33d-s3cret.ics") == 404
            time.sleep(0.5)  # the access line is written after the answer
        finally:
            web.terminate()
            web.wait(timeout=30)
    printed = log.read_text()
    assert '"GET /p/confirm/[redacted]/ HTTP/1.1" 400' in printed
    assert '"GET /calendar/feed/[redacted].ics HTTP/1.1" 404' in printed
    assert "s3cret" not in printed


def fetch_or_none(url):
    try:
        return fetch(url)
    except OSError:
        return None
