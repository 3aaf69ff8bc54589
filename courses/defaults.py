"""Default treatment catalogue and spacing rules from DOMAIN.md.

Seeded by a data migration and editable by the clinic afterwards. Written
against ``apps.get_model`` so that migrations can call it with historical models.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps.registry import Apps

from courses.outcomes import default_scale

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
    "therapy."
)
# What the catalogue said before the planner named the alternative itself.
OLD_CELLULITE_REASON = CELLULITE_REASON[: -len("therapy.")] + (
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
# Which areas fit each indication (DOMAIN.md, "Indications" and "Needle length"):
# hair loss is a scalp indication; stretch marks, body scars and skin tightening
# are body work; the face areas take the facial indications.
FACE_AREAS = ["face", "periorbital", "thin-facial-skin"]
INDICATION_AREAS = {
    "wrinkles": [*FACE_AREAS, "hands"],
    "texture": ["face", "thin-facial-skin", "hands", "body"],
    "hyperpigmentation": [*FACE_AREAS, "hands", "body"],
    "hair-loss": ["scalp"],
    "stretch-marks": ["body"],
    "scars": ["face", "face-scars", "body"],
    "skin-tightening": ["body"],
    "cellulite": ["body"],
}


def seed_catalogue(apps: Apps) -> None:
    """Create the default rows that are missing; rows a clinic edited are left alone."""
    Indication = apps.get_model("courses", "Indication")
    TreatmentArea = apps.get_model("courses", "TreatmentArea")
    MinimumGap = apps.get_model("courses", "MinimumGap")
    # The scale arrived with migration 0016; the earlier migration that seeds has no such field.
    graded = any(f.name == "outcome_scale" for f in Indication._meta.get_fields())
    for code, name in INDICATIONS:
        scale = {"outcome_scale": default_scale(code).value} if graded else {}
        Indication.objects.get_or_create(code=code, defaults={"name": name, **scale})
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


def seed_indication_areas(apps: Apps) -> None:
    """Tick the default areas of each default indication that has none ticked yet."""
    Indication = apps.get_model("courses", "Indication")
    TreatmentArea = apps.get_model("courses", "TreatmentArea")
    for code, area_codes in INDICATION_AREAS.items():
        indication = Indication.objects.filter(code=code).first()
        if indication is None or indication.areas.exists():
            continue
        indication.areas.set(TreatmentArea.objects.filter(code__in=area_codes))
