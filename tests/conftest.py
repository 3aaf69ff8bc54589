"""Shared fixtures. Browser fixtures live in tests/browser.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import PractitionerFactory, UserFactory

pytest_plugins = ["tests.services_check", "tests.browser"]


@pytest.fixture
def staff_user(db: None) -> User:
    return PractitionerFactory().user


@pytest.fixture
def staff_client(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(is_superuser=True, username="boss")


@pytest.fixture
def manager_client(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client
