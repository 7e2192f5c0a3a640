"""`make bench`: Broadsheet against Isso 0.14, a minimal Django view and nginx.

Usage: .venv/bin/python bench/run.py [--quick] [--runs N] [--duration SECONDS]
       [--only SYSTEM ...] [--sizes N ...]

Servers run one at a time (so they never share the CPUs), each on a free 127.0.0.1 port,
and are always stopped. Prints one table, writes bench/results/latest.json and
docs/performance.md. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import (  # noqa: E402
    broadsheet_side,
    isso_side,
    loadgen,
    report,
    servers,
    wordpress_side,
)
from bench.plan import SIZES, PlannedComment, discussion  # noqa: E402

BENCH = REPO / "bench"
WORK = BENCH / ".work"
RESULTS = BENCH / "results" / "latest.json"
DOC = REPO / "docs" / "performance.md"
WORKERS = 2
CONNECTIONS = 16
SLOW_REQUEST_S = 0.3  # above this, a read runs on WORKERS connections (see measure_read)
VERY_SLOW_REQUEST_S = 5.0  # above this, a read is measured by one run, not the median of 3
UNMARKED = "-"  # what write.lua records for a 2xx answer without a token
PLACEHOLDER = "@@TOKEN@@"  # replaced per request by bench/lua/write.lua


@dataclass
class Settings:
    runs: int
    duration_s: float
    connections: int = CONNECTIONS
    sizes: tuple[int, ...] = SIZES
    write_requests: int = 4000
    reads: bool = True  # False (--writes-only): posting and voting only


@dataclass
class Results:
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def rps(self, key: str) -> float | None:
        figure = self.figures.get(key)
        return None if figure is None or figure.get("rps") is None else float(figure["rps"])


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- reads -------------------------------------------------------------------------------


def probe(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - started, body


def settle(url: str, single_s: float) -> None:
    """Wait (bounded) until requests left queued by the last run are done: gunicorn's sync
    workers still serve the requests of connections wrk has closed."""
    deadline = time.monotonic() + min(60.0, 20 * single_s + 5)
    while time.monotonic() < deadline:
        seconds, _ = probe(url)
        if seconds < max(3 * single_s, 0.05):
            return


# What Chromium sends: a cached page with forms answers it in gzip, cut at its tokens.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def measure_read(
    settings: Settings, url: str, *, label: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The median of `settings.runs` wrk runs of GET `url`.

    A read that takes longer than SLOW_REQUEST_S on its own (Isso's whole-thread answers)
    runs on as many connections as the server has workers, for longer, with a longer
    timeout: 16 connections would only queue requests that each take seconds, and wrk
    would count them as timeouts.
    """
    seconds, body = probe(url)  # the first answer of a worker includes its warm-up
    if seconds < 5:
        seconds = min(probe(url)[0], probe(url)[0])
    slow = seconds > SLOW_REQUEST_S
    runs_wanted = 1 if seconds > VERY_SLOW_REQUEST_S else settings.runs
    connections = WORKERS if slow else settings.connections
    duration = min(max(settings.duration_s, 6 * seconds), 40.0) if slow else settings.duration_s
    timeout = max(10.0, 4 * seconds)
    if not slow:  # warm every worker (template and code caches) before measuring
        loadgen.read(url, connections=connections, duration=1, timeout=timeout, headers=headers)
        settle(url, seconds)
    runs = []
    for _ in range(runs_wanted):
        runs.append(
            loadgen.read(
                url, connections=connections, duration=duration, timeout=timeout, headers=headers
            )
        )
        settle(url, seconds)
    figure = loadgen.median_figure(runs, connections=connections).to_json()
    figure.update({"url": url, "bytes": len(body), "single_request_s": round(seconds, 4)})
    if not any(run.requests for run in runs):
        # Not one answer within the run (Isso's whole thread of 5,000 comments): fall back
        # on the single request timed alone.
        figure.update(
            {"rps": 1 / seconds, "p50_ms": seconds * 1000, "p99_ms": seconds * 1000},
            estimated_from_single_request=True,
        )
    log(
        f"{label}: {figure['rps']:.1f} req/s, p50 {figure['p50_ms']:.1f} ms, "
        f"p99 {figure['p99_ms']:.1f} ms ({connections} connections)"
    )
    return figure


def comments_in_answer(body: bytes, *, children: str) -> int:
    """The comments in a JSON listing, replies included (Isso: "replies", Broadsheet too)."""
    document = json.loads(body)

    def walk(items: list[dict[str, Any]]) -> int:
        return sum(1 + walk(item.get(children) or []) for item in items)

    top = document.get("comments") if "comments" in document else document.get("replies")
    return walk(top or [])


# --- writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedPost:
    body: str  # JSON-ready text with the token placeholder
    parent: int | None  # index into the seeded discussion
    author: str
    email: str


def planned_posts(seeded: list[PlannedComment], count: int) -> list[PlannedPost]:
    """New comments for the largest discussion: same bodies and reply share as the seed."""
    rng = random.Random(7)
    posts = []
    for n in range(count):
        model = rng.choice(seeded)
        parent = rng.randrange(len(seeded)) if model.parent is not None else None
        posts.append(
            PlannedPost(
                body=f"{model.body}\n\nReference {PLACEHOLDER}.",
                parent=parent,
                author=f"Bench reader {n}",
                email=f"bench.{n}@example.org",
            )
        )
    return posts


def _stored_tokens(texts: list[str], tag: str) -> list[str]:
    pattern = re.compile(re.escape(tag) + r"x\d+x\d+")
    return [match for text in texts for match in pattern.findall(text)]


