"""The uncached article page alone, measured exactly as `make bench` measures it.

Usage: .venv/bin/python bench/article_uncached.py [--seed] [--sizes N ...] [--runs N]
       [--duration SECONDS]

`make bench` measures "Article page, N comments, uncached" on a second Broadsheet server
started with the page cache off (BENCH_PAGE_CACHE=off), after every other Broadsheet
figure. This runs only that server and those figures, with the same functions
(broadsheet_side.serve, run.measure_read: the median of --runs wrk runs at 16
connections, 2 web processes), against the bench's seeded database
(bench/.work/broadsheet-var): seeded by an earlier bench/run.py, or here with --seed.
A few minutes instead of a whole partial run, for before/after comparisons of that one
figure; the figures that count are make bench's.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import broadsheet_side, loadgen  # noqa: E402
from bench.run import WORK, WORKERS, Settings, load_average, log, measure_read  # noqa: E402

VAR_DIR = WORK / "broadsheet-var"


def seeded_articles(var_dir: Path) -> dict[int, str]:
    """{size: the article's path} of the bench's discussions ("A discussion of N comments")."""
    query = (
        "SELECT p.title, p.url_path FROM wagtailcore_page p "
        "JOIN articles_articlepage a ON a.page_ptr_id = p.id WHERE p.title LIKE ?"
    )
    with sqlite3.connect(var_dir / "broadsheet.sqlite3") as connection:
        rows = connection.execute(query, ("A discussion of % comments",)).fetchall()
    # url_path starts with the site's root page ("/home/"), which the address leaves out.
    return {int(title.split()[3]): "/" + url_path.split("/", 2)[2] for title, url_path in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="seed bench/.work afresh first")
    parser.add_argument("--sizes", nargs="+", type=int, default=[500, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=6.0)
    options = parser.parse_args(argv)
    settings = Settings(runs=options.runs, duration_s=options.duration)
    loadgen.ensure_wrk()
    if options.seed:
        broadsheet_side.prepare(VAR_DIR, sorted(options.sizes))
    articles = seeded_articles(VAR_DIR)
    log(f"load average at start: {load_average()}")
    with broadsheet_side.serve(
        VAR_DIR, WORK, workers=WORKERS, extra_env={"BENCH_PAGE_CACHE": "off"}
    ) as site:
        for size in sorted(options.sizes):
            measure_read(
                settings, site.url + articles[size], label=f"broadsheet_article_uncached_{size}"
            )
    log(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
