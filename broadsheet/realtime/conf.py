"""Settings of live updates, each with its default.

Read at call time (``core.settings_read.setting``: "BROADSHEET_LIVE_<NAME>", else its
default); the docstring of each accessor is the documentation copied into
docs/settings.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from broadsheet.core.settings_read import settings_reader

PREFIX = "BROADSHEET_LIVE_"

DEFAULTS: dict[str, Any] = {
    "ENABLED": True,
    "IDLE_DAYS": 14,
    "HISTORY": 200,
    "BACKEND": "",
    "ENGINE": "embedded",
    "PUSHPIN_PUBLISH_URLS": [],
    "NCHAN_PUBLISH_URLS": [],
    "NCHAN_REPLAY_SECONDS": 300,
    "NCHAN_REPLAY_EVENTS": 20,
    "KEEPALIVE": 15,
    "POLL_INTERVAL": 0.5,
    "STREAM_SECONDS": 900,
    "REDIS_PREFIX": "bs:live:",
    "CLOCK_MARGIN": 2.0,
    "MAX_STREAMS": 12,
}


_get = settings_reader(PREFIX, DEFAULTS)


def enabled() -> bool:
    """BROADSHEET_LIVE_ENABLED (default True; environment: `BROADSHEET_LIVE`): the site-wide
    switch. Off, pages carry no live script, nothing is published and streams answer 204."""
    return bool(_get("ENABLED"))


def idle_days() -> int:
    """BROADSHEET_LIVE_IDLE_DAYS (default 14): a discussion without a new comment for this
    many days is idle: its page does not go live and its stream answers 204."""
    return int(_get("IDLE_DAYS"))


def history() -> int:
    """BROADSHEET_LIVE_HISTORY (default 200): events kept per channel so a reader who
    reconnects (`Last-Event-ID` or `after=`) gets what they missed; an older gap gets one
    "refetch" event instead."""
    return max(1, int(_get("HISTORY")))


def backend_name() -> str:
    """BROADSHEET_LIVE_BACKEND (default: chosen from the environment): "redis" when
    REDIS_URL is set, "postgres" (a table + LISTEN/NOTIFY) on PostgreSQL, else "database"
    (a table, polled: SQLite, one machine). "memory" keeps everything in one process
    (tests, a single-process server)."""
    name = str(_get("BACKEND") or "")
    if name:
        return name
    if getattr(settings, "ENV", None) is not None and settings.ENV.redis_url:
        return "redis"
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return "postgres"
    return "database"


def engine() -> str:
    """BROADSHEET_LIVE_ENGINE (default "embedded"; environment: `BROADSHEET_LIVE_ENGINE`):
    who holds the readers' streams. "embedded": the app's own server threads;
    "nchan": nginx's Nchan module holds them (the app answers each new stream with an
    `X-Accel-Redirect` naming the reader's channels) and the app publishes to it
    (BROADSHEET_LIVE_NCHAN_PUBLISH_URLS); "pushpin": a Pushpin proxy in front of the app
    holds them (GRIP) and the app publishes to it (BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS)."""
    return str(_get("ENGINE"))


def nchan_publish_urls() -> list[str]:
    """BROADSHEET_LIVE_NCHAN_PUBLISH_URLS (default none; environment:
    `BROADSHEET_LIVE_NCHAN_URLS`, comma-separated): Nchan's internal publisher location,
    to which the channel's name is appended (e.g. http://127.0.0.1:8090/_live/pub/). Each
    event is posted to every URL: list one when the nginx hosts share their channels
    through Redis (deploy/), one per nginx when they do not."""
    return list(_get("NCHAN_PUBLISH_URLS"))


def nchan_replay_seconds() -> float:
    """BROADSHEET_LIVE_NCHAN_REPLAY_SECONDS (default 300): how long Nchan keeps a message
    (nginx's `nchan_message_timeout`; keep the two equal). Every new stream is replayed
    Nchan's whole buffer; a reader who missed an event older than this gets one "refetch"
    event instead."""
    return float(_get("NCHAN_REPLAY_SECONDS"))


def nchan_replay_events() -> int:
    """BROADSHEET_LIVE_NCHAN_REPLAY_EVENTS (default 20): messages Nchan keeps per channel
    (nginx's `nchan_message_buffer_length`; keep the two equal). A reader who missed more
    of one channel than this, less a few for events published while nginx subscribes,
    gets one "refetch" event instead of a replay."""
    return int(_get("NCHAN_REPLAY_EVENTS"))


def pushpin_publish_urls() -> list[str]:
    """BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS (default none; environment:
    `BROADSHEET_LIVE_PUSHPIN_URLS`, comma-separated): the publish endpoints of every Pushpin
    (e.g. http://127.0.0.1:5561/publish/); each event is posted to all of them."""
    return list(_get("PUSHPIN_PUBLISH_URLS"))


def keepalive() -> float:
    """BROADSHEET_LIVE_KEEPALIVE (seconds, default 15; environment: `BROADSHEET_LIVE_KEEPALIVE`):
    a `keepalive` event sent on a quiet stream, so proxies keep it open and a reader whose
    stream died without closing notices (live.js reconnects after three silent intervals)."""
    return float(_get("KEEPALIVE"))


def poll_interval() -> float:
    """BROADSHEET_LIVE_POLL_INTERVAL (seconds, default 0.5): how often each process reads
    new events from the table with the "database" back-end."""
    return float(_get("POLL_INTERVAL"))


def stream_seconds() -> float:
    """BROADSHEET_LIVE_STREAM_SECONDS (default 900): an embedded stream ends after this long
    and the reader reconnects where it left off (spreads readers over restarted workers)."""
    return float(_get("STREAM_SECONDS"))


def redis_prefix() -> str:
    """BROADSHEET_LIVE_REDIS_PREFIX (default "bs:live:"): prefix of the Redis keys and
    pub/sub channels of the "redis" back-end."""
    return str(_get("REDIS_PREFIX"))


def clock_margin() -> float:
    """BROADSHEET_LIVE_CLOCK_MARGIN (seconds, default 2): a page rendered at time T replays
    events published since T minus this margin (clocks of several hosts differ a little;
    every event is idempotent, so a replay is harmless)."""
    return float(_get("CLOCK_MARGIN"))


def max_streams() -> int:
    """BROADSHEET_LIVE_MAX_STREAMS (default 12): streams one server process holds with the
    embedded engine, each on one of its threads (scripts/serve.sh gives each worker 16);
    past it a stream answers 503 and the reader retries later. Nchan and Pushpin have no
    such limit."""
    return int(_get("MAX_STREAMS"))
