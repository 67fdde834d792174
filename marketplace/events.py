"""The one registry of events pushed to people: their names and typed payloads.

Each app declares its events in `<app>/events.py` as frozen dataclasses decorated with `@event("name")`;
services publish them with `publish(event, to=[user ids])`, which sends them after the transaction commits.
The websocket carries `{"type": name, **payload}`; notifications (a later app) read the same registry, so
the name and the fields of an event are written in exactly one place.
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, TypeVar

from marketplace.realtime import broadcast_on_commit, user_group


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:
        return {"type": self.name, **asdict(self)}


E = TypeVar("E", bound=type[Event])
_registry: dict[str, type[Event]] = {}


def event(name: str) -> Callable[[E], E]:
    """Declare an event type under a unique dotted name ("employment.decided")."""

    def register(cls: E) -> E:
        if name in _registry and _registry[name] is not cls:
            raise ValueError(f"event {name!r} is declared twice")
        cls.name = name
        _registry[name] = cls
        return cls

    return register


def registered_events() -> dict[str, type[Event]]:
    return dict(_registry)


def publish(evt: Event, *, to: Iterable[int]) -> None:
    """Push `evt` to every open tab of these users once the current transaction commits."""
    if type(evt).name not in _registry:
        raise ValueError(f"{type(evt).__name__} is not a registered event")
    payload = evt.payload()
    for user_id in dict.fromkeys(to):
        broadcast_on_commit(user_group(user_id), payload)
