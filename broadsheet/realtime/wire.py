"""The wire format: what a reader's browser receives, versioned and typed.

Every event is one Server-Sent Event: ``id: <channel>:<seq>``, ``event: <type>`` and
``data:`` one JSON object ``{"v": 1, "type", "thread", "ch", "seq", "at", "data"}``.
Every event describes a state ("this comment's score is now 7"), never a delta, so a
replayed event is harmless: readers may receive one twice and never need it exactly once.
``SCHEMAS`` lists each type's data fields; docs/realtime.md mirrors it and a test keeps
the two in step.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

WIRE_VERSION = 1

# type -> {field: JSON type}. "int|null" means the field may be null.
SCHEMAS: dict[str, dict[str, str]] = {
    "comment.posted": {
        "comment_id": "int",
        "parent_id": "int|null",
        "root_id": "int|null",
        "created_at": "str",
        "fragment": "str",
        "count": "int",
        "held": "bool",
    },
    "comment.edited": {"comment_id": "int", "edited_at": "str", "fragment": "str"},
    "comment.deleted": {"comment_id": "int", "by_moderator": "bool", "count": "int"},
    "comment.hidden": {"comment_id": "int", "count": "int"},
    "comment.approved": {
        "comment_id": "int",
        "parent_id": "int|null",
        "root_id": "int|null",
        "fragment": "str",
        "count": "int",
    },
    "comment.featured": {"comment_id": "int", "featured": "bool", "fragment": "str"},
    "comment.score": {"comment_id": "int", "upvotes": "int", "downvotes": "int", "score": "int"},
    "article.reactions": {"up": "int", "down": "int"},
    "thread.closed": {},
    "thread.reopened": {},
    # Sent by the stream itself, never published. "hello" opens every stream with the
    # server's clock (a reader who reconnects asks for what happened since) and the
    # keep-alive interval; "keepalive" comes after that many quiet seconds (a reader who
    # hears nothing for several intervals knows the stream died silently and reconnects);
    # "refetch": the reader missed more than the history holds and should reload.
    "hello": {"at": "float", "keepalive": "float"},
    "keepalive": {},
    "refetch": {},
}

_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "str": str,
    "bool": bool,
}


@dataclass(frozen=True)
class WireEvent:
    """One event for one channel. ``seq`` is given by the back-end when published."""

    type: str
    thread_id: int
    data: dict[str, Any] = field(default_factory=dict)
    channel: str = ""
    seq: int = 0
    at: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.channel}:{self.seq}"

    def payload(self) -> dict[str, Any]:
        return {
            "v": WIRE_VERSION,
            "type": self.type,
            "thread": self.thread_id,
            "ch": self.channel,
            "seq": self.seq,
            "at": self.at,
            "data": self.data,
        }

    def to_json(self) -> str:
        return json.dumps(self.payload(), separators=(",", ":"), sort_keys=True)

    def frame(self) -> str:
        """The Server-Sent Event, as bytes on the wire (UTF-8)."""
        return f"id: {self.id}\nevent: {self.type}\ndata: {self.to_json()}\n\n"

    def on(self, channel: str, seq: int, at: float | None = None) -> WireEvent:
        return replace(self, channel=channel, seq=seq, at=time.time() if at is None else at)

    @classmethod
    def from_json(cls, text: str) -> WireEvent:
        raw = json.loads(text)
        return cls(
            type=raw["type"],
            thread_id=raw["thread"],
            data=raw["data"],
            channel=raw["ch"],
            seq=raw["seq"],
            at=raw["at"],
        )


def _control_payload(kind: str, thread_id: int, data: dict[str, Any]) -> str:
    return json.dumps(
        {"v": WIRE_VERSION, "type": kind, "thread": thread_id, "data": data},
        separators=(",", ":"),
    )


def _control_frame(kind: str, thread_id: int, data: dict[str, Any]) -> str:
    # No id: the reader's cursor stays where it was.
    return f"event: {kind}\ndata: {_control_payload(kind, thread_id, data)}\n\n"


def refetch_payload(thread_id: int) -> str:
    """The refetch event's data line (Nchan writes the frame around it)."""
    return _control_payload("refetch", thread_id, {})


def refetch_frame(thread_id: int) -> str:
    """What a reader gets instead of a gap."""
    return _control_frame("refetch", thread_id, {})


def hello_frame(thread_id: int, keepalive: float) -> str:
    """The first event of every stream: the server's clock, for the next resume, and the
    keep-alive interval, for the reader's watchdog."""
    return _control_frame("hello", thread_id, {"at": round(time.time(), 3), "keepalive": keepalive})


def keepalive_frame(thread_id: int) -> str:
    """Sent on a quiet stream. An event, not an SSE comment: EventSource hides comments
    from scripts, and live.js must see that the stream is alive."""
    return _control_frame("keepalive", thread_id, {})


def schema_errors(payload: dict[str, Any]) -> list[str]:
    """What is wrong with a decoded event, against its type's schema (empty when valid)."""
    errors = []
    if payload.get("v") != WIRE_VERSION:
        errors.append(f"v is {payload.get('v')!r}")
    schema = SCHEMAS.get(payload.get("type", ""))
    if schema is None:
        return [*errors, f"unknown type {payload.get('type')!r}"]
    data = payload.get("data", {})
    if set(data) != set(schema):
        errors.append(f"fields {sorted(data)} != {sorted(schema)}")
    for name, kind in schema.items():
        value = data.get(name)
        if value is None and kind.endswith("|null"):
            continue
        expected = _JSON_TYPES[kind.split("|")[0]]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            errors.append(f"{name} is {value!r}, not {kind}")
    return errors
