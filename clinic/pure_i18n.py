"""The one door through which the pure rule modules reach translations.

The pure modules (pyproject's "forbidden" import-linter contract) may not import Django,
so that they stay free of the ORM, settings, requests and I/O. Looking a message up in the
gettext catalogues is a pure function of (message, active language), so those modules get
exactly these functions, from here, and nothing else of Django: each pure module that
translates is named in the contract's ``ignore_imports`` as ``<module> -> clinic.pure_i18n``
(a direct ``import django`` in them is still refused). ``makemessages`` finds the strings by
these names.
"""

from django.utils.translation import (
    gettext,
    gettext_lazy,
    ngettext,
    ngettext_lazy,
    pgettext,
    pgettext_lazy,
)

__all__ = ["gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"]
