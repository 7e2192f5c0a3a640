"""The clients of `make bench-live`, each in a process of its own so that its CPU is its
own: the poster (the app's real write path, `do_post_comment`) and the load generators
(Server-Sent Events readers on raw sockets, asyncio).

A load generator talks to bench/live.py over its standard streams: it prints one JSON
line once its readers are connected, takes the line `measure` (start of the measured
window) and the line `stop`, then writes what it received to the file it was given
(marshal) and prints one JSON line of its own costs.
"""

from __future__ import annotations

import asyncio
import json
import marshal
import resource
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

Chunk = tuple[float, bytes]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the poster ---------------------------------------------------------------------------


def poster(thread_ids: list[int], seconds: int, start_at: float) -> None:
    """One comment per second per discussion through `do_post_comment` (commit; then the
    app's publisher thread hands the event to the engine). Prints, per comment id, the
    time taken right after the call returned: after the commit and its on-commit hooks
    (which only queue the event for the publisher thread)."""
    import django

    django.setup()
    from django.conf import settings

    # One guest without an IP posting every second: not a flood to hold.
    settings.BROADSHEET_MODERATION_FLOOD_LIMIT = (10**9, 1)
    settings.BROADSHEET_MODERATION_DUPLICATE_WINDOW = 0
    from broadsheet.discussion.actions import NewComment, do_post_comment
    from broadsheet.discussion.identity import Actor
    from broadsheet.discussion.models import Thread
    from broadsheet.realtime.publishing import drain_engine_publishers

    threads = list(Thread.objects.filter(pk__in=thread_ids))
    published: Counter[str] = Counter()
    committed: dict[int, float] = {}
    late = 0
    time.sleep(max(0, start_at - time.time()))
    began = time.monotonic()
    cpu = _cpu()
    for second in range(seconds):
        for thread in threads:
            actor = Actor(user=None, reader_id=f"bench-{second}", ip_hash="")
            new = NewComment(
                thread=thread,
                body=f"Comment {second}",
                guest_name="Bench",
                guest_email="bench@example.org",
            )
            comment = do_post_comment(actor=actor, new=new)
            committed[comment.pk] = time.time()
            published[f"t{thread.pk}"] += 1
        pause = began + second + 1 - time.monotonic()
        if pause < 0:
            late += 1
        time.sleep(max(0, pause))
    drain_engine_publishers()
    result = {
        "published": dict(published),
        "committed": committed,
        "late_rounds": late,
        "cpu": _cpu() - cpu,
        "elapsed": time.monotonic() - began,
    }
    print(json.dumps(result), flush=True)


def synthetic_poster(
    engine: str, url: str, thread_ids: list[int], seconds: int, start_at: float
) -> None:
    """Engine alone: one event per second per discussion, shaped like ours, posted
    straight to the engine's publish API (no app, no database); its `at` is the post."""
    seqs: Counter[str] = Counter()
    late = 0
    time.sleep(max(0, start_at - time.time()))
    began = time.monotonic()
    cpu = _cpu()
    for second in range(seconds):
        for thread_id in thread_ids:
            channel = f"t{thread_id}"
            seqs[channel] += 1
            event = {"v": 1, "type": "comment.posted", "ch": channel, "seq": seqs[channel]}
            event |= {"at": time.time(), "data": {"comment_id": 0, "count": second}}
            data = json.dumps(event, separators=(",", ":"))
            if engine == "nchan":
                target, body = f"{url}{channel}", data.encode()
                headers = {"Content-Type": "application/json"}
                headers["X-EventSource-Event"] = "comment.posted"
            else:
                frame = f"id: {channel}:{seqs[channel]}\nevent: comment.posted\ndata: {data}\n\n"
                item = {"channel": channel, "formats": {"http-stream": {"content": frame}}}
                target, body = url, json.dumps({"items": [item]}).encode()
                headers = {"Content-Type": "application/json"}
            request = urllib.request.Request(target, data=body, headers=headers, method="POST")
            urllib.request.urlopen(request, timeout=5).read()
        pause = began + second + 1 - time.monotonic()
        if pause < 0:
            late += 1
        time.sleep(max(0, pause))
    result = {
        "published": dict(seqs),
        "committed": {},
        "late_rounds": late,
        "cpu": _cpu() - cpu,
        "elapsed": time.monotonic() - began,
    }
    print(json.dumps(result), flush=True)