def measure_posting(
    settings: Settings,
    *,
    system: str,
    base_url: str,
    lines: list[tuple[str, str, str]],
    headers: dict[str, str],
    count_rows: Callable[[], int],
    tokens_in_db: Callable[[str], list[str]],
    held: Callable[[str], int] | None = None,
    duplicated: Callable[[str], int] | None = None,
    acknowledged_by_redirect: bool = False,
    tag_letter: str = "",
) -> dict[str, Any]:
    """Comments/s (2xx answers, or with `acknowledged_by_redirect` the redirects to the new
    comment that WordPress answers with), then the count check: every answered comment stored
    exactly once, and every stored one answered or still in flight when wrk stopped."""
    runs, checks = [], []
    for number in range(1, settings.runs + 1):
        # Unique per run and system in one database (two runs on one database, as the
        # PostgreSQL rows with 2 and 4 processes, pass letters of their own).
        tag = f"p{tag_letter or system[0]}{number}"
        before = count_rows()
        run = loadgen.write(
            base_url,
            lines=lines,
            tag=tag,
            headers=headers,
            # Many readers, a comment each: one address posting thousands of comments is
            # a flood the moderation rules exist to stop (bench/README.md).
            forwarded_for=True,
            address_per_request=True,
            connections=settings.connections,
            duration=settings.duration_s,
            acknowledged_by_redirect=acknowledged_by_redirect,
        )
        time.sleep(1.0)  # requests in flight when wrk stopped finish now
        stored = Counter(_stored_tokens(tokens_in_db(tag), tag))
        answered = Counter(item for item in run.tokens if item != UNMARKED)
        check = {
            "answered_2xx": len(run.tokens),
            "answered_without_token": len(run.tokens) - sum(answered.values()),
            "rows_added": count_rows() - before,
            "stored_with_token": sum(stored.values()),
            "lost": sum(1 for token in answered if token not in stored),
            # WordPress's tokens are comment ids (unique by construction): its duplicates
            # are counted on the body tokens instead.
            "duplicated": duplicated(tag)
            if duplicated is not None
            else sum(n - 1 for n in stored.values() if n > 1),
            # wrk can pair an answer with an earlier body when the server closes the
            # connection after each answer (gunicorn sync): then a token shows twice among
            # the answers and its neighbour not at all. The database check above is exact.
            "answer_token_repeats": sum(n - 1 for n in answered.values() if n > 1),
            "in_flight_at_stop": sum(1 for token in stored if token not in answered),
            "non_2xx_or_errors": run.errors,
            # Held for a moderator instead of published (a different, cheaper path).
            "held": held(tag) if held is not None else None,
        }
        checks.append(check)
        runs.append(run)
        log(f"{system} posting run {number}: {run.rps:.0f} comments/s, check {check}")
    figure = loadgen.median_figure(runs, connections=settings.connections).to_json()
    figure["checks"] = checks
    figure["lost"] = sum(c["lost"] + c["answered_without_token"] for c in checks)
    figure["duplicated"] = sum(c["duplicated"] for c in checks)
    figure["rows_match"] = all(
        c["rows_added"] == c["stored_with_token"]
        and c["in_flight_at_stop"] <= settings.connections + c["answer_token_repeats"]
        for c in checks
    )
    return figure


def measure_voting(
    settings: Settings,
    *,
    system: str,
    base_url: str,
    lines: list[tuple[str, str, str]],
    headers: dict[str, str],
    forwarded_for: bool,
    count_votes: Callable[[], int],
) -> dict[str, Any]:
    """Votes/s counted in the database (Isso answers 200 to a vote it refuses)."""
    runs, recorded = [], []
    for number in range(1, settings.runs + 1):
        before = count_votes()
        run = loadgen.write(
            base_url,
            lines=lines,
            tag=f"v{system[0]}{number}",
            headers=headers,
            forwarded_for=forwarded_for,
            connections=settings.connections,
            duration=settings.duration_s,
        )
        time.sleep(1.0)
        added = count_votes() - before
        recorded.append({"answered_2xx": run.ok, "votes_recorded": added})
        run.rps = min(added, run.ok) / run.duration_s
        runs.append(run)
        log(f"{system} voting run {number}: {run.rps:.0f} votes/s ({added} recorded)")
    figure = loadgen.median_figure(runs, connections=settings.connections).to_json()
    figure["recorded"] = recorded
    return figure


# --- memory ------------------------------------------------------------------------------


def memory_of(
    server: servers.Server, *, web: Callable[[servers.ProcessMemory], bool]
) -> dict[str, Any]:
    tree = servers.process_tree(server.process.pid)
    processes = [
        {
            "pid": p.pid,
            "command": _in_repo(p.command),
            "peak_mb": round(p.peak_mb, 1),
            "web": web(p),
        }
        for p in tree
    ]
    web_peaks = [p["peak_mb"] for p in processes if p["web"]]
    return {"processes": processes, "web_peak_mb": max(web_peaks) if web_peaks else None}


# --- the systems -------------------------------------------------------------------------


def bench_nginx(settings: Settings, results: Results) -> None:
    with servers.nginx(WORK / "nginx", workers=WORKERS, log=WORK / "nginx.log") as nginx:
        results.figures["nginx_static_30k"] = measure_read(
            settings, f"{nginx.url}/static-30k.html", label="nginx 30 KB static"
        )


def bench_hello(settings: Settings, results: Results) -> None:
    port = servers.free_port()
    command = [
        str(REPO / ".venv" / "bin" / "granian"),
        "--interface",
        "wsgi",
        "bench.hello.wsgi:application",
        "--host",
        servers.HOST,
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--blocking-threads",
        "1",
        "--no-ws",
        "--log-level",
        "warning",
    ]
    with servers.running(
        "hello",
        command,
        port=port,
        log=WORK / "hello.log",
        ready_path="/",
        cwd=REPO,
        env={"DJANGO_SETTINGS_MODULE": "bench.hello.settings", "PYTHONPATH": str(REPO)},
    ) as hello:
        results.figures["hello_django"] = measure_read(settings, f"{hello.url}/", label="hello")


def _isso_listing(size: int, *, like_for_like: bool) -> str:
    uri = isso_side.thread_uri(size)
    if like_for_like:
        return f"/?uri={uri}&limit=20&nested_limit=5"
    # What embed.js asks with its defaults (max-comments-top "inf", max-comments-nested 5).
    return f"/?uri={uri}&sort=oldest&offset=0&nested_limit=5"


def bench_isso(
    settings: Settings, results: Results, plans: dict[int, list[PlannedComment]]
) -> None:
    venv = isso_side.install(WORK / "isso-venv")
    work = WORK / "isso"
    work.mkdir(parents=True, exist_ok=True)
    with isso_side.serve(work, venv, workers=WORKERS) as isso:
        ids: dict[int, list[int]] = {}
        for size in settings.sizes:
            started = time.perf_counter()
            ids[size] = isso_side.seed(isso, size, plans[size])
            log(f"isso: seeded {size} comments in {time.perf_counter() - started:.1f} s")
        for size in settings.sizes if settings.reads else ():
            for like in (True, False):
                key = f"isso_listing_{'page' if like else 'default'}_{size}"
                url = isso.url + _isso_listing(size, like_for_like=like)
                figure = measure_read(settings, url, label=key)
                figure["comments"] = comments_in_answer(probe(url)[1], children="replies")
                results.figures[key] = figure
        largest = max(settings.sizes)
        posts = planned_posts(plans[largest], settings.write_requests)
        uri = isso_side.thread_uri(largest)
        lines = [
            (
                "POST",
                f"/new?uri={uri}",
                json.dumps(
                    {
                        "text": post.body,
                        "author": post.author,
                        "email": post.email,
                        "parent": ids[largest][post.parent] if post.parent is not None else None,
                    }
                ),
            )
            for post in posts
        ]
        db = work / "isso.sqlite3"
        json_header = {"Content-Type": "application/json"}
        results.figures["isso_posting"] = measure_posting(
            settings,
            system="isso",
            base_url=isso.url,
            lines=lines,
            headers=json_header,
            count_rows=lambda: isso_side.count_comments(db),
            tokens_in_db=lambda tag: isso_side.stored_tokens(db, tag),
        )
        targets = list(ids[largest])
        random.Random(11).shuffle(targets)
        results.figures["isso_voting"] = measure_voting(
            settings,
            system="isso",
            base_url=isso.url,
            lines=[("POST", f"/id/{pk}/like", "") for pk in targets],
            headers=json_header,
            forwarded_for=True,
            count_votes=lambda: isso_side.count_votes(db),
        )
        master = isso.process.pid
        results.extra["isso_memory"] = memory_of(isso, web=lambda p: p.parent == master)


