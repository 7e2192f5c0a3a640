"""Channel names and who listens to which.

Every channel belongs to one thread, so a stream subscribes to at most three: the
thread's public channel, its moderators' channel (moderators only) and the reader's own
channel (their held comments). Channels are chosen by the server from the reader's
session or reader cookie, never named by the client: a stranger cannot ask for another
reader's channel.
"""

from __future__ import annotations

from dataclasses import dataclass


def public(thread_id: int) -> str:
    return f"t{thread_id}"


def moderators(thread_id: int) -> str:
    return f"t{thread_id}.mod"


def own(thread_id: int, *, user_id: int | None = None, reader_hash: str = "") -> str | None:
    """The channel of one reader on one thread: by account, else by the keyed hash of the
    guest's reader cookie; None for a reader we cannot recognise."""
    if user_id is not None:
        return f"t{thread_id}.u{user_id}"
    if reader_hash:
        return f"t{thread_id}.g{reader_hash}"
    return None


@dataclass(frozen=True)
class Listener:
    """Who is reading a thread's stream, as far as channels are concerned."""

    user_id: int | None = None
    reader_hash: str = ""
    can_moderate: bool = False


def channels_for(thread_id: int, listener: Listener) -> list[str]:
    names = [public(thread_id)]
    if listener.can_moderate:
        names.append(moderators(thread_id))
    mine = own(thread_id, user_id=listener.user_id, reader_hash=listener.reader_hash)
    if mine:
        names.append(mine)
    return names
