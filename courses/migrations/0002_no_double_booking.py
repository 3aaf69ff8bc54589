"""PostgreSQL refuses overlapping procedures for one practitioner or one room.

The booking service locks and re-checks; these exclusion constraints make a
double booking impossible even if two transactions slip past each other. Only
sessions that hold their time (not cancelled, not no-show) count. SQLite has no
equivalent; there the service's check inside the transaction is the guard.
"""

from django.db import migrations

from clinic.migration_ops import PostgresExtension, postgres_only

CONSTRAINTS = {
    "session_practitioner_no_overlap": "practitioner_id",
    "session_room_no_overlap": "room_id",
}


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [
        PostgresExtension("btree_gist"),  # BtreeGistExtension, reversible on SQLite too
        postgres_only(
            [
                f"ALTER TABLE courses_session ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({column} WITH =, tstzrange(procedure_starts_at, procedure_ends_at, '[)') "
                "WITH &&) WHERE (status NOT IN ('cancelled', 'no_show'))"
                for name, column in CONSTRAINTS.items()
            ],
            [f"ALTER TABLE courses_session DROP CONSTRAINT IF EXISTS {name}" for name in CONSTRAINTS],
        ),
    ]
