"""The shipped catalogues are complete, compiled, and what the code asks for.

English is the source language (the msgids); every other language of
``settings.LANGUAGES`` ships ``locale/<code>/LC_MESSAGES/django.po`` and its
compiled ``django.mo``. Regenerate with ``make messages``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
# What `make messages` leaves out of extraction (the Makefile's --ignore list).
NOT_EXTRACTED = ["bench/*", "tests/*", "var/*", "static/*", "control/*"]

Key = tuple[str | None, str]  # (msgctxt, msgid)


def key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def catalogue(code: str) -> polib.POFile:
    path = LOCALE / code / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[Key]:
    """Every msgid the code and templates mark, extracted as `make messages` does.

    In a temporary copy of the sources: makemessages writes into the ``locale``
    directory beside the files it reads, and the shipped catalogues stay untouched.
    """
    copy = tmp_path_factory.mktemp("project") / "src"
    shutil.copytree(
        settings.BASE_DIR, copy, symlinks=True,
        ignore=shutil.ignore_patterns(".*", "var", "locale", "__pycache__", "node_modules"),
    )  # fmt: skip
    (copy / "locale").mkdir()
    cwd = Path.cwd()
    try:
        os.chdir(copy)
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages", locale=["ru"], ignore_patterns=NOT_EXTRACTED,
                no_obsolete=True, add_location="file", verbosity=0,
            )  # fmt: skip
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    return {key(entry) for entry in fresh if not entry.obsolete}


def describe(keys: set[Key] | list[Key], limit: int = 15) -> str:
    shown = sorted(keys, key=lambda k: (k[1], k[0] or ""))[:limit]
    more = f"\n  ... and {len(keys) - limit} more" if len(keys) > limit else ""
    return "\n".join(f"  {k[0] + ' | ' if k[0] else ''}{k[1]!r}" for k in shown) + more


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_marked_string_is_in_the_shipped_catalogue(extracted, code):
    """A `makemessages` check: nothing the code marks is missing (run `make messages`)."""
    shipped = {key(entry) for entry in catalogue(code) if not entry.obsolete}
    missing = extracted - shipped
    assert not missing, f"{len(missing)} msgids missing from {code}:\n{describe(missing)}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_shipped_entry_is_translated_and_not_fuzzy(code):
    po = catalogue(code)
    assert not po.metadata_is_fuzzy, (
        f"{code}: the header is marked fuzzy: msgfmt drops it, and with it the charset "
        "and Plural-Forms (Cyrillic then fails to load)"
    )
    assert po.metadata.get("Plural-Forms"), f"{code}: the header has no Plural-Forms"
    fuzzy = [key(e) for e in po if e.fuzzy and not e.obsolete]
    empty = [key(e) for e in po if not e.obsolete and not e.fuzzy and not e.translated()]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {code}:\n{describe(fuzzy)}"
    assert not empty, f"{len(empty)} untranslated entries in {code}:\n{describe(empty)}"


def _compiled_form(entry: polib.POEntry | polib.MOEntry) -> object:
    if entry.msgid_plural:
        return (entry.msgid_plural, tuple(sorted(entry.msgstr_plural.items())))
    return entry.msgstr


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_mo_matches_its_po(code):
    """The .mo files are committed (so `make run` needs no gettext) and are up to date."""
    mo_path = LOCALE / code / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    po = catalogue(code)
    expected = {
        key(e): _compiled_form(e) for e in po if e.translated() and not e.fuzzy and not e.obsolete
    }
    compiled = {key(e): _compiled_form(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    stale = {k for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)}
    assert not stale, f"{code}: django.mo differs from django.po (run `make messages`):\n" + (
        describe(stale)
    )
