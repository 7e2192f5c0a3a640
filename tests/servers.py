"""Real servers for tests that need them: the site under granian (as scripts/serve.sh and
deploy/systemd start it) on the test database, and nginx + Nchan or Pushpin with
deploy/'s configuration."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from bench.live_servers import pushpin_config

ROOT = Path(__file__).resolve().parents[1]
# Debian's libnginx-mod-nchan.
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
# The live helper's port range; tests take free ports from it.
PORTS = range(8740, 8800)


def free_ports(count: int) -> list[int]:
    found = []
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    pytest.skip(f"{count} free ports needed in {PORTS.start}-{PORTS.stop - 1}")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def live_backend() -> str:
    return "postgres" if connection.vendor == "postgresql" else "database"


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{process.args[0]} exited with {process.returncode}")
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def site(var_dir: Path, port: int, up_within: float = 120, **env: str) -> Iterator[str]:
    """granian's WSGI interface, two workers, on the test database; yields its URL once
    it answers (within `up_within` seconds)."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url(),
        "BROADSHEET_VAR_DIR": str(var_dir),
        "BROADSHEET_LIVE_BACKEND": live_backend(),
        "SECRET_KEY": "live-test-only",
        **env,
    }
    granian = Path(sys.executable).with_name("granian")
    command = [str(granian), "--interface", "wsgi", "config.wsgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    # As scripts/serve.sh: threads for streams; open streams must not hold up a stop.
    command += ["--blocking-threads", "16", "--workers-kill-timeout", "3", "--no-ws"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", server, up_within)
        yield url
    finally:
        stop(server)


@contextmanager
def pushpin(run_dir: Path, app_port: int, http_port: int, internal: list[int]) -> Iterator[str]:
    """Pushpin with deploy/pushpin/pushpin.conf, its ports moved into our range (four
    `internal` ones); yields its publish URL (its proxy listens on `http_port`)."""
    binary = shutil.which("pushpin")
    if binary is None:
        pytest.skip("Pushpin is not installed (Debian: apt-get install pushpin)")
    publish, pull, sub, command_port = internal
    ports = {"proxy": http_port, "publish": publish, "pull": pull, "sub": sub}
    config = pushpin_config(run_dir, ports | {"command": command_port})
    (run_dir / "pushpin.conf").write_text(config)
    (run_dir / "routes").write_text(f"* 127.0.0.1:{app_port}\n")
    process = subprocess.Popen(
        [binary, "--config", str(run_dir / "pushpin.conf"), "--merge-output"],
        stdout=(run_dir / "pushpin.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        # The publish endpoint answers once the handler runs.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", publish)) == 0:
                    break
            time.sleep(0.2)
        time.sleep(1)  # the proxy and condure start beside it
        yield f"http://127.0.0.1:{publish}/publish/"
    finally:
        stop(process)


def nchan_main_config(work: Path, body: str, worker_connections: int = 1024) -> str:
    """An nginx.conf of our own around `body` (the http block's content): Nchan loaded,
    every path in `work`."""
    return f"""load_module {NCHAN_MODULE};
user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    include /etc/nginx/mime.types;
    access_log {work}/access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{body}
}}
"""


def require_nchan() -> None:
    if shutil.which("nginx") is None or not NCHAN_MODULE.exists():
        pytest.skip(
            "nginx's Nchan module is not installed (Debian: apt-get install libnginx-mod-nchan)"
        )


def nchan_snippets(work: Path, keepalive: int | None = None, redis: bool = True) -> dict[str, Path]:
    """deploy/nginx/snippets/, copied into `work` (the keep-alive interval changed when
    asked; without `redis`, Nchan keeps channels in its own memory)."""
    found = {}
    for snippet in (ROOT / "deploy" / "nginx" / "snippets").glob("*.conf"):
        text = snippet.read_text()
        if not redis:
            text = re.sub(r"\n\s*nchan_redis_pass [^;]+;", "", text)
        if keepalive is not None:
            text, count = re.subn(
                r"nchan_eventsource_ping_interval \d+;",
                f"nchan_eventsource_ping_interval {keepalive};",
                text,
            )
            assert count or "ping" not in text
        (work / snippet.name).write_text(text)
        found[snippet.stem] = work / snippet.name
    return found


@contextmanager
def nchan(work: Path, app_port: int, port: int, publish_port: int, keepalive: int) -> Iterator[str]:
    """nginx with Nchan and deploy/nginx/snippets/, in front of the app at `app_port`;
    readers connect to `port`. Nchan keeps its channels in the suite's Redis when it has
    one (REDIS_URL), else in its own memory. Yields the publish URL."""
    require_nchan()
    redis_url = settings.ENV.redis_url
    snippets = nchan_snippets(work, keepalive, redis=bool(redis_url))
    store = f"upstream broadsheet_nchan_redis {{ nchan_redis_server {redis_url}; }}"
    body = f"""
    {store if redis_url else ""}
    upstream broadsheet_app {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{port};
        include {snippets["broadsheet-live"]};
    }}
    server {{
        listen 127.0.0.1:{publish_port};
        include {snippets["broadsheet-live-publish"]};
    }}"""
    (work / "nginx.conf").write_text(nchan_main_config(work, body))
    process = subprocess.Popen(
        [
            "nginx",
            "-e",
            str(work / "error.log"),
            "-c",
            str(work / "nginx.conf"),
            "-g",
            "daemon off;",
        ],
        stdout=(work / "nginx.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", publish_port)) == 0:
                    break
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {(work / 'error.log').read_text()}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{publish_port}/_live/pub/"
    finally:
        stop(process)
