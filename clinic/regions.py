"""Anatomical regions: where a treatment is done and where a condition is."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyRegion(models.TextChoices):
    """Regions a contraindication "in the area" is matched against (DOMAIN.md)."""

    FACE = "face", _("Face")
    PERIORBITAL = "periorbital", _("Eyelids / periorbital")
    SCALP = "scalp", _("Scalp")
    NECK = "neck", _("Neck and décolleté")
    HANDS = "hands", _("Hands")
    BODY = "body", _("Body")
