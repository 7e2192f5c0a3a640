"""Generated exports for tests and benchmarks: many comments, written as a stream."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = [
    "river",
    "council",
    "flood",
    "plan",
    "budget",
    "school",
    "housing",
    "transport",
    "market",
    "harbour",
    "evidence",
    "report",
    "vote",
    "tenants",
    "bridge",
    "survey",
    "data",
    "question",
    "answer",
    "agree",
]


def write_disqus_export(
    path: str | Path, *, comments: int, threads: int, seed: int = 1, link_base: str = ""
) -> Path:
    """A Disqus-shaped export of `comments` posts over `threads` threads, a third of
    them replies; posts in id order with every thread's posts interleaved, and one in
    fifty a reply listed (and dated) before its parent, as real exports have them."""
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    base = link_base or "https://ledger.example/story"
    out = Path(path)
    with out.open("w", encoding="utf-8") as f:
        f.write(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        )
        for t in range(1, threads + 1):
            f.write(
                f'<thread dsq:id="t{t}"><id>story-{t}</id><link>{base}/{t}/</link>'
                f"<title>Story {t}</title><createdAt>2015-01-01T00:00:00Z</createdAt>"
                "<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n"
            )
        last_in_thread: dict[int, list[int]] = {}
        thread_of: dict[int, int] = {}
        for n in range(1, comments + 1):
            early_reply = n % 50 == 1 and n < comments
            if early_reply:
                # A reply listed before its parent (the next post, same thread).
                t = thread_of.setdefault(n + 1, rng.randint(1, threads))
                parent = f'<parent dsq:id="p{n + 1}"/>'
            else:
                t = thread_of.pop(n, 0) or rng.randint(1, threads)
                earlier = last_in_thread.setdefault(t, [])
                parent = ""
                if earlier and rng.random() < 0.33:
                    parent = f'<parent dsq:id="p{rng.choice(earlier[-20:])}"/>'
                earlier.append(n)
            created = (start + timedelta(seconds=n * 7)).strftime("%Y-%m-%dT%H:%M:%SZ")
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
            f.write(
                f'<post dsq:id="p{n}"><id/><message><![CDATA[<p>{escape(text)}</p>]]></message>'
                f"<createdAt>{created}</createdAt><isDeleted>false</isDeleted>"
                f"<isSpam>{'true' if n % 97 == 0 else 'false'}</isSpam>"
                f"<author><name>Reader {n % 5000}</name>"
                f"<email>reader{n % 5000}@example.org</email>"
                f"<isAnonymous>false</isAnonymous></author>"
                f"<ipAddress>198.51.100.{n % 250}</ipAddress>"
                f'<thread dsq:id="t{t}"/>{parent}</post>\n'
            )
        f.write("</disqus>\n")
    return out
