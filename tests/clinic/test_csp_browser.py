"""No page breaks its Content-Security-Policy, walked in real Chromium.

The policy refuses inline scripts and style attributes; a page that still had
one would lose it silently (a dead button, a calendar block at the top). Each
page is opened with a listener for ``securitypolicyviolation`` events and the
console's "Refused to ..." errors, and the test fails on any.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clinic.actors import SystemActor, system_actor
from courses.models import Course, Session, SessionStatus
from patients.models import Patient
from planner.demo import load_demo_data
from reminders import links
from tests.browser import log_in, log_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI} at ${where}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and the CSP violations seen on it (events and console errors), and any
    console error about the Permissions-Policy header (a feature name Chromium does not know)."""
    seen = []
    page.add_init_script(LISTEN)

    def check(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            seen.append(message.text)

    page.on("console", check)
    return page, seen


def visit(page, seen, url):
    response = page.goto(url)
    assert response.status < 400, f"{url}: {response.status}"
    assert "content-security-policy" in response.headers, url
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)  # a violation event is queued as a task
    seen.extend(f"{url}: {v}" for v in page.evaluate("window.__violations"))


def staff_pages():
    patient = Patient.objects.order_by("pk").first()
    course = Course.objects.order_by("pk").first()
    session = Session.objects.order_by("arrives_at").filter(course=course).first()
    done = Session.objects.filter(aftercare__isnull=False).first()
    return [
        "/",
        "/?all=1",
        reverse("patients:list"),
        reverse("patients:detail", args=[patient.pk]),
        reverse("courses:overview"),
        reverse("courses:detail", args=[course.pk]),
        reverse("calendar:home"),  # this week's calendar
        reverse("courses:session_day", args=[session.pk]),
        reverse("courses:aftercare", args=[done.pk]),
        reverse("report"),
        reverse("calendar:feed_settings"),
        reverse("reminders:failed"),
        reverse("admin:index"),
        reverse("admin:patients_patient_changelist"),
        reverse("admin:courses_session_changelist"),
        reverse("admin:clinic_clinic_change", args=[1]),
        reverse("admin:clinic_closure_add"),  # the date and time pickers
        # the two-box chooser of a staff member's roles (groups themselves are read-only)
        reverse("admin:auth_user_change", args=[User.objects.get(username="anna").pk]),
    ]


def test_staff_pages_and_the_admin_raise_no_csp_violation(watched):
    page, seen = watched
    logins = load_demo_data(actor=system_actor(SystemActor.DEMO))
    manager = next(login for login in logins if login.username == "manager")
    log_in_with_code(page, manager.username, manager.password)
    page.wait_for_url("**/")
    for url in staff_pages():
        visit(page, seen, url)
    assert seen == []


def test_the_calendar_places_its_blocks_through_the_nonced_style(watched):
    page, seen = watched
    logins = load_demo_data(actor=system_actor(SystemActor.DEMO))
    anna = next(login for login in logins if login.username == "anna")
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    visit(page, seen, reverse("calendar:home"))
    tops = page.locator("[data-testid=cal-booking]").evaluate_all(
        "els => els.map(e => getComputedStyle(e).top)"
    )
    assert len(tops) >= 2
    assert len(set(tops)) > 1, tops  # placed by time, not piled at the top
    hours = page.locator(".cal-times .cal-hour").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().top)"
    )
    assert hours == sorted(hours)
    assert len(set(hours)) == len(hours)
    assert seen == []


def test_a_patient_link_page_raises_no_csp_violation(watched):
    page, seen = watched
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    session = Session.objects.filter(status=SessionStatus.SCHEDULED).order_by("arrives_at").last()
    token = links.session_token("confirm", session.pk, session.schedule_version)
    visit(page, seen, reverse("reminders:confirm", args=[token]))
    assert page.get_by_role("button", name="Yes, I am coming").is_visible()
    assert seen == []


def test_an_inline_script_would_be_caught(watched, live_server):
    """The check itself can fail: a page with an inline handler is refused and reported."""
    page, seen = watched
    visit(page, seen, "/login/")
    page.evaluate(
        """() => { const b = document.createElement('button');
        b.setAttribute('onclick', 'void 0'); document.body.append(b); b.click(); }"""
    )
    page.wait_for_timeout(100)
    seen.extend(page.evaluate("window.__violations"))
    assert any("script-src" in v for v in seen), seen
