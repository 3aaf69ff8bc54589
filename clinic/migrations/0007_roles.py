"""The three roles as groups (issue #16); the permissions themselves are rules
(clinic/permissions.py), so the groups hold no database permissions.

Staff members with a bookable practitioner profile join "practitioner", so an
existing clinic's cosmetologists keep their pages; anyone else waits for a
manager to give them a role in the admin (superusers keep every permission).
"""

from django.db import migrations

ROLES = ("reception", "practitioner", "manager")


def add_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Practitioner = apps.get_model("clinic", "Practitioner")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    cosmetologists = Practitioner.objects.filter(
        is_bookable=True, user__is_staff=True, user__is_active=True
    )
    for practitioner in cosmetologists.select_related("user"):
        practitioner.user.groups.add(groups["practitioner"])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("clinic", "0006_outbox_settings"),
    ]

    operations = [migrations.RunPython(add_roles, remove_roles)]
