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
- The calls run on `limit` threads of the gate's own, started by the first call in each
  process, while granian's thread waits for the answer: the database connections, the
  disk cache's connections and the stacks that a request's work fills are those of
  `limit` threads, not of each of granian's (each such thread kept about a MB: figures
  in docs/performance.md, "Memory per process"). A call from the process's main thread
  before those threads run (config/wsgi.py's warm-up, before granian forks its workers)
  runs on that thread instead: no thread may run before the fork.
- A place is held while the application makes its answer (the view, the middleware, the
  transaction), and given back as soon as the call returns, before the body is sent.
  So a streaming answer (a live stream, `StreamingHttpResponse`) holds no place while
  it streams: its generator runs outside, on granian's thread, as before.
- A call that raises gives its place back too; the exception reaches granian's thread.
- Nothing but the environ passes from granian's thread to the call (our code keeps no
  request state in thread-locals or context variables: core/pagecache.py speaks to the
  view through the environ).
- `limit` of 0 or less: no gate (the application itself is returned).

What is not gated: page-cache hits answered before Django (core/pagecache.py's
`serve_cached_pages` wraps this gate: they hold no database lock and are answered in
microseconds), and the body of any answer.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApplication = Callable[[Environ, StartResponse], Iterable[bytes]]


class _Call:
    """One call handed to the gate's threads, and its outcome."""

    __slots__ = ("done", "environ", "error", "result", "start_response")

    def __init__(self, environ: Environ, start_response: StartResponse) -> None:
        self.environ = environ
        self.start_response = start_response
        self.result: Iterable[bytes] | None = None
        self.error: BaseException | None = None
        self.done = threading.Lock()
        self.done.acquire()  # released by the thread that made the answer


class _Gate:
    """`limit` threads that take the calls in the order they came (a queue, first in
    first out) and run them one each at a time."""

    def __init__(self, application: WSGIApplication, limit: int) -> None:
        self._application = application
        self._limit = limit
        self._lock = threading.Lock()
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._process = 0  # the process whose threads these are: none yet

    def call(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self._process != os.getpid() and threading.current_thread() is threading.main_thread():
            with self._lock:  # the warm-up: no thread may run before granian's fork
                if self._process != os.getpid():
                    return self._application(environ, start_response)
        self._start()
        call = _Call(environ, start_response)
        self._calls.put(call)
        call.done.acquire()
        if call.error is not None:
            raise call.error
        assert call.result is not None
        return call.result

    def _start(self) -> None:
        if self._process == os.getpid():
            return
        with self._lock:
            if self._process == os.getpid():
                return
            # A forked copy starts its own threads, with a queue none of them held.
            self._calls = queue.SimpleQueue()
            for number in range(1, self._limit + 1):
                name = f"admitted requests {number}"
                threading.Thread(target=self._serve, name=name, daemon=True).start()
            self._process = os.getpid()

    def _serve(self) -> None:
        calls = self._calls
        while True:
            call = calls.get()
            try:
                call.result = self._application(call.environ, call.start_response)
            except BaseException as error:  # handed to the caller's thread, raised there
                call.error = error
            finally:
                call.done.release()


def admit_requests(application: WSGIApplication, limit: int) -> WSGIApplication:
    """Wrap a WSGI application so that at most `limit` of its calls run at once, on
    `limit` threads of the gate's own."""
    if limit <= 0:
        return application
    gate = _Gate(application, limit)

    def admitted(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return gate.call(environ, start_response)

    return admitted
