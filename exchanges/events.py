"""Events of the homes, pushed to their owners (see marketplace/events.py). The eligibility pause and resume are
`account` notifications; their e-mail is exchanges/mails.py's (one for all the homes of a run), not a second one."""

from dataclasses import dataclass
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.events import Event, event


@event("home.paused_for_eligibility")
@dataclass(frozen=True)
class HomePausedForEligibility(Event):
    topic: ClassVar[str] = "account"
    mailed: ClassVar[bool] = False
    home: int

    def text(self) -> str:
        return _("Un de vos logements est en pause : vous n'êtes plus éligible.")

    def link(self) -> str:
        return reverse("organisations:my_employer")


@event("home.resumed")
@dataclass(frozen=True)
class HomeResumed(Event):
    topic: ClassVar[str] = "account"
    mailed: ClassVar[bool] = False
    home: int

    def text(self) -> str:
        return _("Un de vos logements est de retour sur la carte.")

    def link(self) -> str:
        return reverse("exchanges:mine")
