"""Every write of the messaging: one transaction per call, permission re-checked inside, events pushed to the
participants once the transaction commits (best effort: the message is stored whatever the channel layer
does, and clients catch up from the database).

Someone who does not take part in a conversation gets a NotFound (404) for it, never a 403.
"""

import datetime as dt
import logging
from dataclasses import dataclass

import psycopg
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import adb
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.events import Event, publish, publish_all, publish_committed
from marketplace.inputs import InputError, clean_multiline
from marketplace.messaging import registry
from marketplace.messaging.attachments import checked_file
from marketplace.messaging.events import (
    MessageDeletedEvent,
    MessageEdited,
    MessageNew,
    MessageReceived,
    ReadReceipt,
    message_data,
)
from marketplace.messaging.exceptions import (
    Blocked,
    ClientIdReused,
    ConversationNotFound,
    EditWindowClosed,
    MessageDeleted,
    NotMessageSender,
    UserNotFound,
)
from marketplace.messaging.models import (
    EDIT_WINDOW_MINUTES,
    MESSAGE_MAX_CHARS,
    Attachment,
    Block,
    Conversation,
    Message,
    MessageRevision,
    Participant,
    Report,
)
from marketplace.messaging.selectors import is_blocked_between, participant_ids
from marketplace.notifications.services import (
    notifications_mark_read_matching,
    recorded_later_many_job,
)

logger = logging.getLogger(__name__)


def _clean_text(text: str, field: str = "text") -> str:
    try:
        text = clean_multiline(text, max_length=MESSAGE_MAX_CHARS)
    except InputError as error:
        raise InvalidField(field, error.message) from error
    if not text:
        raise InvalidField(field, _("Ce champ est obligatoire."))
    return text


def _check_participant(actor: User, conversation: Conversation) -> None:
    if not Participant.objects.filter(conversation=conversation, user=actor).exists():
        raise ConversationNotFound()


def _lock(actor: User, conversation: Conversation) -> Conversation:
    """The conversation row, locked: sends of one conversation commit in the order of their ids."""
    locked = Conversation.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=conversation.pk)
    found = locked.first()
    if found is None:
        raise ConversationNotFound()
    return found


def _direct_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


@transaction.atomic
def conversation_open_direct(*, actor: User, other: int) -> tuple[Conversation, bool]:
    """The direct conversation of the actor and user `other` (created when needed; one per pair).
    Raises InvalidField (user_id: oneself), UserNotFound, Blocked (a block either way)."""
    if other == actor.pk:
        raise InvalidField("user_id", _("Vous ne pouvez pas vous écrire à vous-même."))
    other_user = User.objects.filter(pk=other, is_active=True).first()
    if other_user is None:
        raise UserNotFound()
    key = _direct_key(actor.pk, other_user.pk)
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing, False
    if is_blocked_between(actor.pk, other_user.pk):
        raise Blocked()
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(kind=Conversation.Kind.DIRECT, direct_key=key)
    except IntegrityError:  # opened by the other at the same moment
        return Conversation.objects.get(direct_key=key), False
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, user=actor),
            Participant(conversation=conversation, user=other_user),
        ]
    )
    return conversation, True


def _sync(conversation: Conversation, wanted: set[int]) -> None:
    current = set(participant_ids(conversation))
    Participant.objects.filter(conversation=conversation, user_id__in=current - wanted).delete()
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user_id=user_id) for user_id in sorted(wanted - current)],
        ignore_conflicts=True,
    )


@transaction.atomic
def conversation_for_subject(*, actor: User, subject_type: str, subject_id: int) -> Conversation:
    """The conversation about an object of another app (see registry.py), its participants brought in line
    with the object's parties. Raises ConversationNotFound if the type is unknown or the actor is not a party."""
    subject = registry.subject(subject_type)
    wanted = set(subject.participants(subject_id)) if subject else set()
    if actor.pk not in wanted:
        raise ConversationNotFound()
    conversation, _created = Conversation.objects.get_or_create(
        kind=Conversation.Kind.SUBJECT, subject_type=subject_type, subject_id=subject_id
    )
    _sync(conversation, wanted)
    return conversation


