"""Lighthouse (mobile preset) on the demo's busiest article, the home page and a section
page, as `make audit` runs it; scores of the four categories and the timings behind
performance, printed against the goals of docs/readers.md.

It builds a demo site of its own in a temporary directory (migrate, collectstatic,
load_demo: the real database is never touched), as scripts/screenshots.py does, and serves
it with the production server (scripts/serve.sh: granian, compression and the anonymous
page cache as a reader meets them) on a free port of 127.0.0.1. Each page is asked for
once before it is audited, as a reader would find it: renditions made, page cached.

Lighthouse comes from npm, installed on first use into scripts/lighthouse/ (its own
package.json and lock, apart from the project's), and drives Debian's Chromium. Without
npm's registry or Chromium it says so and stops with success. A score below 100 in
accessibility, best practices or SEO fails (those are deterministic); performance is a
timing, printed against its goal, and never fails: on a loaded machine Lighthouse's
simulated throttling inflates total blocking time. Measure under the bench lock.

    .venv/bin/python scripts/lighthouse.py [--port 0] [--runs 1] [--json DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from screenshots import BUSIEST_ARTICLE, ROOT, demo_environment, free, run, wait_for

TOOL_DIR = ROOT / "scripts" / "lighthouse"
LIGHTHOUSE = TOOL_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# Deterministic categories: anything below 100 is a defect the audit fails on.
EXACT = {"accessibility", "best-practices", "seo"}
PERFORMANCE_GOAL = 95
# (audit id, label, unit) printed under each page: what performance is made of.
TIMINGS = [
    ("first-contentful-paint", "FCP", "ms"),
    ("largest-contentful-paint", "LCP", "ms"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
    ("speed-index", "SI", "ms"),
]

SECTION_PAGE = """
from broadsheet.articles.models import SectionPage
section = SectionPage.objects.live().order_by("path").first()
print(section.url if section else "")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# What npm says when the registry cannot be reached (as opposed to a fault of our lock).
NETWORK_ERRORS = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|"
    r"network|request to \S+ failed"
)


def ensure_lighthouse() -> bool:
    """Lighthouse from the lock in scripts/lighthouse/, installed on first use."""
    if LIGHTHOUSE.exists():
        return True
    if shutil.which("npm") is None:
        print("lighthouse: npm is not installed; skipped.")
        return False
    print("lighthouse: installing Lighthouse into scripts/lighthouse/ (first use)…")
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],  # noqa: S607
        cwd=TOOL_DIR,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode == 0 and LIGHTHOUSE.exists():
        return True
    if NETWORK_ERRORS.search(done.stdout + done.stderr):
        print("lighthouse: npm's registry could not be reached from here; skipped.")
        return False
    # Anything else (a lock out of step with package.json, say) is ours to fix.
    print(done.stdout + done.stderr)
    raise SystemExit("lighthouse: npm could not install Lighthouse from scripts/lighthouse/.")


def last_line(environment: dict[str, str], code: str) -> str:
    # The last line: Django's shell may first say what it imported.
    printed = run(environment, "shell", "-c", code).strip().splitlines()
    return printed[-1].strip() if printed else ""


def lighthouse(url: str, report: Path) -> dict | None:
    """One Lighthouse run, tried twice: now and then its trace of a load fails
    (NO_NAVSTART), which says nothing about the page."""
    for _ in range(2):
        done = subprocess.run(  # noqa: S603 - our own Lighthouse against our own loopback server
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={CHROMIUM_FLAGS}",
            ],
            env=os.environ | {"CHROME_PATH": CHROMIUM},
            check=False,
        )
        if done.returncode == 0 and report.exists():
            result = json.loads(report.read_text())
            if "runtimeError" not in result:
                return dict(result)
    return None


