"""Publishing: discussion events (heard after commit) and article reactions, to the
back-end and, when Pushpin holds the streams, to every Pushpin."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.db import transaction

from broadsheet.discussion.events import DiscussionEvent
from broadsheet.discussion.models import Thread
from broadsheet.realtime import conf
from broadsheet.realtime.backends import get_backend
from broadsheet.realtime.mapping import Outgoing, article_reactions, wire_events_for
from broadsheet.realtime.wire import WireEvent

logger = logging.getLogger(__name__)


def on_discussion_event(event: DiscussionEvent) -> None:
    """The discussion listener (events are published after commit)."""
    if not conf.enabled():
        return
    for outgoing in wire_events_for(event):
        send(outgoing)


def send(outgoing: Outgoing) -> list[WireEvent]:
    backend = get_backend()
    published = [backend.publish(channel, outgoing.event) for channel in outgoing.channels]
    if conf.engine() == "pushpin":
        for event in published:
            publish_to_pushpin(event)
    return published


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
