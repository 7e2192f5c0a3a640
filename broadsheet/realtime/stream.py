"""One reader's stream of one thread: which channels, from where, and the bytes.

A reader resumes with ``after=<channel>:<seq>,…`` (what live.js remembers), or the
browser's own ``Last-Event-ID: <channel>:<seq>``, or ``since=<Unix time>`` (when the
page they read was rendered: a page from the anonymous cache still resumes from the
moment it was made). Channels with none of these start from now.
"""

from __future__ import annotations

import base64
import queue
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from broadsheet.discussion.identity import actor_from_request
from broadsheet.discussion.models import Thread
from broadsheet.realtime import channels, conf
from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.hub import Subscription
from broadsheet.realtime.publishing import publish_to_nchan_now
from broadsheet.realtime.wire import (
    WireEvent,
    hello_frame,
    keepalive_frame,
    refetch_frame,
    refetch_payload,
)

MAX_CURSORS = 8
# Nchan's own message id ("<Unix time>:<tags>"), which a browser that reconnects by
# itself sends as Last-Event-ID when Nchan held its stream.
NCHAN_MESSAGE_ID = re.compile(r"(\d{9,11}):[-\d,\[\]]+")
# nginx's internal Nchan subscriber location (deploy/nginx/snippets/broadsheet-live.conf).
NCHAN_SUBSCRIBER = "/_live/sub/"
# Events of one channel that may be published between our reading the history and
# nginx's subscribing (milliseconds): Nchan's buffer must hold them too.
NCHAN_RACE_ALLOWANCE = 5


@dataclass
class Cursor:
    after: dict[str, int] = field(default_factory=dict)
    since: float | None = None


def parse_cursor(params: Mapping[str, str], last_event_id: str = "") -> Cursor:
    """Read after=/since= and Last-Event-ID; anything malformed is ignored (the reader
    then starts from now or refetches, and loses nothing else)."""
    cursor = Cursor()
    parts = [p for p in params.get("after", "").split(",") if p][:MAX_CURSORS]
    if nchan_id := NCHAN_MESSAGE_ID.fullmatch(last_event_id.strip()):
        # Nchan held the stream and the browser reconnected by itself: it has everything
        # of every channel up to that time, later than the after= of its URL.
        cursor.since = int(nchan_id.group(1)) - conf.clock_margin()
        return cursor
    if last_event_id:
        parts.append(last_event_id)
    for part in parts:
        channel, _, seq = part.strip().rpartition(":")
        if channel and seq.isdigit() and len(channel) <= 120:
            cursor.after[channel] = max(int(seq), cursor.after.get(channel, 0))
    try:
        since = float(params.get("since", ""))
    except ValueError:
        since = None
    if since is not None and 0 < since < 1e11:
        cursor.since = since - conf.clock_margin()
    return cursor


def is_live(thread_id: int) -> bool:
    """On site-wide, and the thread exists and has had a comment (or was opened) within
    BROADSHEET_LIVE_IDLE_DAYS."""
    if not conf.enabled():
        return False
    row = Thread.objects.filter(pk=thread_id).values_list("last_comment_at", "created_at").first()
    if row is None:
        return False
    last_activity = row[0] or row[1]
    return last_activity >= timezone.now() - timedelta(days=conf.idle_days())


def thread_is_live(thread: Thread) -> bool:
    """The same test for a thread already loaded (no query)."""
    if not conf.enabled():
        return False
    last_activity = thread.last_comment_at or thread.created_at
    return last_activity >= timezone.now() - timedelta(days=conf.idle_days())


def channels_for_request(request: HttpRequest, thread_id: int) -> list[str]:
    actor = actor_from_request(request)
    listener = channels.Listener(
        user_id=actor.user_id, reader_hash=actor.reader_hash, can_moderate=actor.can_moderate
    )
    return channels.channels_for(thread_id, listener)


