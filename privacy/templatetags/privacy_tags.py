"""``{% erasure_of patient as erasure %}``: the patient page asks whether the patient was
erased (the patients app sits below privacy and cannot ask itself)."""

from __future__ import annotations

from django import template

from patients.models import Patient
from privacy.models import Erasure

register = template.Library()


@register.simple_tag
def erasure_of(patient: Patient) -> Erasure | None:
    """The patient's erasure record. Only an erased patient has no birth date (every form
    requires one), so any other patient page asks the database nothing more."""
    if patient.date_of_birth is not None:
        return None
    return Erasure.objects.filter(patient_id=patient.pk).first()
