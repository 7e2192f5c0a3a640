"""wrk runs: one function per kind of load, each returning the figures of one run."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"


@dataclass
class Run:
    """The figures of one wrk run."""

    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    ok: int = 0
    tokens: list[str] = field(default_factory=list)


@dataclass
class Figure:
    """The median of several runs of one measurement."""

    rps: float
    p50_ms: float
    p99_ms: float
    runs: list[dict[str, float]]
    connections: int
    errors: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def ensure_wrk() -> str:
    """The wrk binary (and nginx for the ceiling figure), installed from Debian when
    missing (root only)."""
    wanted = {"wrk": shutil.which("wrk"), "nginx-light": _nginx()}
    missing = [package for package, found in wanted.items() if not found]
    if missing:
        if os.geteuid() != 0:
            raise SystemExit(f"Install the Debian packages {' '.join(missing)} (apt-get install)")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True)
    found = shutil.which("wrk")
    if not found or not _nginx():
        raise SystemExit(f"apt-get did not install {' '.join(missing)}")
    return found


def _nginx() -> str | None:
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else shutil.which("nginx")


def _wrk(
    url: str,
    *,
    script: str,
    args: list[str],
    connections: int,
    duration: float,
    timeout: float,
    threads: int = 2,
    extra_env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    command = [
        ensure_wrk(),
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, round(timeout))}s",
        "-s",
        str(LUA_DIR / script),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if args:
        command += ["--", *args]
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), **(extra_env or {})}
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=duration + timeout + 60
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return dict(json.loads(line.removeprefix("BENCH_JSON ")))
    raise RuntimeError(f"wrk gave no summary: {done.stdout}\n{done.stderr}")


def _run_from(raw: dict[str, float]) -> Run:
    duration = raw["duration_us"] / 1e6
    errors = int(
        raw["connect_errors"]
        + raw["read_errors"]
        + raw["write_errors"]
        + raw["timeouts"]
        + raw["status_errors"]
    )
    good = int(raw["requests"] - raw["status_errors"])
    return Run(
        requests=int(raw["requests"]),
        duration_s=duration,
        rps=good / duration if duration else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=errors,
        ok=int(raw["ok_counted"]),
    )


def read(
    url: str,
    *,
    connections: int,
    duration: float,
    timeout: float = 10.0,
    headers: dict[str, str] | None = None,
) -> Run:
    """GET `url` over `connections` keep-alive connections for `duration` seconds, with
    `headers` (Accept-Encoding, say) on every request."""
    raw = _wrk(
        url,
        script="read.lua",
        args=[],
        connections=connections,
        duration=duration,
        timeout=timeout,
        headers=headers,
    )
    return _run_from(raw)


def write(
    base_url: str,
    *,
    lines: list[tuple[str, str, str]],
    tag: str,
    headers: dict[str, str],
    forwarded_for: bool,
    connections: int,
    duration: float,
    address_per_request: bool = False,
    acknowledged_by_redirect: bool = False,
) -> Run:
    """Send the (method, path, body) `lines` in turn; rps counts 2xx answers only, and
    `tokens` lists the request tokens echoed back by 2xx answers. `forwarded_for`: each
    pass through the lines claims a client address of its own (X-Forwarded-For), or with
    `address_per_request` each request does. `acknowledged_by_redirect`: a 302/303 to
    "#comment-<id>" is the acknowledgement (WordPress), recorded as "<tag>x<id>x0"."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as work:
        request_file = Path(work) / "requests.tsv"
        request_file.write_text(
            "".join(f"{method}\t{path}\t{body}\n" for method, path, body in lines)
        )
        header_args = [f"{name}: {value}" for name, value in headers.items()]
        xff = ("xff-each" if address_per_request else "xff") if forwarded_for else "-"
        raw = _wrk(
            base_url,
            script="write.lua",
            args=[str(request_file), work, tag, xff, *header_args],
            connections=connections,
            duration=duration,
            timeout=10,
            extra_env={"BENCH_ACK": "redirect"} if acknowledged_by_redirect else None,
        )
        run = _run_from(raw)
        tokens: list[str] = []
        for path in sorted(Path(work).glob("ok-*.txt")):
            tokens += [line for line in path.read_text().splitlines() if line]
    run.tokens = tokens
    run.rps = len(tokens) / run.duration_s if run.duration_s else 0.0
    return run


def median_figure(runs: list[Run], *, connections: int) -> Figure:
    """The median of each figure over `runs` (requests/s, p50, p99 independently)."""
    return Figure(
        rps=statistics.median(run.rps for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        runs=[
            {
                "rps": round(run.rps, 2),
                "p50_ms": round(run.p50_ms, 3),
                "p99_ms": round(run.p99_ms, 3),
                "requests": run.requests,
                "errors": run.errors,
            }
            for run in runs
        ],
        connections=connections,
        errors=sum(run.errors for run in runs),
    )