def missed_events(names: list[str], cursor: Cursor) -> list[WireEvent] | None:
    """What a reader missed, in order per channel; None when they must refetch."""
    backend = get_backend()
    missed: list[WireEvent] = []
    for channel in names:
        events = backend.replay(channel, after=cursor.after.get(channel), since=cursor.since)
        if events is None:
            return None
        missed.extend(events)
    return missed


def backlog(thread_id: int, missed: list[WireEvent] | None) -> str:
    """The frames of what was missed, or one refetch frame."""
    if missed is None:
        return refetch_frame(thread_id)
    return "".join(event.frame() for event in missed)


def grip_headers(thread_id: int, names: list[str]) -> dict[str, str]:
    """Pushpin holds the response open, subscribes it to these channels and sends our
    keep-alive event after every quiet interval (GRIP)."""
    # Base64, so the JSON's commas and quotes need no quoting inside the header.
    content = base64.b64encode(keepalive_frame(thread_id).encode()).decode()
    return {
        "Grip-Hold": "stream",
        "Grip-Channel": ", ".join(names),
        "Grip-Keep-Alive": f"{content}; format=base64; timeout={max(1, round(conf.keepalive()))}",
    }


def nchan_location(thread_id: int, names: list[str], cursor: Cursor) -> str | None:
    """Where nginx sends a new stream (`X-Accel-Redirect`): Nchan's internal subscriber
    location with the reader's channels. Nchan replays each channel's whole (short)
    buffer, which covers what the reader missed when our history says it is recent and
    small; a larger or older gap gets one refetch event, published to a channel of this
    stream alone. None when that publish failed."""
    missed = missed_events(names, cursor)
    channel_ids = list(names)
    if not nchan_replays(missed):
        own = f"x{secrets.token_hex(16)}"  # unguessable, and named only to nginx
        if not publish_to_nchan_now(own, refetch_payload(thread_id), "refetch"):
            return None
        channel_ids.append(own)
    return NCHAN_SUBSCRIBER + ",".join(channel_ids)


def nchan_replays(missed: list[WireEvent] | None) -> bool:
    """Whether Nchan's buffer still holds every missed event: no older than its message
    timeout, no more of a channel than its length less what may be published while nginx
    subscribes (the clock margin covers Nchan's clock against ours)."""
    if missed is None:
        return False
    oldest = time.time() - conf.nchan_replay_seconds() + conf.clock_margin()
    if any(event.at < oldest for event in missed):
        return False
    per_channel = Counter(event.channel for event in missed)
    return all(
        count <= conf.nchan_replay_events() - NCHAN_RACE_ALLOWANCE for count in per_channel.values()
    )


def event_stream(
    thread_id: int, names: list[str], cursor: Cursor, subscription: Subscription
) -> Iterator[str]:
    """The embedded engine, for one reader (subscribed first, so nothing published while
    the backlog is read is lost): the backlog, then live events, none twice; a keep-alive
    event after every quiet interval. Runs in the server thread that holds the stream."""
    try:
        yield hello_frame(thread_id, conf.keepalive())  # headers and a first event at once
        missed = missed_events(names, cursor)
        if not connection.in_atomic_block:  # (a test's transaction keeps it)
            # The stream holds no database connection while it waits.
            connection.close()
        sent = dict(cursor.after)
        for old in missed or ():
            sent[old.channel] = max(sent.get(old.channel, 0), old.seq)
        if missed != []:
            yield backlog(thread_id, missed)
        deadline = time.monotonic() + conf.stream_seconds()
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                event = subscription.queue.get(timeout=min(conf.keepalive(), remaining))
            except queue.Empty:
                yield keepalive_frame(thread_id)
                continue
            if event is None:
                return  # fell too far behind: the reader reconnects and resumes
            if event.seq <= sent.get(event.channel, 0):
                continue
            sent[event.channel] = event.seq
            yield event.frame()
    finally:
        subscription.close()
