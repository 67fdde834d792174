"""The one websocket of a browser tab: /ws/. It carries every event for its user (messages, notifications…)."""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from marketplace.realtime import user_group

# Close codes in the 4000-4999 private range, mirroring HTTP statuses.
CLOSE_UNAUTHENTICATED = 4401


class EventConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Clients only listen for now; a ping keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def event_push(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def session_close(self, message: dict[str, Any]) -> None:
        """Sent on logout or account deletion: a socket must not outlive its session."""
        await self.close(code=CLOSE_UNAUTHENTICATED)
