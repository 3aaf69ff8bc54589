"""factory_boy factories for the planner's models."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from clinic.models import Clinic, Practitioner
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
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory)


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


class InformationSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationSheet

    version = factory.Sequence(lambda n: f"v{n}")
    text = "What to expect from microneedling."
    published_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
