"""Default treatment catalogue and spacing rules from DOMAIN.md.

Seeded by a data migration and editable by the clinic afterwards. Written
against ``apps.get_model`` so that migrations can call it with historical models.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps.registry import Apps

INDICATIONS = [
    ("wrinkles", "Wrinkles"),
    ("texture", "Uneven skin texture"),
    ("hyperpigmentation", "Hyperpigmentation"),
    ("hair-loss", "Thinning hair and hair loss (scalp)"),
    ("stretch-marks", "Stretch marks"),
    ("scars", "Scars (post-acne, surgical and others)"),
    ("skin-tightening", "Skin tightening on the body"),
]
CELLULITE_REASON = (
    "Cellulite is not an indication for microneedling: the roller does nothing to body "
    "fat. It can only tighten the skin on the thighs at the last stage of anti-cellulite "
    "therapy, so book skin tightening on the body instead."
)
# code, name, region, needle min, needle max, procedure minutes
AREAS = [
    ("face", "Face", "face", "0.3", "1.0", 45),
    ("scalp", "Scalp", "scalp", "0.3", "1.0", 45),
    ("periorbital", "Eyelids (periorbital)", "periorbital", "0.5", "0.5", 30),
    ("thin-facial-skin", "Thin facial skin", "face", "0.5", "0.5", 30),
    ("hands", "Hands", "hands", "0.5", "0.5", 30),
    ("face-scars", "Scar correction on the face", "face", "1.5", "2.0", 60),
    ("body", "Body (stretch marks, body scars)", "body", "2.0", "2.0", 60),
]
GAPS = [("0.5", 2), ("1.0", 3), ("1.5", 4), ("2.0", 5)]


def seed_catalogue(apps: Apps) -> None:
    """Create the default rows that are missing; rows a clinic edited are left alone."""
    Indication = apps.get_model("courses", "Indication")
    TreatmentArea = apps.get_model("courses", "TreatmentArea")
    MinimumGap = apps.get_model("courses", "MinimumGap")
    for code, name in INDICATIONS:
        Indication.objects.get_or_create(code=code, defaults={"name": name})
    Indication.objects.get_or_create(
        code="cellulite",
        defaults={
            "name": "Cellulite",
            "refused": True,
            "refusal_reason": CELLULITE_REASON,
            "alternative": Indication.objects.get(code="skin-tightening"),
        },
    )
    for code, name, region, low, high, minutes in AREAS:
        TreatmentArea.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "region": region,
                "needle_min_mm": Decimal(low),
                "needle_max_mm": Decimal(high),
                "procedure_minutes": minutes,
            },
        )
    for up_to, weeks in GAPS:
        MinimumGap.objects.get_or_create(up_to_mm=Decimal(up_to), defaults={"min_weeks": weeks})
