"""deploy/systemd runs every process `make serve` runs (scripts/serve.sh)."""

from __future__ import annotations

import configparser
from pathlib import Path

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"


def _exec_starts() -> dict[str, str]:
    found = {}
    for path in sorted(UNITS.glob("*.service")):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.read(path)
        found[path.name] = unit.get("Service", "ExecStart", fallback="")
    return found


def test_the_schedule_and_the_worker_each_have_a_restarting_unit() -> None:
    starts = _exec_starts()
    schedule = [name for name, command in starts.items() if "manage.py run_schedule" in command]
    worker = [name for name, command in starts.items() if "manage.py db_worker" in command]
    assert schedule == ["broadsheet-schedule.service"]
    assert worker == ["broadsheet-worker.service"]
    for name in (*schedule, *worker):
        text = (UNITS / name).read_text()
        assert "Restart=on-failure" in text
        assert "EnvironmentFile=/etc/broadsheet/env" in text


def test_no_timer_runs_a_periodic_job_twice() -> None:
    # The schedule runs the moderators' digest and the closing of old discussions; a
    # timer doing the same would send a second digest.
    assert not list(UNITS.glob("*.timer"))
