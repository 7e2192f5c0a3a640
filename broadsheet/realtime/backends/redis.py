"""Redis: the history in one list per channel, delivery by pub/sub.

One Lua script takes the channel's next number, appends to its list, trims it and
publishes, atomically: numbers follow publish order, and a reader who reads the history
after subscribing misses nothing. Each process holds one pub/sub connection for all
channels (a pattern subscription).
"""

from __future__ import annotations

import asyncio
import logging
import time

import redis
import redis.asyncio as aioredis
from django.conf import settings

from broadsheet.realtime import conf
from broadsheet.realtime.backends.base import Backend, Deliver, Ready, _nothing
from broadsheet.realtime.wire import WireEvent

logger = logging.getLogger(__name__)

# KEYS: sequence, history. ARGV: payload, history length, expiry (s), pub/sub channel.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local item = seq .. ' ' .. ARGV[1]
redis.call('RPUSH', KEYS[2], item)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], item)
return seq
"""


def _decode(item: bytes | str) -> WireEvent:
    text = item.decode() if isinstance(item, bytes) else item
    seq, payload = text.split(" ", 1)
    event = WireEvent.from_json(payload)
    return event.on(event.channel, int(seq), event.at)


class RedisBackend(Backend):
    name = "redis"

    def __init__(self, url: str | None = None, prefix: str | None = None) -> None:
        self.url = url or settings.ENV.redis_url
        self.prefix = prefix if prefix is not None else conf.redis_prefix()
        self.client = redis.Redis.from_url(self.url)
        self.script = self.client.register_script(_PUBLISH)

    def _keys(self, channel: str) -> tuple[str, str]:
        # One hash slot per channel ({…}), so the script also runs on a Redis Cluster.
        return f"{self.prefix}{{{channel}}}:seq", f"{self.prefix}{{{channel}}}:history"

    def publish(self, channel: str, event: WireEvent) -> WireEvent:
        unsequenced = event.on(channel, 0, time.time())
        seq_key, history_key = self._keys(channel)
        expiry = max(conf.idle_days(), 1) * 2 * 86400
        seq = self.script(
            keys=[seq_key, history_key],
            args=[unsequenced.to_json(), conf.history(), expiry, f"{self.prefix}ch:{channel}"],
        )
        return unsequenced.on(channel, int(seq), unsequenced.at)

    def history(self, channel: str) -> tuple[int, list[WireEvent]]:
        seq_key, history_key = self._keys(channel)
        pipe = self.client.pipeline(transaction=True)
        pipe.get(seq_key)
        pipe.lrange(history_key, 0, -1)
        last, items = pipe.execute()
        return int(last or 0), [_decode(item) for item in items]

    async def listen(self, deliver: Deliver, ready: Ready = _nothing) -> None:
        delay = 0.5
        while True:
            client = aioredis.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{self.prefix}ch:*")
                    ready()
                    delay = 0.5
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            deliver(_decode(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Redis pub/sub failed; retrying in %.1f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
            finally:
                await client.aclose()
