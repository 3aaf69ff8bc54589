"""The course page's outcome section (issue #19): the chart, the table and its forms, and
the staff's record of a visit's grade and the patient's satisfaction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from clinic.actors import AuthenticatedHttpRequest
from clinic.permissions import requires
from courses import outcome_services
from courses.booking import CourseError
from courses.forms import BASELINE, OutcomeForm
from courses.models import Course, PhotoKind, Session, SessionPhoto


def outcome_context(course: Course, sessions: list[Session]) -> dict[str, Any]:
    """The outcome, and one form per visit filled with what is recorded."""
    outcome = outcome_services.course_outcome(course, sessions)
    keys = [BASELINE if v.session is None else str(v.session.pk) for v in outcome.visits]
    rows = [
        (visit, OutcomeForm(
            scale=outcome.spec, visits=keys, form_id=f"outcome-{key}", auto_id=f"id_%s_{key}",
            initial={"visit": key, "grade": visit.grade, "satisfaction": visit.satisfaction},
        ), f"outcome-{key}")
        for visit, key in zip(outcome.visits, keys, strict=True)
    ]  # fmt: skip
    return {"outcome": outcome, "outcome_rows": rows, "outcome_photos": first_and_last(sessions)}


def first_and_last(sessions: list[Session]) -> list[SessionPhoto]:
    """The course's first "before" photo and its latest "after" photo, side by side."""
    photos = sorted((p for s in sessions for p in s.photos.all()), key=lambda p: p.uploaded_at)
    before = next((p for p in photos if p.kind == PhotoKind.BEFORE), None)
    after = next((p for p in reversed(photos) if p.kind == PhotoKind.AFTER), None)
    return [p for p in (before, after) if p is not None]


@requires("courses.record_outcome")
@require_POST
def course_outcomes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record one visit's grade and satisfaction; a refusal re-shows the page with why (400)."""
    from courses.views import _course_page  # the page's builder; it imports outcome_context

    course = get_object_or_404(
        Course.objects.booked().select_related(
            "patient", "indication", "area", "practitioner__user", "created_by"
        ),
        pk=pk,
    )
    sessions = {str(s.pk): s for s in course.sessions.all()}
    form = OutcomeForm(
        request.POST, scale=outcome_services.course_scale(course), visits=[BASELINE, *sessions]
    )
    problem = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome_services.record_visit(
                course=course, session=sessions.get(data["visit"]), grade=data["grade"],
                satisfaction=data["satisfaction"], actor=request.user,
            )  # fmt: skip
        except CourseError as error:
            problem = str(error)
    else:
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if problem:  # said at the top too: the section may be far down the page
        messages.error(request, gettext("The outcome was not saved: %(why)s") % {"why": problem})
        return _course_page(request, course, outcome_error=problem, status=400)
    messages.success(request, gettext("Outcome recorded."))
    return redirect(reverse("courses:detail", args=[pk]) + "#outcomes")