def bench_wordpress(
    settings: Settings, results: Results, plans: dict[int, list[PlannedComment]]
) -> None:
    """WordPress 6.1 from Debian under nginx + php-fpm + MariaDB (bench/wordpress_side.py);
    skipped, with the reason logged and recorded, where its packages cannot be installed."""
    try:
        wordpress_side.install()
    except wordpress_side.Unavailable as why:
        log(f"WordPress SKIPPED: {why}")
        results.extra["wordpress"] = {"skipped": str(why)}
        return
    with (
        wordpress_side.serve(WORK / "wordpress", nginx_workers=WORKERS) as site,
        servers.PssSampler(site.php.process.pid) as pss,
    ):
        posts: dict[int, wordpress_side.SeededPost] = {}
        for size in settings.sizes:
            posts[size] = wordpress_side.seed(site, size, plans[size])
            log(f"wordpress: seeded {size} comments in {posts[size].seed_seconds:.1f} s")
        results.extra["wordpress_seeding"] = {
            size: {"seconds": post.seed_seconds, "comments": len(post.comment_ids)}
            for size, post in posts.items()
        }
        for name, theme in (("classic", wordpress_side.CLASSIC_THEME), ("block", "")):
            wordpress_side.use_theme(site, theme or wordpress_side.BLOCK_THEME)
            for size, post in posts.items():
                key = f"wordpress_story_{name}_{size}"
                url = site.url + post.path
                figure = measure_read(settings, url, label=key)
                figure["comments"] = wordpress_side.comments_on_page(probe(url)[1])
                figure["theme"] = theme or wordpress_side.BLOCK_THEME
                results.figures[key] = figure
        largest = posts[max(settings.sizes)]
        cached = site.cached_url + largest.path
        probe(cached)  # fills the cache (block theme, the default)
        key = f"wordpress_story_fastcgi_cache_{largest.size}"
        results.figures[key] = measure_read(settings, cached, label=key)
        with urllib.request.urlopen(cached, timeout=30) as response:
            results.figures[key]["x_fastcgi_cache"] = response.headers.get("X-FastCGI-Cache")
        for size, post in posts.items():
            key = f"wordpress_rest_{size}"
            url = site.url + wordpress_side.rest_listing(post)
            figure = measure_read(settings, url, label=key)
            figure["comments"] = len(json.loads(probe(url)[1]))
            results.figures[key] = figure
        placeholder = urllib.parse.quote_plus(PLACEHOLDER)
        lines = []
        for planned in planned_posts(plans[largest.size], settings.write_requests):
            parent = largest.comment_ids[planned.parent] if planned.parent is not None else 0
            form = urllib.parse.urlencode(
                {
                    "comment_post_ID": largest.post_id,
                    "comment_parent": parent,
                    "author": planned.author,
                    "email": planned.email,
                    "url": "",
                    "comment": planned.body,
                }
            )
            lines.append(("POST", "/wp-comments-post.php", form.replace(placeholder, PLACEHOLDER)))
        results.figures["wordpress_posting"] = measure_posting(
            settings,
            system="wordpress",
            base_url=site.url,
            lines=lines,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            count_rows=lambda: wordpress_side.count_comments(site),
            tokens_in_db=lambda tag: wordpress_side.stored_tokens(site, tag),
            held=lambda tag: wordpress_side.held_with_tag(site, tag),
            duplicated=lambda tag: wordpress_side.duplicated_bodies(site, tag),
            acknowledged_by_redirect=True,
        )
        master = site.php.process.pid
        results.extra["wordpress_memory"] = memory_of(site.php, web=lambda p: p.pid != master)
        results.extra["wordpress_pss"] = pss_summary(pss, web=lambda _, command: "pool" in command)


