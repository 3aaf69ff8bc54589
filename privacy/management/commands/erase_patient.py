"""``manage.py erase_patient ID --yes``: the manager's Erase, for scripted use. Without
``--yes`` it refuses; the erasure is recorded as made from the command line."""

from django.core.management.base import BaseCommand, CommandError

from audit.context import system_context
from clinic.actors import SystemActor, system_actor
from patients.models import Patient
from privacy.services import ErasureRefused, erase_patient


class Command(BaseCommand):
    help = "Erase one patient's personal data (cannot be undone; needs --yes)."

    def add_arguments(self, parser):
        parser.add_argument("patient_id", type=int)
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: erase this patient's personal data."
        )

    def handle(self, *args, **options):
        patient = Patient.objects.filter(pk=options["patient_id"]).first()
        if patient is None:
            raise CommandError(f"No patient #{options['patient_id']}.")
        if not options["yes"]:
            raise CommandError(
                f"Erasing patient #{patient.pk} cannot be undone: run again with --yes."
            )
        try:
            with system_context(SystemActor.COMMAND):
                result = erase_patient(patient=patient, confirm_name=patient.full_name,
                                       actor=system_actor(SystemActor.COMMAND))  # fmt: skip
        except ErasureRefused as refusal:
            raise CommandError(f"Patient #{patient.pk} not erased: {refusal.message}") from None
        self.stdout.write(
            f"Patient #{patient.pk} erased (now {result.pseudonym}): "
            f"{result.sessions_cancelled} sessions and {result.messages_cancelled} messages "
            f"cancelled, {result.photos_deleted} photos deleted, "
            f"{result.rows_rewritten} rows rewritten."
        )
