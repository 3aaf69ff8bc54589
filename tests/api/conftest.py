"""Fixtures for the API: a token per role and a JSON client that sends it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api import services


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, raw: str | None) -> None:
        self.raw = raw
        self.client = Client()

    def _headers(self, extra: dict | None) -> dict:
        headers = {"Authorization": f"Bearer {self.raw}"} if self.raw else {}
        return headers | (extra or {})

    def get(self, url: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(url, params or {}, headers=self._headers(headers))

    def post(self, url: str, body: object = None, *, headers: dict | None = None, raw=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            url, data, content_type="application/json", headers=self._headers(headers)
        )

    def method(self, name: str, url: str, body: object = None):
        data = json.dumps(body) if body is not None else ""
        return self.client.generic(
            name, url, data, content_type="application/json", headers=self._headers(None)
        )


def make_token(user, *, read_only: bool = False) -> str:
    return services.create_token(user=user, name="test", read_only=read_only, actor=user)[1]


@pytest.fixture
def api_for():
    """``api_for(user, read_only=False)``: a JSON client acting with a new token of ``user``."""

    def make(user, *, read_only: bool = False) -> ApiClient:
        return ApiClient(make_token(user, read_only=read_only))

    return make


@pytest.fixture
def practitioner_api(api_for, practitioner):
    return api_for(practitioner.user)


@pytest.fixture
def manager_api(api_for, manager):
    return api_for(manager)


@pytest.fixture
def reception_api(api_for, reception):
    return api_for(reception)


@pytest.fixture
def anonymous_api():
    return ApiClient(None)
