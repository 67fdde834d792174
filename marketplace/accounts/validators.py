import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# French numbers: 0X XX XX XX XX, or +33 / 0033 then 9 digits (overseas included); spaces, dots, dashes allowed.
_PHONE = re.compile(r"^(?:\+33|0033|0)[1-9](?:\d{8})$")


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s.\-()]", "", value)


def validate_phone(value: str) -> None:
    if value and not _PHONE.match(normalise_phone(value)):
        raise ValidationError(_("Numéro de téléphone français invalide (ex. 06 12 34 56 78)."), code="phone")