def bench_broadsheet(
    settings: Settings, results: Results, plans: dict[int, list[PlannedComment]]
) -> None:
    var_dir = WORK / "broadsheet-var"
    started = time.perf_counter()
    seeded = {t.size: t for t in broadsheet_side.prepare(var_dir, list(settings.sizes))}
    log(f"broadsheet: migrated and seeded in {time.perf_counter() - started:.1f} s")
    results.extra["broadsheet_seeding"] = {
        size: {"seconds": t.seed_seconds, "comments": len(t.comment_ids)}
        for size, t in seeded.items()
    }
    results.extra["queries_per_article_page"] = {
        size: t.queries_per_article_page for size, t in seeded.items()
    }
    cache_enabled = page_cache_in_settings()
    results.extra["page_cache"] = "enabled" if cache_enabled else "not implemented"
    if cache_enabled and settings.reads:
        # Before any write: the posting run adds thousands of comments to the largest
        # discussion, whose newest threads would then be the bench's own, without replies.
        log("page cache found: measuring the article page with it switched off first")
        with broadsheet_side.serve(
            var_dir, WORK, workers=WORKERS, extra_env={"BENCH_PAGE_CACHE": "off"}
        ) as site:
            for size, thread in seeded.items():
                key = f"broadsheet_article_uncached_{size}"
                article = site.url + thread.article_url
                results.figures[key] = measure_read(settings, article, label=key)
                results.figures[key]["comments"] = wordpress_side.comments_on_page(
                    probe(article)[1]
                )
    with (
        broadsheet_side.serve(var_dir, WORK, workers=WORKERS) as site,
        servers.PssSampler(site.process.pid) as pss,
    ):
        for size, thread in seeded.items() if settings.reads else ():
            api = f"{site.url}/api/v1/threads/{thread.thread_key}/comments"
            for like, url in ((True, f"{api}?sort=oldest&page=1"), (False, api)):
                key = f"broadsheet_listing_{'page' if like else 'default'}_{size}"
                figure = measure_read(settings, url, label=key)
                figure["comments"] = comments_in_answer(probe(url)[1], children="replies")
                results.figures[key] = figure
            key = f"broadsheet_article_{'cached' if cache_enabled else 'uncached'}_{size}"
            article = site.url + thread.article_url
            results.figures[key] = measure_read(settings, article, label=key)
            results.figures[key]["x_page_cache"] = page_cache_header(article)
            results.figures[key]["comments"] = wordpress_side.comments_on_page(probe(article)[1])
        largest = seeded[max(settings.sizes)]
        if (
            cache_enabled and settings.reads
        ):  # as a browser asks for it: compressed (docs/decisions/compressed-pages.md)
            key = f"broadsheet_article_cached_compressed_{largest.size}"
            article = site.url + largest.article_url
            results.figures[key] = measure_read(
                settings, article, label=key, headers={"Accept-Encoding": BROWSER_ENCODINGS}
            )
        posts = planned_posts(plans[largest.size], settings.write_requests)
        path = f"/api/v1/threads/{largest.thread_key}/comments"
        lines = []
        for post in posts:
            payload: dict[str, Any] = {"body": post.body, "name": post.author, "email": post.email}
            if post.parent is not None:
                payload["parent_id"] = largest.comment_ids[post.parent]
            lines.append(("POST", path, json.dumps(payload)))
        headers = {"Content-Type": "application/json", **broadsheet_side.csrf_headers(site)}
        results.figures["broadsheet_posting"] = measure_posting(
            settings,
            system="broadsheet",
            base_url=site.url,
            lines=lines,
            headers=headers,
            count_rows=lambda: broadsheet_side.count_comments(var_dir),
            tokens_in_db=lambda tag: broadsheet_side.stored_tokens(var_dir, tag),
            held=lambda tag: broadsheet_side.held_with_tag(var_dir, tag),
        )
        targets = list(largest.comment_ids)
        random.Random(11).shuffle(targets)
        results.figures["broadsheet_voting"] = measure_voting(
            settings,
            system="broadsheet",
            base_url=site.url,
            lines=[("POST", f"/api/v1/comments/{pk}/vote", '{"value": 1}') for pk in targets],
            headers=headers,
            forwarded_for=False,
            count_votes=lambda: broadsheet_side.count_votes(var_dir),
        )
        results.extra["broadsheet_memory"] = memory_of(site, web=_is_granian)
        results.extra["broadsheet_pss"] = pss_summary(pss, web=_is_granian_worker)


POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_broadsheet"
)
POSTGRES_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
POSTGRES_WORKERS = (2, 4)


def bench_broadsheet_postgres(
    settings: Settings, results: Results, plans: dict[int, list[PlannedComment]]
) -> None:
    """The scale path: the same seeding and figures on PostgreSQL + Redis (a database and
    Redis DB of the bench's own: BENCH_DATABASE_URL, BENCH_REDIS_URL), with 2 and 4 web
    processes. Skipped, with the reason, when PostgreSQL or Redis does not answer."""
    var_dir = WORK / "broadsheet-var-pg"
    try:
        context = broadsheet_side.postgres(POSTGRES_URL, POSTGRES_REDIS_URL)
        context.__enter__()
    except Exception as why:
        log(f"PostgreSQL + Redis SKIPPED: {why}")
        results.extra["postgres"] = {"skipped": str(why)}
        return
    try:
        started = time.perf_counter()
        seeded = {t.size: t for t in broadsheet_side.prepare(var_dir, list(settings.sizes))}
        log(f"broadsheet on PostgreSQL: seeded in {time.perf_counter() - started:.1f} s")
        results.extra["postgres"] = {
            "database": POSTGRES_URL.rsplit("/", 1)[1],
            "redis_db": POSTGRES_REDIS_URL.rsplit("/", 1)[1],
            "queries_per_article_page": {
                size: t.queries_per_article_page for size, t in seeded.items()
            },
        }
        cached = page_cache_in_settings()
        largest = seeded[max(settings.sizes)]
        for workers in POSTGRES_WORKERS:
            prefix = f"broadsheet_pg{workers}"
            with broadsheet_side.serve(var_dir, WORK, workers=workers) as site:
                for size, thread in seeded.items():
                    api = f"{site.url}/api/v1/threads/{thread.thread_key}/comments"
                    key = f"{prefix}_listing_page_{size}"
                    results.figures[key] = measure_read(
                        settings, f"{api}?sort=oldest&page=1", label=key
                    )
                    key = f"{prefix}_article_{'cached' if cached else 'uncached'}_{size}"
                    results.figures[key] = measure_read(
                        settings, site.url + thread.article_url, label=key
                    )
                headers = {"Content-Type": "application/json", **broadsheet_side.csrf_headers(site)}
                results.figures[f"{prefix}_posting"] = measure_posting(
                    settings,
                    system=f"pg{workers}",
                    base_url=site.url,
                    lines=broadsheet_post_lines(plans, largest, settings),
                    headers=headers,
                    count_rows=lambda: broadsheet_side.count_comments(var_dir),
                    tokens_in_db=lambda tag: broadsheet_side.stored_tokens(var_dir, tag),
                    held=lambda tag: broadsheet_side.held_with_tag(var_dir, tag),
                    tag_letter="qr"[POSTGRES_WORKERS.index(workers)],
                )
                targets = list(largest.comment_ids)
                random.Random(11 + workers).shuffle(targets)
                results.figures[f"{prefix}_voting"] = measure_voting(
                    settings,
                    system=f"pg{workers}",
                    base_url=site.url,
                    lines=[
                        ("POST", f"/api/v1/comments/{pk}/vote", '{"value": 1}') for pk in targets
                    ],
                    headers=headers,
                    forwarded_for=False,
                    count_votes=lambda: broadsheet_side.count_votes(var_dir),
                )
                results.extra[f"{prefix}_memory"] = memory_of(site, web=_is_granian)
    finally:
        context.__exit__(None, None, None)


def broadsheet_post_lines(
    plans: dict[int, list[PlannedComment]],
    thread: broadsheet_side.SeededThread,
    settings: Settings,
) -> list[tuple[str, str, str]]:
    """The posting run's requests: new comments into `thread` through the API."""
    path = f"/api/v1/threads/{thread.thread_key}/comments"
    lines = []
    for post in planned_posts(plans[thread.size], settings.write_requests):
        payload: dict[str, Any] = {"body": post.body, "name": post.author, "email": post.email}
        if post.parent is not None:
            payload["parent_id"] = thread.comment_ids[post.parent]
        lines.append(("POST", path, json.dumps(payload)))
    return lines


