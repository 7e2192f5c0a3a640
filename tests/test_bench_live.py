"""`make bench-live`'s own parts that decide its figures: how a reader's chunks become
events (and when each arrived), and the nginx + Nchan it runs, built from deploy/'s
snippets, which nginx itself must accept."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench.live_clients import arrivals
from bench.live_servers import NCHAN_MODULE, nginx_config

EVENT = (
    b'data: {"at":100.5,"ch":"t7","data":{"comment_id":42},"seq":3,"type":"comment.posted","v":1}'
)


def test_an_event_arrives_with_the_chunk_that_completes_its_line() -> None:
    chunks = [
        (1.0, b": hi\n\n"),
        (2.0, b"id: 1:0\nevent: comment.posted\n" + EVENT[:30]),
        (3.0, EVENT[30:] + b"\n\n"),
        (4.0, b'event: keepalive\ndata: {"v":1,"type":"keepalive","data":{}}\n\n'),
        (5.0, EVENT.replace(b'"seq":3', b'"seq":4') + b"\n\n"),
    ]
    assert arrivals(chunks) == [("t7", 3, 3.0, 100.5, 42), ("t7", 4, 5.0, 100.5, 42)]


@pytest.mark.parametrize("redis_url", ["redis://127.0.0.1:6379/11", ""])
def test_the_bench_runs_deploys_snippets_in_a_config_nginx_accepts(
    tmp_path: Path, redis_url: str
) -> None:
    if shutil.which("nginx") is None or not NCHAN_MODULE.exists():
        pytest.skip("nginx's Nchan module is not installed (apt-get install libnginx-mod-nchan)")
    ports = {"app": 8781, "proxy": 8782, "publish": 8783}
    config = nginx_config(tmp_path, ports, readers=100, workers=2, redis_url=redis_url)
    (tmp_path / "nginx.conf").write_text(config)
    snippet = (tmp_path / "broadsheet-live.conf").read_text()
    deployed = Path("deploy/nginx/snippets/broadsheet-live.conf").read_text()
    assert snippet == deployed if redis_url else "nchan_redis_pass" not in snippet
    checked = subprocess.run(
        ["nginx", "-t", "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
