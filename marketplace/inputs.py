"""Text typed by people, cleaned and checked in one place for the API schemas and the HTML forms.

Each kind of text (one line, several lines, a name, an e-mail address, a phone number, a SIREN) has one
`clean_*` function: Unicode NFC, control characters refused, bidi overrides refused, then the kind's own
rule. `Annotated` pydantic types (ninja schemas and query parameters) and Django form fields are both built
from these functions, so a field accepts the same values whether it comes from a page or from the API.
"""

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from marketplace.accounts.validators import normalise_phone, validate_phone
from marketplace.organisations.validators import siren_is_valid

# C0 and C1 control characters. Tab, LF and CR are text in a multi-line field only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x85\u2028\u2029]")
# Bidi embeddings, overrides and isolates: they make a text display differently from what it says
# ("Trojan Source"); nobody needs them in a name, an address or a comment here.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


class InputError(ValueError):
    def __init__(self, message: Any, code: str = "invalid_text") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def control_character_in(value: str, *, multiline: bool = True) -> str | None:
    """The first character of `value` that no text field accepts (NUL…), or None. Used for every input."""
    match = _CONTROL.search(value) or (None if multiline else _LINE_BREAKS.search(value))
    return match.group() if match else None


def _common(value: str, *, multiline: bool) -> str:
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if control_character_in(value, multiline=multiline) is not None:
        raise InputError(
            _("Caractère de contrôle interdit (retour à la ligne, NUL…).")
            if not multiline
            else _("Caractère de contrôle interdit (NUL…)."),
            "control_character",
        )
    if _BIDI.search(value):
        raise InputError(_("Caractère de direction d'écriture interdit."), "bidi_character")
    return value.strip()


def _length(value: str, min_length: int, max_length: int) -> str:
    if len(value) > max_length:
        raise InputError(_("%(max)d caractères au plus.") % {"max": max_length}, "too_long")
    if value and len(value) < min_length:
        raise InputError(_("%(min)d caractères au moins.") % {"min": min_length}, "too_short")
    return value


def clean_text(value: str, *, min_length: int = 0, max_length: int = 200) -> str:
    """One line of text (a search, a title)."""
    return _length(_common(value, multiline=False), min_length, max_length)


def clean_multiline(value: str, *, min_length: int = 0, max_length: int = 2000) -> str:
    """Several lines (a comment): line breaks kept as \\n."""
    return _length(_common(value, multiline=True), min_length, max_length)


def clean_name(value: str, *, min_length: int = 1, max_length: int = 120) -> str:
    """A person's or an employer's name: one line with at least one letter or digit (not only invisible
    characters, spaces or punctuation)."""
    value = clean_text(value, min_length=0, max_length=max_length)
    # Format characters (zero-width spaces, word joiners…) at the ends are invisible padding.
    value = value.strip("".join(c for c in set(value) if unicodedata.category(c) == "Cf") + " ")
    if not any(unicodedata.category(c)[0] in "LN" for c in value):
        raise InputError(_("Le nom doit contenir au moins une lettre."), "no_letter")
    return _length(value, min_length, max_length)


def clean_email(value: str) -> str:
    """An e-mail address, or "" (no header injection: one line, no spaces). Lowercased domain."""
    value = clean_text(value, max_length=254)
    if not value:
        return value
    try:
        validate_email(value)
    except ValidationError as error:
        raise InputError(_("Adresse e-mail invalide."), "email") from error
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_phone(value: str) -> str:
    """A French phone number, or "": stored without spaces, dots or dashes."""
    value = clean_text(value, max_length=20)
    try:
        validate_phone(value)
    except ValidationError as error:
        raise InputError(error.messages[0], "phone") from error
    return normalise_phone(value)


def clean_siren(value: str) -> str:
    """A SIREN: 9 ASCII digits with the right check digit."""
    value = clean_text(value, max_length=9)
    if not siren_is_valid(value):
        raise InputError(_("SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle."), "siren")
    return value


