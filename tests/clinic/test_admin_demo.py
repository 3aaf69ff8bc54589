"""The admin's lists and the session-day records' pages over the demo data.

These tests only read (a refused write changes nothing, and each test's own
writes are rolled back), so the demo is loaded once for the module, inside a
transaction rolled back at its end, instead of once per test: loading it runs
every session-day step of its history and took seconds each time.
"""

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

from clinic.actors import SystemActor, system_actor
from clinic.models import Disinfection
from courses.models import AftercareSheet, Procedure
from planner.demo import load_demo_data
from tests.clinic.test_admin import REGISTERED, snapshot


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data for this module's tests, rolled back after the last one."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_data(actor=system_actor(SystemActor.DEMO))
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_admin_changelist_renders_with_search(demo, manager_client, app, model):
    model_admin = admin.site._registry[
        next(m for m in admin.site._registry if m._meta.model_name == model)
    ]
    url = reverse(f"admin:{app}_{model}_changelist")
    if model_admin.search_fields:  # the search box posts (clinic.admin.CheckedModelAdmin)
        assert manager_client.post(url, {"_search": "1", "q": "anna"}).status_code == 303
    response = manager_client.get(url)
    assert response.status_code == 200


SESSION_DAY_RECORDS = [Procedure, AftercareSheet, Disinfection]


@pytest.mark.parametrize("model", SESSION_DAY_RECORDS, ids=lambda m: m._meta.model_name)
def test_session_day_records_are_shown_but_never_added_changed_or_deleted_in_the_admin(
    demo, manager_client, model
):
    # the demo's past sessions were done step by step: records of each kind
    row, before = model.objects.order_by("pk").first(), snapshot(model)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert manager_client.get(reverse(f"{name}_add")).status_code == 403
    change = reverse(f"{name}_change", args=[row.pk])
    page = manager_client.get(change)
    assert page.status_code == 200
    assert 'type="submit" value="Save"' not in page.content.decode()
    assert manager_client.post(change, {"session": "", "notes": "x"}).status_code == 403
    delete = reverse(f"{name}_delete", args=[row.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = manager_client.get(reverse(f"{name}_changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert snapshot(model) == before
