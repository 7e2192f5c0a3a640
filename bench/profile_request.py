"""Time (and optionally profile) one request in-process, through the WSGI application
exactly as granian calls it: no network, no load generator, one process.

Usage:
  .venv/bin/python bench/profile_request.py URL [--requests N] [--profile] [--top K]
      [--no-page-cache] [--cookie NAME=VALUE ...] [--wsgi MODULE]

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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def environ_for(url: str, cookies: list[str]) -> dict[str, Any]:
    parts = urlsplit(url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path or "/",
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "profile_request",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(cookies)
    return environ


def one_request(application: Callable[..., Iterable[bytes]], url: str, cookies: list[str]) -> int:
    status: list[str] = []

    def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(code)

    body = application(environ_for(url, cookies), start_response)
    size = sum(len(chunk) for chunk in body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    if not status[0].startswith("200"):
        raise SystemExit(f"{url} answered {status[0]}")
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-page-cache", action="store_true")
    parser.add_argument("--cookie", action="append", default=[])
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
    size = 0
    for _ in range(5):  # warm: templates, caches, the page cache itself
        size = one_request(application, options.url, options.cookie)
    timings = []
    profiler = cProfile.Profile() if options.profile else None
    for _ in range(options.requests):
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        one_request(application, options.url, options.cookie)
        if profiler is not None:
            profiler.disable()
        timings.append(time.perf_counter() - started)
    print(
        f"{options.url}: {size:,} bytes; median {statistics.median(timings) * 1e6:,.0f} µs, "
        f"best {min(timings) * 1e6:,.0f} µs per request over {options.requests}"
    )
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(options.top)
        stats.sort_stats("tottime").print_stats(options.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
