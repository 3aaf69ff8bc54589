"""The sign-in pages: the code step, two-step setup, recovery codes, password, sessions."""

from __future__ import annotations

import math
from base64 import b32encode
from datetime import timedelta
from importlib import import_module

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import services
from clinic.accounts.events import AuthEvent, send_auth_event
from clinic.accounts.forms import CodeForm, LanguageForm, PasswordChangeForm
from clinic.accounts.middleware import note_staff_language
from clinic.accounts.models import StaffSession, staff_language
from clinic.accounts.policy import is_verified
from clinic.accounts.services import OWN_ACCOUNT
from clinic.actors import AuthenticatedHttpRequest, acting_user
from clinic.models import Clinic
from clinic.permissions import requires

NEW_CODES_KEY = "accounts_new_recovery_codes"  # shown once on the next page, then dropped


def _next_page(request: HttpRequest, default: str = "home") -> str:
    """The ``next`` address if it is on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else str(reverse_lazy(default))


@login_not_required
def locked_out(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """django-axes' answer to a locked account or address: 429, saying for how long."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        "minutes": minutes,
        "message": ngettext(
            "Too many failed attempts. Logging in is blocked for %(minutes)d minute after the "
            "last failed attempt; please wait, then try again, or ask a manager to unlock it.",
            "Too many failed attempts. Logging in is blocked for %(minutes)d minutes after the "
            "last failed attempt; please wait, then try again, or ask a manager to unlock it.",
            minutes,
        )
        % {"minutes": minutes},
    }
    return render(request, "registration/locked_out.html", context, status=429)


