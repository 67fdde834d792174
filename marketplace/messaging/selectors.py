"""Reads of the messaging. Visibility is `Conversation.objects.visible_to(actor)`: participants only."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.messaging import registry
from marketplace.messaging.exceptions import AttachmentNotFound, ConversationNotFound, MessageNotFound
from marketplace.messaging.models import Attachment, Block, Conversation, Message, Participant
from marketplace.messaging.presence import seen_recently

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


# ---- The messaging pages ----
THREAD_PAGE = 30  # messages a thread shows at first; older ones come from the REST history on scroll


@dataclass(frozen=True)
class ConversationRow:
    """A line of the conversation list: who, the last message, the unread count."""

    id: int
    kind: str
    title: str
    link: str
    others: list[User]
    unread: int
    last_message: Message | None
    last_activity_at: dt.datetime
    seen_recently: bool


def _title(conversation: Conversation, others: list[User]) -> tuple[str, str]:
    """The name of a conversation and the page of its object (empty for a direct one)."""
    if conversation.kind == Conversation.Kind.SUBJECT and conversation.subject_id is not None:
        subject, subject_id = registry.subject(conversation.subject_type), conversation.subject_id
        title = subject.title(subject_id) if subject and subject.title else ""
        link = subject.link(subject_id) if subject and subject.link else ""
        return title or _("Conversation n°%(n)d") % {"n": conversation.pk}, link
    return ", ".join(str(u) for u in others) or _("Ancien membre"), ""


def conversation_rows(*, actor: User, participations: Iterable[Participant]) -> list[ConversationRow]:
    """The list's rows for these participations (from `participations_of`): their last messages in one
    query, the others' presence in one cache read."""
    participations = list(participations)
    last_ids = [p.last_message_id for p in participations if p.last_message_id]  # type: ignore[attr-defined]
    last = {m.pk: m for m in Message.objects.filter(pk__in=last_ids).select_related("sender", "attachment")}
    others = {
        p.conversation_id: [q.user for q in p.conversation.participants.all() if q.user_id != actor.pk]
        for p in participations
    }
    seen = seen_recently({u.pk for users in others.values() for u in users})
    rows = []
    for p in participations:
        conversation = p.conversation
        title, link = _title(conversation, others[p.conversation_id])
        rows.append(
            ConversationRow(
                id=conversation.pk,
                kind=conversation.kind,
                title=title,
                link=link,
                others=others[p.conversation_id],
                unread=p.unread,  # type: ignore[attr-defined]
                last_message=last.get(p.last_message_id),  # type: ignore[attr-defined]
                last_activity_at=conversation.last_activity_at,
                seen_recently=any(u.pk in seen for u in others[p.conversation_id]),
            )
        )
    return rows


def unread_total(actor: User) -> int:
    """Messages of the others after the actor's read mark, in all the actor's conversations (one query)."""
    return (
        Message.objects.filter(
            conversation__participants__user=actor,
            id__gt=F("conversation__participants__last_read_id"),
            deleted_at__isnull=True,
        )
        .exclude(sender=actor)
        .count()
    )


@dataclass(frozen=True)
class Thread:
    """A conversation as its page shows it: the latest messages, who reads up to where, who was seen."""

    conversation: Conversation
    me: int
    title: str
    link: str
    messages: list[Message]
    has_older: bool
    participants: list[Participant]
    others: list[User]
    last_read_id: int  # the actor's
    others_read_id: int  # the lowest read mark of the others: a message up to it was seen by all ("vu")
    seen_recently: bool
    blocking: bool  # the actor blocks the other person of this direct conversation
    blocked: bool  # a block either way: nobody can write here

    @property
    def last_id(self) -> int:
        return self.messages[-1].pk if self.messages else 0

    @property
    def receipt_id(self) -> int | None:
        """The actor's last message that every other participant has read: it shows "Vu"."""
        seen = [m.pk for m in self.messages if m.sender_id == self.me and m.pk <= self.others_read_id]
        return seen[-1] if seen else None

    @property
    def people(self) -> dict[str, dict[str, object]]:
        """For the page's script: each participant's name and read mark."""
        return {str(p.user_id): {"name": str(p.user), "last_read": p.last_read_id} for p in self.participants}

    @property
    def people_element_id(self) -> str:
        return f"chat-people-{self.conversation.pk}"


def thread_get_for_actor(
    *, actor: User, conversation_id: int, before_id: int | None = None, limit: int = THREAD_PAGE
) -> Thread:
    """The page of a conversation the actor takes part in: its latest messages (before `before_id` when
    given, the older pages without JavaScript). Raises ConversationNotFound otherwise (404)."""
    conversation = conversation_get_for_actor(actor=actor, conversation_id=conversation_id)
    history = messages_of(conversation)
    if before_id is not None:
        history = history.filter(id__lt=before_id)
    latest = list(history.order_by("-id")[: limit + 1])
    participants = list(
        Participant.objects.filter(conversation=conversation).select_related("user").order_by("user_id")
    )
    others = [p.user for p in participants if p.user_id != actor.pk]
    mine = next(p for p in participants if p.user_id == actor.pk)
    title, link = _title(conversation, others)
    other_ids = [u.pk for u in others]
    blocking = conversation.kind == Conversation.Kind.DIRECT and (
        Block.objects.filter(blocker=actor, blocked_id__in=other_ids).exists()
    )
    return Thread(
        conversation=conversation,
        me=actor.pk,
        title=title,
        link=link,
        messages=latest[:limit][::-1],
        has_older=len(latest) > limit,
        participants=participants,
        others=others,
        last_read_id=mine.last_read_id,
        others_read_id=min((p.last_read_id for p in participants if p.user_id != actor.pk), default=0),
        seen_recently=bool(seen_recently(other_ids)),
        blocking=blocking,
        blocked=blocking or Block.objects.filter(blocker_id__in=other_ids, blocked=actor).exists(),
    )
