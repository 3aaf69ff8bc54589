"""Forms of the sign-in pages."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The code step: six digits from the authenticator app, or one recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def __init__(self, *args: Any, submit: str = "", setup: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if setup:  # no recovery codes yet
            self.fields["code"].help_text = _("The 6-digit code your authenticator app shows.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit or _("Verify")))


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's password change form (old password, the new one twice, the validators)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Change password")))


class LanguageForm(forms.Form):
    """The account page's interface language: a shipped language, or the browser's."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
        error_messages={"invalid_choice": _("Choose one of the languages the planner offers.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "accounts:language"
        self.helper.add_input(Submit("submit", _("Save language")))
