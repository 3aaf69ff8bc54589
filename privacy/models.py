"""The erasure's own record, and the retention review's list of patients due for erasure.

An ``Erasure`` names the patient by id and the acting user, never anything erased; it
is append-only on PostgreSQL (``pgtrigger.Protect``) and tracked by the audit trail,
so the trail shows who erased which patient id, when and from which request.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureSource(models.TextChoices):
    REQUEST = "request", _("On request")
    RETENTION = "retention", _("Retention period over")


@pghistory.track(pghistory.InsertEvent())
class Erasure(models.Model):
    """One patient's personal data erased (``privacy.services.erase_patient``)."""

    # An id, not a key: the record outlives anything done to the patient row later.
    patient_id = models.BigIntegerField(unique=True)
    source = models.CharField(max_length=10, choices=ErasureSource.choices)
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-erased_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"Erasure of patient #{self.patient_id}"


class DueForErasure(models.Model):
    """A patient whose retention period is over, listed by the daily review for a manager
    to approve (``privacy.retention``); removed when they are erased or no longer due."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="due_for_erasure"
    )
    last_activity_at = models.DateTimeField(
        help_text="The patient's last session, or their registration if they had none."
    )
    listed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_activity_at", "id"]

    def __str__(self) -> str:
        return f"Patient #{self.patient_id} due for erasure"
