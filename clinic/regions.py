"""Anatomical regions: where a treatment is done and where a condition is."""

from django.db import models


class BodyRegion(models.TextChoices):
    """Regions a contraindication "in the area" is matched against (DOMAIN.md)."""

    FACE = "face", "Face"
    PERIORBITAL = "periorbital", "Eyelids / periorbital"
    SCALP = "scalp", "Scalp"
    NECK = "neck", "Neck and décolleté"
    HANDS = "hands", "Hands"
    BODY = "body", "Body"
