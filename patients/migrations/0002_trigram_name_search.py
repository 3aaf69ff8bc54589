"""Trigram indexes for substring search on names (PostgreSQL only).

Django's ``icontains`` compiles to ``UPPER(col) LIKE UPPER(%s)`` on PostgreSQL;
GIN trigram indexes on the same expressions serve it. SQLite, the embedded
default for small installs, has no equivalent and scans.
"""

from django.db import migrations

from clinic.migration_ops import PostgresExtension, postgres_only

INDEXES = {"patient_last_name_trgm": "last_name", "patient_first_name_trgm": "first_name"}


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [
        PostgresExtension("pg_trgm"),  # TrigramExtension, reversible on SQLite too
        postgres_only(
            [
                f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient "
                f"USING gin (UPPER({column}) gin_trgm_ops)"
                for name, column in INDEXES.items()
            ],
            [f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
        ),
    ]
