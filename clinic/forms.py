"""The login form, a layout helper and the date window every screen shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Submit
from django.contrib.auth.forms import AuthenticationForm

# The dates the planner's calendars and reports show: wide enough for any real
# record, narrow enough that a day before or after still exists (year 1 and
# 9999 overflowed date arithmetic).
SHOWN_FIRST_DAY = date(1900, 1, 1)
SHOWN_LAST_DAY = date(2999, 12, 31)


def row(*fields: str) -> Div:
    """Fields side by side in equal Bootstrap columns (stacked on narrow screens)."""
    return Div(*(Div(f, css_class="col-md") for f in fields), css_class="row")


class LoginForm(AuthenticationForm):
    """Django's login form, laid out by crispy-forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Log in", css_class="w-100"))
