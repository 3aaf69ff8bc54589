"""Typed readers for environment variables.

Settings come from the environment (twelve-factor). A value that cannot be
parsed stops start-up with a message naming the variable, rather than being
silently read as a default: a typo in ``DEBUG`` must never switch production
into debug mode.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def read_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """Return the variable stripped of surrounding blanks, or ``default`` when unset or empty."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or default


def read_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """Read a yes/no flag; anything but the usual words is refused."""
    raw = read_str(name, environ=environ).lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    allowed = ", ".join(sorted(TRUE_WORDS | FALSE_WORDS))
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value; use one of: {allowed}.")


def read_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Read a whole number, refusing text and values under ``minimum``."""
    raw = read_str(name, environ=environ)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def read_list(
    name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Read a comma-separated list, dropping empty items."""
    raw = read_str(name, environ=environ)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
