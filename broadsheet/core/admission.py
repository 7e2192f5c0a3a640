"""Admission: how many requests one web process runs through Django at once.

granian gives each worker process many threads (scripts/serve.sh), because the embedded
live engine holds each reader's stream on a thread of its own. Ordinary requests need no
more than a few: Python runs one thread at a time (the GIL), so eight requests running
in one process take turns at the interpreter, and each turn is up to the switch interval
long. A request in its write transaction then waits for its turn between statements,
holding SQLite's one write lock, while every writer of every other process sleeps in
SQLite's busy handler. Posting and voting pay for it many times over (figures in
docs/performance.md, "Posting and voting: threads per process, and a gate").

The contract of `admit_requests(application, limit)`:

- At most `limit` (BROADSHEET_CONCURRENT_REQUESTS) calls of the wrapped WSGI application
  run at once in the process; the others wait for a place, first come first served, on
  the thread granian gave them (nothing is refused, nothing times out here).
- A place is held while the application makes its answer (the view, the middleware, the
  transaction), and given back as soon as the call returns, before the body is sent.
  So a streaming answer (a live stream, `StreamingHttpResponse`) holds no place while
  it streams: its generator runs outside, on its own thread, as before.
- A call that raises gives its place back too.
- `limit` of 0 or less: no gate (the application itself is returned).

What is not gated: page-cache hits answered before Django (core/pagecache.py's
`serve_cached_pages` wraps this gate: they hold no database lock and are answered in
microseconds), and the body of any answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApplication = Callable[[Environ, StartResponse], Iterable[bytes]]


class _FifoGate:
    """A counting gate whose waiters are admitted in the order they came (a plain
    Semaphore wakes any waiter: under load a request could wait behind many later ones)."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._free = limit
        self._waiting: list[threading.Lock] = []

    def enter(self) -> None:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by leave(), which hands this caller its place

    def leave(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.pop(0).release()
            else:
                self._free += 1


def admit_requests(application: WSGIApplication, limit: int) -> WSGIApplication:
    """Wrap a WSGI application so that at most `limit` of its calls run at once."""
    if limit <= 0:
        return application
    gate = _FifoGate(limit)

    def admitted(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        gate.enter()
        try:
            return application(environ, start_response)
        finally:
            gate.leave()

    return admitted
