"""Each publishing back-end against the real thing: numbering, bounded history, resume
with and without a gap, and delivery to a listener in another connection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from broadsheet.realtime.backends import make_backend
from broadsheet.realtime.backends.base import Backend
from broadsheet.realtime.wire import WireEvent


def score(n: int) -> WireEvent:
    return WireEvent(
        type="comment.score",
        thread_id=1,
        data={"comment_id": 5, "upvotes": n, "downvotes": 0, "score": n},
    )


def check_history_and_resume(backend: Backend, channel: str, settings: Any) -> None:
    settings.BROADSHEET_LIVE_HISTORY = 3
    published = [backend.publish(channel, score(n)) for n in range(1, 6)]
    assert [e.seq for e in published] == [1, 2, 3, 4, 5]
    last, kept = backend.history(channel)
    assert last == 5 and [e.seq for e in kept] == [3, 4, 5]
    assert [e.data["score"] for e in kept] == [3, 4, 5]
    # Resume without a gap: everything after what the reader saw, nothing twice.
    assert [e.seq for e in backend.replay(channel, after=2, since=None) or []] == [3, 4, 5]
    assert backend.replay(channel, after=5, since=None) == []
    # Resume across a gap the history no longer covers: refetch.
    assert backend.replay(channel, after=1, since=None) is None
    # A cursor from a history that was lost (ahead of the channel): refetch.
    assert backend.replay(channel, after=99, since=None) is None
    # By time: a page rendered after event 4 gets event 5 only.
    assert [e.seq for e in backend.replay(channel, after=None, since=kept[2].at) or []] == [5]
    # A page older than everything kept may have missed something: refetch.
    assert backend.replay(channel, after=None, since=kept[0].at - 1) is None
    # A new channel starts at 1, whatever others hold.
    assert backend.publish(channel + "x", score(1)).seq == 1


def check_delivery(backend: Backend, channel: str, publish_in_thread: bool = True) -> None:
    async def main() -> list[WireEvent]:
        heard: list[WireEvent] = []
        got_two = asyncio.Event()

        def deliver(event: WireEvent) -> None:
            if event.channel == channel:
                heard.append(event)
                if len(heard) == 2:
                    got_two.set()

        task = asyncio.create_task(backend.listen(deliver))
        await asyncio.sleep(0.5)  # subscribed
        for n in (1, 2):
            await asyncio.to_thread(backend.publish, channel, score(n))
        await asyncio.wait_for(got_two.wait(), 10)
        task.cancel()
        return heard

    # In a thread of its own: the test thread may already run an event loop (Playwright).
    with ThreadPoolExecutor(1) as pool:
        heard = pool.submit(asyncio.run, main()).result()
    assert [e.data["score"] for e in heard] == [1, 2]
    assert heard[1].seq == heard[0].seq + 1


def test_memory_backend(settings: Any) -> None:
    backend = make_backend("memory")
    check_history_and_resume(backend, "t1", settings)
    check_delivery(backend, "t2")


@pytest.mark.django_db(transaction=True)
def test_database_backend(settings: Any) -> None:
    settings.BROADSHEET_LIVE_POLL_INTERVAL = 0.05
    backend = make_backend("database")
    check_history_and_resume(backend, "t1", settings)
    check_delivery(backend, "t2")


@pytest.mark.django_db(transaction=True)
def test_postgres_backend_notifies_other_connections(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL LISTEN/NOTIFY: run the suite with DATABASE_URL=postgres://…")
    backend = make_backend("postgres")
    check_history_and_resume(backend, "t1", settings)
    check_delivery(backend, "t2")


@pytest.fixture
def redis_backend(settings: Any) -> Iterator[Backend]:
    url = django_settings.ENV.redis_url
    if not url:
        pytest.skip("Redis pub/sub: run the suite with REDIS_URL=redis://…")
    from broadsheet.realtime.backends.redis import RedisBackend

    prefix = f"bs-test:{uuid.uuid4().hex[:8]}:"  # other runs share the server
    backend = RedisBackend(url=url, prefix=prefix)
    yield backend
    keys = backend.client.keys(prefix + "*")
    if keys:
        backend.client.delete(*keys)


def test_redis_backend(redis_backend: Backend, settings: Any) -> None:
    check_history_and_resume(redis_backend, "t1", settings)
    check_delivery(redis_backend, "t2")
