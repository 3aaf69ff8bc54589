"""The managers' webhook screens (issue #18): endpoints, the secret shown once, switching
on and off, recent deliveries with a retry button; other roles get 403."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reminders import webhooks
from reminders.models import Channel, OutboxMessage, Status, WebhookEndpoint
from tests.factories import PractitionerFactory

FORM = {"name": "CRM", "url": "https://crm.example/hooks", "events": ["session.moved"]}


@pytest.fixture
def endpoint(manager):
    made, _ = webhooks.create_endpoint(
        name="CRM", url="https://crm.example/hooks", events=["session.moved"], actor=manager
    )
    return made


@pytest.fixture
def failed_delivery(endpoint):
    webhooks.queue_event("session.moved", {"session": {"id": 1}})
    message = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=5, last_error="the endpoint answered 500"
    )
    return message


def test_a_manager_adds_an_endpoint_and_sees_its_secret_once(manager_client, manager):
    assert manager_client.get(reverse("reminders:webhook_add")).status_code == 200
    response = manager_client.post(reverse("reminders:webhook_add"), FORM)
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.name, endpoint.url, endpoint.events, endpoint.active) == (
        "CRM", "https://crm.example/hooks", ["session.moved"], True,
    )  # fmt: skip
    assert endpoint.created_by == manager
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    for page in ("reminders:webhooks", "reminders:webhook"):
        args = [endpoint.pk] if page == "reminders:webhook" else []
        assert endpoint.secret not in manager_client.get(reverse(page, args=args)).content.decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"url": "ftp://crm.example/"}, "Enter an http:// or https:// address."),
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"events": ["session.exploded"]}, "Select a valid choice."),
        ({"events": []}, "This field is required."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(manager_client, change, error):
    response = manager_client.post(reverse("reminders:webhook_add"), FORM | change)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_in_production(manager_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:8150/", "http://10.1.2.3/", "http://localhost/"):
        response = manager_client.post(reverse("reminders:webhook_add"), FORM | {"url": url})
        assert response.status_code == 400
        assert "must be on the public internet" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_manager_edits_the_events_and_address(manager_client, endpoint):
    url = reverse("reminders:webhook", args=[endpoint.pk])
    data = {"name": "CRM 2", "url": "https://crm2.example/in",
            "events": ["session.cancelled", "session.no_show"]}  # fmt: skip
    assert manager_client.post(url, data).status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.events) == (
        "CRM 2", "https://crm2.example/in", ["session.cancelled", "session.no_show"],
    )  # fmt: skip
    assert manager_client.post(url, data | {"events": ["nope"]}).status_code == 400


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_for_a_day(manager_client, endpoint):
    old = endpoint.secret
    response = manager_client.post(reverse("reminders:webhook_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert endpoint.signing_secrets(timezone.now()) == [endpoint.secret, old]
    later = timezone.now() + webhooks.ROTATION_OVERLAP
    assert endpoint.signing_secrets(later) == [endpoint.secret]


def test_switching_off_and_on(manager_client, endpoint, manager):
    url = reverse("reminders:webhook_switch", args=[endpoint.pk])
    assert manager_client.post(url, {"on": "0"}).status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason) == (False, "switched off by boss")
    page = manager_client.get(reverse("reminders:webhook", args=[endpoint.pk])).content.decode()
    assert "Off since" in page
    manager_client.post(url, {"on": "1"})
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_at, endpoint.disabled_reason) == (True, None, "")


def test_recent_deliveries_show_their_status_and_a_failed_one_can_be_retried(
    manager_client, endpoint, failed_delivery
):
    page = manager_client.get(reverse("reminders:webhook", args=[endpoint.pk])).content.decode()
    assert failed_delivery.webhook.delivery_id in page
    assert "the endpoint answered 500" in page
    retry = reverse("reminders:webhook_retry", args=[endpoint.pk, failed_delivery.pk])
    assert f'action="{retry}"' in page
    assert manager_client.post(retry).status_code == 302
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == (Status.PENDING, 0)


def test_a_delivery_of_another_endpoint_is_not_found_there(
    manager_client, manager, endpoint, failed_delivery
):
    other, _ = webhooks.create_endpoint(
        name="B", url="https://b.example/", events=["session.moved"], actor=manager
    )
    retry = reverse("reminders:webhook_retry", args=[other.pk, failed_delivery.pk])
    assert manager_client.post(retry).status_code == 404


def test_the_failed_messages_screen_lists_failed_deliveries_with_the_endpoint(
    reception_client, failed_delivery
):
    page = reception_client.get(reverse("reminders:failed")).content.decode()
    assert "CRM" in page
    assert "session.moved" in page
    assert reverse("reminders:retry", args=[failed_delivery.pk]) in page


@pytest.mark.parametrize("role", ["reception", "practitioner"])
def test_other_roles_get_403_and_change_nothing(role, reception, endpoint, failed_delivery):
    user = reception if role == "reception" else PractitionerFactory().user
    client = Client()
    client.force_login(user)
    before = list(WebhookEndpoint.objects.values())
    pages = [reverse("reminders:webhooks"), reverse("reminders:webhook_add"),
             reverse("reminders:webhook", args=[endpoint.pk])]  # fmt: skip
    assert [client.get(p).status_code for p in pages] == [403, 403, 403]
    posts = [reverse("reminders:webhook_add"), reverse("reminders:webhook", args=[endpoint.pk]),
             reverse("reminders:webhook_rotate", args=[endpoint.pk]),
             reverse("reminders:webhook_switch", args=[endpoint.pk]),
             reverse("reminders:webhook_retry",
                     args=[endpoint.pk, failed_delivery.pk])]  # fmt: skip
    assert {client.post(p, FORM).status_code for p in posts} == {403}
    assert list(WebhookEndpoint.objects.values()) == before
    assert OutboxMessage.objects.get(pk=failed_delivery.pk).status == Status.FAILED
    assert "Webhooks" not in client.get(reverse("reminders:failed")).content.decode()


def test_the_admin_edits_and_switches_through_the_services(manager_client, endpoint):
    url = reverse("admin:reminders_webhookendpoint_change", args=[endpoint.pk])
    page = manager_client.get(url)
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    data = {"name": "CRM", "url": "https://crm.example/hooks", "events": ["session.done"]}
    assert manager_client.post(url, data).status_code == 302  # "active" unticked: off
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.active) == (["session.done"], False)
    assert endpoint.disabled_reason == "switched off by boss"
    assert manager_client.get(reverse("admin:reminders_webhookendpoint_add")).status_code == 403
