"""Every word a person reads in a template is marked for translation (issue #17).

A scan, not a parser: it removes what a translator never sees (template tags and
variables, comments, `{% blocktranslate %}` blocks, <style> and <script>, markup)
and fails on any word left over, and on a readable attribute (title, placeholder,
aria-label, alt, data-done-text) written in plain English.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"

HIDDEN = [
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"<(style|script)\b.*?</\1>", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
]
READABLE_ATTRIBUTE = re.compile(
    r'\b(title|placeholder|aria-label|alt|data-done-text)="([^"]*[A-Za-z]{2,}[^"]*)"'
)
WORD = re.compile(r"[A-Za-z]{2,}")
ENTITY = re.compile(r"&[a-z]+;")


def unmarked(text: str) -> list[str]:
    """The words of a template's source that no translation tag covers."""
    for pattern in HIDDEN:
        text = pattern.sub(" ", text)
    found = [match.group(0) for match in READABLE_ATTRIBUTE.finditer(text)]
    text = ENTITY.sub(" ", re.sub(r"<[^>]*>", " ", text, flags=re.S))
    found += [line.strip() for line in text.splitlines() if WORD.search(line)]
    return found


def template_names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*") if path.is_file()
    )


def test_the_scan_finds_plain_text_and_attributes() -> None:
    assert unmarked("<p>Hello {{ name }}</p>") == ["Hello"]
    assert unmarked('<a aria-label="Main" href="/">{% translate "Home" %}</a>') == [
        'aria-label="Main"'
    ]
    marked = (
        "{% load i18n %}<p title=\"{% translate 'Tip' %}\">"
        "{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}</p>"
    )
    assert unmarked(marked) == []


@pytest.mark.parametrize("name", template_names())
def test_every_readable_word_is_marked(name: str) -> None:
    assert unmarked((TEMPLATES / name).read_text()) == []


@pytest.mark.parametrize("name", template_names())
def test_every_template_compiles(name: str) -> None:
    get_template(name)


@pytest.mark.parametrize("name", ["base.html", "emails/_base.html", "500.html"])
def test_page_language_is_the_active_language(name: str) -> None:
    assert '<html lang="{{ LANGUAGE_CODE }}">' in (TEMPLATES / name).read_text()


def test_the_server_error_page_names_the_active_language() -> None:
    with translation.override("ru"):
        html = get_template("500.html").render({})
    assert '<html lang="ru">' in html
