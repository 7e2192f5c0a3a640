"""One import, from a file to a report: what the commands and the admin's task share.

``run_import`` reads the file (a malformed or unreadable one raises ``ExportRefused``
before anything is written), opens or takes the run's audit row, imports, and returns
the report. The management commands call it with a terminal's progress line; the
admin's task with a run row that the admin page watches.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy

from broadsheet.importers import disqus, isso, wordpress
from broadsheet.importers.comments import import_discussions
from broadsheet.importers.matching import ThreadMatcher
from broadsheet.importers.models import ImportRun
from broadsheet.importers.reading import read_in_reader_process
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.runs import import_run
from broadsheet.importers.staging import Staging
from broadsheet.importers.xmlstream import MalformedExport

SOURCES = {
    disqus.SOURCE: gettext_lazy("Disqus XML export"),
    wordpress.SOURCE: gettext_lazy("WordPress export (WXR)"),
    isso.SOURCE: gettext_lazy("Isso database (comments.db)"),
}


class ExportRefused(Exception):
    """The file cannot be imported at all (nothing was written); says why."""


def run_import(
    source: str,
    path: str | Path,
    *,
    dry_run: bool,
    progress: Progress,
    url_map: dict[str, str] | None = None,
    media_dir: str | Path | None = None,
    fetch_images: bool = False,
    fetch_private: bool = False,
    run: ImportRun | None = None,
) -> ImportReport:
    """Import `path` as an export of `source`. `run`: an existing (queued) run row to
    use instead of opening one; a dry run given one records its report there too.
    WordPress only: `media_dir`, and `fetch_images` (pictures missing from it asked of
    the old site; `fetch_private` lets that reach private addresses: tests, a LAN)."""
    report = ImportReport(source=source, dry_run=dry_run)
    matcher = ThreadMatcher(url_map)
    try:
        if source == disqus.SOURCE:
            _disqus(path, report, progress, matcher, run)
        elif source == wordpress.SOURCE:
            _wordpress(
                path, report, progress, matcher, run, media_dir, (fetch_images, fetch_private)
            )
        elif source == isso.SOURCE:
            _isso(path, report, progress, matcher, run)
        else:
            raise ExportRefused(f"Unknown source {source!r}.")
    except MalformedExport as error:
        raise ExportRefused(str(error)) from None
    except isso.NotAnIssoDatabase as error:
        raise ExportRefused(str(error)) from None
    except FileNotFoundError as error:
        raise ExportRefused(f"Cannot read the export: {error}") from None
    return report


def _disqus(
    path: str | Path,
    report: ImportReport,
    progress: Progress,
    matcher: ThreadMatcher,
    run: ImportRun | None,
) -> None:
    with Staging() as staging:
        try:
            if not read_in_reader_process(disqus.SOURCE, path, staging, report, progress):
                disqus.read_export(path, staging, report, progress)
        except OSError as error:
            raise ExportRefused(f"Cannot read the export: {error}") from None
        with import_run(report=report, path=path, run=run) as current:
            import_discussions(
                staging,
                source=disqus.SOURCE,
                matcher=matcher,
                report=report,
                run=current,
                progress=progress,
                total=staging.comment_total,
            )


def _wordpress(
    path: str | Path,
    report: ImportReport,
    progress: Progress,
    matcher: ThreadMatcher,
    run: ImportRun | None,
    media_dir: str | Path | None,
    fetch: tuple[bool, bool],
) -> None:
    try:
        site = wordpress.first_pass(path, report)
    except OSError as error:
        raise ExportRefused(f"Cannot read the export: {error}") from None
    with import_run(report=report, path=path, run=run) as current:
        wordpress.WordPressImport(
            path=path,
            site=site,
            report=report,
            run=current,
            media_dir=media_dir,
            matcher=matcher,
            progress=progress,
            fetch_images=fetch[0],
            fetch_private=fetch[1],
        ).run_import()


def _isso(
    path: str | Path,
    report: ImportReport,
    progress: Progress,
    matcher: ThreadMatcher,
    run: ImportRun | None,
) -> None:
    database = isso.IssoDatabase(path, report)
    try:
        with import_run(report=report, path=path, run=run) as current:
            import_discussions(
                database,
                source=isso.SOURCE,
                matcher=matcher,
                report=report,
                run=current,
                progress=progress,
                total=database.comment_total(),
            )
    finally:
        database.close()
