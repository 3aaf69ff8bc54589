"""Every page a logged-in cosmetologist can reach from the demo data answers without a
server error, is never cached (``Cache-Control: no-store``), and every link on those pages
stays on the planner."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model

from clinic.actors import SystemActor, system_actor
from planner.demo import load_demo_data

LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/admin/", "/logout/", "/static/", "/healthz", "/photos/", ".ics", ".csv")


@pytest.mark.django_db(transaction=True)
def test_every_reachable_staff_page_answers_without_error(client):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    client.force_login(get_user_model().objects.get(username=anna.username))
    seen, queue, failures, stored = set(), ["/"], [], []
    while queue and len(seen) < 300:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append((url, response.get("Cache-Control")))
        if response.status_code >= 500:
            failures.append((url, response.status_code))
            continue
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for href in LINK.findall(response.content.decode()):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            assert not parts.netloc, f"{url} links to another host: {href}"
            if not any(s in parts.path for s in SKIP):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert failures == []
    assert stored == []
    assert len(seen) > 30, seen  # the crawl really went through the planner
