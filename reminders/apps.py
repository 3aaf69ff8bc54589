from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        """Register the reminder channels (the one place that lists them, e-mail first),
        the outbox and the webhooks as listeners to courses' events, and the outbox's
        section of /healthz."""
        from reminders import channels
        from reminders.channels.email import EmailChannel
        from reminders.channels.sms import SmsChannel
        from reminders.channels.webhook import WebhookChannel

        for channel in (EmailChannel(), SmsChannel(), WebhookChannel()):
            if not channels.is_registered(channel.key):
                channels.register(channel)

        # courses may not import reminders (the layers): it announces, we listen.
        from courses import events
        from reminders.course_events import OUTBOX_LISTENER
        from reminders.webhook_events import WEBHOOK_LISTENER

        events.register(OUTBOX_LISTENER)
        events.register(WEBHOOK_LISTENER)  # issue #18

        # clinic's /healthz reports the outbox (clinic may not import reminders either).
        from clinic import health
        from reminders.health import outbox_health

        health.register_section("outbox", outbox_health)
