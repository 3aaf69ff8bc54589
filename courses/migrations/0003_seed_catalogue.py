"""Default treatment catalogue and spacing rules from DOMAIN.md (clinic-editable)."""

from django.db import migrations

from courses.defaults import seed_catalogue


def seed(apps, schema_editor):
    seed_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_no_double_booking")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