# --- the load generator -------------------------------------------------------------------


class StreamReader(asyncio.Protocol):
    """One SSE reader on a raw socket. While it reads it only notes when each chunk
    arrived (one clock read and one list append per chunk): the SSE lines are split and
    decoded after the run, so that 10,000 readers cost the generator as little as can be
    in Python and its event loop is free to take the next socket's data at once."""

    def __init__(self, request: bytes, hello: bool) -> None:
        self.request, self.hello = request, hello
        self.chunks: list[Chunk] = []
        self.head = b""
        loop = asyncio.get_running_loop()
        self.status: asyncio.Future[bytes] = loop.create_future()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.chunks.append((time.time(), data))
        if self.opened.done():
            return
        self.head += data
        if not self.status.done():
            if b"\r\n" not in self.head:
                return
            self.status.set_result(self.head.partition(b"\r\n")[0])
        if b" 200 " not in self.status.result():
            return
        # Nchan sends no first event of ours (its ": hi" comment); Pushpin our hello.
        if not self.hello or b'"type":"hello"' in self.head:
            self.opened.set_result(None)
            self.head = b""

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.status.done():
            self.status.set_result(b"")
        if not self.lost.done():
            self.lost.set_result(None)


async def open_reader(port: int, path: str, hello: bool) -> StreamReader:
    """One SSE reader; like live.js it retries a refused connection after a pause."""
    loop = asyncio.get_running_loop()
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    status = b""
    for attempt in range(8):
        try:
            transport, protocol = await loop.create_connection(
                lambda: StreamReader(request.encode(), hello), "127.0.0.1", port
            )
        except OSError:
            await asyncio.sleep(1 + attempt)
            continue
        status = await protocol.status
        if b" 200 " in status:
            await asyncio.wait_for(protocol.opened, 60)
            return protocol
        transport.close()
        await asyncio.sleep(1 + attempt)
    raise SystemExit(f"{path}: {status.decode(errors='replace').strip()}")


async def lag_probe(lags: list[float], stop: asyncio.Event) -> None:
    """How late this event loop wakes up: the generator's own share of any latency."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(0.1)
        lags.append(time.monotonic() - before - 0.1)


def arrivals(chunks: list[Chunk]) -> list[tuple[str, int, float, float, int]]:
    """(channel, seq, arrival, at, comment id) of each event of ours in one stream; an
    event's arrival is when the chunk that completed its `data:` line came."""
    found = []
    buffer = b""
    for now, data in chunks:
        buffer += data
        if b"\n" not in data:
            continue
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.startswith(b"data: {"):
                payload = json.loads(line[6:])
                if "seq" in payload:
                    comment = payload.get("data", {}).get("comment_id") or 0
                    found.append((payload["ch"], payload["seq"], now, payload["at"], comment))
    return found


async def load_generator(port: int, paths: list[str], hello: bool, ramp: int, out: Path) -> None:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(ramp)
    began = time.monotonic()

    async def one(path: str) -> StreamReader:
        async with gate:
            return await open_reader(port, path, hello)

    readers = await asyncio.gather(*(one(path) for path in paths))
    print(json.dumps({"connected": len(readers), "seconds": time.monotonic() - began}), flush=True)
    line = await loop.run_in_executor(None, sys.stdin.readline)
    assert line.strip() == "measure", line
    for reader in readers:  # what came before the window (Nchan's ": hi") is not counted
        reader.chunks.clear()
    cpu, stop = _cpu(), asyncio.Event()
    lags: list[float] = []
    probe = asyncio.create_task(lag_probe(lags, stop))
    line = await loop.run_in_executor(None, sys.stdin.readline)
    stop.set()
    await probe
    cpu = _cpu() - cpu
    closed = sum(reader.lost.done() for reader in readers)
    for reader in readers:
        reader.transport.close()
    received = [arrivals(reader.chunks) for reader in readers]
    out.write_bytes(marshal.dumps(received))
    print(json.dumps({"cpu": cpu, "lags": lags, "closed": closed}), flush=True)


def run_load_generator(args: Any) -> None:
    paths = Path(args.paths).read_text().split()
    asyncio.run(load_generator(args.port, paths, args.hello, args.ramp, Path(args.out)))
