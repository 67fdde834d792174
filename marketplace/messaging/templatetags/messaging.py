"""Template helpers of the messaging pages: the one safe rendering of a message's text, and its edit window."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from marketplace.messaging.events import message_attachment
from marketplace.messaging.models import EDIT_WINDOW_MINUTES, Message
from marketplace.messaging.rendering import message_html

register = template.Library()


@register.filter(name="message_html")
def message_html_filter(text: str) -> SafeString:
    return message_html(text)


@register.filter
def edit_until(message: Message) -> dt.datetime:
    return message.created_at + dt.timedelta(minutes=EDIT_WINDOW_MINUTES)


@register.filter
def editable_by(message: Message, user: Any) -> bool:
    """The sender may still change its text (15 minutes, not deleted)."""
    return (
        message.kind == Message.Kind.USER
        and message.sender_id == getattr(user, "pk", None)
        and message.deleted_at is None
        and timezone.now() < edit_until(message)
    )


@register.filter
def attachment_of(message: Message) -> Any:
    return message_attachment(message)
