from typing import Any

from django.http import HttpRequest

from marketplace.messaging.selectors import unread_total


def unread(request: HttpRequest) -> dict[str, Any]:
    """The header's "Messages" count; computed only when a template reads it (lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"MESSAGES_UNREAD": lambda: unread_total(user)}
