"""The admin site: for managers only, in a session verified by two-step verification (#16)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from clinic.accounts.admin_site import VerifiedAdminSite

MANAGE = "clinic.manage"
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ClinicAdminSite(VerifiedAdminSite):
    """The admin opens to the ``clinic.manage`` permission (managers), not to every staff flag,
    and only in a session that passed the code step (:class:`VerifiedAdminSite`).

    A signed-in member of staff without the permission gets 403 on every admin
    page (Django would send them to the admin's login form again); a manager not
    yet verified is sent to the code step (or to set up an authenticator); an
    anonymous visitor still goes to the login page.
    """

    site_header = _("Clinic planner administration")
    site_title = _("Clinic planner admin")
    index_title = _("Manage the clinic")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.has_perm(MANAGE)

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def refuse_signed_in(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if user.is_authenticated and not (user.is_staff and user.has_perm(MANAGE)):
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        refuse_signed_in.required_permission = MANAGE  # type: ignore[attr-defined]
        return cast(View, refuse_signed_in)