# ---- pydantic (ninja schemas and query parameters) ----
def _pydantic(clean: Callable[[str], str]) -> AfterValidator:
    def validate(value: str) -> str:
        try:
            return clean(value)
        except InputError as error:
            raise PydanticCustomError(error.code, error.message) from error

    return AfterValidator(validate)


def _required(clean: Callable[[str], str]) -> Callable[[str], str]:
    def required(value: str) -> str:
        value = clean(value)
        if not value:
            raise InputError(_("Ce champ est obligatoire."), "required")
        return value

    return required


# The raw length is bounded before cleaning too (with room for what NFC and strip() remove).
SearchQuery = Annotated[
    str, Field(min_length=2, max_length=320), _pydantic(partial(clean_text, min_length=2, max_length=80))
]
PersonName = Annotated[
    str, Field(min_length=1, max_length=480), _pydantic(partial(clean_name, min_length=1, max_length=120))
]
OrganisationName = Annotated[
    str, Field(min_length=2, max_length=800), _pydantic(partial(clean_name, min_length=2, max_length=200))
]
Comment = Annotated[str, Field(max_length=8000), _pydantic(partial(clean_multiline, max_length=2000))]
Email = Annotated[str, Field(max_length=508), _pydantic(clean_email)]  # "" allowed: no address
RequiredEmail = Annotated[str, Field(min_length=3, max_length=508), _pydantic(_required(clean_email))]
Phone = Annotated[str, Field(max_length=40), _pydantic(clean_phone)]  # "" allowed: no number
Siren = Annotated[str, Field(min_length=9, max_length=9, pattern=r"^[0-9]{9}$"), _pydantic(clean_siren)]
Title = Annotated[
    str, Field(min_length=3, max_length=480), _pydantic(partial(clean_text, min_length=3, max_length=120))
]
Address = Annotated[
    str, Field(min_length=3, max_length=1200), _pydantic(partial(clean_text, min_length=3, max_length=300))
]
# A message of the messaging: several lines, 1 to 4,000 characters once cleaned.
MessageText = Annotated[
    str,
    Field(min_length=1, max_length=16000),
    _pydantic(_required(partial(clean_multiline, max_length=4000))),
]
# The identifier a client gives its message so that a retried send is not stored twice (a UUID…).
ClientId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Description = Annotated[str, Field(max_length=20000), _pydantic(partial(clean_multiline, max_length=5000))]


# ---- Django forms ----
class _CleanedField(forms.CharField):
    clean_function: Callable[[str], str]

    def __init__(self, *, clean: Callable[[str], str], **kwargs: Any) -> None:
        self.clean_function = clean
        kwargs.setdefault("strip", False)  # the clean function strips, after NFC
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            return self.clean_function(value)
        except InputError as error:
            raise ValidationError(error.message, code=error.code) from error


class TextField(_CleanedField):
    def __init__(self, *, min_length: int = 0, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(
            clean=lambda v: clean_text(v, min_length=min_length, max_length=max_length),
            max_length=max_length,
            **kwargs,
        )


class MultilineTextField(_CleanedField):
    def __init__(self, *, min_length: int = 0, max_length: int = 2000, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(
            clean=lambda v: clean_multiline(v, min_length=min_length, max_length=max_length),
            max_length=max_length,
            **kwargs,
        )


class NameField(_CleanedField):
    def __init__(self, *, min_length: int = 1, max_length: int = 120, **kwargs: Any) -> None:
        super().__init__(
            clean=lambda v: clean_name(v, min_length=min_length, max_length=max_length),
            max_length=max_length,
            **kwargs,
        )


class EmailField(_CleanedField):
    widget = forms.EmailInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(clean=clean_email, max_length=254, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "autocomplete": "email"}


class PhoneField(_CleanedField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(clean=clean_phone, max_length=20, **kwargs)


class SirenField(_CleanedField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{9}"}))
        super().__init__(clean=clean_siren, max_length=9, **kwargs)
