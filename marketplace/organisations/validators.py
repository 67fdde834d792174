from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def siren_is_valid(value: str) -> bool:
    """9 ASCII digits whose Luhn checksum is right (INSEE's check digit for SIREN numbers).

    `str.isdigit()` alone is true for "²" or fullwidth "１": only 0-9 are digits of a SIREN.
    """
    if len(value) != 9 or not (value.isascii() and value.isdigit()):
        return False
    total = 0
    for index, char in enumerate(value):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def validate_siren(value: str) -> None:
    if not siren_is_valid(value):
        raise ValidationError(_("SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle."))


def siren_complete(first_eight_digits: str) -> str:
    """The SIREN made of these 8 digits and their Luhn check digit (demo data, tests)."""
    for key in "0123456789":
        if siren_is_valid(first_eight_digits + key):
            return first_eight_digits + key
    raise ValueError(first_eight_digits)
