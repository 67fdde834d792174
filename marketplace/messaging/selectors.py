"""Reads of the messaging. Visibility is `Conversation.objects.visible_to(actor)`: participants only."""

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from marketplace.accounts.models import User
from marketplace.messaging.exceptions import AttachmentNotFound, ConversationNotFound, MessageNotFound
from marketplace.messaging.models import Attachment, Block, Conversation, Message, Participant

CATCH_UP_MAX = 500  # messages replayed on a socket (re)connection; beyond, the client pages through the API


def conversation_get_for_actor(*, actor: User, conversation_id: int) -> Conversation:
    """A conversation the actor takes part in. Raises ConversationNotFound when missing or not theirs."""
    conversation = Conversation.objects.visible_to(actor).filter(pk=conversation_id).first()
    if conversation is None:
        raise ConversationNotFound()
    return conversation


def message_get_for_actor(*, actor: User, message_id: int, conversation_id: int | None = None) -> Message:
    """A message of a conversation the actor takes part in. Raises MessageNotFound otherwise."""
    messages = Message.objects.filter(pk=message_id, conversation__in=Conversation.objects.visible_to(actor))
    if conversation_id is not None:
        messages = messages.filter(conversation_id=conversation_id)
    message = messages.select_related("conversation").first()
    if message is None:
        raise MessageNotFound()
    return message


def participations_of(actor: User) -> QuerySet[Participant]:
    """The actor's conversations (as their participant rows), each with `unread` (messages of the others
    after the actor's last read one) and `last_message_id`, counted in the same query."""
    others_after_read = (
        Message.objects.filter(
            conversation=OuterRef("conversation_id"), id__gt=OuterRef("last_read_id"), deleted_at__isnull=True
        )
        .exclude(sender=actor)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    last = Message.objects.filter(conversation=OuterRef("conversation_id")).order_by("-id").values("id")[:1]
    return (
        Participant.objects.filter(user=actor)
        .select_related("conversation")
        .prefetch_related("conversation__participants__user")
        .annotate(
            unread=Coalesce(Subquery(others_after_read, output_field=IntegerField()), Value(0)),
            last_message_id=Subquery(last),
        )
    )


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).select_related("sender", "attachment")


def participant_ids(conversation: Conversation) -> list[int]:
    return list(
        Participant.objects.filter(conversation=conversation)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def conversation_ids_of(actor: User) -> list[int]:
    return list(Participant.objects.filter(user=actor).values_list("conversation_id", flat=True))


def messages_after(*, actor: User, after_id: int, limit: int = CATCH_UP_MAX) -> list[Message]:
    """Catch-up: the messages of all the actor's conversations after `after_id`, in id order (`limit` + 1 at
    most, so the caller knows there are more)."""
    return list(
        Message.objects.filter(
            conversation__in=Participant.objects.filter(user=actor).values("conversation_id"), id__gt=after_id
        )
        .select_related("attachment")
        .order_by("id")[: limit + 1]
    )


CHANGE_MARGIN = dt.timedelta(
    seconds=5
)  # clocks of two web servers, and a change's commit after its timestamp


def messages_changed_since(
    *, actor: User, up_to_id: int, since: dt.datetime, limit: int = CATCH_UP_MAX
) -> list[Message]:
    """Catch-up of changes: the messages up to `up_to_id` in the actor's conversations edited or deleted since
    `since` (less a margin: replaying a change twice is harmless, missing one is not), in id order."""
    after = since - CHANGE_MARGIN
    return list(
        Message.objects.filter(
            conversation__in=Participant.objects.filter(user=actor).values("conversation_id"),
            id__lte=up_to_id,
        )
        .filter(Q(edited_at__gte=after) | Q(deleted_at__gte=after))
        .select_related("attachment")
        .order_by("id")[: limit + 1]
    )


def is_blocked_between(user_id: int, other_id: int) -> bool:
    return (
        Block.objects.filter(blocker_id=user_id, blocked_id=other_id).exists()
        or Block.objects.filter(blocker_id=other_id, blocked_id=user_id).exists()
    )


def attachment_get_for_actor(*, actor: User, attachment_id: int) -> Attachment:
    """An attachment of a conversation the actor takes part in: sent with a message not deleted, or
    uploaded by the actor and not yet sent. Raises AttachmentNotFound otherwise (404)."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, conversation__in=Conversation.objects.visible_to(actor))
        .filter(
            Q(message__isnull=False, message__deleted_at__isnull=True)
            | Q(message__isnull=True, uploader=actor)
        )
        .first()
    )
    if attachment is None:
        raise AttachmentNotFound()
    return attachment
