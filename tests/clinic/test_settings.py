"""Start-up behaviour under production settings, checked in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-for-tests-0123456789"


def run_manage(*args, **env):
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="planner.clinic.example",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "planner.clinic.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "planner.clinic.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
)
def test_refuses_to_start_insecure_without_debug(env, message):
    result = run_manage("check", DEBUG="0", **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a yes/no value"),
        ({"TIME_ZONE": "Mars/Olympus"}, "not an IANA time zone"),
        ({"EMAIL_HOST": "smtp.example", "EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        (
            {"DATABASE_URL": "postgres://u@127.0.0.1/p", "DATABASE_PREPARED_STATEMENTS": "maybe"},
            "DATABASE_PREPARED_STATEMENTS='maybe' is not a yes/no value",
        ),
    ],
)
def test_bad_setting_stops_start_up_with_a_clear_message(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(("flag", "threshold"), [("1", "5"), ("0", "None")])
def test_prepared_statements_on_postgresql_can_be_turned_off(flag, threshold):
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = run_manage(
        "shell", "-c", show,
        DATABASE_URL="postgres://u@127.0.0.1/p", DATABASE_PREPARED_STATEMENTS=flag,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"'prepare_threshold': {threshold}" in result.stdout
    assert "'server_side_binding': True" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PLANNER_ADDR": "127.0.0.1:8200"}, "http://127.0.0.1:8200"),
        ({"PLANNER_ADDR": "127.0.0.1:8200", "PLANNER_BASE_URL": "https://p.example/"},
         "https://p.example"),
        ({}, "http://127.0.0.1:8000"),
    ],
)  # fmt: skip
def test_patient_links_point_where_make_run_serves_unless_told_otherwise(env, expected):
    show = "from django.conf import settings; print(settings.PLANNER_BASE_URL)"
    environment = {"PLANNER_ADDR": "", "PLANNER_BASE_URL": "", **env}
    result = run_manage("shell", "-c", show, **environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_the_embedded_broker_writes_whole_messages_only():
    show = "from django.conf import settings; print(settings.CELERY_BROKER_TRANSPORT)"
    result = run_manage("shell", "-c", show, REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "clinic.broker:Transport"


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "planner.clinic.example"}
SHOW_HEADERS = """
from django.test import Client
client = Client(HTTP_HOST="planner.clinic.example")
plain = client.get("/healthz")
print("plain", plain.status_code, plain.get("Location"))
secure = client.get("/healthz", secure=True)
for name in ("Strict-Transport-Security", "Content-Security-Policy", "Permissions-Policy",
             "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
    print(name, "=", secure.get(name))
proxied = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
print("proxied", proxied.status_code)
"""


def test_deploy_check_is_clean_behind_a_tls_proxy_too():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", BEHIND_TLS_PROXY="1", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr


def production_headers(tmp_path, **env):
    environment = {"DATABASE_URL": "", "REDIS_URL": "", "VAR_DIR": str(tmp_path)}
    result = run_manage("shell", "-c", SHOW_HEADERS, **PRODUCTION, **environment, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_production_answers_carry_hsts_csp_and_permissions_policy_over_https(tmp_path):
    shown = production_headers(tmp_path)
    assert "plain 301 https://planner.clinic.example/healthz" in shown
    assert "Strict-Transport-Security = max-age=31536000; includeSubDomains; preload" in shown
    [policy] = [line for line in shown.splitlines() if line.startswith("Content-Security-Policy")]
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "camera=()" in shown
    assert "X-Content-Type-Options = nosniff" in shown
    assert "X-Frame-Options = DENY" in shown
    assert "proxied 301" in shown  # X-Forwarded-Proto is not trusted unless told


def test_behind_a_tls_proxy_its_forwarded_https_is_trusted(tmp_path):
    shown = production_headers(tmp_path, BEHIND_TLS_PROXY="1")
    assert "proxied 301" not in shown
    assert "plain 301" in shown
