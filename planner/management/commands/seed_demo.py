"""``manage.py seed_demo``: load the demo clinic once and print its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import system_context
from clinic.actors import SystemActor, system_actor
from planner.demo import load_demo_data


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo passwords are public: never on a live clinic).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: its passwords are public. "
                "Pass --allow-production for a throw-away demo server."
            )
        with system_context(SystemActor.DEMO, task="seed_demo"):  # the trail names the loader
            logins = load_demo_data(actor=system_actor(SystemActor.DEMO))
        self.stdout.write("Demo logins (username / password):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.password:<20} {login.role}")
