"""A patient's birth date may be empty: only once their data was erased (privacy/, issue #19).

Going back: an erased patient gets 1 January 1900 again (the column becomes required);
their change events keep the empty date, so the event table's column stays nullable in
the database (the append-only events cannot be rewritten, and may stay so harmlessly).
"""

import datetime

from django.db import migrations, models

ERASED_BIRTH_DATE = datetime.date(1900, 1, 1)


def fill_erased_birth_dates(apps, schema_editor):
    apps.get_model("patients", "Patient").objects.filter(date_of_birth__isnull=True).update(
        date_of_birth=ERASED_BIRTH_DATE
    )


class AlterFieldForwardOnly(migrations.AlterField):
    """The model state both ways; the database column only forwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return None


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_home_care"),
    ]

    operations = [
        migrations.AlterField(
            model_name="patient",
            name="date_of_birth",
            field=models.DateField(null=True),
        ),
        AlterFieldForwardOnly(
            model_name="patientevent",
            name="date_of_birth",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(migrations.RunPython.noop, fill_erased_birth_dates),
    ]
