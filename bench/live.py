"""`make bench-live`: live fan-out through the production engine (Pushpin).

Usage: .venv/bin/python bench/live.py [--readers N] [--discussions N] [--seconds S]
       [--poll-interval S]

Starts the app (granian, WSGI, BROADSHEET_LIVE_ENGINE=pushpin) on a fresh SQLite database
and Pushpin with deploy/pushpin/pushpin.conf, both on 127.0.0.1 ports 8780-8789; opens
N Server-Sent Events readers spread over the discussions (asyncio, one socket each);
posts one comment per second to every discussion through do_post_comment (commit, then
publish) for S seconds; then reports delivery latency (publish time in the event to
arrival, p50/p99), lost and duplicated events, Pushpin's memory per connection, and the
CPU used by Pushpin, the app and this load generator (which shares the machine: when its
CPU is near a full core, it bounds the figures, not the server). Compares with polling
every --poll-interval seconds from every tab, as wpDiscuz's live update does.
Writes docs/performance-live.md. The issue's goal is 10,000 readers on one discussion
(`--readers 10000 --seconds 60`); the default is a small run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
APP_PORT, PUSHPIN_PORT, PUBLISH, PULL, SUB, COMMAND = range(8780, 8786)
DOC = REPO / "docs" / "performance-live.md"
TICKS = os.sysconf("SC_CLK_TCK")


def start_app(var: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    granian = Path(sys.executable).with_name("granian")
    command = [str(granian), "--interface", "wsgi", "config.wsgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(APP_PORT), "--workers", "2"]
    command += ["--blocking-threads", "16", "--workers-kill-timeout", "3", "--no-ws"]
    return subprocess.Popen([*command, "--log-level", "warning"], cwd=REPO, env=env)


def start_pushpin(run: Path) -> subprocess.Popen[bytes]:
    config = (REPO / "deploy" / "pushpin" / "pushpin.conf").read_text()
    for pattern, value in [
        (r"rundir=.*", f"rundir={run}"),
        (r"logdir=.*", f"logdir={run}"),
        (r"http_port=.*", f"http_port=127.0.0.1:{PUSHPIN_PORT}"),
        (r"push_in_http_port=.*", f"push_in_http_port={PUBLISH}"),
        (r"push_in_spec=.*", f"push_in_spec=tcp://127.0.0.1:{PULL}"),
        (r"push_in_sub_specs=.*", f"push_in_sub_specs=tcp://127.0.0.1:{SUB}"),
        (r"command_spec=tcp.*", f"command_spec=tcp://127.0.0.1:{COMMAND}"),
    ]:
        config = re.sub(pattern, value, config)
    (run / "pushpin.conf").write_text(config)
    (run / "routes").write_text(f"* 127.0.0.1:{APP_PORT}\n")
    binary = shutil.which("pushpin")
    if binary is None:
        raise SystemExit("Pushpin is needed: apt-get install pushpin")
    log = (run / "pushpin.log").open("wb")
    return subprocess.Popen(
        [binary, "--config", str(run / "pushpin.conf")], stdout=log, stderr=subprocess.STDOUT
    )


def wait_for(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def tree(pid: int) -> list[int]:
    """A process and its descendants (Pushpin runs condure, zurl, proxy and handler)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True)
    children: dict[int, list[int]] = {}
    for line in out.stdout.split("\n"):
        if line.strip():
            child, parent = map(int, line.split())
            children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, RSS bytes) of a process tree."""
    cpu, rss = 0.0, 0
    for member in tree(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(stat[11]) + int(stat[12])) / TICKS
            rss += int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (FileNotFoundError, IndexError):
            continue
    return cpu, rss


Arrival = tuple[int, str, int, float]  # reader, channel, sequence number, delay (s)


async def reader(index: int, path: str, arrivals: list[Arrival], opened: asyncio.Event) -> None:
    """One SSE reader; like live.js it retries a refused connection after a pause."""
    for attempt in range(8):
        stream, writer = await asyncio.open_connection("127.0.0.1", PUSHPIN_PORT)
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        status = await stream.readline()
        if b" 200 " in status:
            break
        writer.close()
        await asyncio.sleep(1 + attempt)
    else:
        raise SystemExit(f"{path}: {status.decode().strip()}")
    try:
        while line := await stream.readline():
            if line.startswith(b"data: {"):
                payload = json.loads(line[6:])
                if payload["type"] == "hello":
                    opened.set()
                elif "seq" in payload:
                    delay = time.time() - payload["at"]
                    arrivals.append((index, payload["ch"], payload["seq"], delay))
    finally:
        writer.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--discussions", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--poll-interval", type=float, default=60.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.readers + 1000
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise SystemExit(
            f"{args.readers} readers need {wanted} file descriptors; the limit is {hard}"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))

    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    (work / "run").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "BROADSHEET_VAR_DIR": str(work),
        "BROADSHEET_LIVE_ENGINE": "pushpin",
        "BROADSHEET_LIVE_PUSHPIN_URLS": f"http://127.0.0.1:{PUBLISH}/publish/",
        "BROADSHEET_LIVE_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    print(f"Preparing a database in {work} …", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True
    )
    import django

    django.setup()
    from django.conf import settings

    # The bench posts as one guest without an IP, every second: not a flood to hold.
    settings.BROADSHEET_MODERATION_FLOOD_LIMIT = (10**9, 1)
    settings.BROADSHEET_MODERATION_DUPLICATE_WINDOW = 0
    from broadsheet.discussion.actions import NewComment, do_post_comment, do_register_thread
    from broadsheet.discussion.identity import Actor

    threads = [
        do_register_thread(key=f"bench-{n}", title=f"Bench {n}", url="")
        for n in range(args.discussions)
    ]
    app = start_app(work, env)
    pushpin = start_pushpin(work / "run")
    try:
        wait_for(f"http://127.0.0.1:{APP_PORT}/healthz")
        time.sleep(2)
        figures = asyncio.run(
            run(args, threads, app.pid, pushpin.pid, do_post_comment, Actor, NewComment)
        )
    finally:
        for process in (app, pushpin):
            process.terminate()
        for process in (app, pushpin):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    write_report(args, figures)


async def run(args, threads, app_pid, pushpin_pid, do_post_comment, Actor, NewComment):  # type: ignore[no-untyped-def]
    arrivals: list[Arrival] = []
    _, base_rss = usage(pushpin_pid)
    openings = []
    tasks = []
    for n in range(args.readers):
        thread = threads[n % len(threads)]
        opened = asyncio.Event()
        openings.append(opened)
        path = f"/live/t/{thread.pk}/"
        tasks.append(asyncio.create_task(reader(n, path, arrivals, opened)))
        if n % 50 == 49:
            await asyncio.sleep(0.25)  # a ramp, not a SYN flood of our own
    await asyncio.wait_for(asyncio.gather(*(o.wait() for o in openings)), 300)
    print(f"{args.readers} readers connected", flush=True)
    _, held_rss = usage(pushpin_pid)
    app_cpu0, _ = usage(app_pid)
    pushpin_cpu0, _ = usage(pushpin_pid)
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    published = Counter[str]()
    started = time.monotonic()
    for second in range(args.seconds):
        for thread in threads:
            actor = Actor(user=None, reader_id=f"bench-{second}", ip_hash="")
            new = NewComment(
                thread=thread,
                body=f"Comment {second}",
                guest_name="Bench",
                guest_email="bench@example.org",
            )
            await asyncio.to_thread(do_post_comment, actor=actor, new=new)
            published[f"t{thread.pk}"] += 1
        await asyncio.sleep(max(0, started + second + 1 - time.monotonic()))
    await asyncio.sleep(3)  # the last deliveries
    elapsed = time.monotonic() - started
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    app_cpu1, _ = usage(app_pid)
    pushpin_cpu1, _ = usage(pushpin_pid)
    for task in tasks:
        task.cancel()
    per_reader_expected = {f"t{t.pk}": published[f"t{t.pk}"] for t in threads}
    expected = sum(
        per_reader_expected[f"t{threads[n % len(threads)].pk}"] for n in range(args.readers)
    )
    unique = {(index, ch, seq) for index, ch, seq, _ in arrivals}
    seen = {(ch, seq) for _, ch, seq in unique}
    latencies = sorted(delay for *_, delay in arrivals)
    duplicates = len(arrivals) - len(unique)
    return {
        "readers": args.readers,
        "discussions": len(threads),
        "seconds": args.seconds,
        "events_published": sum(published.values()),
        "deliveries_expected": expected,
        "deliveries": len(arrivals),
        "lost": max(0, expected - len(unique)),
        "duplicated": duplicates,
        "distinct_events_seen": len(seen),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
        "pushpin_rss_idle_mb": base_rss / 2**20,
        "pushpin_bytes_per_connection": (held_rss - base_rss) / max(1, args.readers),
        "pushpin_cpu_pct": 100 * (pushpin_cpu1 - pushpin_cpu0) / elapsed,
        "app_cpu_pct": 100 * (app_cpu1 - app_cpu0) / elapsed,
        "loadgen_cpu_pct": 100
        * ((me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime))
        / elapsed,
        "polling_requests_per_s": args.readers / args.poll_interval,
        "poll_interval_s": args.poll_interval,
        "load_average": os.getloadavg()[0],
    }


def write_report(args, f) -> None:  # type: ignore[no-untyped-def]
    per_connection_kb = f["pushpin_bytes_per_connection"] / 1024
    rows = [
        ("Readers (SSE through Pushpin) / discussions", f"{f['readers']} / {f['discussions']}"),
        (
            "Comments published (1 per second per discussion)",
            f"{f['events_published']} in {f['seconds']} s",
        ),
        ("Deliveries expected / received", f"{f['deliveries_expected']} / {f['deliveries']}"),
        ("Lost / duplicated", f"{f['lost']} / {f['duplicated']}"),
        ("Latency publish → reader, p50 / p99", f"{f['p50_ms']:.0f} ms / {f['p99_ms']:.0f} ms"),
        (
            "Pushpin memory per connection",
            f"{per_connection_kb:.1f} KB (idle {f['pushpin_rss_idle_mb']:.0f} MB)",
        ),
        (
            "CPU: Pushpin / app / load generator (% of one core)",
            f"{f['pushpin_cpu_pct']:.0f} / {f['app_cpu_pct']:.0f} / {f['loadgen_cpu_pct']:.0f}",
        ),
        (
            f"Polling instead, every {f['poll_interval_s']:.0f} s from each tab (wpDiscuz)",
            f"{f['polling_requests_per_s']:.1f} requests/s",
        ),
    ]
    small = f["readers"] < 10000
    lines = [
        "# Live fan-out (`make bench-live`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on a shared 2-core machine (load average "
        f"{f['load_average']:.1f} at the end: other work ran beside it, so these figures are "
        "rough). Written by bench/live.py; see bench/README.md.",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
        "Goal (issue 17): 10,000 readers on one discussion, p99 < 1 s, 0 lost, < 10 KB per "
        "connection."
        + (
            " This run was smaller than the goal (the machine was shared); run "
            "`make bench-live BENCH_LIVE_ARGS='--readers 10000 --seconds 60'` on an idle machine."
            if small
            else ""
        ),
        "",
        "When the load generator's CPU is near 100% of a core, it (not the server) bounds the "
        "latency figures.",
        "",
    ]
    DOC.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
