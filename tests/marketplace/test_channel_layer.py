"""The Redis channel layer under an idle websocket: channels_redis waits for a message with BZPOPMIN for
`brpop_timeout` (5 s) at a time, and redis-py 8 reads every reply within `socket_timeout`, 5 s by default.
Equal, they race: the read timed out before Redis answered "nothing yet", receive() raised TimeoutError and
the consumer closed every idle socket after about 5 s (1012), losing what came meanwhile (typing events)."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from tests.marketplace.test_settings import run_with_prod_settings


@pytest.mark.parametrize("kind", ["core", "pubsub"])
def test_production_reads_the_layer_longer_than_the_blocking_pop(kind):
    script = "import json; from django.conf import settings; print(json.dumps(settings.CHANNEL_LAYERS))"
    result = run_with_prod_settings("-c", script, CHANNEL_LAYER=kind)
    assert result.returncode == 0, result.stderr
    hosts = json.loads(result.stdout)["default"]["CONFIG"]["hosts"]
    assert hosts == [{"address": "redis://127.0.0.1:6379/0", "socket_timeout": 15, "max_connections": 2000}]
    assert hosts[0]["socket_timeout"] > RedisChannelLayer.brpop_timeout


def test_a_receive_idle_longer_than_the_blocking_pop_still_gets_its_message():
    async def scenario() -> dict:
        layer = get_channel_layer()
        assert isinstance(layer, RedisChannelLayer)
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(RedisChannelLayer.brpop_timeout + 1.5)  # one empty pop answered, then the next
        assert not waiting.done(), waiting.exception() if waiting.done() else None
        await layer.send(channel, {"type": "event.push", "event": {"type": "ping"}})
        return await asyncio.wait_for(waiting, 5)

    assert asyncio.run(scenario()) == {"type": "event.push", "event": {"type": "ping"}}
