"""Publishing: discussion events and article reactions, to the back-end and, when
Pushpin holds the streams, to every Pushpin.

A back-end in the site's database records a discussion event inside the action's
transaction (discussion.events.subscribe_in_transaction: the outbox commits with the
change); the others publish after the commit (discussion.events.subscribe). Pushpin is
always told after the commit: a reader it tells fetches what the event names.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from functools import partial

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
    outbox; backends/database.py), and only Pushpin is told after the commit."""
    if not conf.enabled():
        return
    backend = get_backend()
    if not backend.records_in_transaction:
        return
    for outgoing in wire_events_for(event):
        published = [backend.publish(channel, outgoing.event) for channel in outgoing.channels]
        if conf.engine() == "pushpin":
            transaction.on_commit(partial(_to_pushpin, published))


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
    if conf.engine() == "pushpin":
        _to_pushpin(published)
    return published


def _to_pushpin(published: list[WireEvent]) -> None:
    for event in published:
        publish_to_pushpin(event)


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


def publish_to_pushpin(event: WireEvent) -> None:
    """Hand one event to every Pushpin (GRIP publish API, "http-stream" format): they
    write it to each stream held on its channel."""
    body = json.dumps(
        {
            "items": [
                {
                    "channel": event.channel,
                    "id": event.id,
                    "formats": {"http-stream": {"content": event.frame()}},
                }
            ]
        }
    ).encode()
    for url in conf.pushpin_publish_urls():
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS: not an http(s) URL: {url!r}")
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked above
                request, timeout=2
            ) as response:
                response.read()
        except OSError:
            # Readers of that Pushpin resume from the history when they reconnect.
            logger.exception("Publishing %s to Pushpin at %s failed", event.id, url)
