"""Events of the swap proposals, pushed to their parties (marketplace/events.py). `topic`, `text()` and
`link()` are the notifications' contract: one line in the recipient's language, and where it leads."""

from dataclasses import dataclass
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.events import Event, event

# What a transition tells the other parties (gettext at render time: the recipient's language).
_TEXTS = {
    "propose": lambda: _("Nouvelle proposition d'échange n°%(id)s."),
    "accept": lambda: _("Proposition n°%(id)s : une partie a accepté."),
    "accept_all": lambda: _("Proposition n°%(id)s : acceptée par tous, à confirmer."),
    "counter": lambda: _("Proposition n°%(id)s : d'autres dates sont proposées."),
    "decline": lambda: _("Proposition n°%(id)s : refusée."),
    "confirm": lambda: _("Proposition n°%(id)s : l'échange est confirmé."),
    "cancel": lambda: _("Proposition n°%(id)s : annulée."),
    "expire": lambda: _("Proposition n°%(id)s : expirée faute de réponse."),
    "begin": lambda: _("Proposition n°%(id)s : le séjour commence."),
    "complete": lambda: _("Proposition n°%(id)s : terminé, donnez votre avis."),
    "remind": lambda: _("Proposition n°%(id)s : elle expire bientôt, répondez-y."),
    "review": lambda: _("Proposition n°%(id)s : un avis a été écrit sur votre séjour."),
}


@event("proposal.changed")
@dataclass(frozen=True)
class ProposalChanged(Event):
    topic: ClassVar[str] = "proposal"
    proposal: int
    transition: str  # a key of _TEXTS: the declared transition, or propose / accept_all / remind / review
    status: str

    def text(self) -> str:
        return _TEXTS[self.transition]() % {"id": self.proposal}

    def link(self) -> str:
        return reverse("swaps:detail", args=[self.proposal])
