"""The messaging pages: the conversation list, a thread (live through /ws/, static/messaging/js/thread.js),
opening a direct conversation from another page, blocking, and the attachments' download.

Thin: selectors in, services out; domain errors go to HtmlErrorMiddleware. A conversation or an attachment
the person does not take part in is a 404.
"""

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.messaging import selectors, services
from marketplace.messaging.events import message_data
from marketplace.messaging.exceptions import UserNotFound
from marketplace.messaging.forms import MessageForm
from marketplace.messaging.models import Attachment, Block
from marketplace.messaging.presence import seen_recently
from marketplace.web import form_action, post_action

THREAD_PAGE = 30  # messages shown when a thread opens; older ones come by infinite scroll (API before_id)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _conversations(user: User) -> list[Any]:
    """The person's conversations, most recent first, each with `others` (names) and `online`."""
    rows = list(selectors.participations_of(user).order_by("-conversation__last_activity_at", "-id")[:200])
    other_ids = {p.user_id for row in rows for p in row.conversation.participants.all() if p.user_id != user.pk}
    online = seen_recently(other_ids)
    for row in rows:
        others = [p for p in row.conversation.participants.all() if p.user_id != user.pk]
        row.others = ", ".join(str(p.user) for p in others) or _("Ancien membre")
        row.online = any(p.user_id in online for p in others)
    return rows


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = _conversations(user)
    return render(request, "messaging/inbox.html", {"rows": rows, "after_id": _after_id(rows)})


def _after_id(rows: list[Any]) -> int:
    return max((row.last_message_id or 0 for row in rows), default=0)


@login_required
@require_http_methods(["GET", "POST"])
@throttle("messaging")
def thread(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """GET: the thread. POST (without JavaScript): send a text message, then back to the thread."""
    user = _user(request)
    conversation = selectors.conversation_get_for_actor(actor=user, conversation_id=conversation_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form_action(
        form,
        lambda data: services.message_send(
            actor=user, conversation=conversation, text=data["text"], client_id=uuid.uuid4().hex
        ),
    ):
        return HttpResponseRedirect(reverse("messaging:thread", args=[conversation.pk]), status=303)
    rows = _conversations(user)
    current = next(row for row in rows if row.conversation_id == conversation.pk) if rows else None
    recent = list(selectors.messages_of(conversation).order_by("-id")[: THREAD_PAGE + 1])
    participants = list(conversation.participants.select_related("user"))
    others = [p for p in participants if p.user_id != user.pk]
    context = {
        "rows": rows,
        "current": current,
        "conversation": conversation,
        "form": form,
        "others": others,
        "blocked_ids": set(
            Block.objects.filter(blocker=user, blocked_id__in=[p.user_id for p in others]).values_list(
                "blocked_id", flat=True
            )
        ),
        "after_id": _after_id(rows),
        "thread_data": {
            "conversation": conversation.pk,
            "me": user.pk,
            "names": {p.user_id: str(p.user) for p in participants},
            "marks": {p.user_id: p.last_read_id for p in others},
            "messages": [message_data(m) for m in reversed(recent[:THREAD_PAGE])],
            "more": len(recent) > THREAD_PAGE,
        },
    }
    return render(request, "messaging/thread.html", context)


@login_required
@require_POST
@throttle("messaging")
def direct_open(request: HttpRequest, user_id: int) -> HttpResponse:
    """The "Contacter" button of another person's page: their direct conversation, opened when needed."""
    conversation, _created = services.conversation_open_direct(actor=_user(request), other=user_id)
    return HttpResponseRedirect(reverse("messaging:thread", args=[conversation.pk]), status=303)


@login_required
@require_POST
@throttle("messaging")
def block_toggle(request: HttpRequest, conversation_id: int, user_id: int) -> HttpResponse:
    user = _user(request)
    conversation = selectors.conversation_get_for_actor(actor=user, conversation_id=conversation_id)
    if user_id not in selectors.participant_ids(conversation) or user_id == user.pk:
        raise UserNotFound()
    page = reverse("messaging:thread", args=[conversation.pk])
    if Block.objects.filter(blocker=user, blocked_id=user_id).exists():
        return post_action(
            request,
            lambda: services.user_unblock(actor=user, other=user_id),
            success=_("Personne débloquée."),
            next_default=page,
        )
    return post_action(
        request,
        lambda: services.user_block(actor=user, other=user_id),
        success=_("Personne bloquée : elle ne peut plus vous écrire."),
        next_default=page,
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The file, to participants only (others: 404). Images are shown inline, PDFs downloaded; the type is
    the one checked at upload, never sniffed, and the response can run nothing (CSP sandbox)."""
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
