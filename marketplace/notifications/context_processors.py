from typing import Any

from django.http import HttpRequest

from marketplace.accounts.models import User
from marketplace.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count (one indexed count, signed-in pages only)."""
    user = getattr(request, "user", None)
    return {"notifications_unread": unread_count(user)} if isinstance(user, User) else {}
