"""Events of the ledger: the sum of the accounts is not zero (administrators are told)."""

from dataclasses import dataclass
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.events import Event, event


@event("nights.unbalanced")
@dataclass(frozen=True)
class LedgerUnbalanced(Event):
    topic: ClassVar[str] = "security"
    total: int
    drifted: int

    def text(self) -> str:
        return _(
            "Registre des nuits déséquilibré : somme %(total)s, %(drifted)s compte(s) ne correspondent pas à "
            "leurs mouvements."
        ) % {"total": self.total, "drifted": self.drifted}

    def link(self) -> str:
        return reverse("nights:statistics")
