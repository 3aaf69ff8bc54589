"""Managers' webhook screens (issue #18): endpoints, their secrets and recent deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic.actors import AuthenticatedHttpRequest
from clinic.permissions import requires
from reminders import services, webhooks
from reminders.forms import WebhookEndpointForm
from reminders.models import Channel, OutboxMessage, WebhookEndpoint

MANAGE = webhooks.MANAGE
DELIVERIES_PAGE_SIZE = 25


@requires(MANAGE)
def endpoint_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    endpoints = WebhookEndpoint.objects.order_by("name", "id")
    return render(request, "reminders/webhooks.html", {"endpoints": endpoints})


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def endpoint_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new endpoint; its secret is shown on the answer to the POST, and never again."""
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        endpoint, secret = webhooks.create_endpoint(actor=request.user, **form.cleaned_data)
        return _secret_page(request, endpoint, secret)
    status = 400 if request.method == "POST" else 200
    return render(request, "reminders/webhook_form.html", {"form": form}, status=status)


def _secret_page(
    request: AuthenticatedHttpRequest, endpoint: WebhookEndpoint, secret: str
) -> HttpResponse:
    # Rendered on the POST's answer, never stored in a message or the session; the
    # page, like every staff page, is sent "no-store".
    return render(request, "reminders/webhook_secret.html", {"endpoint": endpoint,
                                                             "secret": secret})  # fmt: skip


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def endpoint_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit the endpoint; switch it on or off, rotate its secret; its recent deliveries."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {"name": endpoint.name, "url": endpoint.url, "events": endpoint.events}
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        webhooks.update_endpoint(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The endpoint is saved."))
        return redirect("reminders:webhook", pk=endpoint.pk)
    deliveries = (
        OutboxMessage.objects.filter(endpoint=endpoint, channel=Channel.WEBHOOK)
        .select_related("webhook")
        .order_by("-created_at", "-id")
    )
    page = Paginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"endpoint": endpoint, "form": form, "page": page}
    status = 400 if request.method == "POST" else 200
    return render(request, "reminders/webhook_detail.html", context, status=status)


@requires(MANAGE)
@require_POST
def endpoint_rotate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    secret = webhooks.rotate_secret(endpoint=endpoint, actor=request.user)
    return _secret_page(request, endpoint, secret)


@requires(MANAGE)
@require_POST
def endpoint_switch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    on = request.POST.get("on") == "1"
    webhooks.switch_endpoint(endpoint=endpoint, on=on, actor=request.user)
    messages.success(request, _("The endpoint is on.") if on else _("The endpoint is off."))
    return redirect("reminders:webhook", pk=endpoint.pk)


@requires(MANAGE)
@require_POST
def delivery_retry(request: AuthenticatedHttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """The failed-messages screen's retry, for one of this endpoint's deliveries."""
    message = get_object_or_404(OutboxMessage, pk=message_pk, endpoint_id=pk)
    if services.retry_failed(message=message, actor=request.user):
        messages.success(request, _("The delivery is queued again."))
    else:
        messages.info(request, _("That delivery is not failed any more."))
    return redirect("reminders:webhook", pk=pk)
