"""Browser-test harness: headless system Chromium driven by Playwright.

Tests marked ``browser`` take the ``page`` fixture: a fresh browser context on
pytest-django's live server. Requests to any host but the live server are
aborted and fail the test (pages must never load third-party assets). When a
test fails, a screenshot is saved under ``var/test-artifacts/``. Without
Chromium the tests skip with a message, except where CI requires it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.services_check import chromium_path, services_required

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = (
            "Chromium not found: install Debian's chromium package "
            "(apt-get install chromium) or set CHROMIUM_PATH to run browser tests."
        )
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, live_server: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page in a fresh context; only the live server is reachable."""
    own_host = urlsplit(live_server.url).netloc
    blocked: list[str] = []

    def only_live_server(route: object) -> None:
        if urlsplit(route.request.url).netloc == own_host:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", only_live_server)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert not blocked, f"page tried to reach other hosts: {blocked}"


def log_in(page: object, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_with_code(page: object, username: str, password: str) -> None:
    """Log in as someone who must pass the code step (a manager): their authenticator app
    (made here if they have none) gives the code, typed on the real code step."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.mfa import add_authenticator, current_code

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or add_authenticator(user)
    log_in(page, username, password)
    page.wait_for_url("**/account/verify/**")
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
