"""Starting and finishing an import run: its audit row and its report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.utils import timezone

from broadsheet.importers.models import ImportRun
from broadsheet.importers.report import ImportReport


@contextmanager
def import_run(*, report: ImportReport, path: str | Path) -> Iterator[ImportRun | None]:
    """The run's audit row (none for a dry run, which writes nothing at all), marked
    done or failed with the report as it stood when the run ended. Opened once the
    export has been read whole: a file refused as malformed leaves no trace."""
    if report.dry_run:
        yield None
        return
    run = ImportRun.objects.create(
        source=report.source, file_name=Path(path).name[:500], dry_run=False
    )
    try:
        yield run
    except BaseException:
        _finish(run, report, ImportRun.Status.FAILED)
        raise
    _finish(run, report, ImportRun.Status.DONE)


def _finish(run: ImportRun, report: ImportReport, status: ImportRun.Status) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.report = report.as_dict()
    run.save(update_fields=["status", "finished_at", "report"])


Reader = Callable[[ImportReport], None]
