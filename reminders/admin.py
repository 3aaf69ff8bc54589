"""Admin for the outbox: read-only, with the staff screens' retry as an action."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_reads import ReadRecordedAdmin
from clinic.actors import acting_user
from clinic.admin import CheckedModelAdmin, ServiceWrittenAdmin, ServiceWrittenInline
from reminders import services, webhooks
from reminders.forms import check_url
from reminders.models import (
    MessageEvent,
    OutboxMessage,
    SmsLimit,
    Status,
    WebhookEndpoint,
    WebhookEvent,
)


class EventInline(ServiceWrittenInline):
    model = MessageEvent
    readonly_fields = ["at", "event", "detail"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadRecordedAdmin, ServiceWrittenAdmin):
    list_display = ["kind", "channel", "recipient", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient", "patient__last_name", "patient__first_name"]
    date_hierarchy = "due_at"
    inlines = [EventInline]
    actions = ["retry"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    @admin.action(description=_("Queue failed messages again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        failed = queryset.filter(status=Status.FAILED)
        count = sum(services.retry_failed(message=m, actor=acting_user(request)) for m in failed)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
        )


@admin.register(SmsLimit)
class SmsLimitAdmin(CheckedModelAdmin):
    """The clinic's most SMS segments per kind of message (seeded with the defaults)."""

    list_display = ["kind", "max_segments"]
    list_editable = ["max_segments"]
    fields = ["kind", "max_segments"]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_url(self) -> str:
        return check_url(self.cleaned_data["url"])

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CheckedModelAdmin):
    """Endpoints are added on the Webhooks screen (which shows the new secret once); here a
    manager edits them and switches them on or off, through the same services."""

    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "failing_since", "disabled_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["failing_since", "disabled_at", "disabled_reason", "created_by",
                       "created_at"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # switched off instead: its deliveries stay in the history

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: forms.ModelForm, change: bool
    ) -> None:
        actor = acting_user(request)
        data = form.cleaned_data
        webhooks.update_endpoint(
            endpoint=obj, name=data["name"], url=data["url"], events=data["events"], actor=actor
        )
        if "active" in form.changed_data:
            webhooks.switch_endpoint(endpoint=obj, on=data["active"], actor=actor)
