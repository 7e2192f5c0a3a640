"""Live updates in the production set-up: Pushpin with deploy/pushpin/pushpin.conf in
front of the app under granian, the app publishing to it after commit. A reader's
stream, held by Pushpin, receives a new comment, resumes with what it missed, never
receives a held comment's events, and hears our keepalive event when quiet."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from broadsheet.discussion import actions
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_thread, make_user, member, post
from broadsheet.realtime import backends
from tests import servers

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@dataclass
class Stack:
    pushpin_port: int


@pytest.fixture
def stack(tmp_path: Path, settings: Any) -> Iterator[Stack]:
    app, proxy, *internal = servers.free_ports(6)
    run_dir = tmp_path / "pushpin"
    run_dir.mkdir()
    (tmp_path / "app").mkdir()
    with (
        servers.site(
            tmp_path / "app", app, BROADSHEET_LIVE_ENGINE="pushpin", BROADSHEET_LIVE_KEEPALIVE="1"
        ),
        servers.pushpin(run_dir, app, proxy, internal) as publish_url,
    ):
        # This test process publishes as the app's processes do.
        settings.BROADSHEET_LIVE_BACKEND = servers.live_backend()
        settings.BROADSHEET_LIVE_ENGINE = "pushpin"
        settings.BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS = [publish_url]
        backends._backends.clear()
        yield Stack(pushpin_port=proxy)
    backends._backends.clear()


class Reader:
    """One SSE connection through Pushpin, read message by message."""

    def __init__(self, port: int, path: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self, keepalives: bool = False) -> dict[str, Any]:
        """The next message with data (keep-alives skipped unless asked for)."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line == "" and "data" in fields:
                message = {**json.loads(fields["data"]), "id": fields.get("id")}
                if keepalives or message["type"] != "keepalive":
                    return message
                fields = {}
            if ": " in line and not line.startswith(":"):
                name, value = line.split(": ", 1)
                fields[name] = value

    def close(self) -> None:
        self.connection.close()


def test_pushpin_holds_the_stream_and_the_app_publishes_to_it(stack: Stack, settings: Any) -> None:
    thread: Thread = make_thread()
    path = f"/live/t/{thread.pk}/"
    reader = Reader(stack.pushpin_port, path)
    assert reader.next()["type"] == "hello"

    first = post(thread, guest("layla"), "Through Pushpin.", name="Layla")
    message = reader.next()
    assert message["type"] == "comment.posted" and message["data"]["comment_id"] == first.pk
    assert message["id"] == f"t{thread.pk}:1"

    # A held comment's events go to its author and the moderators only.
    settings.BROADSHEET_MODERATION_MODE = "all"
    rosa = member(make_user("rosa"))
    held = post(thread, rosa, "Held for a moderator.")
    actions.do_edit_comment(comment=held, actor=rosa, body="Held, edited.")
    actions.do_cast_vote(comment=first, actor=rosa, value=1)
    message = reader.next()
    assert message["type"] == "comment.score"  # the held edit never came
    reader.close()

    # Resuming: what was missed comes in Pushpin's first response from the app.
    again = Reader(stack.pushpin_port, f"{path}?after=t{thread.pk}:0")
    assert [again.next()["type"] for _ in range(3)] == ["hello", "comment.posted", "comment.score"]
    # Quiet: Pushpin sends our keepalive event (Grip-Keep-Alive), which live.js can see.
    keepalive = again.next(keepalives=True)
    assert keepalive == {"v": 1, "type": "keepalive", "thread": thread.pk, "data": {}, "id": None}
    again.close()
