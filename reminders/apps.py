from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"

    def ready(self) -> None:
        # courses may not import reminders (the layers): it announces, we listen.
        from courses import events
        from reminders.course_events import OUTBOX_LISTENER

        events.register(OUTBOX_LISTENER)