@transaction.atomic
def conversation_sync_participants(*, subject_type: str, subject_id: int) -> None:
    """Called by the app that owns the object when its parties change (no actor: it is the app's own event)."""
    subject = registry.subject(subject_type)
    conversation = Conversation.objects.filter(
        kind=Conversation.Kind.SUBJECT, subject_type=subject_type, subject_id=subject_id
    ).first()
    if subject is None or conversation is None:
        return
    _sync(conversation, set(subject.participants(subject_id)))


def _publish_new(message: Message, participants: list[int]) -> None:
    """message.new to every participant after commit; message.received, the others' notification, is
    recorded by the worker (its job deferred in this transaction), not pushed (MessageReceived.pushed)."""
    publish_all(
        [
            (
                MessageNew(
                    id=message.pk, conversation=message.conversation_id, message=message_data(message)
                ),
                participants,
            ),
            (
                MessageReceived(conversation=message.conversation_id, message=message.pk),
                [user_id for user_id in participants if user_id != message.sender_id],
            ),
        ]
    )


def _check_not_blocked(actor: User, conversation: Conversation) -> None:
    others = [user_id for user_id in participant_ids(conversation) if user_id != actor.pk]
    if Block.objects.filter(blocker_id__in=others, blocked=actor).exists() or (
        conversation.kind == Conversation.Kind.DIRECT
        and Block.objects.filter(blocker=actor, blocked_id__in=others).exists()
    ):
        raise Blocked()


ATTACHMENTS_PENDING_MAX = 10  # uploaded and not yet sent, per person and conversation


@transaction.atomic
def attachment_upload(*, actor: User, conversation: Conversation, upload: UploadedFile) -> Attachment:
    """A file for a message to come, checked by its content (messaging.attachments) and stored privately.
    Raises ConversationNotFound, Blocked, InvalidField("file") naming the problem, TooManyRequests."""
    conversation = _lock(actor, conversation)
    _check_not_blocked(actor, conversation)
    pending = Attachment.objects.filter(conversation=conversation, uploader=actor, message__isnull=True)
    if pending.count() >= ATTACHMENTS_PENDING_MAX:
        raise InvalidField(
            "file", _("Déjà %(n)d pièces jointes en attente d'envoi.") % {"n": ATTACHMENTS_PENDING_MAX}
        )
    checked = checked_file(upload)
    attachment = Attachment(
        conversation=conversation,
        uploader=actor,
        kind=checked.kind,
        name=checked.name,
        size=checked.content.size,
        width=checked.width,
        height=checked.height,
    )
    attachment.file.save(checked.content.name or "fichier", checked.content, save=False)
    name, storage = attachment.file.name, attachment.file.storage
    try:  # the file is written before the row: a failed insert must not leave it behind
        attachment.save()
    except Exception:
        storage.delete(name)
        raise
    return attachment


