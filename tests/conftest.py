"""Shared fixtures. Browser fixtures live in tests/browser.py."""

from __future__ import annotations

import os
from datetime import date, time
from decimal import Decimal

import pytest
import time_machine as clock
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client

from clinic.accounts.middleware import SessionIdleMiddleware
from courses import services
from courses.defaults import seed_catalogue, seed_indication_areas
from courses.models import Indication, TreatmentArea
from tests.factories import (
    PractitionerFactory,
    cleared_patient,
    manager_user,
    reception_user,
    seed_clinic_hours,
)
from tests.mfa import force_verified_login

pytest_plugins = ["tests.services_check", "tests.browser", "tests.parallel"]

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config: pytest.Config) -> None:
    """Hash test passwords with MD5: tests only (never in clinic/settings.py).

    PBKDF2's million rounds took about 0.3 s per user made by a factory, most of
    the setup of a test that books a course. The live server and in-process
    workers share these settings, so logging in through the form still works.
    """
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def suite_clock():
    """With CLINIC_TEST_NOW (ISO date-time), the whole suite runs as if it were then.

    A test must not depend on the day it runs: sweeping this over each weekday
    of a month with a clock change shows which do. The clock ticks on from there;
    tests that freeze time themselves still do.
    """
    when = os.environ.get("CLINIC_TEST_NOW")
    if not when:
        yield
        return
    with clock.travel(when, tick=True):
        yield


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (a request's middleware activates the
    browser's language for the rest of its thread, as Django's LocaleMiddleware does)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_clinic_settings(settings):
    """Each test sees the clinic row as it is now (workers may cache it in production)."""
    settings.CLINIC_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def no_idle_logout(monkeypatch):
    """Tests travel hours and days through one login: the idle-time logout is off for them.

    The tests of that logout turn it on again with the ``idle_logout`` fixture.
    """
    monkeypatch.setattr(SessionIdleMiddleware, "enforced", False)


@pytest.fixture
def idle_logout(monkeypatch):
    monkeypatch.setattr(SessionIdleMiddleware, "enforced", True)


@pytest.fixture
def staff_user(db: None) -> User:
    return PractitionerFactory().user


@pytest.fixture
def staff_client(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager(db: None) -> User:
    """A manager: in the manager group, not a superuser (issue #16)."""
    return manager_user(username="boss")


@pytest.fixture
def manager_client(client: Client, manager: User) -> Client:
    """Logged in as the manager, past the code step (managers must use two steps)."""
    force_verified_login(client, manager)
    return client


@pytest.fixture
def reception(db: None) -> User:
    """The front desk: in the reception group, no practitioner profile."""
    return reception_user(username="desk")


@pytest.fixture
def reception_client(client: Client, reception: User) -> Client:
    client.force_login(reception)
    return client


MONDAY = date(2026, 1, 5)


@pytest.fixture
def now(time_machine):
    time_machine.move_to("2026-01-02 12:00Z", tick=False)


@pytest.fixture
def practitioner(db):
    return PractitionerFactory()


@pytest.fixture
def rooms(practitioner):
    return seed_clinic_hours(practitioner)


@pytest.fixture
def patient(now, practitioner):
    return cleared_patient(practitioner.user)


@pytest.fixture
def catalogue(db):
    """The migration-seeded defaults (transactional tests flush them between tests).

    A flush empties every table, so one query tells whether to seed them again;
    reseeding row by row in every test cost some 30 queries each.
    """
    if not Indication.objects.exists():
        seed_catalogue(apps)
        seed_indication_areas(apps)


@pytest.fixture
def face(catalogue):
    return TreatmentArea.objects.get(code="face")


@pytest.fixture
def wrinkles(catalogue):
    return Indication.objects.get(code="wrinkles")


@pytest.fixture
def draft(patient, practitioner, rooms, face, wrinkles):
    def make(**overrides):
        values = {
            "patient": patient, "indication": wrinkles, "area": face, "needle_mm": Decimal("0.5"),
            "sessions_planned": 6, "target_gap_weeks": 3, "practitioner": practitioner,
            "preferred_weekday": 1, "preferred_time": time(10), "start_on": MONDAY,
            "actor": practitioner.user,
        }  # fmt: skip
        values.update(overrides)
        return services.create_draft_course(**values)

    return make


@pytest.fixture
def book(draft, practitioner):
    """Plan and confirm a course (``draft``'s defaults, overridable): its sessions are booked."""

    def make(**overrides):
        course = draft(**overrides)
        services.confirm_course(course=course, actor=practitioner.user)
        return course

    return make


@pytest.fixture
def live_worker():
    """A real Celery worker thread on the configured broker.

    Its database connections are closed after every task (no re-use), so none
    outlives the test and the test database can be dropped at the end.
    """
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from clinic.celery import app

    reuse = app.conf.get("CELERY_DB_REUSE_MAX")
    app.conf.update(CELERY_DB_REUSE_MAX=None)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(CELERY_DB_REUSE_MAX=reuse)
        connections.close_all()