def summary(result: dict) -> tuple[dict[str, int], dict[str, float]]:
    scores = {name: round((result["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    audits = result["audits"]
    timings = {name: audits[name]["numericValue"] for name, _, _ in TIMINGS}
    timings["dom-size"] = audits["dom-size"]["numericValue"]
    return scores, timings


def failures(result: dict) -> list[str]:
    """The audits that cost points in the deterministic categories."""
    found = []
    for name in sorted(EXACT):
        for ref in result["categories"][name]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                found.append(f"{name}: {ref['id']} ({audit['title']})")
    return found


def audit_page(name: str, path: str, site: str, reports: Path, runs: int) -> int:
    """Print one page's scores (the run of median performance) and what cost points;
    1 when a deterministic category is below 100."""
    if not path:
        print(f"lighthouse: the demo has no {name} page.", file=sys.stderr)
        return 1
    found = [
        lighthouse(f"{site}{path}", reports / f"{name.split()[-1]}-{n}.json") for n in range(runs)
    ]
    results = [result for result in found if result is not None]
    if not results:
        print(f"lighthouse: Lighthouse could not audit {name} ({path}); skipped.")
        return 0
    summaries = [summary(result) for result in results]
    order = sorted(range(len(results)), key=lambda n: summaries[n][0]["performance"])
    middle = order[len(order) // 2]
    scores, timings = summaries[middle]
    print(f"{name} ({path}):")
    below = scores["performance"] < PERFORMANCE_GOAL
    print(
        "  "
        + ", ".join(f"{category} {scores[category]}" for category in CATEGORIES)
        + (f"  (performance below the goal of {PERFORMANCE_GOAL})" if below else "")
    )
    if len(results) > 1:
        spread = [s["performance"] for s, _ in summaries]
        print(f"  performance of each run: {spread}, median {statistics.median(spread)}")
    print(
        "  "
        + ", ".join(
            f"{label} {timings[audit]:.0f} {unit}" if unit else f"{label} {timings[audit]:.3f}"
            for audit, label, unit in TIMINGS
        )
        + f", DOM elements {timings['dom-size']:.0f}"
    )
    status = 0
    for failure in failures(results[middle]):
        print(f"  below 100: {failure}")
        status = 1
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    parser.add_argument("--json", type=Path, help="keep Lighthouse's JSON reports here")
    parser.add_argument(
        "--demo",
        type=Path,
        help="a demo copy this script built before (its BROADSHEET_VAR_DIR), used again",
    )
    parser.add_argument(
        "--only", choices=["article", "home", "section"], help="audit this page alone"
    )
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"lighthouse: no Chromium at {CHROMIUM} (scripts/ensure-chromium.sh); skipped.")
        return 0
    if not ensure_lighthouse():
        return 0
    port = options.port or free_port()
    if not free(port):
        print(f"Port {port} is taken; choose another with --port.", file=sys.stderr)
        return 1
    assets = ROOT / "var" / "assets"
    if not assets.is_dir():
        print("No var/assets: run `make setup` first.", file=sys.stderr)
        return 1

    with (
        contextlib.nullcontext(str(options.demo))
        if options.demo
        else tempfile.TemporaryDirectory(prefix="broadsheet-lighthouse-")
    ) as var_dir:
        site = f"http://127.0.0.1:{port}"
        environment = demo_environment(var_dir, port) | {
            "VENV": str(Path(sys.executable).parent.parent),
        }
        shutil.copytree(assets, Path(var_dir) / "assets", dirs_exist_ok=True)
        if not options.demo:
            print("lighthouse: building a demo site (migrate, static files, demo content)…")
            run(environment, "migrate", "--noinput", "-v0")
            run(environment, "load_demo")
        else:
            # Pages cached before a template changed would be audited as they were.
            shutil.rmtree(Path(var_dir) / "cache", ignore_errors=True)
        run(environment, "collectstatic", "--noinput", "-v0")
        pages = {
            "busiest article": last_line(environment, BUSIEST_ARTICLE),
            "home": "/",
            "section": last_line(environment, SECTION_PAGE),
        }
        server = subprocess.Popen(  # noqa: S603 - our own serve script
            [str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(var_dir) / "server.log", "wb"),  # noqa: SIM115 - closed with the directory
            start_new_session=True,
        )
        status = 0
        try:
            wait_for(f"{site}/healthz")
            for path in pages.values():
                wait_for(f"{site}{path}")
            reports = options.json or Path(var_dir)
            reports.mkdir(parents=True, exist_ok=True)
            print(
                f"lighthouse: Lighthouse 12, mobile preset, {options.runs} run(s) a page "
                f"(median); goals: performance ≥ {PERFORMANCE_GOAL}, 100 in the others."
            )
            for name, path in pages.items():
                if not options.only or name.split()[-1] == options.only:
                    status |= audit_page(name, path, site, reports, options.runs)
        finally:
            # serve.sh stops its web server, task worker and schedule gracefully on TERM.
            server.terminate()
            server.wait(timeout=60)
    return status


if __name__ == "__main__":
    sys.exit(main())
