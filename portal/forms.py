"""The forms of the patient's course page: the questions before a visit, and consent.

Every label and message is in plain patient language and translatable; the rules behind
them are the pure ones in ``patients.screening`` and ``patients.signature``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from patients import screening, signature

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]

# One question per rule (screening.PREVISIT_RULES), as the patient reads it.
PREVISIT_QUESTIONS: dict[str, StrPromise] = {
    "herpes_active": _(
        "Do you have a cold sore (herpes) right now, or feel one coming (tingling, itching)?"
    ),
    "acne_active": _(
        "Do you have an acne flare (red, inflamed or pus-filled spots) in the area we will treat?"
    ),
    "anticoagulants": _(
        "Have you started any new medicine, or are you taking a blood thinner "
        "(an anticoagulant such as warfarin, apixaban or rivaroxaban)?"
    ),
    "eczema_psoriasis": _("Do you have eczema or psoriasis in the area we will treat?"),
    "warts": _("Do you have warts in the area we will treat?"),
}
assert tuple(PREVISIT_QUESTIONS) == screening.PREVISIT_RULES  # one question per rule


class PrevisitForm(forms.Form):
    """The day-of questions, each answered yes or no (none is preselected)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, question in PREVISIT_QUESTIONS.items():
            self.fields[code] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Please answer yes or no.")},
            )

    def yes(self) -> list[str]:
        """The rule codes of the questions answered "yes"."""
        return [code for code in PREVISIT_QUESTIONS if self.cleaned_data[code] == YES]


DRAWING_PROBLEMS: dict[str, StrPromise] = {
    "empty": _("Please draw your signature in the box, or type your name instead."),
    "too_long": _("The drawing is too large. Please clear it and sign again."),
    "format": _("The drawing could not be read. Please clear it and sign again."),
    "outside": _("The drawing could not be read. Please clear it and sign again."),
    "too_short": _("That is too short for a signature. Please sign again."),
}
NAME_PROBLEMS: dict[str, StrPromise] = {
    "empty": _("Please type your full name."),
    "too_long": _("That is too long for a name."),
    "control": _("The name has characters that cannot be used."),
    "no_letters": _("Please type your full name."),
    "too_short": _("Please type your full name, not initials."),
}
TYPED, DRAWN = "typed", "drawn"


class ConsentForm(forms.Form):
    """Consent on the information sheet shown: a typed full name or a drawn signature."""

    sheet = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    shown = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(r"^[0-9a-f]{64}$")],
    )
    method = forms.ChoiceField(
        label=_("How would you like to sign?"),
        choices=[(TYPED, _("Type my full name")), (DRAWN, _("Draw my signature"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input", "data-signature-method": ""}),
        initial=TYPED,
    )
    typed_name = forms.CharField(
        label=_("Your full name"),
        required=False,
        max_length=signature.MAX_NAME_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control"}),
    )
    drawing = forms.CharField(
        required=False, max_length=signature.MAX_DRAWING_CHARS, widget=forms.HiddenInput
    )
    agree = forms.BooleanField(
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        label=_("I have read and understood the information above, and I agree to the treatment."),
        error_messages={"required": _("Please tick the box to show that you agree.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        if method == TYPED:
            data["drawing"] = ""
            name = signature.normalise_name(data.get("typed_name", ""))
            problem = signature.typed_name_problem(name)
            if problem:
                self.add_error("typed_name", NAME_PROBLEMS[problem])
            data["typed_name"] = name
        elif method == DRAWN:
            data["typed_name"] = ""
            problem = signature.drawing_problem(data.get("drawing", ""))
            if problem:
                self.add_error("drawing", DRAWING_PROBLEMS[problem])
        return data


class SatisfactionForm(forms.Form):
    """How satisfied the patient is with the result so far, 0 to 10 (courses.outcomes)."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the result so far? (0 not at all, 10 completely)"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        error_messages={"required": _("Please choose a number from 0 to 10."),
                        "invalid_choice": _("Please choose a number from 0 to 10.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )  # fmt: skip
