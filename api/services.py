"""Writes of the API's own rows: personal tokens (made, revoked) and idempotent answers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from clinic.actors import Actor
from clinic.permissions import require

TOKEN_START = "cpl_"  # noqa: S105 (the tokens' visible start, no secret)
PREFIX_BYTES = 5  # 10 hex characters: names the token in lists, finds its row
SECRET_BYTES = 32
LAST_USED_EVERY = timedelta(minutes=1)  # a token's last use is kept to the minute


def digest_of(raw: str) -> str:
    """The SHA-256 (hex) kept for a token: the secret itself is never stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def split_token(raw: str) -> str | None:
    """The prefix of a well-formed token (``cpl_<prefix>_<secret>``), or None."""
    if not raw.startswith(TOKEN_START) or len(raw) > 200:
        return None
    prefix, _, secret = raw[len(TOKEN_START) :].partition("_")
    if len(prefix) != PREFIX_BYTES * 2 or not secret:
        return None
    return prefix


@transaction.atomic
def create_token(
    *, user: Actor, name: str, read_only: bool, actor: Actor, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new personal token for ``user`` (the actor themselves): the row and the token text,
    which is shown once and never kept (only its SHA-256)."""
    require(actor, "api.own_tokens", user)
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "API token",
        prefix=prefix,
        digest=digest_of(raw),
        read_only=read_only,
        created_at=now or timezone.now(),
        created_by=actor,
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: Actor, now: datetime | None = None) -> bool:
    """The token stops working at once; False when it was already revoked."""
    require(actor, "api.own_tokens", token.user)
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now or timezone.now(), revoked_by=actor
        )
    )


def find_token(raw: str) -> ApiToken | None:
    """The active token ``raw`` names, its user active and staff; None otherwise.

    Found by its visible prefix, then compared by digest in constant time.
    """
    prefix = split_token(raw)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest_of(raw)):
        return None
    if not (token.user.is_active and token.user.is_staff):
        return None
    return token


def note_use(token: ApiToken, now: datetime | None = None) -> None:
    """Record the token's last use, at most once a minute (not a write per request).

    Part of the request's authentication: it changes nothing anyone acts on.
    """
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
