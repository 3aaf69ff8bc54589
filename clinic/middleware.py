"""Every page needs a logged-in staff member unless its view says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext


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
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None:
            return response
        if not getattr(view_func, "login_required", True):
            return None
        if request.user.is_authenticated and not request.user.is_staff:
            return render(request, "clinic/staff_only.html", status=403)
        return None


class RejectNullBytesMiddleware:
    """A null byte in the address (raw or as ``%00``) gets a 400, before any view runs.

    No page takes one legitimately, and PostgreSQL refuses them in text, so one
    reaching a query would be a server error ("A string literal cannot contain
    NUL"). Posted form fields are checked by the forms (Django's CharField
    refuses null characters with a form error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_null_byte(request):
            reason = gettext("The address contains a null character; please check the link.")
            if request.path_info.startswith("/api/"):  # the REST API answers problem details
                return null_byte_problem(request, reason)
            # A patient's link (/p/...) is answered in the patient's layout, with no
            # way into the staff pages.
            patient = request.path_info.startswith("/p/")
            base = "reminders/_patient_base.html" if patient else "base.html"
            context = {"reason": reason, "patient": patient, "base": base}
            return render(request, "400.html", context, status=400)
        return self.get_response(request)


def null_byte_problem(request: HttpRequest, reason: str) -> HttpResponse:
    """The REST API's RFC 9457 answer to a null byte (api.problems, which this layer below
    it cannot import, answers every other refusal the same way)."""
    body = {
        "type": "urn:clinic-planner:problem:null_character", "title": gettext("Bad request"),
        "status": 400, "detail": reason, "code": "null_character",
    }  # fmt: skip
    return JsonResponse(body, status=400, content_type="application/problem+json")


def has_null_byte(request: HttpRequest) -> bool:
    """Whether the path or any query-string name or value holds a null character."""
    query = unquote(request.META.get("QUERY_STRING", ""))
    return "\x00" in request.path or "\x00" in query


class NoStoreMiddleware:
    """Pages are never kept by a browser or a proxy: ``Cache-Control: no-store``.

    Staff pages and the patients' link pages show names, phone numbers and
    health details, which must not stay in a shared computer's cache or its
    back button after a logout (issue #15). Every response that has not said
    how to cache itself gets ``no-store``, error pages included; a view that
    sets its own header keeps it (the health check and the patients' links say
    ``no-store`` through ``never_cache``, the calendar feed and photos say
    ``private, no-store``). Static files keep the header WhiteNoise gives them
    (they hold no patient data). First in the list, so the null-byte 400 and
    every other early answer are covered too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
