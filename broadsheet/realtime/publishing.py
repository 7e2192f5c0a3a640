"""Publishing: discussion events and article reactions, to the back-end and, when
Nchan or Pushpin holds the streams, to that engine (from a thread of its own, never
holding the request that made the change).

A back-end in the site's database records a discussion event inside the action's
transaction (discussion.events.subscribe_in_transaction: the outbox commits with the
change); the others publish after the commit (discussion.events.subscribe). The engine
is always told after the commit: a reader it tells fetches what the event names.
"""

from __future__ import annotations

import atexit
import http.client
import json
import logging
import os
import queue
import threading
import time
import urllib.request
from functools import partial
from urllib.parse import quote, urlsplit

from django.db import transaction

from broadsheet.discussion.events import DiscussionEvent
from broadsheet.discussion.models import Thread
from broadsheet.realtime import conf
from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.mapping import Outgoing, article_reactions, wire_events_for
from broadsheet.realtime.wire import WireEvent

logger = logging.getLogger(__name__)


def record_discussion_event(event: DiscussionEvent) -> None:
    """The discussion recorder, inside the action's transaction: with a back-end that keeps
    its history in the site's database, the wire events are written with the change (an
    outbox; backends/database.py), and only the engine is told after the commit."""
    if not conf.enabled():
        return
    backend = get_backend()
    if not backend.records_in_transaction:
        return
    for outgoing in wire_events_for(event):
        published = [backend.publish(channel, outgoing.event) for channel in outgoing.channels]
        if conf.engine() in ENGINES:
            transaction.on_commit(partial(to_engine, published))


def on_discussion_event(event: DiscussionEvent) -> None:
    """The discussion listener, after commit: back-ends outside the site's database
    (memory, Redis) publish here."""
    if not conf.enabled() or get_backend().records_in_transaction:
        return
    for outgoing in wire_events_for(event):
        send(outgoing)


def send(outgoing: Outgoing) -> list[WireEvent]:
    backend = get_backend()
    published = [backend.publish(channel, outgoing.event) for channel in outgoing.channels]
    if conf.engine() in ENGINES:
        to_engine(published)
    return published


def to_engine(published: list[WireEvent]) -> None:
    """Hand events to the engine that holds the streams, without waiting: a publisher
    thread per engine URL posts them (requests of readers never wait for an engine)."""
    publisher = ENGINES[conf.engine()]
    urls = conf.nchan_publish_urls() if publisher is NchanPublisher else conf.pushpin_publish_urls()
    for url in urls:
        engine_publisher(publisher, url).put_all(published)


def publish_reactions(*, thread_key: str, up: int, down: int) -> None:
    """An article's reaction tally changed: tell its discussion's readers, after commit."""
    if not conf.enabled():
        return

    def after_commit() -> None:
        thread_id = Thread.objects.filter(key=thread_key).values_list("pk", flat=True).first()
        if thread_id is not None:
            for outgoing in article_reactions(thread_id=thread_id, up=up, down=down):
                send(outgoing)

    transaction.on_commit(after_commit)


def grip_items(events: list[WireEvent]) -> bytes:
    """The GRIP publish body ("http-stream" format): Pushpin writes each item to every
    stream held on its channel."""
    items = [
        {
            "channel": event.channel,
            "id": event.id,
            "formats": {"http-stream": {"content": event.frame()}},
        }
        for event in events
    ]
    return json.dumps({"items": items}).encode()


def check_publish_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"BROADSHEET_LIVE_*_PUBLISH_URLS: not an http(s) URL: {url!r}")


def post_to_pushpin(url: str, body: bytes, timeout: float) -> None:
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked on creation
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked on creation
        request, timeout=timeout
    ) as response:
        response.read()


