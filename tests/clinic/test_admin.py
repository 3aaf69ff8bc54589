"""Every registered model has a working admin list, search and add page."""

import pytest
from django.contrib import admin
from django.urls import reverse

from clinic.demo import load_demo_data

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_admin_changelist_renders_with_search(manager_client, app, model):
    load_demo_data()
    model_admin = admin.site._registry[
        next(m for m in admin.site._registry if m._meta.model_name == model)
    ]
    url = reverse(f"admin:{app}_{model}_changelist")
    params = {"q": "anna"} if model_admin.search_fields else {}
    response = manager_client.get(url, params)
    assert response.status_code == 200


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_admin_add_page_renders_or_is_refused(manager_client, app, model):
    response = manager_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code in (200, 403)


def test_staff_without_permissions_cannot_use_admin_models(staff_client):
    response = staff_client.get(reverse("admin:clinic_practitioner_changelist"))
    assert response.status_code == 403
