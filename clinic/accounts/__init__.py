"""Staff sign-in: two-step verification, login throttling, session expiry and sessions.

A Django app inside the ``clinic`` package (label ``accounts``), so it sits in the
lowest layer and every app above may use it.
"""
