"""``manage.py create_api_token USERNAME``: print a new personal API token, for scripts."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import services
from audit.context import audit_context, new_request_id


class Command(BaseCommand):
    help = (
        "Make a personal API token for a staff member and print it (once: only its hash is "
        "kept). The token acts with the member's role; revoke it on their account page."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Script", help="What the token is for.")
        parser.add_argument("--read-only", action="store_true", help="A token that only reads.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active or not user.is_staff:
            raise CommandError(f"No active staff member named {options['username']!r}.")
        if not user.has_perm("api.own_tokens", user):
            raise CommandError(f"{user.username} has no role (reception, practitioner, manager).")
        # Made in the member's own name: the command is their request, run by whoever runs
        # the server.
        with audit_context(user=user.pk, actor="staff", request_id=new_request_id(),
                           path="manage.py create_api_token"):  # fmt: skip
            _token, raw = services.create_token(
                user=user, name=options["name"], read_only=options["read_only"], actor=user
            )
        self.stdout.write(raw)
