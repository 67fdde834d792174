"""Events of the homes, pushed to their owners (see marketplace/events.py)."""

from dataclasses import dataclass

from marketplace.events import Event, event


@event("home.paused_for_eligibility")
@dataclass(frozen=True)
class HomePausedForEligibility(Event):
    home: int


@event("home.resumed")
@dataclass(frozen=True)
class HomeResumed(Event):
    home: int
