"""Live updates in the production set-up: nginx with Nchan and deploy/nginx/snippets/ in
front of the app under granian, the app publishing to Nchan's publisher location after
commit. A reader's stream, held by Nchan after the app chose its channels, receives new
events in our wire format, never a held comment's events when it is a stranger's,
resumes without a gap (or gets one refetch), and hears our keepalive event when quiet."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from broadsheet.discussion import actions
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_thread, make_user, member, post
from broadsheet.realtime import backends, publishing
from broadsheet.realtime.wire import schema_errors
from tests import servers

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

KEEPALIVE = 1  # seconds, in nginx and the app alike


@dataclass
class Stack:
    port: int
    publish_url: str


@pytest.fixture
def stack(tmp_path: Path, settings: Any) -> Iterator[Stack]:
    servers.require_nchan()
    app, port, publish = servers.free_ports(3)
    publish_url = f"http://127.0.0.1:{publish}/_live/pub/"
    (tmp_path / "nginx").mkdir()
    (tmp_path / "app").mkdir()
    with (
        servers.site(
            tmp_path / "app",
            app,
            BROADSHEET_LIVE_ENGINE="nchan",
            BROADSHEET_LIVE_NCHAN_URLS=publish_url,
            BROADSHEET_LIVE_KEEPALIVE=str(KEEPALIVE),
        ),
        servers.nchan(tmp_path / "nginx", app, port, publish, KEEPALIVE),
    ):
        # This test process publishes as the app's processes do.
        settings.BROADSHEET_LIVE_BACKEND = servers.live_backend()
        settings.BROADSHEET_LIVE_ENGINE = "nchan"
        settings.BROADSHEET_LIVE_NCHAN_PUBLISH_URLS = [publish_url]
        backends._backends.clear()
        yield Stack(port=port, publish_url=publish_url)
    backends._backends.clear()


class Reader:
    """One SSE connection through nginx, read message by message; like live.js it skips
    an event whose sequence number is not newer than its cursor for that channel."""

    def __init__(self, port: int, path: str, **headers: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream", **headers})
        self.response = self.connection.getresponse()
        # What the reader already has, as live.js remembers it (and sends as after=).
        after = path.partition("after=")[2].split("&")[0]
        self.cursor = {
            ch: int(seq) for ch, _, seq in (p.rpartition(":") for p in after.split(",") if p)
        }
        self.skipped = 0

    def next(self, keepalives: bool = False) -> dict[str, Any]:
        """The next new message (keep-alives skipped unless asked for), with its SSE
        `id` and `event` lines."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode()
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if line == "" and "data" in fields:
                message = {
                    **json.loads(fields["data"]),
                    **{"sse_" + k: fields.get(k) for k in ("id", "event")},
                }
                fields = {}
                if message["type"] == "keepalive" and not keepalives:
                    continue
                if "seq" in message:
                    if message["seq"] <= self.cursor.get(message["ch"], 0):
                        self.skipped += 1
                        continue
                    self.cursor[message["ch"]] = message["seq"]
                return message
            if line.startswith(":"):
                continue  # a comment (Nchan opens with ": hi")
            if ": " in line:
                name, value = line.split(": ", 1)
                fields[name] = value

    def close(self) -> None:
        self.connection.close()


def _published(stack: Stack) -> None:
    """Wait until this process's publisher thread has handed everything to Nchan."""
    assert publishing.nchan_publisher(stack.publish_url).drain(10)


def test_nchan_holds_the_stream_in_our_wire_format_and_strangers_never_hear_held_comments(
    stack: Stack, settings: Any
) -> None:
    thread: Thread = make_thread()
    path = f"/live/t/{thread.pk}/"
    reader = Reader(stack.port, path)
    assert reader.response.status == 200
    assert reader.response.getheader("Content-Type").startswith("text/event-stream")

    first = post(thread, guest("layla"), "Through Nchan.", name="Layla")
    message = reader.next()
    assert message["type"] == "comment.posted" and message["data"]["comment_id"] == first.pk
    assert message["sse_event"] == "comment.posted"
    assert (message["ch"], message["seq"]) == (f"t{thread.pk}", 1)
    assert schema_errors(message) == []
    assert message["sse_id"]  # Nchan's own message id; our cursor is ch and seq

    # A held comment's events go to its author and the moderators only.
    settings.BROADSHEET_MODERATION_MODE = "all"
    rosa = member(make_user("rosa"))
    held = post(thread, rosa, "Held for a moderator.")
    actions.do_edit_comment(comment=held, actor=rosa, body="Held, edited.")
    actions.do_cast_vote(comment=first, actor=rosa, value=1)
    message = reader.next()
    assert message["type"] == "comment.score"  # the held comment and its edit never came
    assert schema_errors(message) == []
    reader.close()

    # The same from the start of Nchan's buffer: still nothing of the held comment.
    again = Reader(stack.port, f"{path}?after=t{thread.pk}:0")
    assert [again.next()["type"] for _ in range(2)] == ["comment.posted", "comment.score"]
    again.close()


