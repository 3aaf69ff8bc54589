"""The admin app, with a site that refuses sessions without two-step verification.

Its own module: ``apps.py`` may hold only one default app configuration.
"""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class VerifiedAdminConfig(AdminConfig):
    """Django's admin; ``admin.site`` is a :class:`.admin_site.VerifiedAdminSite`."""

    default_site = "clinic.accounts.admin_site.VerifiedAdminSite"
