"""The Redis cache client builds one `redis.Redis` per connection pool and reuses it: a
new one per operation cost more CPU than the round trip (docs/performance.md)."""

from __future__ import annotations

import os
import threading

import pytest

from broadsheet.core.redis_cache import TolerantRedisCache


def _cache(location: str) -> TolerantRedisCache:
    return TolerantRedisCache(location, {"KEY_PREFIX": "bs-reuse", "OPTIONS": {}})


def test_every_operation_of_a_process_shares_one_client_per_pool() -> None:
    # No server is needed to build clients: nothing connects until a command is sent.
    client = _cache("redis://127.0.0.1:9/0")._cache
    first = client.get_client(None)
    assert client.get_client(None) is first
    assert client.get_client("some-key", write=True) is first


def test_two_servers_keep_a_client_each() -> None:
    client = _cache("redis://127.0.0.1:9/0,redis://127.0.0.1:9/1")._cache
    writer = client.get_client(None, write=True)
    reader = client.get_client(None)  # reads go to the other servers
    assert writer is not reader
    assert client.get_client(None) is reader


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the CI's second pass)"
)
def test_the_shared_client_serves_threads_at_once() -> None:
    cache = _cache(os.environ["REDIS_URL"])
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for round_ in range(50):
                cache.set(f"reuse-{number}-{round_}", (number, round_), 30)
                assert cache.get(f"reuse-{number}-{round_}") == (number, round_)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.delete_many([f"reuse-{n}-{r}" for n in range(8) for r in range(50)])
