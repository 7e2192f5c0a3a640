"""The servers of `make bench-live` and how their cost is read from /proc.

- the app: granian, WSGI, 2 workers, as scripts/serve.sh and deploy/systemd start it;
- nginx + Nchan (the production engine): nginx with Debian's libnginx-mod-nchan, in front
  of the app with deploy/nginx/snippets/ included as shipped (the `/live/` location to the
  app, its X-Accel-Redirect to Nchan's internal subscriber location, the loopback-only
  publisher location), channels in Redis as deploy/nginx/broadsheet.conf keeps them;
- Pushpin with deploy/pushpin/pushpin.conf (the alternative engine).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
Snapshot = dict[str, dict[str, float]]


def start_app(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    granian = Path(sys.executable).with_name("granian")
    command = [str(granian), "--interface", "wsgi", "config.wsgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    command += ["--blocking-threads", "16", "--workers-kill-timeout", "3", "--no-ws"]
    return subprocess.Popen([*command, "--log-level", "warning"], cwd=REPO, env=env)


# --- nginx + Nchan, as deploy/ configures it ----------------------------------------------

NGINX_CONF = """load_module {module};
user root;
worker_processes {workers};
worker_rlimit_nofile {files};
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    # As deploy/nginx/broadsheet.conf:
    upstream broadsheet_app {{
        server 127.0.0.1:{app_port} max_fails=2 fail_timeout=5s;
        keepalive 32;
    }}
    {store}
    nchan_shared_memory_size 128M;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        include {run}/broadsheet-live.conf;
    }}
    server {{
        listen 127.0.0.1:{publish_port};
        include {run}/broadsheet-live-publish.conf;
    }}
}}
"""


def nginx_config(
    run: Path, ports: dict[str, int], readers: int, workers: int, redis_url: str
) -> str:
    """nginx.conf for the bench, with deploy/nginx/snippets/ copied beside it unchanged
    (without `redis_url`, Nchan's `nchan_redis_pass` lines are dropped: its own memory)."""
    for snippet in (REPO / "deploy" / "nginx" / "snippets").glob("broadsheet-live*.conf"):
        text = snippet.read_text()
        if not redis_url:
            text = re.sub(r"\n\s*nchan_redis_pass [^;]+;", "", text)
        (run / snippet.name).write_text(text)
    store = (
        f"upstream broadsheet_nchan_redis {{ nchan_redis_server {redis_url}; }}"
        if redis_url
        else ""
    )
    return NGINX_CONF.format(
        module=NCHAN_MODULE,
        workers=workers,
        files=readers + 2000,
        connections=readers + 1000,
        run=run,
        app_port=ports["app"],
        store=store,
        port=ports["proxy"],
        publish_port=ports["publish"],
    )


def start_nchan(
    run: Path, ports: dict[str, int], readers: int, workers: int, redis_url: str
) -> subprocess.Popen[bytes]:
    if not NCHAN_MODULE.exists() or shutil.which("nginx") is None:
        raise SystemExit("Nchan is needed: apt-get install nginx libnginx-mod-nchan")
    conf = run / "nginx.conf"
    conf.write_text(nginx_config(run, ports, readers, workers, redis_url))
    log = (run / "nginx.log").open("wb")
    command = ["nginx", "-e", str(run / "nginx-error.log"), "-c", str(conf), "-g", "daemon off;"]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


# --- Pushpin ------------------------------------------------------------------------------


def pushpin_config(run: Path, ports: dict[str, int], overrides: Sequence[str] = ()) -> str:
    """deploy/pushpin/pushpin.conf with its run directory and ports moved (`ports`: proxy,
    publish, pull, sub, command) and `section.name=value` overrides applied; the tests'
    Pushpin (tests/servers.py) is written by this too."""
    config = (REPO / "deploy" / "pushpin" / "pushpin.conf").read_text()
    for pattern, value in [
        (r"rundir=.*", f"rundir={run}"),
        (r"logdir=.*", f"logdir={run}"),
        (r"http_port=.*", f"http_port=127.0.0.1:{ports['proxy']}"),
        (r"push_in_http_port=.*", f"push_in_http_port={ports['publish']}"),
        (r"push_in_spec=.*", f"push_in_spec=tcp://127.0.0.1:{ports['pull']}"),
        (r"push_in_sub_specs=.*", f"push_in_sub_specs=tcp://127.0.0.1:{ports['sub']}"),
        (r"command_spec=tcp.*", f"command_spec=tcp://127.0.0.1:{ports['command']}"),
    ]:
        config = re.sub(pattern, value, config)
    for override in overrides:
        key, _, value = override.partition("=")
        section, _, name = key.partition(".")
        header = f"[{section}]"
        if header not in config:
            config += f"\n{header}\n"
        line = re.compile(rf"^{re.escape(name)}=.*$", re.M)
        start = config.index(header)
        end = config.find("\n[", start + 1)
        end = len(config) if end < 0 else end
        body = config[start:end]
        body = (
            line.sub(f"{name}={value}", body)
            if line.search(body)
            else body.rstrip("\n") + f"\n{name}={value}\n"
        )
        config = config[:start] + body + config[end:]
    return config


def start_pushpin(
    run: Path, ports: dict[str, int], overrides: list[str]
) -> subprocess.Popen[bytes]:
    (run / "pushpin.conf").write_text(pushpin_config(run, ports, overrides))
    (run / "routes").write_text(f"* 127.0.0.1:{ports['app']}\n")
    binary = shutil.which("pushpin")
    if binary is None:
        raise SystemExit("Pushpin is needed: apt-get install pushpin")
    log = (run / "pushpin.log").open("wb")
    return subprocess.Popen(
        [binary, "--config", str(run / "pushpin.conf"), "--merge-output"],
        stdout=log,
        stderr=subprocess.STDOUT,
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


# --- what the processes cost --------------------------------------------------------------


def tree(pid: int) -> list[int]:
    """A process and its descendants (nginx's workers; Pushpin's condure, zurl, …)."""
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


def sample(pid: int, roles: bool = False) -> Snapshot:
    """Per process of a tree, by name (or by name and role, from the command line, e.g.
    nginx's master and workers): CPU seconds, RSS and PSS bytes."""
    found: Snapshot = defaultdict(lambda: {"cpu": 0.0, "rss": 0, "pss": 0})
    for member in tree(pid):
        try:
            name = Path(f"/proc/{member}/comm").read_text().strip()
            if roles:
                command = Path(f"/proc/{member}/cmdline").read_bytes().split(b"\0")[0]
                name = " ".join(command.decode().split()[:3])  # "nginx: worker process"
            stat = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        pss = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        entry = found[name]
        entry["cpu"] += (int(stat[11]) + int(stat[12])) / TICKS
        entry["rss"] += int(stat[21]) * PAGE
        entry["pss"] += int(pss.group(1)) * 1024 if pss else 0
    return dict(found)


def total(snapshot: Snapshot, key: str) -> float:
    return sum(entry[key] for entry in snapshot.values())


def cpu_seconds(pid: int) -> float:
    """One process's CPU seconds (e.g. the machine's Redis, shared with others)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(stat[11]) + int(stat[12])) / TICKS


def socket_memory() -> int:
    """Bytes the kernel holds in TCP socket buffers, machine-wide (/proc/net/sockstat)."""
    text = Path("/proc/net/sockstat").read_text()
    match = re.search(r"^TCP:.* mem (\d+)", text, re.M)
    return int(match.group(1)) * PAGE if match else 0


def raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:  # root may raise the hard limit (children, the engine among them, inherit it)
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return
        except (ValueError, PermissionError):
            raise SystemExit(
                f"{wanted} file descriptors are needed; the limit is {hard} (ulimit -Hn)"
            ) from None
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