def _delete_file_on_commit(attachment: Attachment) -> None:
    name, storage = attachment.file.name, attachment.file.storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachments_purge_unsent(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Files uploaded and never sent with a message (the page was left): gone after a day."""
    stale = list(Attachment.objects.filter(message__isnull=True, created_at__lt=timezone.now() - older_than))
    for attachment in stale:
        _delete_file_on_commit(attachment)
    Attachment.objects.filter(pk__in=[a.pk for a in stale]).delete()
    return len(stale)


# The hot path of the messaging in one statement (bench/messaging.py): the conversation row locked (sends of
# one conversation commit in the order of their ids: the id is drawn after the lock, and the time is never
# before the conversation's last activity, so ids and times increase together), and read with what a
# send checks: that the actor takes part (else no row), its participants, a block either way (the actor's
# own blocks count in a direct conversation only), the actor's message already stored under this client id
# (in any conversation); then, when the send is allowed, the message inserted, the conversation's last
# activity and the sender's read mark moved. Django's ORM took five statements and about 8 ms of a core per
# send to build them (tests/messaging/test_send_cost.py pins the count).
_SEND_CTES = """
WITH target AS (
    SELECT c.id, c.kind, c.last_activity_at FROM messaging_conversation c
    WHERE c.id = %(conversation)s AND EXISTS (
        SELECT 1 FROM messaging_participant me WHERE me.conversation_id = c.id AND me.user_id = %(actor)s
    )
    FOR UPDATE OF c
), checked AS (
    SELECT
        t.id,
        t.last_activity_at,
        ARRAY(
            SELECT p.user_id FROM messaging_participant p WHERE p.conversation_id = t.id ORDER BY p.user_id
        ) AS members,
        EXISTS (
            SELECT 1 FROM messaging_participant o JOIN messaging_block b
                ON (b.blocker_id = o.user_id AND b.blocked_id = %(actor)s)
                OR (t.kind = %(direct)s AND b.blocker_id = %(actor)s AND b.blocked_id = o.user_id)
            WHERE o.conversation_id = t.id AND o.user_id <> %(actor)s
        ) AS blocked,
        (
            SELECT m.id FROM messaging_message m WHERE m.sender_id = %(actor)s AND m.client_id = %(client_id)s
        ) AS retried_id
    FROM target t
), inserted AS (
    INSERT INTO messaging_message (conversation_id, kind, sender_id, client_id, text, created_at)
    SELECT id, %(kind)s, %(actor)s, %(client_id)s, %(text)s, GREATEST(%(now)s, last_activity_at) FROM checked
    WHERE %(valid)s AND retried_id IS NULL AND NOT blocked
    RETURNING id, conversation_id, created_at
), touched AS (
    UPDATE messaging_conversation SET last_activity_at = (SELECT created_at FROM inserted)
    WHERE id = %(conversation)s AND EXISTS (SELECT 1 FROM inserted)
), read AS (
    UPDATE messaging_participant SET last_read_id = GREATEST(last_read_id, (SELECT id FROM inserted))
    WHERE conversation_id = %(conversation)s AND user_id = %(actor)s AND EXISTS (SELECT 1 FROM inserted)
)"""
_SEND_SQL = "\n".join(
    (
        _SEND_CTES,
        """
SELECT members, blocked, retried_id, (SELECT id FROM inserted), (SELECT created_at FROM inserted) FROM checked
""",
    )
)
# The websocket's sends (message_send_live), several at once (marketplace.adb.GroupCommit: the sends that
# arrived from the process's sockets while earlier ones were being written), in one statement in autocommit:
# the statement is the whole transaction. The same checks, per message, as _SEND_CTES: the conversations are
# locked in the order of their ids (two batches never wait for each other in a cycle), a message's id is drawn
# after every lock of its batch, and its time is never before its conversation's last activity. One job
# records the recipients' notifications of the whole batch (notifications_record_deferred_many: for each
# message, in order, what publish_all -> notifications_record defers for MessageReceived in a job of its own);
# a message in a conversation with no one else has none, a batch without any such message no job. One row per message given, in
# their order (`n`): no `members` when the actor does not take part (or the conversation does not exist).
_SEND_MANY_SQL = """
WITH input AS (
    SELECT * FROM unnest(
        %(conversations)s::bigint[], %(actors)s::bigint[], %(client_ids)s::text[], %(texts)s::text[]
    ) WITH ORDINALITY AS i (conversation, actor, client_id, text, n)
), target AS (
    SELECT c.id, c.kind, c.last_activity_at FROM messaging_conversation c
    WHERE c.id IN (
        SELECT i.conversation FROM input i JOIN messaging_participant me
            ON me.conversation_id = i.conversation AND me.user_id = i.actor
    )
    ORDER BY c.id
    FOR UPDATE OF c
), checked AS (
    SELECT
        i.n,
        i.actor,
        i.client_id,
        t.id AS conversation,
        ARRAY(
            SELECT p.user_id FROM messaging_participant p WHERE p.conversation_id = t.id ORDER BY p.user_id
        ) AS members,
        EXISTS (
            SELECT 1 FROM messaging_participant o JOIN messaging_block b
                ON (b.blocker_id = o.user_id AND b.blocked_id = i.actor)
                OR (t.kind = %(direct)s AND b.blocker_id = i.actor AND b.blocked_id = o.user_id)
            WHERE o.conversation_id = t.id AND o.user_id <> i.actor
        ) AS blocked,
        (
            SELECT m.id FROM messaging_message m WHERE m.sender_id = i.actor AND m.client_id = i.client_id
        ) AS retried_id,
        i.text,
        t.last_activity_at
    FROM input i JOIN target t ON t.id = i.conversation
    WHERE EXISTS (
        SELECT 1 FROM messaging_participant me WHERE me.conversation_id = t.id AND me.user_id = i.actor
    )
), inserted AS (
    INSERT INTO messaging_message (conversation_id, kind, sender_id, client_id, text, created_at)
    SELECT conversation, %(kind)s, actor, client_id, text, GREATEST(%(now)s, last_activity_at) FROM checked
    WHERE retried_id IS NULL AND NOT blocked
    ORDER BY n
    RETURNING id, conversation_id, sender_id, client_id, created_at
), touched AS (
    UPDATE messaging_conversation c SET last_activity_at = x.at
    FROM (SELECT conversation_id, max(created_at) AS at FROM inserted GROUP BY conversation_id) x
    WHERE c.id = x.conversation_id
), read AS (
    UPDATE messaging_participant p SET last_read_id = GREATEST(p.last_read_id, x.id)
    FROM (SELECT conversation_id, sender_id, max(id) AS id FROM inserted GROUP BY conversation_id, sender_id) x
    WHERE p.conversation_id = x.conversation_id AND p.user_id = x.sender_id
), job AS (
    SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(
        %(job_queue)s, %(job_task)s, %(job_priority)s, NULL, NULL,
        jsonb_build_object('events', jsonb_agg(
            jsonb_build_object(
                'event', %(job_event)s,
                'payload', jsonb_build_object('conversation', m.conversation_id, 'message', m.id),
                'recipients', to_jsonb(ARRAY(SELECT u FROM unnest(c.members) u WHERE u <> c.actor))
            )
            ORDER BY m.id
        )),
        NULL
    )::procrastinate_job_to_defer_v1]) AS ids
    FROM inserted m JOIN checked c ON c.actor = m.sender_id AND c.client_id = m.client_id
    WHERE EXISTS (SELECT 1 FROM unnest(c.members) u WHERE u <> c.actor)
    HAVING count(*) > 0
)
SELECT c.members, c.blocked, c.retried_id, m.id, m.created_at
FROM input i
LEFT JOIN checked c ON c.n = i.n
LEFT JOIN inserted m ON m.sender_id = i.actor AND m.client_id = i.client_id
CROSS JOIN (SELECT count(*) FROM job) AS deferred
ORDER BY i.n
"""


def message_send(
    *, actor: User, conversation: Conversation | int, text: str, client_id: str, attachment: int | None = None
) -> tuple[Message, bool]:
    """Store a message (with an attachment uploaded before by the actor in this conversation, when given),
    then (after commit) push it to the participants. Idempotent on (actor, client_id): a retry returns the
    message stored the first time, with `False`. Raises ConversationNotFound, InvalidField (text,
    attachment), Blocked, ClientIdReused (the client id served in another conversation).

    The conversation's id is enough (the socket's path): the lock checks that the actor takes part. Two
    queries (_SEND_SQL, then the job that records the recipients' notifications in the worker:
    MessageReceived.recorded_later), a third to attach a file."""
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    try:
        message, created = _message_send(
            actor=actor,
            conversation_id=conversation_id,
            text=text,
            client_id=client_id,
            attachment=attachment,
        )
    except IntegrityError:
        # The same retry, racing from another connection, stored it first: this transaction rolled back
        # whole (no savepoint on the hot path), the first one's message is the answer.
        existing = Message.objects.filter(sender=actor, client_id=client_id).first()
        if existing is None:
            raise
        message, created = _retried(existing, conversation_id)
    if isinstance(conversation, Conversation) and message.conversation_id == conversation.pk:
        message.conversation = conversation
    return message, created


def _inserted(
    actor: User, conversation_id: int, message_id: int, client_id: str, text: str, created_at: dt.datetime
) -> Message:
    """The message the send statement inserted, as a saved model instance built from what it returned (no
    query to read it back)."""
    message = Message(
        id=message_id,
        conversation_id=conversation_id,
        kind=Message.Kind.USER,
        sender=actor,
        client_id=client_id,
        text=text,
        created_at=created_at,
    )
    message._state.adding = False
    message._state.db = connection.alias
    return message


@transaction.atomic
def _message_send(
    *, actor: User, conversation_id: int, text: str, client_id: str, attachment: int | None
) -> tuple[Message, bool]:
    error: InvalidField | None = None
    if attachment is None or text.strip():
        try:
            text = _clean_text(text)
        except InvalidField as invalid:
            error, text = invalid, ""  # nothing is inserted; the error is raised once the rest is known
    else:
        text = ""  # a file alone
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _SEND_SQL,
            {
                "conversation": conversation_id,
                "actor": actor.pk,
                "client_id": client_id,
                "text": text,
                "now": now,
                "valid": error is None,
                "kind": Message.Kind.USER.value,
                "direct": Conversation.Kind.DIRECT.value,
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise ConversationNotFound()
    members, blocked, retried_id, message_id, created_at = row
    if retried_id is not None:
        return _retried(Message.objects.get(pk=retried_id), conversation_id)
    if error is not None:
        raise error
    if blocked:
        raise Blocked()
    message = _inserted(actor, conversation_id, message_id, client_id, text, created_at)
    file = None
    if attachment is not None:
        file = (
            Attachment.objects.select_for_update()
            .filter(pk=attachment, conversation_id=conversation_id, uploader=actor, message__isnull=True)
            .first()
        )
        if file is None:  # the message above is rolled back with this transaction
            raise InvalidField("attachment", _("Pièce jointe introuvable ou déjà envoyée."))
        file.message = message
        file.save(update_fields=["message"])
    # Known without a query: the message's attachment is this file or none.
    Message.attachment.related.set_cached_value(message, file)
    _publish_new(message, list(members))
    return message, True


@dataclass(frozen=True, slots=True)
class _LiveSend:
    actor: User
    conversation_id: int
    text: str  # cleaned
    client_id: str


# The outcome of one live send: the message stored and pushed, or None: message_send answers it (a retried
# client id, or a retry that raced the first send).
_LiveOutcome = Message | None


async def message_send_live(*, actor: User, conversation_id: int, text: str, client_id: str) -> Message:
    """`message_send` for the websocket (no attachment), awaited in the event loop, nothing in a thread: the
    send joins those of the process's other sockets in flight (_live_sends: one statement, _SEND_MANY_SQL,
    for all of them: every check, the inserts, the notifications' job), then the events of the batch
    are pushed, and this send returns once its message is committed and pushed. Same guarantees and errors
    as `message_send`, which answers the rare cases itself (a text to refuse, a retried client id, a retry
    racing the first send).

    bench/messaging.py: the thread hops and the ORM around the statement were most of a send's CPU, then
    one statement and one transaction per message most of what was left in PostgreSQL."""
    try:
        cleaned = _clean_text(text)
    except InvalidField:
        cleaned = None  # message_send knows whether the conversation or the text is to be refused
    if cleaned is not None:
        message = await _live_sends.submit(_LiveSend(actor, conversation_id, cleaned, client_id))
        if message is not None:
            return message
    message, _created = await database_sync_to_async(message_send, thread_sensitive=False)(
        actor=actor, conversation=conversation_id, text=text, client_id=client_id
    )
    return message


async def _send_live_batch(sends: list[_LiveSend]) -> list[_LiveOutcome | Exception]:
    """One statement for `sends`, then one push of all their events. When the statement fails (a retry
    racing its first send from another connection: the unique client id), nothing of it was written, and each
    send is tried again alone: one send's failure is its own."""
    queue, task, priority = recorded_later_many_job(MessageReceived)
    try:
        async with adb.connection() as conn:
            cursor = await conn.execute(
                _SEND_MANY_SQL,
                {
                    "conversations": [send.conversation_id for send in sends],
                    "actors": [send.actor.pk for send in sends],
                    "client_ids": [send.client_id for send in sends],
                    "texts": [send.text for send in sends],
                    "now": timezone.now(),
                    "kind": Message.Kind.USER.value,
                    "direct": Conversation.Kind.DIRECT.value,
                    "job_queue": queue,
                    "job_task": task,
                    "job_priority": priority,
                    "job_event": MessageReceived.name,
                },
            )
            rows = await cursor.fetchall()
    except psycopg.Error as error:
        if len(sends) > 1:
            return [(await _send_live_batch([send]))[0] for send in sends]
        if isinstance(error, psycopg.errors.UniqueViolation):
            return [None]  # the same retry, racing from another connection, stored it first
        return [error]
    outcomes: list[_LiveOutcome | Exception] = []
    pushes: list[tuple[Event, list[int]]] = []
    for send, (members, blocked, retried_id, message_id, created_at) in zip(sends, rows, strict=True):
        if members is None:
            outcomes.append(ConversationNotFound())
        elif retried_id is not None:
            outcomes.append(None)
        elif blocked:
            outcomes.append(Blocked())
        else:
            message = _inserted(
                send.actor, send.conversation_id, message_id, send.client_id, send.text, created_at
            )
            Message.attachment.related.set_cached_value(message, None)
            outcomes.append(message)
            conversation = send.conversation_id
            pushes.append(
                (MessageNew(id=message_id, conversation=conversation, message=message_data(message)), members)
            )
            pushes.append(
                (
                    MessageReceived(conversation=conversation, message=message_id),
                    [user_id for user_id in members if user_id != send.actor.pk],
                )
            )
    if pushes:
        await publish_committed(pushes)
    return outcomes


