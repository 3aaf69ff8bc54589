"""The OpenAPI schema is a contract: the code's schema must equal the committed file."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from api.schema import SCHEMA_FILE

ROOT = Path(__file__).resolve().parents[2]


def current_schema() -> bytes:
    with translation.override(settings.LANGUAGE_CODE):  # as served, whatever the request's
        schema = SchemaGenerator().get_schema(request=None, public=True)
        return OpenApiYamlRenderer().render(schema, renderer_context={})


def test_the_committed_schema_is_the_codes_schema():
    committed = (ROOT / SCHEMA_FILE).read_bytes()
    assert yaml.safe_load(current_schema()) == yaml.safe_load(committed), (
        "The API's schema changed. If that is deliberate, regenerate the contract: "
        f".venv/bin/python manage.py spectacular --file {SCHEMA_FILE} --validate"
    )


def test_the_schema_is_served(client, db):
    answer = client.get("/api/v1/schema/")
    assert answer.status_code == 200
    assert yaml.safe_load(answer.content)["openapi"].startswith("3.")


def test_every_operation_documents_its_problems():
    schema = yaml.safe_load(current_schema())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422", "429"):
                assert status in operation["responses"], (path, method, status)


def test_the_schema_is_the_same_in_every_language(client, db):
    english = client.get("/api/v1/schema/").content
    assert client.get("/api/v1/schema/", headers={"Accept-Language": "ru"}).content == english
    with translation.override("ru"):
        assert yaml.safe_load(current_schema()) == yaml.safe_load(english)