def page_cache_header(url: str) -> str:
    """The page cache's verdict on an anonymous request (X-Page-Cache), to show that the
    cached figure was served from the cache."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.headers.get("X-Page-Cache", "absent"))


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def pss_summary(pss: servers.PssSampler, *, web: Callable[[int, str], bool]) -> dict[str, Any]:
    """Peak PSS per process, of the web processes, and of the whole site at one moment."""
    processes = [
        {"pid": pid, "command": _in_repo(pss.commands[pid]), "peak_pss_mb": round(peak, 1)}
        for pid, peak in sorted(pss.peaks.items())
    ]
    web_peaks = [round(peak, 1) for pid, peak in pss.peaks.items() if web(pid, pss.commands[pid])]
    return {
        "processes": processes,
        "web_peak_pss_mb": max(web_peaks) if web_peaks else None,
        "site_peak_pss_mb": round(pss.peak_total_mb, 1),
    }


def _in_repo(command: str) -> str:
    """A command line with the checkout's own path left out: the results are committed."""
    return command.replace(f"{REPO}/", "")


def _is_granian_worker(pid: int, command: str) -> bool:
    """A granian worker (a child of granian's main process), not the main process."""
    try:
        parent = int(servers._status(pid).get("PPid", "0"))
        parent_command = Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return "granian" in command and "db_worker" not in command
    return "granian" in command and "granian" in parent_command


def _is_granian(process: servers.ProcessMemory) -> bool:
    return "granian" in process.command and "db_worker" not in process.command


