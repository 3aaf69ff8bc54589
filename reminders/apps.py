from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        """Register the reminder channels (the one place that lists them, e-mail first)
        the outbox as a listener to courses' events, and its section of /healthz."""
        from reminders import channels
        from reminders.channels.email import EmailChannel
        from reminders.channels.sms import SmsChannel

        for channel in (EmailChannel(), SmsChannel()):
            if not channels.is_registered(channel.key):
                channels.register(channel)

        # courses may not import reminders (the layers): it announces, we listen.
        from courses import events
        from reminders.course_events import OUTBOX_LISTENER

        events.register(OUTBOX_LISTENER)

        # clinic's /healthz reports the outbox (clinic may not import reminders either).
        from clinic import health
        from reminders.health import outbox_health

        health.register_section("outbox", outbox_health)
