"""API shapes of the messaging."""

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field

from marketplace.inputs import ClientId, Comment, MessageText
from marketplace.messaging.events import attachment_data
from marketplace.messaging.rendering import message_html

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ParticipantOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    width: int | None
    height: int | None
    url: str


class MessageOut(Schema):
    id: int
    conversation: int = Field(alias="conversation_id")
    kind: str
    sender: int | None = Field(alias="sender_id")
    sender_name: str
    client_id: str | None
    text: str
    # The text as HTML, escaped and with safe links (marketplace.messaging.rendering): what clients show.
    html: str
    attachment: AttachmentOut | None
    created_at: dt.datetime
    edited_at: dt.datetime | None
    deleted: bool = Field(alias="is_deleted")

    @staticmethod
    def resolve_html(obj: Any) -> str:
        return str(message_html(obj.text))

    @staticmethod
    def resolve_attachment(obj: Any) -> dict[str, Any] | None:
        return attachment_data(obj)

    @staticmethod
    def resolve_sender_name(obj: Any) -> str:
        if obj.kind == "system":
            return "Réciproque"
        return str(obj.sender) if obj.sender_id else _("Ancien membre")


class ConversationOut(Schema):
    id: int
    kind: str
    subject_type: str
    subject_id: int | None
    participants: list[ParticipantOut]
    unread: int
    last_read_id: int
    last_message_id: int | None
    last_activity_at: dt.datetime


def conversation_out(participation: Any) -> dict[str, Any]:
    conversation = participation.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "subject_type": conversation.subject_type,
        "subject_id": conversation.subject_id,
        "participants": [
            {"id": p.user_id, "name": str(p.user)}
            for p in sorted(conversation.participants.all(), key=lambda p: p.user_id)
        ],
        "unread": participation.unread,
        "last_read_id": participation.last_read_id,
        "last_message_id": participation.last_message_id,
        "last_activity_at": conversation.last_activity_at,
    }


class UnreadOut(Schema):
    unread: int


class DirectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user_id: Id


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Empty only with an attachment (uploaded first: POST …/attachments); cleaned by the service.
    text: Annotated[str, Field(max_length=16000)] = ""
    client_id: ClientId
    attachment: Id | None = None


class MessagePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    text: MessageText


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    up_to_id: Annotated[int, Field(ge=0, le=2**63 - 1)]


class ReadOut(Schema):
    conversation: int
    last_read_id: int


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Comment = ""


class ReportOut(Schema):
    id: int
    message: int = Field(alias="message_id")
    status: str
    created_at: dt.datetime


class BlockOut(Schema):
    user_id: int = Field(alias="blocked_id")
    created_at: dt.datetime
