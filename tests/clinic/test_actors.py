"""The named system actors: user rows that stand for the planner's own work."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.urls import reverse

from clinic import services
from clinic.actors import SystemActor, is_system_actor, system_actor
from clinic.tasks import record_heartbeat_task
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.parametrize("which", list(SystemActor))
def test_a_system_actor_is_an_inactive_user_with_no_password_and_no_staff_rights(db, which):
    actor = system_actor(which)
    assert actor.get_username() == str(which)
    assert actor.is_active is False
    assert actor.has_usable_password() is False
    assert (actor.is_staff, actor.is_superuser) == (False, False)
    assert actor.check_password("") is False


@pytest.mark.parametrize("which", list(SystemActor))
def test_a_system_actor_is_the_same_row_on_every_call(db, which):
    first, second = system_actor(which), system_actor(which)
    assert first.pk == second.pk
    assert get_user_model().objects.filter(username=str(which)).count() == 1


def test_each_system_actor_is_a_row_of_its_own(db):
    assert len({system_actor(which).pk for which in SystemActor}) == len(SystemActor)


def test_a_system_actor_cannot_log_in_even_if_someone_sets_it_a_password(client, db):
    actor = system_actor(SystemActor.REMINDERS)
    assert authenticate(username=actor.get_username(), password="") is None
    actor.set_password(TEST_PASSWORD)  # a slip in the admin: inactive still refuses it
    actor.save()
    assert authenticate(username=actor.get_username(), password=TEST_PASSWORD) is None
    assert client.login(username=actor.get_username(), password=TEST_PASSWORD) is False
    response = client.post(
        reverse("login"), {"username": actor.get_username(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_is_system_actor_tells_the_planner_from_people(db):
    assert all(is_system_actor(system_actor(which)) for which in SystemActor)
    assert not is_system_actor(UserFactory(username="anna"))
    assert not is_system_actor(None)


def test_a_staff_member_named_like_no_system_actor_is_a_person(db):
    assert not is_system_actor(UserFactory(username="system"))


def test_the_heartbeat_task_acts_as_maintenance(db, monkeypatch):
    actors = []
    real = services.record_heartbeat

    def record(**kwargs):
        actors.append(kwargs["actor"])
        return real(**kwargs)

    monkeypatch.setattr(services, "record_heartbeat", record)
    record_heartbeat_task()
    assert [a.get_username() for a in actors] == [SystemActor.MAINTENANCE]