_live_sends: adb.GroupCommit[_LiveSend, _LiveOutcome] = adb.GroupCommit(
    _send_live_batch, max_items=settings.LIVE_SEND_BATCH_MAX, concurrency=settings.LIVE_SEND_BATCHES
)


def _retried(message: Message, conversation_id: int) -> tuple[Message, bool]:
    if message.conversation_id != conversation_id:
        raise ClientIdReused()
    return message, False


@transaction.atomic
def message_send_system(*, conversation: Conversation, text: str) -> Message:
    """A message of the system (an event of the attached object), from no one."""
    message = Message.objects.create(
        conversation=conversation, kind=Message.Kind.SYSTEM, text=_clean_text(text), created_at=timezone.now()
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=message.created_at)
    _publish_new(message, participant_ids(conversation))
    return message


def _own_message(actor: User, message: Message) -> Message:
    _check_participant(actor, message.conversation)
    locked = Message.objects.select_for_update().select_related("conversation").get(pk=message.pk)
    if locked.sender_id != actor.pk:
        raise NotMessageSender()
    return locked


@transaction.atomic
def message_edit(*, actor: User, message: Message, text: str) -> Message:
    """Replace the text of one's own message within 15 minutes; the previous text is kept as a revision.
    Raises MessageNotFound/ConversationNotFound, NotMessageSender, MessageDeleted, EditWindowClosed,
    InvalidField (text)."""
    message = _own_message(actor, message)
    if message.deleted_at is not None:
        raise MessageDeleted()
    if timezone.now() - message.created_at > dt.timedelta(minutes=EDIT_WINDOW_MINUTES):
        raise EditWindowClosed()
    text = _clean_text(text)
    if text == message.text:
        return message
    MessageRevision.objects.create(message=message, text=message.text)
    message.text = text
    message.edited_at = timezone.now()
    message.save(update_fields=["text", "edited_at"])
    publish(
        MessageEdited(conversation=message.conversation_id, message=message_data(message)),
        to=participant_ids(message.conversation),
    )
    return message


