"""Time (and optionally profile) one request in-process, through the WSGI application
exactly as granian calls it: no network, no load generator, one process.

Usage:
  .venv/bin/python bench/profile_request.py URL [--requests N] [--profile] [--top K]
      [--no-page-cache] [--cookie NAME=VALUE ...] [--wsgi MODULE]
      [--post-json FILE [--cpu] [--address-per-request]]

With --post-json, each request POSTs the next line of FILE (JSON bodies, one a line,
cycled; "@@N@@" becomes the request's number so no two texts are equal) with the CSRF
cookie and header the API asks for (fetched from /api/v1/csrf first), and expects a 2xx
answer: how the bench's posting and voting streams look to one process. --cpu times
process CPU instead of the wall clock (writes wait on the disk).

Settings: bench/bench_settings.py against BROADSHEET_VAR_DIR (default: the bench's own
database under bench/.work/broadsheet-var, seeded by `make bench` or a partial run).
Prints the median and best microseconds per request; with --profile, the functions that
took the most time (cProfile, cumulative). Timings here are for finding where time goes;
the figures that count are make bench's.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def environ_for(
    url: str, cookies: list[str], *, body: bytes = b"", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    parts = urlsplit(url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": parts.path or "/",
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "profile_request",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(cookies)
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call(
    application: Callable[..., Iterable[bytes]],
    environ: dict[str, Any],
) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: list[Any] = []

    def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer[:] = [code, headers]

    chunks = application(environ, start_response)
    content = b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    return answer[0], answer[1], content


answers: Counter[str] = Counter()


def one_request(
    application: Callable[..., Iterable[bytes]],
    url: str,
    cookies: list[str],
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> int:
    code, _, content = call(application, environ_for(url, cookies, body=body, headers=headers))
    answers[code] += 1
    if not code.startswith("2") and not body:
        raise SystemExit(f"{url} answered {code}: {content[:300]!r}")
    return len(content)


def csrf_for(application: Callable[..., Iterable[bytes]], url: str) -> tuple[str, str]:
    """(cookie, token) from the API's /csrf, as a script using the API gets them."""
    parts = urlsplit(url)
    _, headers, _ = call(
        application, environ_for(f"{parts.scheme}://{parts.netloc}/api/v1/csrf", [])
    )
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie" and "csrf" in v)
    return cookie, cookie.split("=", 1)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-page-cache", action="store_true")
    parser.add_argument("--cookie", action="append", default=[])
    parser.add_argument("--post-json", type=Path, help="POST these JSON bodies, one a line")
    parser.add_argument("--cpu", action="store_true", help="time process CPU, not wall clock")
    parser.add_argument(
        "--address-per-request",
        action="store_true",
        help="each request claims a reader address of its own (X-Forwarded-For), as the "
        "bench's posting load does: no flood hold",
    )
    parser.add_argument(
        "--wsgi", default="config.wsgi", help="the WSGI module (bench.hello.wsgi: the yardstick)"
    )
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    os.environ.setdefault("BROADSHEET_VAR_DIR", str(REPO / "bench" / ".work" / "broadsheet-var"))
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if options.no_page_cache:
        os.environ["BENCH_PAGE_CACHE"] = "off"
    application = importlib.import_module(options.wsgi).application
    cookies, headers = list(options.cookie), {}
    bodies = [b""]
    if options.post_json:
        bodies = [line.encode() for line in options.post_json.read_text().splitlines() if line]
        cookie, token = csrf_for(application, options.url)
        cookies.append(cookie)
        headers["X-CSRFToken"] = token
    clock = time.process_time if options.cpu else time.perf_counter
    sent = 0
    run_tag = f"{os.getpid()}"

    def next_request() -> int:
        nonlocal sent
        sent += 1
        body = bodies[sent % len(bodies)].replace(b"@@N@@", f"{run_tag}-{sent}".encode())
        if options.address_per_request:
            headers["X-Forwarded-For"] = f"10.{sent >> 16 & 255}.{sent >> 8 & 255}.{sent & 255}"
        return one_request(application, options.url, cookies, body=body, headers=headers)

    size = 0
    for _ in range(5):  # warm: templates, caches, the page cache itself
        size = next_request()
    timings = []
    # With --cpu the profile counts process CPU too (cProfile's default is the wall clock).
    profiler = (
        (cProfile.Profile(clock) if options.cpu else cProfile.Profile())
        if options.profile
        else None
    )
    for _ in range(options.requests):
        started = clock()
        if profiler is not None:
            profiler.enable()
        next_request()
        if profiler is not None:
            profiler.disable()
        timings.append(clock() - started)
    print(
        f"{options.url}: {size:,} bytes; median {statistics.median(timings) * 1e6:,.0f} µs, "
        f"best {min(timings) * 1e6:,.0f} µs per request over {options.requests}"
    )
    if options.post_json:
        print("answers:", dict(answers))
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(options.top)
        stats.sort_stats("tottime").print_stats(options.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
