"""Events of the notification centre itself (schema: docs/events.md)."""

from dataclasses import dataclass
from typing import Any

from marketplace.events import Event, event

SCHEMA_VERSION = 1


@event("notification.new")
@dataclass(frozen=True)
class NotificationNew(Event):
    id: str  # "notification:<id>": unique per notification, so a client drops a duplicate
    notification: dict[str, Any]
    unread: int
    v: int = SCHEMA_VERSION


@event("notification.unread")
@dataclass(frozen=True)
class NotificationUnread(Event):
    id: str
    unread: int
    v: int = SCHEMA_VERSION
