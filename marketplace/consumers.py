"""The one websocket of a browser tab: /ws/. It carries every event for its user (messages, notifications…).

What a client sends is untrusted: a binary, non-JSON, oversized or deeply nested frame, or an unknown type,
gets an `error` event and the socket stays open; a flood of frames is throttled (extra frames are dropped,
with one `error` event per second), and a socket that keeps flooding is closed.
"""

import json
import time
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from marketplace.realtime import user_group

# Close codes in the 4000-4999 private range, mirroring HTTP statuses.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_MANY_FRAMES = 4429

MAX_FRAME_CHARS = 16 * 1024
MAX_DEPTH = 8
FRAMES_PER_SECOND = 10  # steady rate allowed per socket…
FRAMES_BURST = 30  # …with bursts up to this many
MAX_DROPPED = 1000  # frames dropped by the throttle before the socket is closed


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


class EventConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        self.tokens = float(FRAMES_BURST)
        self.refilled_at = time.monotonic()
        self.dropped = 0
        self.warned_at = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if not await self._frame_allowed():
            return
        if text_data is None:
            await self._error("binary_frame", _("Seuls les messages texte (JSON) sont acceptés."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error(
                "frame_too_large",
                _("Message trop long (%(max)d caractères au plus).") % {"max": MAX_FRAME_CHARS},
            )
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._error("invalid_json", _("Le message n'est pas du JSON valide."))
            return
        if _depth(content) > MAX_DEPTH:
            await self._error("too_deep", _("Message trop imbriqué."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Clients only listen for now; a ping keeps proxies from closing an idle socket.
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self._error("unknown_type", _("Type de message inconnu."))

    async def _frame_allowed(self) -> bool:
        now = time.monotonic()
        self.tokens = min(FRAMES_BURST, self.tokens + (now - self.refilled_at) * FRAMES_PER_SECOND)
        self.refilled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.dropped += 1
        if self.dropped > MAX_DROPPED:
            await self.close(code=CLOSE_TOO_MANY_FRAMES)
        elif now - self.warned_at >= 1:
            self.warned_at = now
            await self._error("too_many_frames", _("Trop de messages : les suivants sont ignorés un moment."))
        return False

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def event_push(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def session_close(self, message: dict[str, Any]) -> None:
        """Sent on logout or account deletion: a socket must not outlive its session."""
        await self.close(code=CLOSE_UNAUTHENTICATED)
