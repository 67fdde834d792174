"""Pushing events to browsers: every user has one group, fed after the transaction that caused the event commits."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (never for a rolled-back write)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "event.push", "event": event})

    transaction.on_commit(send, robust=True)


def close_user_sockets_on_commit(user_id: int) -> None:
    """Close every open websocket of a user once the transaction commits (logout, deletion)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "session.close"})

    transaction.on_commit(send, robust=True)
