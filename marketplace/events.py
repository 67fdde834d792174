"""The one registry of events pushed to people: their names and typed payloads.

Each app declares its events in `<app>/events.py` as frozen dataclasses decorated with `@event("name")`;
services publish them with `publish(event, to=[user ids])`, which sends them after the transaction commits.
The websocket carries `{"type": name, **payload}`.

An event class that declares `topic: ClassVar[str]` (one of marketplace.notifications.models.Topic) also becomes
a stored notification for each recipient, written in the transaction that calls `publish`, then pushed live
and e-mailed per the recipient's preferences. Such a class provides `text()` (one translatable line, called
in the viewer's language) and `link()` (a site path); `mail_delay` (seconds) holds its immediate e-mail back,
and the e-mail is dropped if the notification was read meanwhile.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

from marketplace.realtime import broadcast_all_on_commit, broadcast_now, user_group


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = ""
    topic: ClassVar[str] = ""
    mail_delay: ClassVar[int] = 0
    # False when the declaring app sends its own, richer e-mail for the event (no second one).
    mailed: ClassVar[bool] = True
    # True: the notifications are recorded by the worker (one job deferred in the publishing transaction,
    # so a rollback still leaves none) instead of in the transaction itself: for events on a hot path (a
    # message sent). The worker records them for `unseen_by(recipients)` only.
    recorded_later: ClassVar[bool] = False
    # False: not pushed to the recipients' sockets itself, only recorded as their notifications (which are
    # pushed as `notification.new` once stored): for an event whose news another live event already carries.
    pushed: ClassVar[bool] = True

    def text(self) -> str:
        """The notification's one line, in the active language; events with a topic must define it
        (checked when they are declared)."""
        raise NotImplementedError

    def link(self) -> str:
        return ""

    def unseen_by(self, recipients: list[int]) -> list[int]:
        """The recipients for whom the event is still news when the worker records a `recorded_later`
        event (a message already read by then: no notification)."""
        return recipients

    def recorded(self) -> None:
        """Called by the worker once a `recorded_later` event's notifications are stored, in the same
        transaction: what the event itself says was seen (a message is its sender's reply)."""

    def payload(self) -> dict[str, Any]:
        """`{"type": name, field: value…}`. The values are not copied (dataclasses.asdict deep-copied each
        message's data for every push, a tenth of a send's CPU in bench/messaging.py): a payload is
        serialized as it is, never changed."""
        return {"type": self.name, **{f.name: getattr(self, f.name) for f in fields(self)}}


TOPICS = ("message", "proposal", "agreement", "voucher", "account", "security")
E = TypeVar("E", bound=type[Event])
_registry: dict[str, type[Event]] = {}
# Set by marketplace.notifications when it loads: stores the notifications of a topical event.
_notifier: Callable[[Event, list[int]], object] | None = None


def set_notifier(notifier: Callable[[Event, list[int]], object]) -> None:
    global _notifier
    _notifier = notifier


def event(name: str) -> Callable[[E], E]:
    """Declare an event type under a unique dotted name ("employment.decided")."""

    def register(cls: E) -> E:
        if name in _registry and _registry[name] is not cls:
            raise ValueError(f"event {name!r} is declared twice")
        if cls.topic and cls.topic not in TOPICS:
            raise ValueError(f"event {name!r} has an unknown topic {cls.topic!r}")
        if cls.topic and cls.text is Event.text:
            raise TypeError(f"event {name!r} has a topic but no text(): its notification would have no words")
        cls.name = name
        _registry[name] = cls
        return cls

    return register


def registered_events() -> dict[str, type[Event]]:
    return dict(_registry)


def publish(evt: Event, *, to: Iterable[int]) -> None:
    """Push `evt` to every open tab of these users once the current transaction commits."""
    publish_all([(evt, to)])


def _pushes(
    items: Iterable[tuple[Event, Iterable[int]]],
) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[Event, list[int]]]]:
    """The (group, payload) pushes of these events, and the (event, recipients) to record as notifications."""
    pushes: list[tuple[str, dict[str, Any]]] = []
    notified: list[tuple[Event, list[int]]] = []
    for evt, to in items:
        if type(evt).name not in _registry:
            raise ValueError(f"{type(evt).__name__} is not a registered event")
        recipients = list(dict.fromkeys(to))
        if type(evt).pushed:
            payload = evt.payload()
            pushes += [(user_group(user_id), payload) for user_id in recipients]
        if type(evt).topic and recipients:
            notified.append((evt, recipients))
    return pushes, notified


def publish_all(items: Iterable[tuple[Event, Iterable[int]]]) -> None:
    """Several `publish`, in this order, sent to the channel layer in one go after commit."""
    pushes, notified = _pushes(items)
    if pushes:
        broadcast_all_on_commit(pushes)
    for evt, recipients in notified:
        if _notifier is None:
            raise RuntimeError("marketplace.notifications is not installed")
        _notifier(evt, recipients)


async def publish_committed(items: Iterable[tuple[Event, Iterable[int]]]) -> None:
    """`publish_all` for an asynchronous caller whose write is already committed (the websocket's send,
    marketplace.messaging.services.message_send_live): pushed now, from the event loop. Its topical events
    must be `recorded_later` and their job deferred by the caller's own statement (checked here)."""
    pushes, notified = _pushes(items)
    for evt, _recipients in notified:
        if not type(evt).recorded_later:
            raise ValueError(f"{type(evt).__name__} is recorded in a transaction: use publish_all")
    await broadcast_now(pushes)
