from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments: INSEE exempts most of them from the Luhn key; their digit sum is a multiple of 5.
_LA_POSTE_SIREN = "356000000"


def siret_is_valid(value: str) -> bool:
    """14 ASCII digits whose Luhn checksum is right (INSEE's key for SIRET numbers), La Poste's rule aside."""
    if len(value) != 14 or not (value.isascii() and value.isdigit()):
        return False
    if value.startswith(_LA_POSTE_SIREN) and sum(int(char) for char in value) % 5 == 0:
        return True
    total = 0
    # Luhn from the right: every second digit, starting with the one before the key, is doubled.
    for index, char in enumerate(reversed(value)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    if not siret_is_valid(value):
        raise ValidationError(_("SIRET invalide : 14 chiffres dont le dernier est une clé de contrôle."))


def siret_complete(first_thirteen_digits: str) -> str:
    """The SIRET made of these 13 digits and their Luhn check digit (demo data, tests)."""
    for key in "0123456789":
        if siret_is_valid(first_thirteen_digits + key):
            return first_thirteen_digits + key
    raise ValueError(first_thirteen_digits)
