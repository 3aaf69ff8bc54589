"""The admin site: staff with the admin's permissions, and a session verified with a code."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_otp import user_has_device

from clinic.accounts.policy import is_verified


class VerifiedAdminSite(admin.AdminSite):
    """Django's admin site, refusing any session not verified by two-step verification.

    Everyone reaching the admin must have passed the code step (ASVS 4.3.1); one
    without an authenticator is sent to set one up, one with an authenticator to
    the code step, instead of the admin's own login form.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            next_page = request.GET.get("next", "")
            target = "accounts:verify" if user_has_device(user) else "accounts:mfa"
            response = redirect(target)
            if next_page:
                response["Location"] += "?" + urlencode({"next": next_page})
            return response
        return super().login(request, extra_context)
