"""Sign-in rules applied to every request: the idle time limit and two-step verification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device

from clinic.accounts import services
from clinic.accounts.browsers import summarise_browser
from clinic.accounts.events import AuthEvent, send_auth_event
from clinic.accounts.policy import is_verified, must_use_mfa
from clinic.models import Clinic

LAST_SEEN_KEY = "accounts_last_seen"  # POSIX seconds of the session's last request
RECORD_EVERY_SECONDS = 60  # the sessions list is kept to the minute, not written per request


class SessionIdleMiddleware:
    """A signed-in session unused for the clinic's ``session_idle_minutes`` ends (ASVS 3.3.2).

    Each request notes its time in the session; the next request after a longer
    pause logs the session out and goes to the login page, which says why. The
    staff's list of sessions is updated at most once a minute.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and request.session.session_key:
            now = timezone.now()
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_minutes = Clinic.for_request(request).session_idle_minutes
            if last_seen is not None and now.timestamp() - last_seen > idle_minutes * 60:
                return self._expire(request, idle_minutes)
            if last_seen is None or now.timestamp() - last_seen >= RECORD_EVERY_SECONDS:
                self._record(request, now)
        return self.get_response(request)

    @staticmethod
    def _record(request: HttpRequest, now: datetime) -> None:
        request.session[LAST_SEEN_KEY] = now.timestamp()
        services.record_activity(
            session_key=str(request.session.session_key),
            browser=summarise_browser(request.META.get("HTTP_USER_AGENT", "")),
            now=now,
            actor=request.user,  # type: ignore[arg-type]
        )

    @staticmethod
    def _expire(request: HttpRequest, idle_minutes: int) -> HttpResponse:
        user = request.user
        services.forget_session(
            session_key=str(request.session.session_key),
            actor=user,  # type: ignore[arg-type]
        )
        send_auth_event(
            AuthEvent.SESSION_EXPIRED, user=user, request=request,
            detail={"idle_minutes": idle_minutes},
        )  # fmt: skip
        logout(request)
        messages.info(
            request,
            ngettext(
                "You were logged out after %(minutes)d minute without activity.",
                "You were logged out after %(minutes)d minutes without activity.",
                idle_minutes,
            )
            % {"minutes": idle_minutes},
        )
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


# Where a signed-in person who still owes the code step may go: the code step and
# setup pages themselves (they check for themselves), logging out, static files.
OPEN_BEFORE_VERIFICATION = {"accounts:verify", "accounts:mfa", "accounts:recovery_codes", "logout"}


class MfaRequiredMiddleware:
    """Two-step verification before any page (ASVS 4.3.1).

    A signed-in person with a confirmed authenticator who has not typed a code in
    this session is sent to the code step; one who must use two steps (managers;
    all staff when the clinic says so) but has none is sent to set one up. Either
    way nothing else opens until it is done. Pages that need no login (the patients'
    links, the health check, the login page) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_VERIFICATION:
            return None
        if user_has_device(user):
            return _redirect_with_next("accounts:verify", request)
        if must_use_mfa(user, all_staff=Clinic.for_request(request).mfa_required_for_all_staff):
            messages.info(request, _("Set up two-step verification to continue."))
            return _redirect_with_next("accounts:mfa", request)
        return None


def _redirect_with_next(view_name: str, request: HttpRequest) -> HttpResponse:
    target = reverse(view_name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)
