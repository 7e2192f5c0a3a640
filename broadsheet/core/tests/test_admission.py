"""The admission gate (broadsheet/core/admission.py): at most `limit` calls of the
application at once, first come first served, places given back when the call returns
(a streaming body streams outside the gate) or raises."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.db import connection

from broadsheet.core.admission import admit_requests
from config.wsgi import application as site_application


class Recorder:
    """A WSGI application that counts the calls running at once, and how many ran."""

    def __init__(self, *, seconds: float = 0.01) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.order: list[int] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.order.append(environ["n"])
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        if environ.get("fail"):
            raise RuntimeError("the view failed")
        start_response("200 OK", [])
        return [b"ok"]


def call(application: Any, n: int, **extra: Any) -> list[bytes]:
    return list(application({"n": n, **extra}, lambda status, headers: None))


def in_threads(application: Any, count: int) -> None:
    threads = [threading.Thread(target=call, args=(application, n)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_no_more_than_limit_calls_run_at_once(limit: int) -> None:
    inner = Recorder()
    in_threads(admit_requests(inner, limit), 8)
    assert len(inner.order) == 8
    assert inner.most == limit


def test_calls_run_on_limit_threads_of_the_gate_s_own() -> None:
    """Only `limit` threads ever make answers: only theirs hold database connections."""
    ran_on: set[int] = set()
    callers: set[int] = set()

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        ran_on.add(threading.get_ident())
        time.sleep(0.005)
        start_response("200 OK", [])
        return [b"ok"]

    gated = admit_requests(application, 2)

    def caller(n: int) -> None:
        callers.add(threading.get_ident())
        assert call(gated, n) == [b"ok"]

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(ran_on) == 2
    assert not ran_on & callers


def test_the_main_thread_runs_its_call_itself_before_the_threads_start() -> None:
    """config/wsgi.py's warm-up, before granian forks: no thread may run then."""
    ran_on: list[int] = []

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        ran_on.append(threading.get_ident())
        return [b"ok"]

    before = threading.active_count()
    assert call(admit_requests(application, 1), 0) == [b"ok"]
    assert ran_on == [threading.get_ident()]
    assert threading.active_count() == before


def test_no_limit_is_the_application_itself() -> None:
    inner = Recorder()
    assert admit_requests(inner, 0) is inner


def test_waiters_are_admitted_in_the_order_they_came() -> None:
    inner = Recorder(seconds=0.05)
    gated = admit_requests(inner, 1)
    threads = []
    for n in range(5):
        thread = threading.Thread(target=call, args=(gated, n))
        thread.start()
        threads.append(thread)
        time.sleep(0.01)  # each arrives while the first still runs
    for thread in threads:
        thread.join(timeout=10)
    assert inner.order == [0, 1, 2, 3, 4]


def test_a_call_that_raises_gives_its_place_back() -> None:
    inner = Recorder(seconds=0)
    gated = admit_requests(inner, 1)
    with pytest.raises(RuntimeError):
        call(gated, 0, fail=True)
    done = threading.Thread(target=call, args=(gated, 1))
    done.start()
    done.join(timeout=2)
    assert not done.is_alive()
    assert inner.order == [0, 1]


def test_a_streaming_body_streams_outside_the_gate() -> None:
    """A live stream's body is sent long after its view returned: meanwhile the process
    still answers ordinary requests."""
    release = threading.Event()
    pages = Recorder(seconds=0)

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("stream"):

            def events() -> Iterator[bytes]:
                yield b"data: hello\n\n"
                release.wait(timeout=10)
                yield b"data: bye\n\n"

            start_response("200 OK", [])
            return events()
        return pages(environ, start_response)

    gated = admit_requests(application, 1)
    returned: list[Iterable[bytes]] = []
    opening = threading.Thread(
        target=lambda: returned.append(gated({"n": 0, "stream": True}, lambda *a: None))
    )
    opening.start()
    opening.join(timeout=2)
    assert returned, "the call returned only once its stream ended"
    body = iter(returned[0])
    assert next(body) == b"data: hello\n\n"
    reader = threading.Thread(target=lambda: list(body))
    reader.start()  # blocked inside the stream's body
    page = threading.Thread(target=call, args=(gated, 1))
    page.start()
    page.join(timeout=2)
    answered = not page.is_alive()
    release.set()
    reader.join(timeout=5)
    assert answered
    assert pages.order == [1]


def test_the_site_application_is_gated_by_the_setting(settings: Any) -> None:
    """config/wsgi.py puts the gate under the page cache's hits, with the setting's limit:
    one place on SQLite, none (no gate) on PostgreSQL."""
    on_sqlite = connection.vendor == "sqlite"
    limit = settings.BROADSHEET_CONCURRENT_REQUESTS
    assert limit == (1 if on_sqlite else 0)
    wrapped = {getattr(c.cell_contents, "__name__", "") for c in site_application.__closure__ or ()}
    gated = site_application.__name__ == "admitted" or "admitted" in wrapped
    assert gated == on_sqlite
