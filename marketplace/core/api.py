"""GET /api/v1/health: is the database there, and does the channel layer carry a message?"""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: str
    channel_layer: str
    last_worker_heartbeat: str | None


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            return f"ok (PostGIS {cursor.fetchone()[0]})"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


async def _roundtrip() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.ping", "token": token})
    message = await layer.receive(channel)
    return bool(message.get("token") == token)


def _channel_layer() -> str:
    try:
        return "ok" if async_to_sync(_roundtrip)() else "error: no channel layer"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None, summary="Health check")
def health(request: HttpRequest) -> Status[HealthOut]:
    from marketplace.core.models import WorkerHeartbeat

    database = _database()
    layer = _channel_layer()
    beat = WorkerHeartbeat.objects.order_by("-at").first() if database.startswith("ok") else None
    ok = database.startswith("ok") and layer == "ok"
    return Status(
        200 if ok else 503,
        HealthOut(
            status="ok" if ok else "degraded",
            database=database,
            channel_layer=layer,
            last_worker_heartbeat=beat.at.isoformat() if beat else None,
        ),
    )