@transaction.atomic
def message_delete(*, actor: User, message: Message) -> Message:
    """Delete one's own message: its text goes, its place stays ("message supprimé"). Deleting it again
    changes nothing. Raises ConversationNotFound, NotMessageSender."""
    message = _own_message(actor, message)
    if message.deleted_at is not None:
        return message
    message.text = ""
    message.deleted_at = timezone.now()
    message.save(update_fields=["text", "deleted_at"])
    for attachment in Attachment.objects.filter(message=message):
        _delete_file_on_commit(attachment)
        attachment.delete()
    MessageRevision.objects.filter(message=message).update(text="")
    publish(
        MessageDeletedEvent(conversation=message.conversation_id, message=message_data(message)),
        to=participant_ids(message.conversation),
    )
    return message


@transaction.atomic
def conversation_mark_read(*, actor: User, conversation: Conversation, up_to_id: int) -> int:
    """Move the actor's read mark up to message `up_to_id` (never back, never past the last message);
    tell the other participants. Returns the mark. Raises ConversationNotFound."""
    _check_participant(actor, conversation)
    last = Message.objects.filter(conversation=conversation, id__lte=up_to_id).order_by("-id").first()
    target = last.pk if last else 0
    moved = Participant.objects.filter(conversation=conversation, user=actor, last_read_id__lt=target).update(
        last_read_id=target
    )
    mark = Participant.objects.get(conversation=conversation, user=actor).last_read_id
    notifications_mark_read_matching(
        actor=actor, event=MessageReceived.name, payload={"conversation": conversation.pk}
    )
    if moved:
        publish(
            ReadReceipt(conversation=conversation.pk, user=actor.pk, up_to_id=mark),
            to=participant_ids(conversation),
        )
    return mark


