from functools import partial
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from marketplace.accounts.models import User
from marketplace.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count: one indexed count, only when a template shows it (the full pages of a
    signed-in user, not their htmx fragments)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"notifications_unread": SimpleLazyObject(partial(unread_count, user))}
