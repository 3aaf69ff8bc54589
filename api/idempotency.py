"""``Idempotency-Key`` on POSTs: a retried request gets the first answer and does nothing new.

The key's row is inserted first, in the request's transaction: a second request with the
same key waits on it (the unique constraint) until the first has committed, then answers
what the first answered. The same key sent with another request (method, path or body) is
refused (409), never answered with the wrong result. Answers are kept for a day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.models import ApiToken, IdempotentRequest
from api.problems import Problem, response_for

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 200


def _fingerprint(request: Request) -> str:
    """The request as sent: method, path and the JSON body (parsed, so spacing and member
    order do not count)."""
    body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Problem(
            400,
            "invalid_idempotency_key",
            gettext("The Idempotency-Key must be 1 to %(max)d printable ASCII characters.")
            % {"max": MAX_KEY_LENGTH},
        )
    return key


def run_once(request: Request, handle: Callable[[], Response], context: dict[str, Any]) -> Response:
    """Answer ``request`` with ``handle()``, or with the answer kept for its key.

    A refusal is an answer too (kept, and given again); an unexpected error is not kept.
    """
    key = _key(request)
    token = request.auth
    if key is None or not isinstance(token, ApiToken):
        return handle()
    now = timezone.now()
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        IdempotentRequest.objects.filter(token=token, created_at__lt=now - KEPT_FOR).delete()
        record, created = IdempotentRequest.objects.get_or_create(
            token=token, key=key, defaults={"fingerprint": fingerprint, "created_at": now}
        )
        if not created:
            return _replay(record, fingerprint)
        try:
            with transaction.atomic():
                response = handle()
        except Exception as error:  # a refusal is the answer to keep
            refusal = response_for(error, context)
            if refusal is None:
                raise
            response = refusal
        record.status_code = response.status_code
        record.body = _storable(json.loads(json.dumps(response.data, cls=JSONEncoder)))
        record.save(update_fields=["status_code", "body"])
    return response


def _storable(value: Any) -> Any:
    """``value`` with NUL characters replaced: PostgreSQL's JSON cannot hold them, and a
    refusal may quote the request's text back (a JSON body may carry ``\\u0000``)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    return value


def _replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Problem(
            409,
            "idempotency_key_reused",
            gettext("This Idempotency-Key was used for another request; use a new key."),
        )
    content_type = "application/problem+json" if (record.status_code or 0) >= 400 else None
    response = Response(record.body, status=record.status_code, content_type=content_type)
    response["Idempotent-Replayed"] = "true"
    return response
