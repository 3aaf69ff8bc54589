import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from clinic.demo import load_demo_data
from clinic.models import Clinic, Practitioner


def test_demo_data_loads_once_and_its_logins_work(db):
    first = load_demo_data()
    second = load_demo_data()
    assert first == second
    assert Clinic.objects.count() == 1
    assert Practitioner.objects.filter(is_bookable=True).count() == 2
    for login in first:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None
        assert user.is_staff


def test_seed_command_prints_logins(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert "anna" in capsys.readouterr().out


def test_seed_command_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not Clinic.objects.exists()
