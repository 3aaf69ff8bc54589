"""How a course is working, as recorded (issue #19): practitioners' grades and the patient's
satisfaction. The scales and the arithmetic are the pure ``courses.outcomes``; the writes are
``courses.outcome_services``."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.outcomes import SATISFACTION_HIGH, SATISFACTION_LOW, SCALES


@pghistory.track()
class OutcomeGrade(models.Model):
    """A practitioner's grade of what the course treats, on the indication's scale: the
    baseline (no session) or at a session that was performed."""

    course = models.ForeignKey(
        "courses.Course", verbose_name=_("course"), on_delete=models.CASCADE,
        related_name="grades",
    )  # fmt: skip
    session = models.ForeignKey(
        "courses.Session", verbose_name=_("session"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="grades", help_text=_("None: the baseline, before treatment."),
    )  # fmt: skip
    scale = models.CharField(
        _("scale"), max_length=20, choices=[(s.scale.value, s.name) for s in SCALES.values()]
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("outcome grade")
        verbose_name_plural = _("outcome grades")
        ordering = ["course", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=Q(session__isnull=True), name="one_baseline_per_course"
            ),
            models.UniqueConstraint(fields=["session"], name="one_grade_per_session"),
            models.CheckConstraint(condition=Q(grade__lte=10), name="grade_at_most_ten"),
        ]

    def __str__(self) -> str:
        if self.session_id is None:
            return gettext("Baseline grade %(grade)s") % {"grade": self.grade}
        return gettext("Grade %(grade)s at session #%(session)s") % {
            "grade": self.grade, "session": self.session_id,
        }  # fmt: skip


class SatisfactionSource(models.TextChoices):
    PATIENT = "patient", _("The patient, on their course page")
    STAFF = "staff", _("Staff, as the patient said")


@pghistory.track()
class Satisfaction(models.Model):
    """The patient's satisfaction with the result after a session, 0 to 10."""

    session = models.OneToOneField(
        "courses.Session", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="satisfaction",
    )  # fmt: skip
    score = models.PositiveSmallIntegerField(_("score"))
    source = models.CharField(_("source"), max_length=10, choices=SatisfactionSource.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("satisfaction")
        verbose_name_plural = _("satisfaction scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=SATISFACTION_LOW, score__lte=SATISFACTION_HIGH),
                name="satisfaction_in_range",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Satisfaction %(score)s/10 after session #%(session)s") % {
            "score": self.score, "session": self.session_id,
        }  # fmt: skip
