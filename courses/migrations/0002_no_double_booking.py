"""PostgreSQL refuses overlapping procedures for one practitioner or one room.

The booking service locks and re-checks; these exclusion constraints make a
double booking impossible even if two transactions slip past each other. Only
sessions that hold their time (not cancelled, not no-show) count. SQLite has no
equivalent; there the service's check inside the transaction is the guard.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

FREED = "('cancelled', 'no_show')"
CONSTRAINTS = {
    "session_practitioner_no_overlap": "practitioner_id",
    "session_room_no_overlap": "room_id",
}


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE courses_session ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(procedure_starts_at, procedure_ends_at, '[)') WITH &&) "
            f"WHERE (status NOT IN {FREED})"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE courses_session DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraints, drop_constraints),
    ]
