"""Starting, probing and stopping the servers under test, and reading their memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def wait_until_ready(server: Server, path: str, *, timeout: float = 90.0) -> None:
    """Poll `path` until it answers 2xx; fail with the server's log when it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.url + path, timeout=5) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    tail = server.log.read_text(errors="replace")[-3000:] if server.log.exists() else ""
    raise RuntimeError(f"{server.name} did not answer {path} in {timeout:.0f} s:\n{tail}")


@contextmanager
def running(
    name: str,
    command: Sequence[str],
    *,
    port: int,
    log: Path,
    ready_path: str | None,
    cwd: Path,
    env: dict[str, str] | None = None,
    ready_timeout: float = 90.0,
) -> Iterator[Server]:
    """Run `command` in a session of its own; on exit, stop that session (and only it).
    With no `ready_path` (a server that speaks no HTTP), the caller waits for it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name=name, process=process, port=port, log=log)
    try:
        if ready_path is not None:
            wait_until_ready(server, ready_path, timeout=ready_timeout)
        yield server
    finally:
        stop(server)


def stop(server: Server) -> None:
    if server.process.poll() is not None:
        return
    group = server.process.pid  # the session (and group) we created for it
    try:
        os.killpg(group, signal.SIGTERM)
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        server.process.wait(timeout=5)
    except ProcessLookupError:
        pass


@dataclass(frozen=True)
class ProcessMemory:
    pid: int
    parent: int
    command: str
    peak_mb: float  # VmHWM: the peak resident set size
    current_mb: float  # VmRSS


def _status(pid: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def process_tree(root: int) -> list[ProcessMemory]:
    """Every live process descended from `root` (itself included), with its memory."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_status(int(entry.name)).get("PPid", "0"))
            except (OSError, ValueError):
                continue
    tree = [root]
    for pid in sorted(parents):
        ancestor = parents.get(pid, 0)
        while ancestor and ancestor not in tree:
            ancestor = parents.get(ancestor, 0)
        if ancestor and pid not in tree:
            tree.append(pid)
    out = []
    for pid in tree:
        try:
            status = _status(pid)
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        out.append(
            ProcessMemory(
                pid=pid,
                parent=parents.get(pid, 0),
                command=command.strip()[:160],
                peak_mb=int(status.get("VmHWM", "0 kB").split()[0]) / 1024,
                current_mb=int(status.get("VmRSS", "0 kB").split()[0]) / 1024,
            )
        )
    return out


NGINX_CONFIG = """\
worker_processes {workers};
daemon off;
master_process on;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    server {{
        listen {host}:{port};
        root {work}/www;
    }}
}}
"""


@contextmanager
def nginx(work: Path, *, workers: int, log: Path) -> Iterator[Server]:
    """Debian's nginx serving a 30 KB static file at /static-30k.html."""
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # nginx workers run as nobody when started by root
    (work / "www").mkdir(exist_ok=True)
    (work / "www").chmod(0o755)
    page = ("<p>" + "Static text of a thirty kilobyte page. " * 20 + "</p>\n") * 40
    (work / "www" / "static-30k.html").write_text(page[: 30 * 1024])
    (work / "www" / "static-30k.html").chmod(0o644)
    port = free_port()
    config = work / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(workers=workers, work=work, host=HOST, port=port))
    binary = "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "nginx"
    command = [binary, "-c", str(config), "-p", str(work), "-e", str(work / "error.log")]
    with running(
        "nginx", command, port=port, log=log, ready_path="/static-30k.html", cwd=work
    ) as server:
        yield server


def pss_mb(pid: int) -> float | None:
    """The proportional set size of `pid` (its private memory plus its share of what it
    shares with others, as after fork): the fair measure of what one process costs."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class PssSampler:
    """Samples the PSS of every process under `root` every `interval` s while running;
    the kernel keeps no peak PSS, so the peaks are the largest samples."""

    def __init__(self, root: int, *, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.peaks: dict[int, float] = {}  # pid -> peak PSS (MB)
        self.commands: dict[int, str] = {}
        self.peak_total_mb = 0.0  # the largest sum over the tree at one moment
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def sample(self) -> None:
        total = 0.0
        for process in process_tree(self.root):
            value = pss_mb(process.pid)
            if value is None:
                continue
            total += value
            self.commands[process.pid] = process.command
            self.peaks[process.pid] = max(value, self.peaks.get(process.pid, 0.0))
        self.peak_total_mb = max(self.peak_total_mb, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
