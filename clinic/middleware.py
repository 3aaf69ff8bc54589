"""Every page needs a logged-in staff member unless its view says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class StaffRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login-required default, narrowed to staff accounts.

    Views opt out with ``django.contrib.auth.decorators.login_not_required``
    (login, health check, the patients' signed links). A signed-in account that
    is not staff (never created by the planner, but possible through the admin)
    gets a 403 page rather than health data.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: list[Any],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None:
            return response
        if not getattr(view_func, "login_required", True):
            return None
        if request.user.is_authenticated and not request.user.is_staff:
            return render(request, "clinic/staff_only.html", status=403)
        return None
