"""The result table, bench/results/latest.json and docs/performance.md."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure for Broadsheet and, when there is one, its peers."""

    label: str
    unit: str
    broadsheet: float | None
    isso: float | None = None
    nginx: float | None = None
    note: str = ""
    wordpress: float | None = None

    @property
    def vs_isso(self) -> float | None:
        return _ratio(self.broadsheet, self.isso)

    @property
    def vs_wordpress(self) -> float | None:
        return _ratio(self.broadsheet, self.wordpress)

    @property
    def vs_nginx(self) -> float | None:
        return _ratio(self.broadsheet, self.nginx)


@dataclass(frozen=True)
class Target:
    name: str
    measured: float | str | None
    goal: str
    met: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "measured": self.measured, "goal": self.goal, "met": self.met}


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) < 1:
        return f"{value:.{max(digits, 2)}f}"
    return f"{value:.{digits}f}"


def _times(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.01:
        return f"{value:.4f}×"
    return f"{number(value, 2)}×"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": _version(["wrk", "-v"]),
        "nginx": _version(["nginx", "-v"]),
    }


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return ""
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else ""


def table(rows: list[Row]) -> str:
    """A Markdown table (also readable as plain text)."""
    head = (
        "| figure | Broadsheet | Isso 0.14 | WordPress 6.1 | nginx | Broadsheet/Isso "
        "| Broadsheet/WordPress | Broadsheet/nginx |"
    )
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        unit = f" {row.unit}" if row.unit else ""
        label = row.label + (f" ({row.note})" if row.note else "")
        lines.append(
            f"| {label} | {number(row.broadsheet)}{unit} | {number(row.isso)} "
            f"| {number(row.wordpress)} | {number(row.nginx)} | {_times(row.vs_isso)} "
            f"| {_times(row.vs_wordpress)} | {_times(row.vs_nginx)} |"
        )
    return "\n".join(lines)


def targets_table(targets: list[Target]) -> str:
    lines = ["| target | measured | goal | met |", "| --- | ---: | --- | :---: |"]
    for target in targets:
        measured = target.measured
        shown = number(measured, 2) if isinstance(measured, float | int) else str(measured)
        lines.append(
            f"| {target.name} | {shown} | {target.goal} | {'yes' if target.met else 'NO'} |"
        )
    return "\n".join(lines)


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


ANALYSIS = Path(__file__).resolve().parent / "analysis.md"


def write_markdown(
    path: Path,
    *,
    rows: list[Row],
    targets: list[Target],
    info: dict[str, Any],
    notes: list[str],
    settings: dict[str, Any],
    measured_at: datetime | None = None,
) -> None:
    when = (measured_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M %Z")
    # Written by hand from profiles (bench/profile_request.py), kept beside the bench.
    analysis = ANALYSIS.read_text().strip() if ANALYSIS.exists() else ""
    text = f"""# Performance

Broadsheet against [Isso](https://isso-comments.de/) 0.14, WordPress 6.1 (Debian's
package under nginx + php-fpm + MariaDB), a minimal Django view and nginx, on one
machine. Measured by `make bench` (bench/run.py) on {when}; every figure
is the median of {settings["runs"]} wrk run(s) of {settings["duration_s"]} s with
{settings["connections"]} connections over loopback unless a note says otherwise. Raw
figures, every run and the targets: `bench/results/latest.json` (not committed).

**Machine:** {info["nproc"]} CPUs ({info["cpu"]}), {info["memory_gb"]} GB memory,
Linux {info["kernel"]}; {info["wrk"]}; {info["nginx"]}. Load average (1, 5, 15 min) at
start {info.get("load_start")}, at end {info.get("load_end")}: anything else running on the
machine lowers every figure, the ratios less so.

## Figures

Requests per second unless a unit says otherwise; latencies are in the JSON.

{table(rows)}

## Targets

Timings never decide a test; these are checked by hand from this page.

{targets_table(targets)}

{analysis}

## What is measured, and how

{chr(10).join(f"- {note}" for note in notes)}

## Reproduce

```sh
make bench            # full run (about 10–15 minutes)
.venv/bin/python bench/run.py --quick   # one short run of each figure (a smoke test)
```

`make bench` needs `wrk` (installed with apt-get when missing and run as root), Debian's
`nginx-light`, a Python 3.11 or 3.12 for Isso's virtualenv (Isso comes from PyPI at bench
time) and the Broadsheet set-up that `make setup` does. See bench/README.md.
"""
    path.write_text(text)
