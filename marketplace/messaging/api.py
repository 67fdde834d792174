"""/api/v1/conversations, /api/v1/users/{id}/block, /api/v1/messages/{id}/report: the REST side of the
messaging (the websocket carries the same sends and events live). Session auth with CSRF; writes throttled.

Paths are a contract; a conversation the user does not take part in is a 404 on every one of them.
"""

from django.http import HttpRequest
from ninja import File, Query, Router, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from marketplace import lists
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.lists import ListQuery, PageOut
from marketplace.messaging import selectors, services
from marketplace.messaging.events import attachment_out
from marketplace.messaging.filters import ConversationFilter, MessageFilter
from marketplace.messaging.models import Block, Conversation, Message, Report
from marketplace.messaging.schemas import (
    AttachmentOut,
    BlockOut,
    ConversationOut,
    DirectIn,
    MessageIn,
    MessageOut,
    MessagePatch,
    ReadIn,
    ReadOut,
    ReportIn,
    ReportOut,
    UnreadOut,
    conversation_out,
)

conversations = Router(tags=["messaging"], auth=django_auth)
users = Router(tags=["messaging"], auth=django_auth)
messages = Router(tags=["messaging"], auth=django_auth)
IdParam = Query(None, ge=0, le=2**63 - 1)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_actor(actor=_actor(request), conversation_id=conversation_id)


def _one(request: HttpRequest, conversation_id: int) -> ConversationOut:
    rows = selectors.participations_of(_actor(request)).filter(conversation_id=conversation_id)
    return ConversationOut(**conversation_out(rows.get()))


@conversations.get(
    "",
    response=PageOut[ConversationOut],
    summary="Mes conversations (non lus compris) ; tri : -last_activity_at",
)
def conversation_list(request: HttpRequest, paging: Query[ListQuery]) -> dict[str, object]:
    page = lists.paginate(request.GET, ConversationFilter, selectors.participations_of(_actor(request)))
    return {"items": [conversation_out(p) for p in page.items], "next": page.next}


@conversations.post(
    "", response={200: ConversationOut, 201: ConversationOut}, summary="Ouvrir une conversation directe"
)
@throttle("messaging")
def conversation_open(request: HttpRequest, payload: DirectIn) -> Status[ConversationOut]:
    conversation, created = services.conversation_open_direct(actor=_actor(request), other=payload.user_id)
    return Status(201 if created else 200, _one(request, conversation.pk))


@conversations.get(
    "/unread-count", response=UnreadOut, summary="Mes messages non lus, toutes conversations (l'en-tête)"
)
def conversation_unread_count(request: HttpRequest) -> UnreadOut:
    return UnreadOut(unread=selectors.unread_total(_actor(request)))


@conversations.get("/{conversation_id}", response=ConversationOut, summary="Une de mes conversations")
def conversation_detail(request: HttpRequest, conversation_id: int) -> ConversationOut:
    _conversation(request, conversation_id)
    return _one(request, conversation_id)


@conversations.get(
    "/{conversation_id}/messages",
    response=PageOut[MessageOut],
    summary="Messages : l'historique (du plus récent, before_id) ou, avec after_id, ceux qui suivent (rattrapage)",
)
def message_list(
    request: HttpRequest,
    conversation_id: int,
    paging: Query[ListQuery],
    after_id: int | None = IdParam,
    before_id: int | None = IdParam,
) -> lists.Page[Message]:
    conversation = _conversation(request, conversation_id)
    return lists.paginate(request.GET, MessageFilter, selectors.messages_of(conversation))


@conversations.post(
    "/{conversation_id}/messages",
    response={200: MessageOut, 201: MessageOut},
    summary="Envoyer un message (201) ; renvoyé avec le même client_id : le message déjà enregistré (200)",
)
@throttle("messaging")
def message_send(request: HttpRequest, conversation_id: int, payload: MessageIn) -> Status[Message]:
    message, created = services.message_send(
        actor=_actor(request),
        conversation=_conversation(request, conversation_id),
        text=payload.text,
        client_id=payload.client_id,
        attachment=payload.attachment,
    )
    return Status(201 if created else 200, message)


@conversations.post(
    "/{conversation_id}/attachments",
    response={201: AttachmentOut},
    summary="Déposer une pièce jointe (image JPEG/PNG/WebP 5 Mo, ou PDF 10 Mo) avant de l'envoyer avec un message",
)
@throttle("messaging")
def attachment_upload(
    request: HttpRequest, conversation_id: int, file: File[UploadedFile]
) -> Status[dict[str, object]]:
    attachment = services.attachment_upload(
        actor=_actor(request), conversation=_conversation(request, conversation_id), upload=file
    )
    return Status(201, attachment_out(attachment))


@conversations.patch(
    "/{conversation_id}/messages/{message_id}",
    response=MessageOut,
    summary="Modifier mon message (15 minutes)",
)
@throttle("messaging")
def message_edit(
    request: HttpRequest, conversation_id: int, message_id: int, payload: MessagePatch
) -> Message:
    message = selectors.message_get_for_actor(
        actor=_actor(request), message_id=message_id, conversation_id=conversation_id
    )
    return services.message_edit(actor=_actor(request), message=message, text=payload.text)


@conversations.delete(
    "/{conversation_id}/messages/{message_id}",
    response=MessageOut,
    summary="Supprimer mon message (sa place reste)",
)
@throttle("messaging")
def message_delete(request: HttpRequest, conversation_id: int, message_id: int) -> Message:
    message = selectors.message_get_for_actor(
        actor=_actor(request), message_id=message_id, conversation_id=conversation_id
    )
    return services.message_delete(actor=_actor(request), message=message)


@conversations.post("/{conversation_id}/read", response=ReadOut, summary="Marquer comme lu jusqu'à up_to_id")
@throttle("messaging")
def conversation_read(request: HttpRequest, conversation_id: int, payload: ReadIn) -> ReadOut:
    conversation = _conversation(request, conversation_id)
    mark = services.conversation_mark_read(
        actor=_actor(request), conversation=conversation, up_to_id=payload.up_to_id
    )
    return ReadOut(conversation=conversation.pk, last_read_id=mark)


@users.post("/{user_id}/block", response={200: BlockOut}, summary="Bloquer une personne")
@throttle("messaging")
def user_block(request: HttpRequest, user_id: int) -> Block:
    return services.user_block(actor=_actor(request), other=user_id)


@users.delete("/{user_id}/block", response={204: None}, summary="Débloquer une personne")
@throttle("messaging")
def user_unblock(request: HttpRequest, user_id: int) -> Status[None]:
    services.user_unblock(actor=_actor(request), other=user_id)
    return Status(204, None)


@messages.post(
    "/{message_id}/report",
    response={200: ReportOut, 201: ReportOut},
    summary="Signaler un message aux modérateurs (201 ; déjà signalé : 200)",
)
@throttle("messaging")
def message_report(request: HttpRequest, message_id: int, payload: ReportIn) -> Status[Report]:
    message = selectors.message_get_for_actor(actor=_actor(request), message_id=message_id)
    report, created = services.message_report(actor=_actor(request), message=message, reason=payload.reason)
    return Status(201 if created else 200, report)
