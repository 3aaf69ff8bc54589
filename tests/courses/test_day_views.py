import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clinic.models import Device, DeviceType, Disinfection, Product
from courses import services
from courses.models import Procedure, Session, SessionStatus, ZoneRecord
from patients import services as patient_services
from patients.screening import Answers
from tests.factories import LotFactory


@pytest.fixture
def session(draft, practitioner, time_machine):
    course = draft(needle_mm=Decimal("1.0"), sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    time_machine.move_to("2026-01-06 09:50Z", tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    return course.sessions.get(number=1)


@pytest.fixture
def staff(client, practitioner):
    client.force_login(practitioner.user)
    return client


def step(client, session, name, **data):
    return client.post(reverse("courses:session_step", args=[session.pk, name]), data, follow=True)


def current_version(session):
    return Procedure.objects.get(session=session).version


def test_session_screens_need_login(client, session):
    for url in (
        reverse("courses:session_day", args=[session.pk]),
        reverse("courses:aftercare", args=[session.pk]),
    ):
        assert client.get(url)["Location"].startswith(reverse("login"))
    response = client.post(reverse("courses:session_step", args=[session.pk, "check-in"]))
    assert response["Location"].startswith(reverse("login"))
    assert Session.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED


def test_check_in_then_cream_countdown_is_on_the_page(staff, session):
    page = step(staff, session, "check-in").content.decode()
    assert "Checked in: the screening is confirmed for today." in page
    page = step(staff, session, "cream-on", version=current_version(session)).content.decode()
    assert 'data-countdown-to="2026-01-06T10:10:00+00:00"' in page
    assert 'data-server-now="2026-01-06T09:50:00+00:00"' in page


def test_early_wash_off_is_refused_on_screen(staff, session):
    step(staff, session, "check-in")
    step(staff, session, "cream-on", version=current_version(session))
    page = step(staff, session, "cream-off", version=current_version(session)).content.decode()
    assert "The cream has 20 min 00 s left" in page
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CREAM_ON


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_unreadable_version_changes_nothing(staff, session, version):
    step(staff, session, "check-in")
    page = step(staff, session, "cream-on", version=version).content.decode()
    assert "out of date" in page
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CHECKED_IN


def test_stale_tab_gets_a_clear_message(staff, session):
    step(staff, session, "check-in")
    seen = current_version(session)
    step(staff, session, "cream-on", version=seen)
    page = step(staff, session, "antiseptic-before", version=seen).content.decode()
    assert "changed in another window" in page
    assert Procedure.objects.get(session=session).antiseptic_before_at is None


def test_unknown_step_is_404(staff, session):
    response = staff.post(reverse("courses:session_step", args=[session.pk, "teleport"]))
    assert response.status_code == 404


def test_bad_form_input_is_shown_and_saves_nothing(staff, session):
    Product.objects.create(name="Gel", texture="gel")
    step(staff, session, "check-in")
    response = step(
        staff, session, "materials", version=current_version(session), product="999", device="x"
    )
    assert response.status_code == 400
    form = response.context["forms"]["materials"]
    assert {"product", "lot", "device"} <= set(form.errors)
    assert Procedure.objects.get(session=session).device is None
    response = step(staff, session, "disinfect", device="nope", moment="sometime")
    assert response.status_code == 400
    assert {"device", "moment"} <= set(response.context["forms"]["disinfect"].errors)


def test_worn_device_is_listed_as_unusable(staff, session):
    kind = DeviceType.objects.create(name="Roller 1.0", kind="roller", needle_mm=Decimal("1.0"))
    Device.objects.create(device_type=kind, label="R-OLD", use_count=5, use_limit=5,
                          last_disinfected_at="2026-01-01T00:00Z")  # fmt: skip
    page = step(staff, session, "check-in").content.decode()
    assert "R-OLD has reached its limit of 5 uses" in page


def test_aftercare_is_404_until_the_session_ends(staff, session):
    assert staff.get(reverse("courses:aftercare", args=[session.pk])).status_code == 404


def test_check_in_on_another_day_is_refused_on_screen(staff, session, time_machine):
    time_machine.move_to("2026-01-05 09:50Z", tick=False)  # the day before its booked day
    response = step(staff, session, "check-in")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This session is booked for Tue 06 Jan 2026, not today" in page
    assert Session.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED
    assert not Procedure.objects.filter(session=session).exists()


@pytest.fixture
def rolling(staff, session, time_machine):
    """The session with cream, antiseptic, product and device done: needling under way."""
    kind = DeviceType.objects.create(name="Roller 1.0", kind="roller", needle_mm=Decimal("1.0"))
    device = Device.objects.create(
        device_type=kind, label="R-10", last_disinfected_at="2026-01-01T00:00Z"
    )
    product = Product.objects.create(name="HA serum", texture="serum")
    step(staff, session, "check-in")
    step(staff, session, "cream-on", version=current_version(session))
    time_machine.move_to("2026-01-06 10:10Z", tick=False)
    for name in ("cream-off", "antiseptic-before"):
        step(staff, session, name, version=current_version(session))
    step(staff, session, "materials", version=current_version(session), product=product.pk,
         lot=LotFactory(product=product).pk, device=device.pk)  # fmt: skip
    step(staff, session, "start", version=current_version(session))
    assert Session.objects.get(pk=session.pk).status == SessionStatus.IN_PROCEDURE
    return session


def test_antiseptic_is_offered_only_after_the_cream_is_washed_off(staff, session):
    page = step(staff, session, "check-in").content.decode()
    assert "Area treated with antiseptic" not in page
    assert "after the cream is washed off" in page
    page = step(staff, session, "antiseptic-before", version=current_version(session))
    assert "put it on and wash it off first" in page.content.decode()
    assert Procedure.objects.get(session=session).antiseptic_before_at is None


def test_pass_counts_have_no_defaults_and_are_required(staff, rolling):
    page = staff.get(reverse("courses:session_day", args=[rolling.pk])).content.decode()
    for direction in ("horizontal", "vertical", "diagonal"):
        field = re.search(rf'<input[^>]*id="passes_{direction}"[^>]*>', page)[0]
        assert "value=" not in field
    response = step(staff, rolling, "passes", version=current_version(rolling), zone="chin")
    assert {"horizontal", "vertical", "diagonal"} <= set(response.context["forms"]["passes"].errors)
    assert not ZoneRecord.objects.filter(procedure__session=rolling).exists()


def test_more_passes_than_the_protocol_are_flagged_and_need_a_note(staff, rolling):
    nine = {"zone": "chin", "horizontal": 9, "vertical": 7, "diagonal": 7}
    page = step(staff, rolling, "passes", version=current_version(rolling), **nine)
    assert "More than 7 passes is a deviation from the protocol: chin (horizontal 9/7)" in (
        page.content.decode()
    )
    assert not ZoneRecord.objects.filter(procedure__session=rolling).exists()
    page = step(staff, rolling, "passes", version=current_version(rolling),
                note="Scar edge needed more", **nine).content.decode()  # fmt: skip
    assert "⚠ deviation: more than 7" in page
    assert "Scar edge needed more" in page
    assert ZoneRecord.objects.get(procedure__session=rolling).horizontal == 9


def test_a_zone_can_be_removed_on_screen(staff, rolling):
    passes = {"horizontal": 7, "vertical": 7, "diagonal": 7}
    step(staff, rolling, "passes", version=current_version(rolling), zone="neck", **passes)
    neck = ZoneRecord.objects.get(procedure__session=rolling)
    page = staff.get(reverse("courses:session_day", args=[rolling.pk])).content.decode()
    assert 'aria-label="Remove neck"' in page
    page = step(staff, rolling, "remove-zone", version=current_version(rolling), zone_id=neck.pk)
    assert "Zone removed." in page.content.decode()
    assert not ZoneRecord.objects.filter(procedure__session=rolling).exists()


def test_the_page_says_before_check_in_when_the_session_is_not_todays(staff, session, time_machine):
    url = reverse("courses:session_day", args=[session.pk])
    assert 'data-testid="day-refusal"' not in staff.get(url).content.decode()
    time_machine.move_to("2026-01-07 09:00Z", tick=False)
    page = staff.get(url).content.decode()
    assert "This session was booked for Tue 06 Jan 2026, and that day has passed" in page


@pytest.mark.parametrize("zone_id", ["", "abc", "0"])
def test_an_unreadable_zone_to_remove_changes_nothing(staff, rolling, zone_id):
    passes = {"horizontal": 7, "vertical": 7, "diagonal": 7}
    step(staff, rolling, "passes", version=current_version(rolling), zone="neck", **passes)
    response = step(
        staff, rolling, "remove-zone", version=current_version(rolling), zone_id=zone_id
    )
    assert response.status_code == 200
    assert "out of date" in response.content.decode()
    assert ZoneRecord.objects.filter(procedure__session=rolling).count() == 1


def test_check_in_and_disinfection_name_the_logged_in_staff_member(staff, rolling, practitioner):
    device = Device.objects.get(label="R-10")
    step(staff, rolling, "disinfect", device=device.pk, moment="after")
    assert Procedure.objects.get(session=rolling).checked_in_by == practitioner.user
    assert Disinfection.objects.get(device=device, moment="after").done_by == practitioner.user
