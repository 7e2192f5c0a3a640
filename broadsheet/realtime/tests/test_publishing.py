"""Publishing to an engine never holds the request that made the change: a Pushpin that
accepts the connection and does not answer (overloaded, or half gone) delays nobody, the
event still reaches it when it answers, and one that is gone is logged, naming the
events, never dropped silently (Nchan as well)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_user, post
from broadsheet.realtime import publishing

pytestmark = pytest.mark.django_db

PORTS = range(9690, 9700)  # this work's range; tests take free ports from it


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class SilentPushpin:
    """A real socket that accepts publishes and answers none until told to."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", free_port()))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/publish/"
        self.answer = threading.Event()
        self.received = threading.Event()
        self.bodies: list[bytes] = []
        self.answered = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(next(line for line in head.split(b"\r\n") if b"ength:" in line).split()[1])
            while len(body) < length:
                body += connection.recv(65536)
            self.bodies.append(body)
            self.received.set()
            if self.answer.wait(30):
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nPublished")
                self.answered += 1

    def close(self) -> None:
        self.answer.set()
        self.server.close()


@pytest.fixture
def silent_pushpin(settings: Any) -> Iterator[SilentPushpin]:
    pushpin = SilentPushpin()
    settings.BROADSHEET_LIVE_ENGINE = "pushpin"
    settings.BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS = [pushpin.url]
    yield pushpin
    pushpin.close()


def test_a_vote_returns_while_pushpin_has_not_answered_and_the_event_still_arrives(
    client: Client,
    thread: Thread,
    silent_pushpin: SilentPushpin,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    comment = post(thread, guest(), "Worth a vote.")
    client.force_login(make_user("rosa"))
    with django_capture_on_commit_callbacks(execute=True):  # commit, then publish
        response = client.post(f"/discussion/c/{comment.pk}/vote/", {"value": "up"})
    assert response.status_code in (200, 302)
    # The request is over; Pushpin has the publish and has not answered it.
    assert silent_pushpin.received.wait(10) and silent_pushpin.answered == 0

    silent_pushpin.answer.set()
    assert publishing.pushpin_publisher(silent_pushpin.url).drain(10)
    assert silent_pushpin.answered >= 1
    assert f'"t{thread.pk}:' in silent_pushpin.bodies[-1].decode()  # the score event
    assert "comment.score" in silent_pushpin.bodies[-1].decode()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_pushpin_that_is_gone_is_logged_with_the_events_it_missed(
    thread: Thread,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/publish/"  # nothing listens there
    settings.BROADSHEET_LIVE_ENGINE = "pushpin"
    settings.BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS = [url]
    with caplog.at_level(logging.ERROR, logger="broadsheet.realtime.publishing"):
        with django_capture_on_commit_callbacks(execute=True):
            post(thread, guest(), "Nobody hears this through Pushpin.")
        assert publishing.pushpin_publisher(url).drain(10)
    (record,) = [r for r in caplog.records if url in r.getMessage()]
    assert f"t{thread.pk}:1" in record.getMessage()


def test_a_publish_url_that_is_not_http_is_refused_where_it_is_configured() -> None:
    with pytest.raises(ValueError, match="not an http"):
        publishing.pushpin_publisher("file:///etc/passwd")


def test_an_nchan_that_is_gone_is_logged_with_the_events_it_missed(
    thread: Thread,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/_live/pub/"  # nothing listens there
    settings.BROADSHEET_LIVE_ENGINE = "nchan"
    settings.BROADSHEET_LIVE_NCHAN_PUBLISH_URLS = [url]
    with caplog.at_level(logging.ERROR, logger="broadsheet.realtime.publishing"):
        with django_capture_on_commit_callbacks(execute=True):
            post(thread, guest(), "Nobody hears this through Nchan.")
        assert publishing.nchan_publisher(url).drain(10)
    (record,) = [r for r in caplog.records if url in r.getMessage()]
    assert f"t{thread.pk}:1" in record.getMessage() and "Nchan" in record.getMessage()
