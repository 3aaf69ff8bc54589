"""The one door through which the pure rule modules reach translations.

The pure modules (pyproject's "forbidden" import-linter contract) may not import Django,
so that they stay free of the ORM, settings, requests and I/O. Looking a message up in the
gettext catalogues is a pure function of (message, active language), so those modules get
exactly these functions, from here, and nothing else of Django (``date_text`` names days and months
the same way, in the active language): each pure module that
translates is named in the contract's ``ignore_imports`` as ``<module> -> clinic.pure_i18n``
(a direct ``import django`` in them is still refused). ``makemessages`` finds the strings by
these names.
"""

from datetime import date, datetime

from django.utils import dateformat
from django.utils.translation import (
    gettext,
    gettext_lazy,
    ngettext,
    ngettext_lazy,
    pgettext,
    pgettext_lazy,
)

__all__ = [
    "date_text",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
]


def date_text(value: date | datetime, format: str) -> str:
    """A date (or a datetime's wall-clock time, as it is) in Django's date format syntax, with
    day and month names in the active language: "D d M Y" is "Tue 03 Mar 2026" in English,
    "l j E Y" is "Tuesday 3 March 2026" ("E": the month as a date says it, e.g. Russian
    genitive)."""
    return dateformat.format(value, format)