@requires(OWN_ACCOUNT)
def verify(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The code step after the password: an authenticator code or a recovery code.

    Wrong codes count as failed logins for django-axes (the same lockout as the
    password step) and make each device back off (django-otp).
    """
    user = acting_user(request)
    if is_verified(user):
        return redirect(_next_page(request))
    if not user_has_device(user):
        return redirect("accounts:mfa")
    credentials = {"username": user.get_username()}
    AxesProxyHandler.update_request(request)
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return locked_out(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = services.check_code(code=form.cleaned_data["code"], actor=user)
        if check.device is not None:
            return _verified(request, check.device, check.method)
        AxesProxyHandler.user_login_failed(sender=verify, credentials=credentials, request=request)
        throttled = check.locked_until is not None
        send_auth_event(
            AuthEvent.MFA_FAILED, user=user, request=request, detail={"throttled": throttled}
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
        form.add_error("code", _wrong_code_message(check.locked_until))
        status = 429 if throttled else 400
    context = {"form": form, "next": _next_page(request), "signin_pending": True}
    return render(request, "accounts/verify.html", context, status=status)


def _wrong_code_message(locked_until: object) -> str:
    if locked_until is None:
        return _("That code is not right. Check the time on your phone, or use a recovery code.")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))  # type: ignore[operator]
    return ngettext(
        "Too many wrong codes: wait %(seconds)d second before trying again.",
        "Too many wrong codes: wait %(seconds)d seconds before trying again.",
        seconds,
    ) % {"seconds": seconds}


def _verified(request: HttpRequest, device: object, method: str) -> HttpResponse:
    otp_login(request, device)
    user = request.user
    send_auth_event(AuthEvent.MFA_VERIFIED, user=user, request=request, detail={"method": method})
    if method == "recovery_code":
        left = StaticToken.objects.filter(device__user=user).count()
        messages.warning(
            request,
            ngettext(
                "You used a recovery code: %(count)d is left. Make new ones on your account page.",
                "You used a recovery code: %(count)d are left. Make new ones on your account page.",
                left,
            )
            % {"count": left},
        )
    return redirect(_next_page(request))


def _needs_code_step(request: HttpRequest) -> bool:
    """Signed in with an authenticator but no code typed yet: setup pages are closed."""
    user = request.user
    return user_has_device(user) and not is_verified(user)


@requires(OWN_ACCOUNT)
def mfa(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Two-step verification: its state, and setting up (or replacing) the authenticator app.

    Setting up shows a QR code drawn here (and the secret as text), then asks for a
    code from the app to confirm it; ten recovery codes follow, shown once.
    """
    user = acting_user(request)
    if _needs_code_step(request):
        return redirect("accounts:verify")
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if enrolled and "replace" not in request.GET and request.method != "POST":
        left = StaticToken.objects.filter(device__user=user).count()
        return render(request, "accounts/mfa_on.html", {"codes_left": left})
    device = services.start_enrolment(actor=user)
    form = CodeForm(request.POST or None, submit=_("Confirm"), setup=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_authenticator(
            device_id=device.pk, code=form.cleaned_data["code"], actor=user
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[NEW_CODES_KEY] = codes
            send_auth_event(AuthEvent.MFA_ENROLLED, user=user, request=request)
            send_auth_event(AuthEvent.RECOVERY_CODES, user=user, request=request)
            messages.success(request, _("Two-step verification is on."))
            return redirect("accounts:recovery_codes")
        send_auth_event(AuthEvent.MFA_FAILED, user=user, request=request, detail={"setup": True})
        form.add_error("code", _("That code is not right: type the code the app shows now."))
        status = 400
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "replacing": enrolled,
        "signin_pending": not is_verified(user),  # first setup: nothing else opens yet
    }
    return render(request, "accounts/mfa_setup.html", context, status=status)


def _qr_svg(url: str) -> str:
    """The otpauth address as an inline SVG QR code, drawn here (no image from another host)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=_("QR code for your authenticator app")
    )
    return mark_safe(svg)  # noqa: S308 (segno's own markup; the address is escaped in it)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@requires(OWN_ACCOUNT)
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """New recovery codes (POST, the old ones stop working), shown once on the next GET."""
    user = acting_user(request)
    if _needs_code_step(request) or not is_verified(user):
        return redirect("accounts:mfa")
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = services.renew_recovery_codes(actor=user)
        send_auth_event(AuthEvent.RECOVERY_CODES, user=user, request=request)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        messages.info(request, _("Recovery codes are shown only once. Make new ones if needed."))
        return redirect("accounts:mfa")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@requires(OWN_ACCOUNT)
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own sign-in: two-step verification, password, and signed-in sessions."""
    user = acting_user(request)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    idle = timedelta(minutes=Clinic.for_request(request).session_idle_minutes)
    alive = [
        row
        for row in StaffSession.objects.filter(user=user, last_seen_at__gte=timezone.now() - idle)
        if row.session_key == request.session.session_key or store.exists(row.session_key)
    ]
    context = {
        "sessions": alive,
        "current_key": request.session.session_key,
        "mfa_on": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "language_form": LanguageForm(initial={"language": staff_language(user) or ""}),
    }
    return render(request, "accounts/account.html", context)


@requires(OWN_ACCOUNT)
@require_POST
def language(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the person's interface language; the next page is in it."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages the planner offers."))
        return redirect("accounts:account")
    chosen = form.cleaned_data["language"]
    services.choose_language(language=chosen, actor=acting_user(request))
    note_staff_language(request, acting_user(request))  # this browser: from the next page
    with translation.override(chosen or translation.get_language()):
        messages.success(request, _("Your language is saved."))
    return redirect("accounts:account")


@requires(OWN_ACCOUNT)
@require_POST
def end_session(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """End one of one's own other sessions (that browser must log in again)."""
    user = acting_user(request)
    if (
        request.session.session_key
        and StaffSession.objects.filter(
            pk=session_id, session_key=request.session.session_key
        ).exists()
    ):
        messages.error(request, _("This is the session you are using: log out instead."))
        return redirect("accounts:account")
    if services.end_one_session(session_id=session_id, actor=user):
        send_auth_event(
            AuthEvent.SESSIONS_ENDED, user=user, request=request,
            detail={"count": 1, "reason": "ended_by_user"},
        )  # fmt: skip
        messages.success(request, _("That session has ended."))
    else:
        messages.error(request, _("That session had already ended."))
    return redirect("accounts:account")


@requires(OWN_ACCOUNT)
@require_POST
def end_other_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """End every other session of the person; ``everywhere`` ends this one as well."""
    user = acting_user(request)
    everywhere = "everywhere" in request.POST
    count = services.end_sessions(actor=user, keep=None if everywhere else request.session)
    reason = "logged_out_everywhere" if everywhere else "ended_others"
    send_auth_event(
        AuthEvent.SESSIONS_ENDED, user=user, request=request,
        detail={"count": count, "reason": reason},
    )  # fmt: skip
    if everywhere:
        logout(request)
        messages.success(request, _("You were logged out everywhere."))
        return redirect("login")
    messages.success(
        request,
        ngettext("%(count)d other session ended.", "%(count)d other sessions ended.", count)
        % {"count": count},
    )
    return redirect("accounts:account")


@method_decorator(requires(OWN_ACCOUNT), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password: this session stays, every other session ends (ASVS 3.3.3)."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: DjangoPasswordChangeForm) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves it; this session goes on under a new key
        user = acting_user(self.request)
        if old_key and self.request.session.session_key:
            services.move_session(
                old_key=old_key, new_key=self.request.session.session_key, actor=user
            )
        count = services.end_sessions(actor=user, keep=self.request.session)
        send_auth_event(AuthEvent.PASSWORD_CHANGED, user=user, request=self.request)
        send_auth_event(
            AuthEvent.SESSIONS_ENDED, user=user, request=self.request,
            detail={"count": count, "reason": "password_changed"},
        )  # fmt: skip
        messages.success(self.request, _("Your password was changed; other sessions ended."))
        return response

    def form_invalid(self, form: DjangoPasswordChangeForm) -> HttpResponse:
        """The form again with its errors, as a 400 like every refused form here."""
        response = super().form_invalid(form)
        response.status_code = 400
        return response
