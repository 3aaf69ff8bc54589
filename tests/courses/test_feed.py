"""The practitioner's private iCalendar feed."""

import icalendar
import pytest
from django.urls import reverse

from clinic.models import Practitioner
from courses import rescheduling, services
from tests.factories import cleared_patient
from tests.mfa import force_verified_login
from tests.queries import queries_to_get


@pytest.fixture
def booked(book):
    return book(sessions_planned=4)


def make_feed(client, practitioner):
    client.force_login(practitioner.user)
    assert client.post(reverse("calendar:feed_change", args=["renew"])).status_code == 302
    practitioner.refresh_from_db()
    client.logout()
    return reverse("calendar:feed", args=[practitioner.feed_token])


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_feed_holds_the_sessions_without_health_details(client, practitioner, booked):
    # A last name no calendar text could contain by chance (a random "Li" can).
    booked.patient.last_name = "Featherstonehaugh"
    booked.patient.save()
    url = make_feed(client, practitioner)
    found = events(client.get(url))  # no login: the secret address is the key
    assert len(found) == 4
    first = booked.sessions.get(number=1)
    [event] = [e for e in found if str(e["uid"]).startswith(f"session-{first.pk}@")]
    assert event.decoded("dtstart") == first.arrives_at
    assert event.decoded("dtend") == first.procedure_ends_at
    patient = booked.patient
    assert str(event["summary"]) == f"{patient.first_name} {patient.last_name[0]}. · {first.room}"
    text = client.get(url).content.decode().lower()
    for secret in (patient.last_name, "face", "0.5", " mm", "needle", "screening", "wrinkles"):
        assert secret.lower() not in text, secret


def test_moved_session_keeps_its_uid_and_cancelled_one_leaves(client, practitioner, booked):
    url = make_feed(client, practitioner)
    first, second = booked.sessions.get(number=1), booked.sessions.get(number=2)
    rescheduling.cancel_session(session=first, reason="Patient unwell", actor=practitioner.user)
    local = second.arrives_at.astimezone(services.clinic_tz())
    rescheduling.reschedule_session(
        session=second, new_day=local.date(), new_time=local.time().replace(hour=14), scope="this",
        reason="", actor=practitioner.user,
    )  # fmt: skip
    found = {str(e["uid"]).split("@")[0]: e for e in events(client.get(url))}
    assert f"session-{first.pk}" not in found
    moved = found[f"session-{second.pk}"]
    assert moved.decoded("dtstart").astimezone(services.clinic_tz()).hour == 14
    assert int(moved["sequence"]) == 2


def test_renewing_or_turning_off_kills_the_old_address(client, practitioner, booked):
    old = make_feed(client, practitioner)
    new = make_feed(client, practitioner)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(practitioner.user)
    client.post(reverse("calendar:feed_change", args=["off"]))
    client.logout()
    response = client.get(new)
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert Practitioner.objects.get(pk=practitioner.pk).feed_token is None


def test_feed_settings_page_shows_the_address(client, practitioner, booked):
    url = make_feed(client, practitioner)
    client.force_login(practitioner.user)
    response = client.get(reverse("calendar:feed_settings"))
    assert url in response.content.decode()
    assert client.get(reverse("calendar:feed_change", args=["renew"])).status_code == 405
    assert client.post(reverse("calendar:feed_change", args=["delete"])).status_code == 404


def test_feed_query_count_does_not_grow_with_sessions(client, practitioner, book, booked):
    url = make_feed(client, practitioner)

    before = queries_to_get(client, url)
    book(patient=cleared_patient(practitioner.user), sessions_planned=6)
    assert len(events(client.get(url))) == 10
    assert queries_to_get(client, url) == before


def test_manager_can_revoke_feeds_in_the_admin(client, manager, practitioner, booked):
    url = make_feed(client, practitioner)
    force_verified_login(client, manager)
    listing = client.get(reverse("admin:clinic_practitioner_changelist")).content.decode()
    assert "Calendar feed" in listing
    assert 'alt="True"' in listing
    client.post(
        reverse("admin:clinic_practitioner_changelist"),
        {"action": "revoke_calendar_feeds", "_selected_action": [practitioner.pk]},
    )
    client.logout()
    assert client.get(url).status_code == 404
