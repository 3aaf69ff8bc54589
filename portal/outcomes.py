"""The patient says how satisfied they are after a session (issue #19), on their course page.

The score goes through ``courses.outcome_services.record_satisfaction``, the staff's path
too: only a performed session of this course, only 0 to 10.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from clinic.actors import SystemActor, system_actor
from courses.booking import CourseError
from courses.models import Course
from courses.outcome_services import record_satisfaction
from portal import page
from portal.forms import SatisfactionForm
from portal.views import _page, patient_page


@require_POST
@patient_page
def satisfaction(request: HttpRequest, course: Course, token: str, ordinal: int) -> HttpResponse:
    """Record the patient's score for one performed session; a refusal says why (4xx)."""
    row = page.session_by_ordinal(course, ordinal, now=timezone.now())
    if row is None:
        return _page(request, course, token, 404, error=gettext("Your course has no such session."))
    form = SatisfactionForm(request.POST)
    if not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _page(request, course, token, 400, error=problem)
    try:
        record_satisfaction(
            session=row.session, score=form.cleaned_data["score"],
            actor=system_actor(SystemActor.PATIENT_LINK),
        )  # fmt: skip
    except CourseError:
        refusal = gettext("You can tell us how satisfied you are once a session has taken place.")
        return _page(request, course, token, 400, error=refusal)
    messages.success(request, gettext("Thank you: your practitioner will see your answer."))
    return redirect(reverse("portal:course", args=[token]) + f"#session-{ordinal}")