def page_cache_in_settings() -> bool:
    """True when Broadsheet's settings put a page cache in front of anonymous readers."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(any('cache' in m.lower() for m in settings.MIDDLEWARE))"
    )
    env = {**broadsheet_side.environment(WORK / "broadsheet-var")}
    done = subprocess.run(
        [str(broadsheet_side.PYTHON), "-c", code],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().endswith("True")


# --- the verdict -------------------------------------------------------------------------


def build_rows(settings: Settings, results: Results) -> list[report.Row]:
    nginx = results.rps("nginx_static_30k")
    rows = []
    for size in settings.sizes:
        for kind, label in (("page", "first 20 threads"), ("default", "widget default")):
            bs = results.figures.get(f"broadsheet_listing_{kind}_{size}", {})
            isso = results.figures.get(f"isso_listing_{kind}_{size}", {})
            note = f"{bs.get('comments', '?')} vs {isso.get('comments', '?')} comments"
            if isso.get("connections") == WORKERS:
                note += f"; Isso on {WORKERS} connections"
            rows.append(
                report.Row(
                    f"JSON listing, {size:,} comments, {label}",
                    "",
                    bs.get("rps"),
                    isso.get("rps"),
                    nginx,
                    note,
                )
            )
    for size in settings.sizes:
        # The comments on the page itself (each element with id="comment-N", as WordPress's
        # are counted).
        shown = results.figures.get(f"broadsheet_article_uncached_{size}", {}).get("comments", "?")
        for theme in ("classic", "block"):
            story = results.figures.get(f"wordpress_story_{theme}_{size}", {})
            rows.append(
                report.Row(
                    f"Article page, {size:,} comments, uncached (WordPress: {theme} theme)",
                    "",
                    results.rps(f"broadsheet_article_uncached_{size}"),
                    results.rps(f"isso_listing_page_{size}") if theme == "classic" else None,
                    nginx,
                    f"{shown} vs {story.get('comments', '?')} comments on the page"
                    + ("; vs Isso's first-20 JSON" if theme == "classic" else ""),
                    wordpress=story.get("rps"),
                )
            )
    largest = max(settings.sizes)
    cached = results.rps(f"broadsheet_article_cached_{largest}")
    rows.append(
        report.Row(
            f"Article page, {largest:,} comments, anonymous page cache "
            "(WordPress: nginx fastcgi_cache)",
            "",
            cached,
            None,
            nginx,
            "" if cached is not None else "not implemented",
            wordpress=results.rps(f"wordpress_story_fastcgi_cache_{largest}"),
        )
    )
    for size in settings.sizes:
        bs = results.figures.get(f"broadsheet_listing_page_{size}", {})
        rest = results.figures.get(f"wordpress_rest_{size}", {})
        rows.append(
            report.Row(
                f"JSON listing, {size:,} comments (WordPress: REST, per_page=100)",
                "",
                bs.get("rps"),
                None,
                nginx,
                f"{bs.get('comments', '?')} vs {rest.get('comments', '?')} comments",
                wordpress=rest.get("rps"),
            )
        )
    rows.append(
        report.Row("Minimal Django view ('hello')", "", results.rps("hello_django"), None, nginx)
    )
    rows.append(report.Row("nginx, 30 KB static file", "", nginx, None, nginx))
    for kind, unit in (("posting", "comments/s"), ("voting", "votes/s")):
        rows.append(
            report.Row(
                f"{kind.capitalize()} ({unit}), {largest:,}-comment discussion",
                "",
                results.rps(f"broadsheet_{kind}"),
                results.rps(f"isso_{kind}"),
                None,
                wordpress=results.rps(f"wordpress_{kind}"),
            )
        )
    for workers in POSTGRES_WORKERS:
        prefix = f"broadsheet_pg{workers}"
        for size in settings.sizes:
            for read, label in (
                ("listing_page", "JSON listing, first 20 threads"),
                ("article_cached", "article page, page cache"),
                ("article_uncached", "article page, uncached"),
            ):
                value = results.rps(f"{prefix}_{read}_{size}")
                if value is None:
                    continue
                rows.append(
                    report.Row(
                        f"PostgreSQL + Redis, {workers} web processes: {label}, {size:,} comments",
                        "",
                        value,
                        None,
                        nginx,
                        "SQLite, 2 processes: "
                        + report.number(results.rps(f"broadsheet_{read}_{size}")),
                    )
                )
        for kind, unit in (("posting", "comments/s"), ("voting", "votes/s")):
            value = results.rps(f"{prefix}_{kind}")
            if value is not None:
                rows.append(
                    report.Row(
                        f"PostgreSQL + Redis, {workers} web processes: {kind} ({unit}), "
                        f"{largest:,}-comment discussion",
                        "",
                        value,
                        results.rps(f"isso_{kind}"),
                        None,
                        f"SQLite, 2 processes: {report.number(results.rps(f'broadsheet_{kind}'))}",
                        wordpress=results.rps(f"wordpress_{kind}"),
                    )
                )
    pss = results.extra.get("broadsheet_pss", {})
    rows.append(
        report.Row(
            "Peak PSS per web process (MB; WordPress: a php-fpm child)",
            "",
            pss.get("web_peak_pss_mb"),
            None,
            None,
            wordpress=results.extra.get("wordpress_pss", {}).get("web_peak_pss_mb"),
        )
    )
    rows.append(
        report.Row(
            "Peak PSS, whole site: 2 web processes + task worker (MB)",
            "",
            pss.get("site_peak_pss_mb"),
            None,
            None,
        )
    )
    bs_memory = results.extra.get("broadsheet_memory", {}).get("web_peak_mb")
    isso_memory = results.extra.get("isso_memory", {}).get("web_peak_mb")
    wp_memory = results.extra.get("wordpress_memory", {}).get("web_peak_mb")
    rows.append(
        report.Row(
            "Peak memory per web process (MB; WordPress: a php-fpm child)",
            "",
            bs_memory,
            isso_memory,
            None,
            wordpress=wp_memory,
        )
    )
    return rows


def build_targets(settings: Settings, results: Results) -> list[report.Target]:
    def ratio(top: str, bottom: str) -> float | None:
        a, b = results.rps(top), results.rps(bottom)
        return None if a is None or not b else a / b

    def at_least(name: str, value: float | None, goal: float, text: str) -> report.Target:
        shown = round(value, 2) if value is not None else "not measured"
        return report.Target(name, shown, text, value is not None and value >= goal)

    largest, smallest = max(settings.sizes), min(settings.sizes)
    targets = [
        at_least(
            f"discussion JSON like for like, {largest:,} comments (× Isso req/s)",
            ratio(f"broadsheet_listing_page_{largest}", f"isso_listing_page_{largest}"),
            30,
            "≥ 30×",
        ),
        at_least(
            f"discussion JSON like for like, {smallest:,} comments (× Isso req/s)",
            ratio(f"broadsheet_listing_page_{smallest}", f"isso_listing_page_{smallest}"),
            10,
            "≥ 10×",
        ),
        at_least(
            f"uncached article page, {largest:,} comments (× Isso like-for-like JSON req/s)",
            ratio(f"broadsheet_article_uncached_{largest}", f"isso_listing_page_{largest}"),
            10,
            "≥ 10×",
        ),
    ]
    targets += wordpress_targets(settings, results, ratio)
    cached = ratio(f"broadsheet_article_cached_{largest}", "hello_django")
    if cached is None:
        targets.append(
            report.Target(
                "cached article page for anonymous readers (× hello view req/s)",
                "not implemented",
                "≥ 0.5× (ratio to nginx reported)",
                False,
            )
        )
    else:
        to_nginx = ratio(f"broadsheet_article_cached_{largest}", "nginx_static_30k")
        target = at_least(
            "cached article page for anonymous readers (× hello view req/s)",
            cached,
            0.5,
            f"≥ 0.5× (× nginx: {to_nginx:.3f})" if to_nginx else "≥ 0.5×",
        )
        targets.append(target)
    compressed = ratio(
        f"broadsheet_article_cached_compressed_{largest}", f"broadsheet_article_cached_{largest}"
    )
    if compressed is not None:
        targets.append(
            at_least(
                "cached article page served compressed (gzip, as Chromium asks) "
                "(× the same page uncompressed)",
                compressed,
                1.0,
                "≥ 1× (compression costs a hit nothing)",
            )
        )
    posting = results.figures.get("broadsheet_posting", {})
    posting_ratio = ratio("broadsheet_posting", "isso_posting")
    clean = posting.get("lost") == 0 and posting.get("duplicated") == 0
    targets.append(
        report.Target(
            "posting (× Isso comments/s), none lost or duplicated",
            round(posting_ratio, 2) if posting_ratio is not None else "not measured",
            f"≥ 1.5×, 0 lost, 0 duplicated (lost {posting.get('lost')}, "
            f"duplicated {posting.get('duplicated')})",
            posting_ratio is not None and posting_ratio >= 1.5 and clean,
        )
    )
    targets.append(
        at_least(
            "voting (× Isso votes/s)", ratio("broadsheet_voting", "isso_voting"), 1.5, "≥ 1.5×"
        )
    )
    spreads = {
        key: figure["p99_ms"] / figure["p50_ms"]
        for key, figure in results.figures.items()
        if key.startswith("broadsheet_")
        and figure.get("connections") == settings.connections
        and "p50_ms" in figure
        and figure["p50_ms"]
        and ("listing" in key or "article" in key)
    }
    worst = max(spreads, key=lambda key: spreads[key]) if spreads else None
    targets.append(
        report.Target(
            "p99 / p50 of every Broadsheet read at 16 connections (worst)",
            round(spreads[worst], 2) if worst else "not measured",
            f"≤ 4× (worst: {worst})",
            bool(spreads) and all(value <= 4 for value in spreads.values()),
        )
    )
    pss = results.extra.get("broadsheet_pss", {})
    for name, value, goal in (
        ("peak PSS per Broadsheet web process (MB)", pss.get("web_peak_pss_mb"), 100),
        (
            "peak PSS of the whole site: 2 web processes + the task worker (MB)",
            pss.get("site_peak_pss_mb"),
            350,
        ),
    ):
        targets.append(
            report.Target(
                name,
                value if value is not None else "not measured",
                f"≤ {goal} MB",
                value is not None and value <= goal,
            )
        )
    targets += postgres_targets(settings, results)
    queries = results.extra.get("queries_per_article_page", {})
    counts = sorted(set(queries.values()))
    targets.append(
        report.Target(
            "SQL queries per article page, by discussion size",
            ", ".join(f"{size:,}: {n}" for size, n in queries.items()) or "not measured",
            "constant (pinned by tests)",
            len(counts) == 1,
        )
    )
    return targets


def postgres_targets(settings: Settings, results: Results) -> list[report.Target]:
    """Reads on PostgreSQL + Redis within 2× of the same reads on SQLite (SQLite / PG)."""
    skipped = results.extra.get("postgres", {}).get("skipped")
    largest = max(settings.sizes)
    cached = "cached" if results.extra.get("page_cache") == "enabled" else "uncached"
    out = []
    for workers in POSTGRES_WORKERS:
        for read in (f"listing_page_{largest}", f"article_{cached}_{largest}"):
            sqlite, pg = (
                results.rps(f"broadsheet_{read}"),
                results.rps(f"broadsheet_pg{workers}_{read}"),
            )
            value = sqlite / pg if sqlite and pg else None
            shown: float | str = round(value, 2) if value is not None else "not measured"
            if value is None and skipped:
                shown = "PostgreSQL skipped"
            out.append(
                report.Target(
                    f"{read.replace('_', ' ')} on PostgreSQL + Redis, {workers} web processes "
                    "(SQLite 2 processes req/s ÷ PostgreSQL req/s)",
                    shown,
                    "≤ 2×",
                    value is not None and value <= 2,
                )
            )
    return out


def wordpress_targets(
    settings: Settings, results: Results, ratio: Callable[[str, str], float | None]
) -> list[report.Target]:
    """Issue 20's targets against WordPress, each with the comments each answer holds."""
    skipped = results.extra.get("wordpress", {}).get("skipped")
    largest = max(settings.sizes)

    def target(name: str, value: float | None, goal: float, note: str = "") -> report.Target:
        shown: float | str = round(value, 2) if value is not None else "not measured"
        if value is None and skipped:
            shown = "WordPress skipped"
        return report.Target(name, shown, f"≥ {goal:g}×{note}", value is not None and value >= goal)

    def comments(key: str) -> object:
        return results.figures.get(key, {}).get("comments", "?")

    out = []
    for size in settings.sizes:
        for theme, goal in (("classic", 8), ("block", 25)):
            out.append(
                target(
                    f"uncached article page, {size:,} comments (× WordPress {theme}-theme "
                    "story page)",
                    ratio(f"broadsheet_article_uncached_{size}", f"wordpress_story_{theme}_{size}"),
                    goal,
                    f" ({comments(f'broadsheet_article_uncached_{size}')} vs "
                    f"{comments(f'wordpress_story_{theme}_{size}')} comments on the page)",
                )
            )
    out.append(
        target(
            f"anonymous page cache, {largest:,} comments (× nginx fastcgi_cache for WordPress)",
            ratio(
                f"broadsheet_article_cached_{largest}", f"wordpress_story_fastcgi_cache_{largest}"
            ),
            6,
        )
    )
    posting = results.figures.get("broadsheet_posting", {})
    wp_posting = results.figures.get("wordpress_posting", {})
    value = ratio("broadsheet_posting", "wordpress_posting")
    clean = posting.get("lost") == 0 and wp_posting.get("lost") == 0
    out.append(
        report.Target(
            "posting (× WordPress wp-comments-post.php comments/s), none lost",
            round(value, 2) if value is not None else "not measured",
            f"≥ 5×, 0 lost (Broadsheet lost {posting.get('lost')}, "
            f"WordPress lost {wp_posting.get('lost')})",
            value is not None and value >= 5 and clean,
        )
    )
    out.append(
        target(
            f"discussion JSON, {largest:,} comments (× WordPress REST comments, per_page=100)",
            ratio(f"broadsheet_listing_page_{largest}", f"wordpress_rest_{largest}"),
            30,
            f" ({comments(f'broadsheet_listing_page_{largest}')} vs "
            f"{comments(f'wordpress_rest_{largest}')} comments)",
        )
    )
    return out


