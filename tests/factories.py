"""factory_boy factories for the planner's models."""

from __future__ import annotations

from datetime import time, timedelta

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from clinic.models import Clinic, Lot, OpeningHours, Practitioner, Product, Room, WorkingHours
from clinic.permissions import MANAGER, PRACTITIONER, RECEPTION, role_group
from patients.models import InformationSheet, Patient

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class PractitionerFactory(factory.django.DjangoModelFactory):
    """A cosmetologist: a staff user in the practitioner role (``role=`` for another)."""

    class Meta:
        model = Practitioner
        skip_postgeneration_save = True  # the role hook saves nothing on the profile

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            self.user.groups.add(role_group(extracted or PRACTITIONER))


def user_in_role(role: str, **fields: object) -> User:
    """A staff user in ``role`` (reception, practitioner or manager), no practitioner profile."""
    user = UserFactory(**fields)
    user.groups.add(role_group(role))
    return user


def reception_user(**fields: object) -> User:
    return user_in_role(RECEPTION, **fields)


def manager_user(**fields: object) -> User:
    return user_in_role(MANAGER, **fields)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ("pk",)

    pk = 1
    name = "Test Clinic"
    phone = "+44 20 7946 0001"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=20, maximum_age=70)
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = factory.Sequence(lambda n: f"+4479{n:08d}")
    time_zone = "Europe/London"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Serum {n}")
    texture = "serum"


class LotFactory(factory.django.DjangoModelFactory):
    """A lot in stock: received a month ago, expiring in a year (of the clock's today)."""

    class Meta:
        model = Lot

    product = factory.SubFactory(ProductFactory)
    number = factory.Sequence(lambda n: f"L-{n:04d}")
    supplier = "Dermal Supplies Ltd"
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class InformationSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationSheet

    version = factory.Sequence(lambda n: f"v{n}")
    text = "What to expect from microneedling."
    published_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))


def seed_clinic_hours(practitioner, *, rooms=2):
    """Rooms, opening Monday-Saturday 09:00-18:00, the practitioner Monday-Friday.

    Adds only what is missing (a second practitioner gets their hours; the rooms
    and opening hours stay), reading each table once rather than row by row.
    """
    nine, six = time(9), time(18)
    names = [f"Room {i + 1}" for i in range(rooms)]
    have = set(Room.objects.filter(name__in=names).values_list("name", flat=True))
    Room.objects.bulk_create(Room(name=name) for name in names if name not in have)
    opening = OpeningHours.objects.filter(opens=nine, closes=six)
    have = set(opening.values_list("weekday", flat=True))
    OpeningHours.objects.bulk_create(
        OpeningHours(weekday=day, opens=nine, closes=six) for day in range(6) if day not in have
    )
    working = practitioner.working_hours.filter(starts=nine, ends=six)
    have = set(working.values_list("weekday", flat=True))
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=practitioner, weekday=day, starts=nine, ends=six)
        for day in range(5)
        if day not in have
    )
    by_name = Room.objects.in_bulk(names, field_name="name")
    return [by_name[name] for name in names]


def cleared_patient(user, **fields):
    """A patient with current consent and a clear screening taken now."""
    from patients import services as patient_services
    from patients.screening import Answers

    patient = PatientFactory(**fields)
    sheet = InformationSheet.objects.first() or InformationSheetFactory()
    patient_services.record_consent(patient=patient, sheet=sheet, actor=user)
    patient_services.record_screening(patient=patient, answers=Answers(), notes="", actor=user)
    patient.refresh_from_db()
    return patient


def staff_actor():
    """A staff member to pass as a write service's ``actor`` where who acted is not tested."""
    user = User.objects.get_or_create(username="staff-actor", defaults={"is_staff": True})[0]
    user.groups.add(role_group(MANAGER))  # a manager may make every write
    return user
