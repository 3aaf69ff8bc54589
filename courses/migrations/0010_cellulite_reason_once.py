from django.db import migrations

from courses.defaults import CELLULITE_REASON, OLD_CELLULITE_REASON


def name_the_alternative_once(apps, schema_editor):
    """The planner appends "Offer ... instead"; the seeded reason said it too."""
    Indication = apps.get_model("courses", "Indication")
    Indication.objects.filter(code="cellulite", refusal_reason=OLD_CELLULITE_REASON).update(
        refusal_reason=CELLULITE_REASON
    )


def restore(apps, schema_editor):
    Indication = apps.get_model("courses", "Indication")
    Indication.objects.filter(code="cellulite", refusal_reason=CELLULITE_REASON).update(
        refusal_reason=OLD_CELLULITE_REASON
    )


class Migration(migrations.Migration):
    dependencies = [("courses", "0009_zone_record_deviation_note")]

    operations = [migrations.RunPython(name_the_alternative_once, restore)]