NOTES = [
    "Both systems on SQLite with 2 worker processes on 127.0.0.1: Isso 0.14.0 (from PyPI, "
    "own virtualenv) under gunicorn with 2 sync workers; Broadsheet through scripts/serve.sh "
    "(granian WSGI, 2 workers, plus the task worker) with its production settings, only the "
    "per-IP thresholds lifted (bench/bench_settings.py; the checks still run). Reads are "
    "measured once the task worker has drained what the seeding queued.",
    "Discussions of 50, 500 and 5,000 comments, identical in both (bench/plan.py): a quarter "
    "top-level, every thread with 1–5 replies at any depth, 200–800 character Markdown "
    "bodies. Posted in order through each system's own write path: Isso's POST /new, "
    "Broadsheet's do_post_comment.",
    "JSON listing 'first 20 threads' (like for like): Isso `?uri=…&limit=20&nested_limit=5`, "
    "Broadsheet `GET /api/v1/threads/{key}/comments?sort=oldest&page=1` (20 top-level "
    "comments with their replies); the note gives the comments in each answer. 'Widget "
    "default': what Isso's embed.js asks with its defaults (every top-level comment with 5 "
    "replies each) and Broadsheet's API with no parameters (the thread's default sort, page 1). "
    "Broadsheet's own widget is server-rendered into the article page.",
    "Reads that take over 0.3 s alone (Isso's whole-thread answers) run on 2 connections "
    "(one per worker) for longer, so that wrk does not count queued requests as timeouts.",
    "Posting: 16 connections POST new comments (same bodies and reply share as the seed) "
    "into the 5,000-comment discussion; comments/s counts 2xx answers. Each request carries "
    "a unique token; afterwards every answered token must be stored exactly once (lost, "
    "duplicated) and the rows added must equal the stored tokens (a few more than the "
    "answers when wrk stopped with requests in flight). Isso's guard is off (it allows 2 "
    "comments a minute per address) and moderation is off; Broadsheet's per-address limits "
    "(rate limit, the moderation pipeline's flood rule) are lifted the same way, every other "
    "moderation rule runs, and the comments held instead of published are counted ('held' "
    "in the JSON checks).",
    "Voting: upvotes spread over the 5,000 comments, each from a new voter (Broadsheet: no "
    "reader cookie, so each request is a new reader; Isso: one X-Forwarded-For /24 network per "
    "vote, trusted from 127.0.0.1). votes/s counts votes recorded in the database, because "
    "Isso answers 200 to votes it ignores.",
    "Peak memory: VmHWM of each worker process after all runs. Peak PSS (proportional set "
    "size: private memory plus a share of what is shared after fork) of every Broadsheet "
    "process, sampled from /proc/<pid>/smaps_rollup every 0.5 s during all of its runs; "
    "'whole site' is the largest sum at one moment over everything scripts/serve.sh "
    "starts (granian's main process, its 2 workers, the task worker and the shell).",
    "WordPress 6.1 (Debian's package) under nginx (2 workers) + php-fpm (2 static children, "
    "OPcache on) + MariaDB, seeded through wp_insert_comment with the same discussions: "
    "threaded comments, paged with 20 top-level comments per page like Broadsheet's default "
    "(WordPress's own default is 50), oldest page first, so both first pages hold the same "
    "threads (each note gives both comment counts). Story page with the classic theme "
    "(Twenty Twenty-One) and the "
    "default block theme (Twenty Twenty-Three); nginx fastcgi_cache in front of it against "
    "Broadsheet's anonymous page cache; REST `/wp-json/wp/v2/comments?post=ID&per_page=100` "
    "against Broadsheet's first-20 JSON; posting through wp-comments-post.php (its "
    "redirect to #comment-<id> is the acknowledgement checked against the stored rows).",
    "PostgreSQL + Redis rows: the same seeding and figures with DATABASE_URL and REDIS_URL "
    "(a database `bench_broadsheet` and Redis DB 10 of the bench's own, both emptied first; "
    "BENCH_DATABASE_URL and BENCH_REDIS_URL choose others), with 2 and 4 web processes; "
    "the note gives the SQLite figure with 2 processes.",
    "nginx: Debian's nginx with 2 workers and a config of the bench's own, serving a 30 KB "
    "file: the machine's ceiling for one request. 'hello': a one-view Django project "
    "(bench/hello/) under the same granian set-up as Broadsheet.",
    "Broadsheet/nginx ratios divide by the nginx static figure.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short run of each figure")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3; 1 with --quick)")
    parser.add_argument("--duration", type=float, help="seconds per run (default 6; 3 quick)")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the table and docs/performance.md from bench/results/latest.json",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SYSTEMS,
        help="measure only these systems: a partial run, logged and written to "
        "bench/results/partial.json, never to latest.json or docs/performance.md",
    )
    parser.add_argument(
        "--sizes", nargs="+", type=int, help="discussion sizes (default 50 500 5000)"
    )
    parser.add_argument(
        "--writes-only",
        action="store_true",
        help="with --only: posting and voting only, no reads (a partial run)",
    )
    options = parser.parse_args(argv)
    settings = Settings(
        runs=options.runs or (1 if options.quick else 3),
        duration_s=options.duration or (3.0 if options.quick else 6.0),
    )
    if options.sizes:
        settings.sizes = tuple(sorted(options.sizes))
    if options.writes_only:
        settings.reads = False
    if options.report_only:
        return rebuild_report()
    if options.only or options.sizes or options.writes_only:
        return partial_run(settings, options.only or list(SYSTEMS))
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / ".gitignore").write_text("*\n")  # scratch space: never committed
    loadgen.ensure_wrk()
    started = time.perf_counter()
    results = Results()
    results.extra["load_average_at_start"] = load_average()
    plans = {size: discussion(size) for size in settings.sizes}
    log(f"{settings.runs} run(s) of {settings.duration_s:.0f} s per figure")
    bench_nginx(settings, results)
    bench_hello(settings, results)
    bench_isso(settings, results, plans)
    bench_wordpress(settings, results, plans)
    bench_broadsheet(settings, results, plans)
    bench_broadsheet_postgres(settings, results, plans)
    results.extra["load_average_at_end"] = load_average()
    rows = build_rows(settings, results)
    targets = build_targets(settings, results)
    info = report.machine()
    info["load_start"] = results.extra["load_average_at_start"]
    info["load_end"] = results.extra["load_average_at_end"]
    document = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": info,
        "settings": {
            "runs": settings.runs,
            "duration_s": settings.duration_s,
            "connections": settings.connections,
            "workers": WORKERS,
            "sizes": list(settings.sizes),
            "quick": options.quick,
        },
        "figures": results.figures,
        "ratios": {
            row.label: {
                "broadsheet_over_isso": row.vs_isso,
                "broadsheet_over_wordpress": row.vs_wordpress,
                "broadsheet_over_nginx": row.vs_nginx,
            }
            for row in rows
        },
        "extra": results.extra,
        "targets": [target.to_json() for target in targets],
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    report.write_json(RESULTS, document)
    report.write_markdown(
        DOC,
        rows=rows,
        targets=targets,
        info=info,
        notes=NOTES,
        settings=document["settings"],
    )
    print()
    print(report.table(rows))
    print()
    print(report.targets_table(targets))
    print(
        f"\nWrote {RESULTS.relative_to(REPO)} and {DOC.relative_to(REPO)} "
        f"in {time.perf_counter() - started:.0f} s."
    )
    return 0


