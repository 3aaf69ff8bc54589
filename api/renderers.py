"""JSON out; problem details keep their own media type (``application/problem+json``)."""

from __future__ import annotations

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """Plain JSON: no browsable API (it would need the session cookie and inline scripts)."""

    ensure_ascii = False
