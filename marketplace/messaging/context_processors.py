from functools import partial
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from marketplace.accounts.models import User
from marketplace.messaging.selectors import unread_total


def unread(request: HttpRequest) -> dict[str, Any]:
    """The header's count of unread messages: one query, only when a template shows it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"messages_unread": SimpleLazyObject(partial(unread_total, user))}
