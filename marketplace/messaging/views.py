"""The messaging pages: the conversation list and a live thread (marketplace/messaging/static/messaging/),
each action also a plain form POST that works without JavaScript (then back to the thread), and the
attachments' download (participants only; others, and a deleted message's file: 404).

The thread itself is a component (`messaging/_thread.html` + `thread.js`) that other pages include with
`thread_context()` (the swap proposal page does)."""

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketplace import lists
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.errors import InvalidField
from marketplace.messaging import selectors, services
from marketplace.messaging.filters import ConversationFilter
from marketplace.messaging.forms import DirectForm, EditForm, OlderForm, ReadForm, ReportForm, SendForm
from marketplace.messaging.models import Attachment, Conversation
from marketplace.web import post_action, posted_choice

LIST_LIMIT = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _valid(form: Any) -> dict[str, Any]:
    """The cleaned data, or an InvalidField naming the first field refused (a message, nothing written)."""
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise InvalidField(field, f"{label} : {' '.join(str(e) for e in errors)}")
    data: dict[str, Any] = form.cleaned_data
    return data


def thread_context(actor: User, conversation_id: int, before_id: int | None = None) -> dict[str, Any]:
    """What `messaging/_thread.html` needs. Raises ConversationNotFound (404) for anyone but participants."""
    thread = selectors.thread_get_for_actor(actor=actor, conversation_id=conversation_id, before_id=before_id)
    return {"thread": thread, "send_form": SendForm(initial={"client_id": uuid.uuid4().hex})}


def _list(request: HttpRequest, params: QueryDict | None = None) -> dict[str, Any]:
    user = _user(request)
    page = lists.paginate(
        request.GET if params is None else params,
        ConversationFilter,
        selectors.participations_of(user),
        default_limit=LIST_LIMIT,
    )
    return {"rows": selectors.conversation_rows(actor=user, participations=page.items), "next": page.next}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "messaging/inbox.html", _list(request))


@login_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    """The list alone: the page asks for it again when a message arrives in another conversation."""
    return render(request, "messaging/_conversation_list.html", {**_list(request), "current": None})


@login_required
@require_GET
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """A thread; `?avant=<message id>` shows the messages before that one (older pages without JavaScript)."""
    params = request.GET.copy()
    before_id = _valid(OlderForm({"avant": params.pop("avant")[-1]}))["avant"] if "avant" in params else None
    context = thread_context(_user(request), conversation_id, before_id)
    return render(
        request,
        "messaging/conversation.html",
        {**context, **_list(request, params), "current": conversation_id, "before_id": before_id},
    )


def _thread_url(conversation_id: int, message_id: int | None = None) -> str:
    url = reverse("messaging:conversation", args=[conversation_id])
    return f"{url}#message-{message_id}" if message_id else url


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_actor(actor=_user(request), conversation_id=conversation_id)


@login_required
@require_POST
@throttle("messaging")
def send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The form's send (without JavaScript): the file first, then the message with it; a second press
    with the same client id stores nothing more."""
    user = _user(request)
    conversation = _conversation(request, conversation_id)
    data = _valid(SendForm(request.POST, request.FILES))
    attachment: Attachment | None = None
    if data["file"]:
        attachment = services.attachment_upload(actor=user, conversation=conversation, upload=data["file"])
    message, _created = services.message_send(
        actor=user,
        conversation=conversation,
        text=data["text"],
        client_id=data["client_id"],
        attachment=attachment.pk if attachment else None,
    )
    return HttpResponseRedirect(_thread_url(conversation.pk, message.pk), status=303)


@login_required
@require_POST
@throttle("messaging")
def open_direct(request: HttpRequest) -> HttpResponse:
    """ "Contacter": the direct conversation with this person (created the first time)."""
    data = _valid(DirectForm(request.POST))
    conversation, _created = services.conversation_open_direct(actor=_user(request), other=data["user_id"])
    return HttpResponseRedirect(_thread_url(conversation.pk), status=303)


@login_required
@require_POST
@throttle("messaging")
def edit(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    user = _user(request)
    message = selectors.message_get_for_actor(
        actor=user, message_id=message_id, conversation_id=conversation_id
    )
    text = _valid(EditForm(request.POST))["text"]
    return post_action(
        request,
        lambda: services.message_edit(actor=user, message=message, text=text),
        success=_("Message modifié."),
        next_default=_thread_url(conversation_id, message_id),
    )


@login_required
@require_POST
@throttle("messaging")
def delete(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    user = _user(request)
    message = selectors.message_get_for_actor(
        actor=user, message_id=message_id, conversation_id=conversation_id
    )
    return post_action(
        request,
        lambda: services.message_delete(actor=user, message=message),
        success=_("Message supprimé."),
        next_default=_thread_url(conversation_id, message_id),
    )


@login_required
@require_POST
@throttle("messaging")
def report(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    user = _user(request)
    message = selectors.message_get_for_actor(
        actor=user, message_id=message_id, conversation_id=conversation_id
    )
    reason = _valid(ReportForm(request.POST))["reason"]
    return post_action(
        request,
        lambda: services.message_report(actor=user, message=message, reason=reason),
        success=_("Message signalé aux modérateurs. Merci."),
        next_default=_thread_url(conversation_id, message_id),
    )


@login_required
@require_POST
@throttle("messaging")
def mark_read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = _user(request)
    conversation = _conversation(request, conversation_id)
    up_to_id = _valid(ReadForm(request.POST))["up_to_id"]
    return post_action(
        request,
        lambda: services.conversation_mark_read(actor=user, conversation=conversation, up_to_id=up_to_id),
        success=_("Conversation marquée comme lue."),
        next_default=_thread_url(conversation_id),
    )


@login_required
@require_POST
@throttle("messaging")
def block(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Block (or unblock) the other person of a direct conversation."""
    user = _user(request)
    thread = selectors.thread_get_for_actor(actor=user, conversation_id=conversation_id, limit=0)
    action = posted_choice(request, "action", ("block", "unblock"))
    if thread.conversation.kind != Conversation.Kind.DIRECT or len(thread.others) != 1:
        raise InvalidField("action", _("On ne bloque une personne que depuis une conversation directe."))
    other = thread.others[0].pk
    if action == "block":
        return post_action(
            request,
            lambda: services.user_block(actor=user, other=other),
            success=_("Personne bloquée : elle ne peut plus vous écrire."),
            next_default=_thread_url(conversation_id),
        )
    return post_action(
        request,
        lambda: services.user_unblock(actor=user, other=other),
        success=_("Personne débloquée."),
        next_default=_thread_url(conversation_id),
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Images are shown inline, PDFs downloaded; the type is the one checked at upload, never sniffed, and
    the response can run nothing (CSP sandbox)."""
    attachment = selectors.attachment_get_for_actor(actor=_user(request), attachment_id=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind == Attachment.Kind.PDF,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