class EnginePublisher:
    """A thread (per process and engine URL) that posts events to one engine in publish
    order, so the request or task that made a change never waits for the engine, and an
    engine that is slow or gone delays no other. Events waiting together go out together
    (`BATCH` at most). A failed post is tried again (`ATTEMPTS` in all, `TIMEOUT` seconds
    each), then its events are logged as not delivered there: that engine's readers get
    them from the history when they reconnect (live.js does when the keep-alive stops).
    The queue is bounded: past `QUEUE_SIZE` waiting events a new one is logged and
    dropped, never held without end. At exit the queue is drained for up to
    `DRAIN_SECONDS`."""

    NAME = "engine"
    QUEUE_SIZE = 10_000
    BATCH = 100
    TIMEOUT = 2.0
    ATTEMPTS = 2
    DRAIN_SECONDS = 5.0

    def __init__(self, url: str) -> None:
        check_publish_url(url)  # a mistake in the settings shows where it is made
        self.url = url
        self.queue: queue.Queue[WireEvent] = queue.Queue(self.QUEUE_SIZE)
        self.thread = threading.Thread(
            target=self._run, name=f"live-{self.NAME} {url}", daemon=True
        )
        self.thread.start()

    def put(self, event: WireEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            logger.error(
                "%s publisher for %s is %d events behind; %s not published there",
                self.NAME,
                self.url,
                self.QUEUE_SIZE,
                event.id,
            )

    def put_all(self, events: list[WireEvent]) -> None:
        for event in events:
            self.put(event)

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._publish(batch)
            finally:
                for _ in batch:
                    self.queue.task_done()

    def _publish(self, events: list[WireEvent]) -> None:
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                events = self._post(events)
                if not events:
                    return
                error: Exception | str = "refused"
            except (OSError, http.client.HTTPException) as failure:
                error = failure
            if attempt == self.ATTEMPTS:
                logger.error(
                    "Publishing %s to %s at %s failed (%s); its readers get them "
                    "from the history when they reconnect",
                    ", ".join(event.id for event in events),
                    self.NAME,
                    self.url,
                    error,
                )

    def _post(self, events: list[WireEvent]) -> list[WireEvent]:
        """Post `events`; return those still to be posted (raise if the engine is gone)."""
        raise NotImplementedError

    def drain(self, seconds: float) -> bool:
        """Wait until every queued event was tried, or `seconds` passed; True if done."""
        deadline = time.monotonic() + seconds
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


class PushpinPublisher(EnginePublisher):
    """Posts to Pushpin's publish API: the events waiting together in one request."""

    NAME = "Pushpin"

    def _post(self, events: list[WireEvent]) -> list[WireEvent]:
        post_to_pushpin(self.url, grip_items(events), self.TIMEOUT)
        return []


class NchanPublisher(EnginePublisher):
    """Posts to Nchan's publisher location (`<url><channel>`), one message per event (Nchan
    takes one message a request) over one kept-alive connection. The message is the
    event's JSON and its `X-EventSource-Event` header the type, so Nchan writes the same
    `event:` and `data:` lines as the other engines (its `id:` line is its own)."""

    NAME = "Nchan"

    def __init__(self, url: str) -> None:
        self.connection: http.client.HTTPConnection | None = None
        parts = urlsplit(url)
        self.secure, self.netloc, self.path = parts.scheme == "https", parts.netloc, parts.path
        super().__init__(url)  # starts the thread: everything it reads is set

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            kind = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
            self.connection = kind(self.netloc, timeout=self.TIMEOUT)
        return self.connection

    def _post(self, events: list[WireEvent]) -> list[WireEvent]:
        for done, event in enumerate(events):
            try:
                status = post_to_nchan(self._connect(), self.path, event)
            except (OSError, http.client.HTTPException):
                # A kept-alive connection the server closed, or a server gone: a new
                # connection for the next attempt.
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                raise
            if not 200 <= status < 300:
                logger.error("Nchan at %s answered %d to %s", self.url, status, event.id)
                return events[done:]
        return []


def post_to_nchan(connection: http.client.HTTPConnection, path: str, event: WireEvent) -> int:
    headers = {"Content-Type": "application/json", "X-EventSource-Event": event.type}
    target = path + quote(event.channel, safe="")
    connection.request("POST", target, body=event.to_json().encode(), headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def publish_to_nchan_now(channel: str, body: str, event_type: str) -> bool:
    """Publish one message to a channel of Nchan and wait for it (a stream's own control
    channel: the stream's request waits for it, at most `TIMEOUT` seconds per URL). True
    when every Nchan took it."""
    urls = conf.nchan_publish_urls()
    for url in urls:
        check_publish_url(url)
        parts = urlsplit(url)
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.netloc, timeout=EnginePublisher.TIMEOUT)
        headers = {"Content-Type": "application/json", "X-EventSource-Event": event_type}
        try:
            connection.request(
                "POST", parts.path + quote(channel, safe=""), body=body.encode(), headers=headers
            )
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                logger.error("Nchan at %s answered %d to %s", url, response.status, channel)
                return False
        except (OSError, http.client.HTTPException) as error:
            logger.error("Nchan at %s could not be reached (%s)", url, error)
            return False
        finally:
            connection.close()
    return bool(urls)


ENGINES: dict[str, type[EnginePublisher]] = {"nchan": NchanPublisher, "pushpin": PushpinPublisher}

_publishers: dict[tuple[int, str, str], EnginePublisher] = {}
_publishers_lock = threading.Lock()


def engine_publisher(kind: type[EnginePublisher], url: str) -> EnginePublisher:
    """This process's publisher for `url` (a forked worker starts its own thread)."""
    key = (os.getpid(), kind.NAME, url)
    with _publishers_lock:
        publisher = _publishers.get(key)
        if publisher is None:
            publisher = _publishers[key] = kind(url)
        return publisher


def pushpin_publisher(url: str) -> EnginePublisher:
    return engine_publisher(PushpinPublisher, url)


def nchan_publisher(url: str) -> EnginePublisher:
    return engine_publisher(NchanPublisher, url)


@atexit.register
def drain_engine_publishers() -> None:
    """Events still waiting when the process ends are posted first (or logged)."""
    for (pid, name, url), publisher in list(_publishers.items()):
        if pid == os.getpid() and not publisher.drain(publisher.DRAIN_SECONDS):
            logger.error(
                "%d events not published to %s at %s at exit",
                publisher.queue.unfinished_tasks,
                name,
                url,
            )
