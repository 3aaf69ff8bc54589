"""``{% erasure_of patient as erasure %}``: the patient page asks whether the patient was
erased (the patients app sits below privacy and cannot ask itself)."""

from __future__ import annotations

from django import template

from patients.models import Patient
from privacy.models import Erasure

register = template.Library()


@register.simple_tag
def erasure_of(patient: Patient) -> Erasure | None:
    return Erasure.objects.filter(patient_id=patient.pk).first()
