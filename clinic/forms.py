"""Forms for clinic-wide pages."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Submit
from django.contrib.auth.forms import AuthenticationForm


def row(*fields: str) -> Div:
    """Fields side by side in equal Bootstrap columns (stacked on narrow screens)."""
    return Div(*(Div(f, css_class="col-md") for f in fields), css_class="row")


class LoginForm(AuthenticationForm):
    """Django's login form, laid out by crispy-forms."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Log in", css_class="w-100"))