def test_nchan_locations_are_not_the_readers_to_choose(stack: Stack) -> None:
    thread: Thread = make_thread()
    # The subscriber location is internal: only the app's redirect reaches it.
    direct = Reader(stack.port, f"/_live/sub/t{thread.pk},t{thread.pk}.mod?from=1:-")
    assert direct.response.status == 404
    direct.close()
    # Nor a start position of the reader's choosing (Nchan reads one from these headers).
    for header in ("If-None-Match", "If-Modified-Since"):
        chosen = Reader(stack.port, f"/live/t/{thread.pk}/", **{header: "1"})
        assert chosen.response.status == 400
        chosen.close()
    # Another site's page may not read a stream, least of all with the reader's cookies.
    foreign = Reader(stack.port, f"/live/t/{thread.pk}/", Origin="https://elsewhere.example")
    assert foreign.response.status == 403
    assert foreign.response.getheader("Access-Control-Allow-Credentials") is None
    foreign.close()


def test_resuming_through_nchan_without_a_gap(stack: Stack) -> None:
    thread: Thread = make_thread()
    path = f"/live/t/{thread.pk}/"
    reader = Reader(stack.port, path)
    first = post(thread, guest("layla"), "One.", name="Layla")
    assert reader.next()["data"]["comment_id"] == first.pk
    reader.close()

    # Away: three events the reader did not hear.
    missed = [post(thread, guest(f"g{n}"), f"Missed {n}.", name=f"G{n}") for n in range(3)]
    _published(stack)
    time.sleep(settings_margin() + 1)  # older than Nchan's "now": only a replay finds them

    again = Reader(stack.port, f"{path}?after=t{thread.pk}:1")
    got = [again.next() for _ in range(3)]
    assert [m["data"]["comment_id"] for m in got] == [c.pk for c in missed]
    assert [m["seq"] for m in got] == [2, 3, 4]
    later = post(thread, guest("late"), "Live again.", name="Late")
    assert again.next()["data"]["comment_id"] == later.pk
    again.close()

    # The browser's own reconnection sends Nchan's id as Last-Event-ID: it resumes too.
    previous = Reader(stack.port, path, **{"Last-Event-ID": f"{int(time.time()) - 600}:0"})
    assert [previous.next()["seq"] for _ in range(5)] == [1, 2, 3, 4, 5]
    previous.close()


def settings_margin() -> float:
    from broadsheet.realtime import conf

    return conf.clock_margin()


def test_resuming_across_a_gap_the_history_no_longer_holds_sends_one_refetch(
    stack: Stack, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_HISTORY = 2
    thread: Thread = make_thread()
    for n in range(4):
        post(thread, guest(f"g{n}"), f"Comment {n}.", name=f"G{n}")
    _published(stack)

    reader = Reader(stack.port, f"/live/t/{thread.pk}/?after=t{thread.pk}:1")
    seen = [reader.next()]
    while seen[-1]["type"] != "refetch":
        seen.append(reader.next())
    refetch = seen[-1]
    assert refetch == {
        "v": 1,
        "type": "refetch",
        "thread": thread.pk,
        "data": {},
        "sse_id": refetch["sse_id"],
        "sse_event": "refetch",
    }
    # The stream goes on: the reader is told once, and still hears what happens next
    # (and, in any order, the few events of the last seconds that Nchan replays).
    later = post(thread, guest("late"), "After the gap.", name="Late")
    while seen[-1].get("data", {}).get("comment_id") != later.pk:
        seen.append(reader.next())
    assert [m["type"] for m in seen].count("refetch") == 1
    reader.close()


def test_a_quiet_nchan_stream_sends_our_keepalive_event(stack: Stack) -> None:
    thread: Thread = make_thread()
    reader = Reader(stack.port, f"/live/t/{thread.pk}/")
    keepalive = reader.next(keepalives=True)
    assert keepalive["type"] == "keepalive" and keepalive["sse_event"] == "keepalive"
    assert schema_errors(keepalive) == []
    reader.close()
