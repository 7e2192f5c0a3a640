"""Imports started in the admin: checking a file (a dry run), then importing it.

Both run as a task (``run_import_task``) in the task worker, never in the request: a
large export takes minutes. The ``ImportRun`` row each action makes is the audit row
(who, when, which file) and what the admin page watches; the task fills in its
progress and its report.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.importers import isso, tasks
from broadsheet.importers.models import IMPORT_PERMISSION, ImportRun
from broadsheet.importers.pipeline import SOURCES
from broadsheet.importers.uploads import SNIFF_BYTES, looks_like, store_upload

logger = logging.getLogger(__name__)


def can_import(user: Any) -> bool:
    """Editors and administrators (the permission is the Editors group's)."""
    return bool(user.is_active and (user.is_superuser or user.has_perm(IMPORT_PERMISSION)))


def check_check_export(*, user: Any, source: str, upload: UploadedFile | None) -> None:
    if not can_import(user):
        raise NotAllowed(_("Only editors and administrators can import."))
    if source not in SOURCES:
        raise ActionError(_("Choose what kind of export this is."), field="source")
    if upload is None or not upload.size:
        raise ActionError(_("Choose a file to upload (this one is empty)."), field="export")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = "sqlite" if source == isso.SOURCE else "xml"
    if not looks_like(kind, head):
        wrong = (
            _("This is not an SQLite database: is it the %(source)s?")
            if kind == "sqlite"
            else _("This is not an XML file: is it the %(source)s?")
        )
        raise ActionError(wrong % {"source": SOURCES[source]}, field="export")


def do_check_export(*, user: Any, source: str, upload: UploadedFile) -> ImportRun:
    """Store the upload and queue its dry run: the report says what importing it would
    create, match, skip and leave orphaned, and nothing is written."""
    check_check_export(user=user, source=source, upload=upload)
    stored = store_upload(upload)
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source,
            file_name=(upload.name or "")[:500],
            dry_run=True,
            status=ImportRun.Status.QUEUED,
            started_by=user,
            upload=stored,
        )
        transaction.on_commit(lambda: tasks.run_import_task.enqueue(run.pk))
    logger.info("import check %s queued by user %s", run.pk, user.pk)
    return run


def startable(checked: ImportRun) -> bool:
    """A finished check whose file has not been imported (a failed import may be
    started again: imports resume, leaving what the first attempt wrote)."""
    if not (checked.dry_run and checked.status == ImportRun.Status.DONE and checked.upload):
        return False
    return all(run.status == ImportRun.Status.FAILED for run in checked.followed_by.all())


def check_start_import(*, user: Any, checked: ImportRun) -> None:
    if not can_import(user):
        raise NotAllowed(_("Only editors and administrators can import."))
    if not startable(checked):
        raise ActionError(_("Only a checked file that is not imported yet can be imported."))


def do_start_import(*, user: Any, checked: ImportRun) -> ImportRun:
    """Queue the import proper of a checked file."""
    with transaction.atomic():
        # The checked run's row serialises two editors pressing "Import" at once.
        checked = ImportRun.objects.select_for_update().get(pk=checked.pk)
        check_start_import(user=user, checked=checked)
        run = ImportRun.objects.create(
            source=checked.source,
            file_name=checked.file_name,
            dry_run=False,
            status=ImportRun.Status.QUEUED,
            started_by=user,
            upload=checked.upload,
            follows=checked,
        )
        transaction.on_commit(lambda: tasks.run_import_task.enqueue(run.pk))
    logger.info("import %s of check %s queued by user %s", run.pk, checked.pk, user.pk)
    return run
