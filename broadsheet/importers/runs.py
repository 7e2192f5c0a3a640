"""Starting and finishing an import run: its audit row and its report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.utils import timezone

from broadsheet.importers.models import ImportRun
from broadsheet.importers.report import ImportReport


@contextmanager
def import_run(
    *, report: ImportReport, path: str | Path, run: ImportRun | None = None
) -> Iterator[ImportRun | None]:
    """The run's audit row, marked done or failed with the report as it stood when the
    run ended. Opened once the export has been read whole: a file refused as malformed
    leaves no trace. From the command line a dry run has none (it writes nothing at
    all); the admin's runs have their row already (`run`), dry runs included, and it
    keeps their report."""
    if run is None:
        if report.dry_run:
            yield None
            return
        run = ImportRun.objects.create(
            source=report.source, file_name=Path(path).name[:500], dry_run=False
        )
    else:
        run.status = ImportRun.Status.RUNNING
        run.save(update_fields=["status"])
    try:
        yield None if report.dry_run else run
    except BaseException:
        finish_run(run, report, ImportRun.Status.FAILED)
        raise
    finish_run(run, report, ImportRun.Status.DONE)


def finish_run(
    run: ImportRun, report: ImportReport | None, status: ImportRun.Status, error: str = ""
) -> None:
    run.status = status
    run.finished_at = timezone.now()
    fields = ["status", "finished_at", "error"]
    run.error = error
    if report is not None:
        run.report = report.as_dict()
        fields.append("report")
    run.save(update_fields=fields)
