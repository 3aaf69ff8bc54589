"""Every answer carries the Content-Security-Policy and the Permissions-Policy; the
templates hold nothing the policy would refuse; the violation report address."""

import logging
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Session
from reminders import links

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REQUIRED = ["default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
            "frame-ancestors 'none'", "form-action 'self'", "report-uri /csp-report/"]  # fmt: skip
TURNED_OFF = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]


def assert_policies(response):
    policy = response["Content-Security-Policy"]
    for directive in REQUIRED:
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    for feature in TURNED_OFF:
        assert feature in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "url", ["/", "/patients/", "/courses/", "/reports/", "/calendar/", "/admin/",
            "/admin/patients/patient/", "/no-such-page/"],
)  # fmt: skip
def test_staff_pages_admin_and_errors_carry_both_policies(manager_client, url):
    assert_policies(manager_client.get(url, follow=True))


def test_login_page_and_a_patient_link_carry_both_policies(client, book):
    assert_policies(client.get(reverse("login")))
    session = Session.objects.filter(course=book()).first()
    token = links.session_token("confirm", session.pk, session.schedule_version)
    response = client.get(reverse("reminders:confirm", args=[token]))
    assert response.status_code == 200
    assert_policies(response)


def test_calendar_positions_come_in_a_style_with_the_headers_nonce(staff_client, book):
    session = Session.objects.filter(course=book()).first()
    day = session.arrives_at.date().isoformat()
    pk = session.practitioner_id
    response = staff_client.get(reverse("calendar:show", args=["practitioner", pk, "week", day]))
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    html = response.content.decode()
    assert f'<style nonce="{nonce[1]}">' in html
    assert re.search(r"\.cal-\d+-b1\{top:[\d.]+%;height:[\d.]+%\}", html)
    assert "style=" not in html


def page_templates():
    return [p for p in TEMPLATES.rglob("*.html") if "emails" not in p.parts]


INLINE = [
    (re.compile(r"\sstyle\s*="), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>"), "an inline script"),
    (re.compile(r"<style(?![^>]*nonce=)[^>]*>"), "a <style> without the nonce"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: address"),
]


def test_no_page_template_holds_what_the_policy_refuses():
    """E-mail templates are exempt: mail clients need inline styles and never see the CSP."""
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in page_templates()
        for pattern, what in INLINE
        if pattern.search(re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "",
                                 path.read_text(), flags=re.DOTALL))
    ]  # fmt: skip
    assert found == []


def test_csp_report_is_logged_in_one_line_without_secrets(client, db, caplog):
    body = (
        '{"csp-report": {"document-uri": "https://p.example/p/cancel/s3cret-tok/?name=Clarke",'
        ' "effective-directive": "script-src-elem", "blocked-uri": "inline", "line-number": 9}}'
    )
    csrf_checking = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="clinic.views"):
        response = csrf_checking.post("/csp-report/", body, content_type="application/csp-report")
    assert response.status_code == 204
    [line] = [r.getMessage() for r in caplog.records if r.name == "clinic.views"]
    assert line == (
        "CSP violation: directive=script-src-elem blocked=inline "
        "page=/p/cancel/[redacted]/ source=- line=9"
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [("x" * 9000, 413), ("not a report", 400), ('{"csp-report": []}', 400)],
)
def test_csp_report_refuses_big_or_unreadable_bodies(client, db, caplog, body, status):
    with caplog.at_level(logging.WARNING, logger="clinic.views"):
        response = client.post("/csp-report/", body, content_type="application/csp-report")
    assert response.status_code == status
    assert not [r for r in caplog.records if r.name == "clinic.views"]


def test_csp_report_takes_only_posts(client, db):
    assert client.get("/csp-report/").status_code == 405


def test_progress_bars_widths_come_in_the_nonced_style(staff_client, book):
    book()
    response = staff_client.get(reverse("courses:overview"))
    html = response.content.decode()
    assert re.search(r'<style nonce="[^"]+">\.progress-1\{width:\d+%\}', html)
    assert 'class="progress-bar progress-1"' in html