SYSTEMS = ("nginx", "hello", "isso", "wordpress", "broadsheet", "postgres")


def partial_run(settings: Settings, systems: list[str]) -> int:
    """Some systems or sizes only, while working on one figure: nothing is compared and
    the published results stay as the last full run left them."""
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / ".gitignore").write_text("*\n")
    loadgen.ensure_wrk()
    results = Results()
    plans = {size: discussion(size) for size in settings.sizes}
    if "nginx" in systems:
        bench_nginx(settings, results)
    if "hello" in systems:
        bench_hello(settings, results)
    if "isso" in systems:
        bench_isso(settings, results, plans)
    if "wordpress" in systems:
        bench_wordpress(settings, results, plans)
    if "broadsheet" in systems:
        bench_broadsheet(settings, results, plans)
    if "postgres" in systems:
        bench_broadsheet_postgres(settings, results, plans)
    partial = RESULTS.with_name("partial.json")
    report.write_json(partial, {"figures": results.figures, "extra": results.extra})
    for key, figure in results.figures.items():
        print(
            f"{key:40} {figure.get('rps') or 0:10.1f} /s  p50 {figure.get('p50_ms') or 0:8.1f} ms"
        )
    print(f"\nWrote {partial.relative_to(REPO)}")
    return 0


def rebuild_report() -> int:
    """The table, targets and docs/performance.md again from the last run's JSON (after a
    change to how they are presented; no measurement is repeated)."""
    document = json.loads(RESULTS.read_text())
    recorded = document["settings"]
    settings = Settings(
        runs=recorded["runs"],
        duration_s=recorded["duration_s"],
        connections=recorded["connections"],
        sizes=tuple(recorded["sizes"]),
    )
    extra = document["extra"]
    for key in ("queries_per_article_page", "broadsheet_seeding"):
        extra[key] = {int(size): value for size, value in extra.get(key, {}).items()}
    results = Results(figures=document["figures"], extra=extra)
    for figure in results.figures.values():
        single = figure.get("single_request_s")
        if figure.get("rps") == 0 and single and not any(r["requests"] for r in figure["runs"]):
            figure.update({"rps": 1 / single, "p50_ms": single * 1000, "p99_ms": single * 1000})
            figure["estimated_from_single_request"] = True
    rows = build_rows(settings, results)
    targets = build_targets(settings, results)
    info = document["machine"]
    document["ratios"] = {
        row.label: {"broadsheet_over_isso": row.vs_isso, "broadsheet_over_nginx": row.vs_nginx}
        for row in rows
    }
    document["targets"] = [target.to_json() for target in targets]
    report.write_json(RESULTS, document)
    report.write_markdown(
        DOC,
        rows=rows,
        targets=targets,
        info=info,
        notes=NOTES,
        settings=recorded,
        measured_at=datetime.strptime(document["generated_at"], "%Y-%m-%dT%H:%M:%S%z"),
    )
    print(report.table(rows))
    print()
    print(report.targets_table(targets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
