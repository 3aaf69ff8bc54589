"""Personal API tokens: made on the account page (shown once), kept hashed, revoked;
``manage.py create_api_token``; a token is the only way in."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from api import services
from api.models import ApiToken
from tests.api.conftest import ApiClient
from tests.factories import UserFactory
from tests.mfa import force_verified_login

ME = "/api/v1/me/"


def test_a_token_is_shown_once_and_only_its_hash_is_kept(staff_client, staff_user):
    page = staff_client.post(reverse("api_tokens:list"), {"name": "Booking script"})
    assert page.status_code == 302
    shown = staff_client.get(reverse("api_tokens:list")).content.decode()
    token = ApiToken.objects.get(user=staff_user)
    raw = shown.split(f"cpl_{token.prefix}_", 1)[1].split("<", 1)[0].strip()
    raw = f"cpl_{token.prefix}_{raw}"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values_list().get())
    again = staff_client.get(reverse("api_tokens:list")).content.decode()
    assert raw not in again  # shown once
    assert ApiClient(raw).get(ME).json()["username"] == staff_user.username


def test_the_account_page_links_to_the_tokens(staff_client):
    page = staff_client.get(reverse("accounts:account")).content.decode()
    assert reverse("api_tokens:list") in page


def test_a_revoked_token_stops_working(staff_client, staff_user):
    token, raw = services.create_token(user=staff_user, name="x", read_only=False,
                                       actor=staff_user)  # fmt: skip
    assert ApiClient(raw).get(ME).status_code == 200
    response = staff_client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    answer = ApiClient(raw).get(ME)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "authentication_failed"


def test_nobody_revokes_another_persons_token(staff_client, reception):
    token, raw = services.create_token(user=reception, name="x", read_only=False, actor=reception)
    assert staff_client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert ApiClient(raw).get(ME).status_code == 200


def test_a_manager_makes_tokens_after_the_code_step(client, manager):
    client.force_login(manager)
    assert client.get(reverse("api_tokens:list")).status_code == 302  # to the code step
    force_verified_login(client, manager)
    assert client.get(reverse("api_tokens:list")).status_code == 200


def test_no_token_is_401_with_bearer_challenge_not_a_redirect(db):
    answer = ApiClient(None).get(ME)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["status"] == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer cpl_nothing", "Bearer cpl_0123456789_wrong"]
)
def test_a_bad_token_is_401(db, header):
    client = ApiClient(None)
    answer = client.client.get(ME, headers={"Authorization": header})
    assert answer.status_code == 401


def test_the_session_cookie_does_not_open_the_api(staff_client):
    answer = staff_client.get(ME)
    assert answer.status_code == 401


def test_a_deactivated_users_token_stops_working(staff_user):
    raw = services.create_token(user=staff_user, name="x", read_only=False, actor=staff_user)[1]
    staff_user.is_active = False
    staff_user.save()
    assert ApiClient(raw).get(ME).status_code == 401


def test_the_token_carries_its_users_role(api_for, reception, manager):
    assert api_for(reception).get(ME).json()["roles"] == ["reception"]
    me = api_for(manager, read_only=True).get(ME).json()
    assert me["roles"] == ["manager"]
    assert me["read_only"] is True
    assert "planner.view_reports" in me["permissions"]


def test_create_api_token_prints_a_working_token(staff_user):
    out = StringIO()
    call_command("create_api_token", staff_user.username, "--read-only", stdout=out)
    raw = out.getvalue().strip()
    assert ApiClient(raw).get(ME).json()["read_only"] is True
    token = ApiToken.objects.get(user=staff_user)
    assert token.created_by == staff_user


def test_create_api_token_refuses_someone_without_a_role(db):
    UserFactory(username="norole")
    with pytest.raises(CommandError):
        call_command("create_api_token", "norole", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=StringIO())
