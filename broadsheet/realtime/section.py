"""What a discussion section needs to go live (named by BROADSHEET_DISCUSSION_LIVE)."""

from __future__ import annotations

import time

from django.urls import reverse

from broadsheet.discussion.models import Thread
from broadsheet.realtime.stream import thread_is_live


def live_attributes(thread: Thread) -> dict[str, str]:
    """The stream URL (the same for every reader: the page may be cached) and when this
    page was rendered, so the reader's stream replays whatever happened since."""
    if not thread_is_live(thread):
        return {}
    return {
        "url": reverse("realtime:stream", args=[thread.pk]),
        "since": f"{time.time():.3f}",
    }
