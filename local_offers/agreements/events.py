"""Events of the agreements, pushed to the provider's correspondents and the officer (marketplace/events.py).
`topic`, `text()` and `link()` are the notifications' contract."""

from dataclasses import dataclass
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.events import Event, event

_TEXTS = {
    "submit": lambda: _("Convention n°%(id)s : soumise, à instruire."),
    "withdraw": lambda: _("Convention n°%(id)s : retirée par l'employeur."),
    "resubmit": lambda: _("Convention n°%(id)s : modifiée et soumise à nouveau."),
    "start_review": lambda: _("Convention n°%(id)s : en instruction."),
    "assign": lambda: _("Convention n°%(id)s : confiée à un chargé de développement."),
    "request_changes": lambda: _("Convention n°%(id)s : des modifications sont demandées."),
    "approve": lambda: _("Convention n°%(id)s : approuvée."),
    "reject": lambda: _("Convention n°%(id)s : refusée."),
    "suspend": lambda: _("Convention n°%(id)s : suspendue."),
    "reinstate": lambda: _("Convention n°%(id)s : de nouveau en vigueur."),
    "terminate": lambda: _("Convention n°%(id)s : résiliée."),
    "activate": lambda: _("Convention n°%(id)s : en vigueur."),
    "expire": lambda: _("Convention n°%(id)s : expirée."),
    "remind_60": lambda: _("Convention n°%(id)s : elle expire dans 60 jours, pensez à la renouveler."),
    "remind_15": lambda: _("Convention n°%(id)s : elle expire dans 15 jours, pensez à la renouveler."),
}


@event("agreement.changed")
@dataclass(frozen=True)
class AgreementChanged(Event):
    topic: ClassVar[str] = "agreement"
    agreement: int
    transition: str  # a key of _TEXTS
    status: str

    def text(self) -> str:
        return _TEXTS[self.transition]() % {"id": self.agreement}

    def link(self) -> str:
        return reverse("agreements:detail", args=[self.agreement])
