"""PostgreSQL refuses two visits of one patient that overlap (issue #13, item 7).

A patient is busy from arrival (cream included) to the end of the procedure;
the booking services check this under the patient's row lock, and this
exclusion constraint backs the check for every other write (the admin, a
future API). Only sessions that hold their time count. SQLite has no
equivalent; there the services' check is the guard.
"""

from django.db import migrations

from clinic.migration_ops import postgres_only

NAME = "session_patient_no_overlap"


class Migration(migrations.Migration):
    dependencies = [("courses", "0006_patient_changes")]

    operations = [
        postgres_only(
            [
                f"ALTER TABLE courses_session ADD CONSTRAINT {NAME} EXCLUDE USING gist "
                "(patient_id WITH =, tstzrange(arrives_at, procedure_ends_at, '[)') WITH &&) "
                "WHERE (status NOT IN ('cancelled', 'no_show'))"
            ],
            [f"ALTER TABLE courses_session DROP CONSTRAINT IF EXISTS {NAME}"],
        ),
    ]
