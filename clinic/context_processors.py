"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clinic.models import Clinic


def clinic(request: HttpRequest) -> dict[str, object]:
    """The clinic's name and contacts, loaded only when a template uses them."""
    return {
        "clinic": SimpleLazyObject(lambda: Clinic.for_request(request)),
        "time_zone_name": settings.TIME_ZONE,
    }
