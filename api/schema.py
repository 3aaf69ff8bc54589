"""The OpenAPI 3 schema (drf-spectacular): bearer tokens, and problem details for every error.

``api/openapi.yaml`` is the committed contract; tests/api/test_schema.py fails when the
code's schema differs from it (regenerate it deliberately: see the README).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from api.problems import PROBLEM_TYPE

SCHEMA_FILE = "api/openapi.yaml"

# Every operation may answer these with problem details (api.problems): bad input, no
# token, a role without the right, a record that is not there (or not the caller's to see),
# a change meanwhile, a body too large, not JSON, a rule's refusal, too many requests.
ERROR_STATUSES = {
    "400": "Bad input: malformed JSON, wrong types, unknown fields, out-of-range values.",
    "401": "No token, or a token that is not valid.",
    "403": "The token's role may not do this, or the token is read-only.",
    "404": "No such record.",
    "405": "Method not allowed.",
    "406": "Only JSON is answered.",
    "409": "Changed meanwhile (a stale version, a preview the calendar overtook).",
    "413": "Request body too large.",
    "415": "Only JSON bodies are taken.",
    "422": "Refused by a rule: the code names it, as on the screens.",
    "429": "Too many requests for this token: see Retry-After.",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details, with the rule's stable code.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
        "violations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "overridable": {"type": "boolean"},
                },
            },
        },
        "suggestions": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["type", "title", "status", "detail", "code"],
    "additionalProperties": True,
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, as it is; named here so the settings point into the API app."""


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "cpl_<prefix>_<secret>"}


# Integer bounds a model field takes from the database's own column range (SQLite's are
# 64-bit, PostgreSQL's by column type): not part of the contract, which must not depend on
# the database the schema was generated on.
DATABASE_MAXIMA = frozenset({2**15 - 1, 2**31 - 1, 2**63 - 1})
DATABASE_MINIMA = frozenset({-(2**15), -(2**31), -(2**63)})


def _drop_database_bounds(node: Any) -> None:
    if isinstance(node, dict):
        dropped = False
        if node.get("maximum") in DATABASE_MAXIMA:
            del node["maximum"]
            dropped = True
        if node.get("minimum") in DATABASE_MINIMA:
            del node["minimum"]
            dropped = True
        if dropped and node.get("format") == "int64":
            del node["format"]
        for value in node.values():
            _drop_database_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _drop_database_bounds(value)


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the Problem schema, and every error status on every operation;
    no bound that only says which database generated the schema."""
    _drop_database_bounds(result)
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description, **problem})
    return result
