"""Home care's writes: a practitioner recommends a home roller, the patient logs its uses."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from clinic.actors import SystemActor, system_actor
from patients import services
from patients.models import HomeRoller, HomeUse
from patients.services import PatientError
from tests.factories import ClinicFactory

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)  # the `now` fixture's frozen clock


@pytest.fixture
def clinic(db):
    return ClinicFactory(home_roller_worn_uses=3)


@pytest.fixture
def patient_link(db):
    return system_actor(SystemActor.PATIENT_LINK)


@pytest.fixture
def roller(clinic, patient, practitioner):
    return services.recommend_home_roller(
        patient=patient, needle_mm=Decimal("0.25"), actor=practitioner.user,
        now=NOW - timedelta(days=3),
    )  # fmt: skip


def log(roller, actor, *, at, disinfected=True):
    return services.log_home_use(
        roller=roller, used_at=at, disinfected=disinfected, actor=actor, now=NOW
    )


def test_a_practitioner_recommends_a_home_roller(clinic, patient, practitioner):
    roller = services.recommend_home_roller(
        patient=patient, needle_mm=Decimal("0.5"), note=" With the serum. ",
        actor=practitioner.user,
    )  # fmt: skip
    assert roller.recommended_by == practitioner.user
    assert roller.note == "With the serum."
    assert HomeRoller.objects.get().needle_mm == Decimal("0.50")


@pytest.mark.parametrize("needle", ["0.1", "0.55", "1.0"])
def test_a_needle_outside_the_clinics_home_range_is_refused_with_the_range(
    clinic, patient, practitioner, needle
):
    with pytest.raises(PatientError) as refused:
        services.recommend_home_roller(
            patient=patient, needle_mm=Decimal(needle), actor=practitioner.user
        )
    assert refused.value.code == "needle_range"
    assert "0.15" in refused.value.message
    assert "0.50" in refused.value.message
    assert not HomeRoller.objects.exists()


def test_the_home_range_is_the_clinics_setting(patient, practitioner):
    ClinicFactory(home_roller_min_mm=Decimal("0.20"), home_roller_max_mm=Decimal("0.30"))
    with pytest.raises(PatientError):
        services.recommend_home_roller(
            patient=patient, needle_mm=Decimal("0.5"), actor=practitioner.user
        )


def test_the_front_desk_and_the_patient_link_recommend_nothing(
    clinic, patient, reception, patient_link
):
    for actor in (reception, patient_link):
        with pytest.raises(PermissionDenied):
            services.recommend_home_roller(patient=patient, needle_mm=Decimal("0.2"), actor=actor)
    assert not HomeRoller.objects.exists()


def test_the_patient_logs_a_use_and_its_disinfection(roller, patient_link):
    use, created = log(roller, patient_link, at=NOW - timedelta(hours=2), disinfected=False)
    assert created
    assert use.disinfected is False
    assert use.logged_at == NOW


def test_staff_cannot_log_a_patients_home_use(roller, practitioner):
    with pytest.raises(PermissionDenied):
        log(roller, practitioner.user, at=NOW - timedelta(hours=1))


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (NOW + timedelta(minutes=1), "future"),
        (NOW + timedelta(days=365 * 20), "future"),
        (NOW - timedelta(days=4), "before_recommendation"),
        (datetime(2000, 1, 1, tzinfo=UTC), "before_recommendation"),
    ],
)
def test_a_use_in_the_future_or_before_the_recommendation_is_refused(
    roller, patient_link, at, code
):
    with pytest.raises(PatientError) as refused:
        log(roller, patient_link, at=at)
    assert refused.value.code == code
    assert refused.value.message
    assert not HomeUse.objects.exists()


def test_a_double_submit_is_one_use(roller, patient_link):
    at = NOW - timedelta(hours=1)
    first, created = log(roller, patient_link, at=at)
    again, created_again = log(roller, patient_link, at=at)
    assert created
    assert not created_again
    assert again == first
    assert HomeUse.objects.count() == 1


def test_a_worn_roller_takes_no_more_uses(roller, patient_link):
    for hours in (3, 2, 1):  # the clinic's home_roller_worn_uses is 3 here
        log(roller, patient_link, at=NOW - timedelta(hours=hours))
    with pytest.raises(PatientError) as refused:
        log(roller, patient_link, at=NOW - timedelta(minutes=30))
    assert refused.value.code == "worn"
    assert "3" in refused.value.message
    assert HomeUse.objects.count() == 3
    # The last use sent twice (a double submit) is still the one already logged.
    assert log(roller, patient_link, at=NOW - timedelta(hours=1))[1] is False


def test_a_superseded_roller_takes_no_more_uses(roller, patient, practitioner, patient_link):
    services.recommend_home_roller(
        patient=patient, needle_mm=Decimal("0.3"), actor=practitioner.user,
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(PatientError) as refused:
        log(roller, patient_link, at=NOW - timedelta(hours=1))
    assert refused.value.code == "superseded"
