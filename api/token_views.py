"""Personal API tokens on the staff member's account page: make one (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.forms import TokenForm
from api.models import ApiToken
from clinic.actors import AuthenticatedHttpRequest, acting_user
from clinic.permissions import requires

NEW_TOKEN_KEY = "api_new_token"  # noqa: S105 - shown once on the next page, then dropped


@requires("api.own_tokens")
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's tokens (name, prefix, last use) and a form for a new one."""
    user = acting_user(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _token, raw = services.create_token(
                user=user, name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"], actor=user,
            )  # fmt: skip
            request.session[NEW_TOKEN_KEY] = raw
            return redirect("api_tokens:list")
        status = 400
    else:
        status = 200
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True),
        "new_token": request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None,
    }
    return render(request, "api/tokens.html", context, status=status)


@requires("api.own_tokens")
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    if services.revoke_token(token=token, actor=user):
        messages.success(request, _("The token is revoked: it no longer works."))
    else:
        messages.info(request, _("That token was already revoked."))
    return redirect("api_tokens:list")
