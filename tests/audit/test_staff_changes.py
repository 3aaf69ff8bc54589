"""Staff accounts and their roles are in the trail (both databases), never a password."""

import os

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.context import audit_context
from audit.models import ROLE_GIVEN, ROLE_TAKEN, UserEvent, UserRoleEvent
from audit.trail import Filters, change_models, complete, trail
from tests.factories import UserFactory

on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="bulk writes are recorded by PostgreSQL triggers only (set DATABASE_URL)",
)


def change_form(user, groups, **fields):
    return {"username": user.username, "is_active": "on", "is_staff": "on",
            "groups": [group.pk for group in groups],
            "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "10:00:00",
            **fields}  # fmt: skip


def test_a_manager_changing_a_users_roles_in_the_admin_is_in_the_trail(manager_client, manager):
    reception, practitioner = (
        Group.objects.get(name="reception"),
        Group.objects.get(name="practitioner"),
    )
    staff = UserFactory(username="newcomer", is_staff=True)
    staff.groups.add(reception)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    form = change_form(staff, [practitioner], last_name="Lovelace")
    assert manager_client.post(url, form).status_code == 302

    given = UserRoleEvent.objects.get(pgh_label=ROLE_GIVEN, user=staff, group=practitioner)
    taken = UserRoleEvent.objects.get(pgh_label=ROLE_TAKEN, user=staff, group=reception)
    for event in (given, taken):
        assert event.pgh_context["user"] == manager.pk
        assert event.pgh_context["path"] == url
    renamed = UserEvent.objects.filter(pgh_obj_id=staff.pk).order_by("pgh_id").last()
    assert renamed.last_name == "Lovelace"

    rows = complete(trail(Filters(kinds=("change",), object_type="auth.User_groups")))
    by_manager = [r for r in rows if r.user_id == manager.pk]
    shown = [(r.who, r.action, r.object_type, r.object_id, r.detail, r.changes) for r in by_manager]
    assert shown == [
        ("boss", "role given", "auth.User", str(staff.pk), "account: newcomer",
         [("role", None, "practitioner")]),
        ("boss", "role taken", "auth.User", str(staff.pk), "account: newcomer",
         [("role", "reception", None)]),
    ]  # fmt: skip
    page = manager_client.get(reverse("audit_trail"), {"object_type": "auth.User"})
    assert "Lovelace" in page.content.decode()
    csv = manager_client.get(reverse("audit_trail_csv"), {"object_type": "auth.User_groups"})
    exported = csv.content.decode()
    assert "role given" in exported
    assert "practitioner" in exported


def test_the_trail_keeps_no_password_hash_and_no_log_in_time(db):
    assert {"password", "last_login"}.isdisjoint(f.name for f in UserEvent._meta.fields)
    user = UserFactory(username="anna")
    before = UserEvent.objects.filter(pgh_obj_id=user.pk).count()
    user.set_password("a-new-password-1")
    user.save()
    user.last_login = user.date_joined
    user.save()
    assert UserEvent.objects.filter(pgh_obj_id=user.pk).count() == before
    assert set(change_models()) >= {"auth.User", "auth.User_groups"}


@on_postgres
def test_a_bulk_deactivation_and_roles_cleared_are_recorded_by_trigger(db, manager):
    staff = UserFactory(username="leaver", is_staff=True)
    staff.groups.add(Group.objects.get(name="reception"))
    with audit_context(user=manager.pk, actor="staff", request_id="r-1"):
        type(staff).objects.filter(pk=staff.pk).update(is_active=False)
        UserRoleEvent.pgh_tracked_model.objects.filter(user=staff).delete()
    last = UserEvent.objects.filter(pgh_obj_id=staff.pk).order_by("pgh_id").last()
    assert (last.pgh_label, last.is_active, last.pgh_context["user"]) == (
        "update",
        False,
        manager.pk,
    )
    taken = UserRoleEvent.objects.get(user=staff, pgh_label=ROLE_TAKEN)
    assert taken.pgh_context["request_id"] == "r-1"
