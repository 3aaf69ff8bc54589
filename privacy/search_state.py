"""Stored search state: the words staff searched for, kept in their login sessions.

The patients' list and the admin's lists keep the posted search words in the session
(never in an address); after an erasure no session may keep a search for that patient.
Every staff login session is read (``clinic.accounts.StaffSession`` lists them, whatever
the session engine; with the database engine its table is read too) and any value that
names the patient is dropped.
"""

from __future__ import annotations

import json
import re
from importlib import import_module
from typing import Any

from django.conf import settings

from clinic.accounts.models import StaffSession


def _session_keys(engine: Any) -> set[str]:
    keys = set(StaffSession.objects.values_list("session_key", flat=True))
    model_class = getattr(engine.SessionStore, "get_model_class", None)
    if model_class is not None:
        keys |= set(model_class().objects.values_list("session_key", flat=True))
    return keys


def forget(pattern: re.Pattern[str] | None) -> int:
    """Drop every stored session value naming the patient; returns how many."""
    if pattern is None:
        return 0
    engine: Any = import_module(settings.SESSION_ENGINE)
    dropped = 0
    for key in _session_keys(engine):
        store = engine.SessionStore(session_key=key)
        for name in list(store.keys()):
            if pattern.search(json.dumps(store[name], default=str, ensure_ascii=False)):
                del store[name]
                dropped += 1
        if store.modified:
            store.save()
    return dropped