@transaction.atomic
def user_block(*, actor: User, other: int) -> Block:
    """Block a person: no new direct conversation with them, no message from them. Blocking again changes
    nothing. Raises InvalidField (oneself), UserNotFound."""
    if other == actor.pk:
        raise InvalidField("user_id", _("Vous ne pouvez pas vous bloquer vous-même."))
    if not User.objects.filter(pk=other).exists():
        raise UserNotFound()
    block, _created = Block.objects.get_or_create(blocker=actor, blocked_id=other)
    return block


@transaction.atomic
def user_unblock(*, actor: User, other: int) -> None:
    Block.objects.filter(blocker=actor, blocked_id=other).delete()


@transaction.atomic
def message_report(*, actor: User, message: Message, reason: str) -> tuple[Report, bool]:
    """Report a message of a conversation one takes part in to the moderators, its text kept as it is now.
    Reporting it again returns the first report. Raises ConversationNotFound, InvalidField (own message)."""
    _check_participant(actor, message.conversation)
    if message.sender_id == actor.pk:
        raise InvalidField("message", _("Vous ne pouvez pas signaler votre propre message."))
    existing = Report.objects.filter(message=message, reporter=actor).first()
    if existing is not None:
        return existing, False
    try:
        reason = clean_multiline(reason, max_length=2000)
    except InputError as error:
        raise InvalidField("reason", error.message) from error
    report = Report.objects.create(
        message=message, reporter=actor, reason=reason, text_as_reported=message.text
    )
    return report, True


@transaction.atomic
def report_handle(*, actor: User, report: Report) -> Report:
    """A moderator marks a report as handled. Raises ConversationNotFound for anyone but staff."""
    if not actor.is_staff:
        raise ConversationNotFound()
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.HANDLED:
        report.status = Report.Status.HANDLED
        report.handled_at = timezone.now()
        report.save(update_fields=["status", "handled_at"])
    return report
