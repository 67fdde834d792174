"""Events of the messaging, pushed to the participants (schema: docs/events.md, version `v`)."""

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.events import Event, event
from marketplace.messaging.models import Attachment, Message, Participant
from marketplace.messaging.rendering import message_html

SCHEMA_VERSION = 1


def new_event_id() -> str:
    return uuid.uuid4().hex


def message_data(message: Message) -> dict[str, Any]:
    """A message as the API and the socket show it (a deleted one keeps its place, without its text)."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "kind": message.kind,
        "sender": message.sender_id,
        "client_id": message.client_id,
        "text": message.text,
        "html": str(message_html(message.text)),
        "attachment": attachment_data(message),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.deleted_at is not None,
    }


def message_attachment(message: Message) -> Attachment | None:
    """The message's attachment; none once the message is deleted (the file is then deleted too)."""
    try:
        return None if message.deleted_at else message.attachment
    except ObjectDoesNotExist:
        return None


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "name": attachment.name,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": reverse("messaging:attachment", args=[attachment.pk]),
    }


def attachment_data(message: Message) -> dict[str, Any] | None:
    attachment = message_attachment(message)
    return attachment_out(attachment) if attachment else None


@event("message.new")
@dataclass(frozen=True)
class MessageNew(Event):
    id: int  # the message's server id: clients drop an id they already have
    conversation: int
    message: dict[str, Any]
    v: int = SCHEMA_VERSION


@event("message.edited")
@dataclass(frozen=True)
class MessageEdited(Event):
    conversation: int
    message: dict[str, Any]
    id: str = field(default_factory=new_event_id)
    v: int = SCHEMA_VERSION


@event("message.deleted")
@dataclass(frozen=True)
class MessageDeletedEvent(Event):
    conversation: int
    message: dict[str, Any]
    id: str = field(default_factory=new_event_id)
    v: int = SCHEMA_VERSION


@event("read")
@dataclass(frozen=True)
class ReadReceipt(Event):
    conversation: int
    user: int
    up_to_id: int
    id: str = field(default_factory=new_event_id)
    v: int = SCHEMA_VERSION


@event("typing")
@dataclass(frozen=True)
class Typing(Event):
    """Ephemeral: relayed by the socket to the other participants, never stored."""

    conversation: int
    user: int
    id: str = field(default_factory=new_event_id)
    v: int = SCHEMA_VERSION


@event("message.received")
@dataclass(frozen=True)
class MessageReceived(Event):
    """The `message` notification of the other participants. Its e-mail waits 10 minutes and is dropped if the
    conversation was read meanwhile (conversation_mark_read marks these notifications read). Recorded by the
    worker, not by the send (its hot path), and not at all for whoever read the message by then. Not pushed
    as a frame of its own: the recipients' sockets have the message's `message.new` (no client used this
    frame; at 500 messages/s it was a quarter of the frames the server wrote: bench/messaging.py)."""

    topic: ClassVar[str] = "message"
    mail_delay: ClassVar[int] = 600
    recorded_later: ClassVar[bool] = True
    pushed: ClassVar[bool] = False
    conversation: int
    message: int

    def unseen_by(self, recipients: list[int]) -> list[int]:
        """Their participant rows stay locked until the notifications are stored (the worker's transaction):
        a read mark moved meanwhile waits, then marks these notifications read too."""
        return list(
            Participant.objects.select_for_update()
            .filter(conversation_id=self.conversation, user_id__in=recipients, last_read_id__lt=self.message)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )

    def recorded(self) -> None:
        """A message is its sender's reply: the send moved their read mark, so their own notifications of
        the conversation are read too (the bell agrees with the inbox)."""
        from marketplace.notifications.services import notifications_mark_read_matching

        message = Message.objects.filter(pk=self.message).select_related("sender").first()
        if message is not None and message.sender is not None:
            notifications_mark_read_matching(
                actor=message.sender, event=self.name, payload={"conversation": self.conversation}
            )

    def text(self) -> str:
        return _("Vous avez reçu un nouveau message.")

    def link(self) -> str:
        return reverse("messaging:conversation", args=[self.conversation])
