"""The discussions both systems are seeded with: identical, deterministic, in posting order.

Each discussion is a list of comments in the order they are posted. A quarter of them
start a thread (top-level); the rest reply to a comment of an existing thread, at any
depth. Every thread gets 1–5 replies (3 on average), so the first page of 20 threads holds
about 80 comments and Isso's ``nested_limit=5`` shows exactly what Broadsheet shows: the
like-for-like listings carry the same comments. Bodies are 200–800 characters of Markdown
(paragraphs, emphasis, links, quotes, lists).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SIZES = (50, 500, 5000)
MAX_REPLIES_PER_THREAD = 5

_WORDS = tuple(
    " ".join(
        (
            "council budget vote housing river bridge school transport policy report",
            "minister residents evidence figures survey argue agree doubt costs decade",
            "plan local national market energy prices summer winter inquiry court ruling",
            "appeal editor reader article question answer claim source data trend rise",
            "fall growth decline community election campaign promise record history future",
            "change debate concern reason example detail",
        )
    ).split(" ")
)
_NAMES = ("Ada", "Bilal", "Chen", "Dora", "Emeka", "Farah", "Goran", "Hana", "Ivo", "Jun")


@dataclass(frozen=True)
class PlannedComment:
    index: int
    parent: int | None  # index of the comment replied to
    author: str
    email: str
    body: str


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 14))]
    if rng.random() < 0.3:
        at = rng.randrange(len(words))
        words[at] = f"**{words[at]}**" if rng.random() < 0.5 else f"*{words[at]}*"
    if rng.random() < 0.1:
        at = rng.randrange(len(words))
        words[at] = f"[{words[at]}](https://example.org/{words[at]})"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def markdown_body(rng: random.Random) -> str:
    """A Markdown comment of 200 to 800 characters."""
    target = rng.randint(200, 800)
    blocks: list[str] = []
    length = 0
    while length < target:
        kind = rng.random()
        if kind < 0.1 and blocks:
            block = "> " + _sentence(rng)
        elif kind < 0.18 and blocks:
            block = "\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(2, 3)))
        else:
            block = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
        blocks.append(block)
        length = len("\n\n".join(blocks))
    body = "\n\n".join(blocks)
    if len(body) > 800:
        body = body[:799].rstrip() + "…"
    return body


def discussion(size: int, *, seed: int = 2024) -> list[PlannedComment]:
    """`size` comments in posting order; the same list for the same (size, seed)."""
    rng = random.Random(seed * 100_003 + size)
    roots = max(1, round(size / (1 + (MAX_REPLIES_PER_THREAD + 1) / 2)))
    # Replies per thread: 1–5, spread so that the total is exactly size - roots.
    quotas = [1] * roots
    spare = size - 2 * roots
    open_threads = list(range(roots))
    while spare > 0 and open_threads:
        pick = rng.randrange(len(open_threads))
        quotas[open_threads[pick]] += 1
        spare -= 1
        if quotas[open_threads[pick]] == MAX_REPLIES_PER_THREAD:
            open_threads.pop(pick)
    planned: list[PlannedComment] = []
    members: list[list[int]] = []  # comment indexes of each thread
    waiting: list[int] = []  # threads that still expect replies
    root_index = 0
    while len(planned) < size:
        start_thread = root_index < roots and (not waiting or rng.random() < 0.35)
        if start_thread:
            parent = None
            thread = root_index
            members.append([])
            root_index += 1
            if quotas[thread]:
                waiting.append(thread)
        else:
            # Recent threads get most replies, as on a real site.
            thread = waiting[max(0, len(waiting) - 1 - int(rng.expovariate(0.25)))]
            parent = rng.choice(members[thread])
            quotas[thread] -= 1
            if quotas[thread] == 0:
                waiting.remove(thread)
        index = len(planned)
        members[thread].append(index)
        name = rng.choice(_NAMES)
        planned.append(
            PlannedComment(
                index=index,
                parent=parent,
                author=f"{name} {index}",
                email=f"{name.lower()}.{index}@example.org",
                body=markdown_body(rng),
            )
        )
    return planned
