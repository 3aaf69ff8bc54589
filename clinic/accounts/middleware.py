"""Sign-in rules applied to every request: the idle time limit and two-step verification."""

from __future__ import annotations

import time
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
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_otp import user_has_device

from clinic.accounts import services
from clinic.accounts.browsers import summarise_browser
from clinic.accounts.events import AuthEvent, send_auth_event
from clinic.accounts.models import staff_language
from clinic.accounts.policy import is_verified, must_use_mfa
from clinic.actors import Actor
from clinic.models import Clinic

LAST_SEEN_KEY = "accounts_last_seen"  # POSIX seconds of the session's last request
RECORD_EVERY_SECONDS = 60  # the sessions list is kept to the minute, not written per request


class SessionIdleMiddleware:
    """A signed-in session unused for the clinic's ``session_idle_minutes`` ends (ASVS 3.3.2).

    Each request notes its time in the session; the next request after a longer
    pause logs the session out and goes to the login page, which says why. The
    staff's list of sessions is updated at most once a minute.
    """

    # The test suite turns the limit off (tests/conftest.py): its tests travel hours and
    # days through one login. The tests of this limit turn it back on.
    enforced = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and request.session.session_key:
            now = timezone.now()
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_minutes = Clinic.for_request(request).session_idle_minutes
            idle_seconds = now.timestamp() - (last_seen or now.timestamp())
            if self.enforced and idle_seconds > idle_minutes * 60:
                return self._expire(request, idle_minutes)
            if last_seen is None or idle_seconds >= RECORD_EVERY_SECONDS:
                record_session_activity(request, user, now)
        return self.get_response(request)

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


def record_session_activity(request: HttpRequest, user: Actor, now: datetime) -> None:
    """Note the session's last request (in the session and in the person's list of sessions).

    Called at login too (``clinic.accounts.apps``), so a page right after login
    writes nothing.
    """
    request.session[LAST_SEEN_KEY] = now.timestamp()
    services.record_activity(
        session_key=str(request.session.session_key),
        browser=summarise_browser(request.META.get("HTTP_USER_AGENT", "")),
        now=now,
        actor=user,
    )


# Where a signed-in person who still owes the code step may go: the code step and
# setup pages themselves (they check for themselves), logging out, static files.
NO_STEP_UNTIL_KEY = "accounts_no_second_step_until"  # POSIX seconds
RECHECK_SECONDS = 300
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
        if request.session.get(NO_STEP_UNTIL_KEY, 0) > time.time():
            return None
        step = second_step_due(request, user)
        return _redirect_with_next(step, request) if step else None


def second_step_due(request: HttpRequest, user: Actor) -> str | None:
    """The page a signed-in, unverified person must go to first, if any: the code step when
    they have an authenticator, setup when they must use one. When neither, the session
    is spared the check for a few minutes (so a page costs no extra queries), after
    which a new clinic setting or a new manager role applies."""
    if user_has_device(user):
        return "accounts:verify"
    if must_use_mfa(user, all_staff=Clinic.for_request(request).mfa_required_for_all_staff):
        return "accounts:mfa"
    request.session[NO_STEP_UNTIL_KEY] = time.time() + RECHECK_SECONDS
    return None


def _redirect_with_next(view_name: str, request: HttpRequest) -> HttpResponse:
    target = reverse(view_name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)


# The staff member's interface language, noted in the session at login and when they
# choose it ("" for the browser's), so a page costs no query for it.
LANGUAGE_KEY = "accounts_language"


def note_staff_language(request: HttpRequest, user: object) -> str:
    """Read the person's chosen language into the session (at login, or when they choose)."""
    chosen = staff_language(user) or ""
    request.session[LANGUAGE_KEY] = chosen
    return chosen


class StaffLanguageMiddleware:
    """Every page a signed-in staff member opens is in the language they chose on their
    account page (the admin too); without a choice, the browser's (LocaleMiddleware's
    reading of Accept-Language). Sits after the login so the user is known, and
    after LocaleMiddleware, which it overrides. No language-prefixed URLs.

    The choice is read from the session (noted at login and when it changes); a
    session from before the choice existed reads it once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            chosen = request.session.get(LANGUAGE_KEY)
            if chosen is None:
                chosen = note_staff_language(request, request.user)
            if chosen:
                request.LANGUAGE_CODE = chosen
                # Only for this request: the thread goes back to what it had after it.
                with translation.override(chosen):
                    response = self.get_response(request)
                response.headers.setdefault("Content-Language", chosen)  # LocaleMiddleware's too
                return response
        return self.get_response(request)
