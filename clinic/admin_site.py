"""The admin site: for managers only, in a session verified by two-step verification (#16)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import user_has_device

from clinic.accounts.policy import is_verified

MANAGE = "clinic.manage"
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ClinicAdminSite(admin.AdminSite):
    """The admin opens to the ``clinic.manage`` permission (managers), not to every staff flag,
    and only in a session that passed the code step (ASVS 4.3.1).

    A signed-in member of staff without the permission gets 403 on every admin
    page (Django would send them to the admin's login form again); a manager not
    yet verified is sent to the code step (or to set up an authenticator); an
    anonymous visitor still goes to the login page.
    """

    site_header = _("Clinic planner administration")
    site_title = _("Clinic planner admin")
    index_title = _("Manage the clinic")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return super().has_permission(request) and is_verified(user) and user.has_perm(MANAGE)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """A signed-in member of staff goes to the code step (or to set up an authenticator),
        never to the admin's own login form."""
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            next_page = request.GET.get("next", "")
            target = "accounts:verify" if user_has_device(user) else "accounts:mfa"
            response = redirect(target)
            if next_page:
                response["Location"] += "?" + urlencode({"next": next_page})
            return response
        return super().login(request, extra_context)

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
