"""The admin's imports, run by the task worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from broadsheet.importers.models import ImportRun
from broadsheet.importers.pipeline import ExportRefused, run_import
from broadsheet.importers.report import Progress
from broadsheet.importers.runs import finish_run
from broadsheet.importers.uploads import remove_upload, upload_path


class RunProgress(Progress):
    """Progress written to the run's row (at most once a second) for the admin page."""

    def __init__(self, run: ImportRun, *, every: float = 1.0) -> None:
        super().__init__(every=every)
        self.enabled = True
        self.run = run

    def write(self, message: str, done: int | None, total: int) -> None:
        ImportRun.objects.filter(pk=self.run.pk).update(
            progress=message[:200], progress_done=done or 0, progress_total=total
        )

    def done(self) -> None:
        pass


@task()
def run_import_task(run_id: int) -> str:
    """Run a queued admin import (a check or the import proper) and keep its report."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).first()
    if run is None:
        return "not queued"
    try:
        run_import(
            run.source,
            upload_path(run.upload),
            dry_run=run.dry_run,
            progress=RunProgress(run),
            run=run,
        )
    except ExportRefused as error:
        finish_run(run, None, ImportRun.Status.FAILED, error=str(error))
        remove_upload(run.upload)  # nothing in it can be imported
        return "refused"
    except Exception as error:
        # import_run marked it failed with the report so far; say why in words too.
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    if not run.dry_run:
        remove_upload(run.upload)
    return "done"
