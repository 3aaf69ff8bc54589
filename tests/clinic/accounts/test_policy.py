import pytest
from django.contrib.auth.models import AnonymousUser, Group

from clinic.accounts.browsers import summarise_browser
from clinic.accounts.policy import is_manager, must_use_mfa
from clinic.permissions import MANAGER as MANAGER_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_member_of_the_manager_group_is_a_manager():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MANAGER_GROUP)[0])
    assert is_manager(user)


def test_a_superuser_is_a_manager():
    assert is_manager(UserFactory(is_superuser=True))


def test_plain_staff_and_anonymous_are_not_managers():
    assert not is_manager(UserFactory())
    assert not is_manager(AnonymousUser())


def test_managers_must_use_two_steps_whatever_the_clinic_says():
    assert must_use_mfa(UserFactory(is_superuser=True), all_staff=False)


def test_other_staff_must_use_two_steps_only_when_the_clinic_requires_it_for_all():
    staff = UserFactory()
    assert not must_use_mfa(staff, all_staff=False)
    assert must_use_mfa(staff, all_staff=True)
    assert not must_use_mfa(AnonymousUser(), all_staff=True)


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Safari/537.36 Edg/120.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_browser_summary_names_browser_and_system(agent, summary):
    assert summarise_browser(agent) == summary
