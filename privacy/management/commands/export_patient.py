"""``manage.py export_patient ID FILE``: the patient's ZIP (as the manager's Export button
gives it) written to FILE; the export is recorded in the audit trail."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.context import system_context
from clinic.actors import SystemActor, system_actor
from patients.models import Patient
from privacy.export import write_zip
from privacy.services import record_export


class Command(BaseCommand):
    help = "Write one patient's data (records, photos, aftercare sheets) to a ZIP file."

    def add_arguments(self, parser):
        parser.add_argument("patient_id", type=int)
        parser.add_argument("file", type=Path, help="The ZIP to write (must not exist).")

    def handle(self, *args, **options):
        patient = Patient.objects.filter(pk=options["patient_id"]).first()
        if patient is None:
            raise CommandError(f"No patient #{options['patient_id']}.")
        target: Path = options["file"]
        if target.exists():
            raise CommandError(f"{target} exists: give a new file name.")
        with system_context(SystemActor.COMMAND):
            record_export(patient=patient, actor=system_actor(SystemActor.COMMAND),
                          how="manage.py export_patient")  # fmt: skip
            partial = target.with_name(f".{target.name}.partial")
            try:
                with partial.open("xb") as out:
                    size = write_zip(patient.pk, out)
                partial.replace(target)
            except OSError as error:
                partial.unlink(missing_ok=True)
                raise CommandError(f"{target} not written: {error.strerror}") from None
        self.stdout.write(f"Patient #{patient.pk}: {size} bytes written to {target}.")
