"""What an import run did, and which rows here came from which row of a source.

``ImportedRecord`` is what makes imports safe to run again: every row an importer
creates is recorded under its source's own id, unique per (source, kind, source id),
so a second run of the same export finds everything already there and a newer export
adds only what is new. A row deleted here since keeps its record, so an import never
brings back what a moderator removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

IMPORT_PERMISSION = "importers.run_import"


class ImportRun(models.Model):
    """One run of an importer: the audit row of an import, with its report.

    Runs of the management commands start running; runs started in the admin are
    queued first (a task runs them) and keep the uploaded file (``upload``) until the
    import proper has finished, so that a checked file can then be imported."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the task worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.CharField(max_length=20, help_text="disqus, isso, wordpress, site")
    file_name = models.CharField(max_length=500, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    # Admin runs: who started it, the stored upload, what it followed, how far it is.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    upload = models.CharField(
        max_length=300, blank=True, help_text="The uploaded file, under the uploads folder"
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text="The dry run whose file this run imports",
    )
    progress = models.CharField(max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the run failed, in words")

    class Meta:
        permissions = [("run_import", "Can import exports from other systems in the admin")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="importers_run_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} import of {self.file_name} ({self.status})"


class ImportedRecord(models.Model):
    class Kind(models.TextChoices):
        THREAD = "thread", _("Discussion thread")
        COMMENT = "comment", _("Comment")
        ARTICLE = "article", _("Article")
        AUTHOR = "author", _("Author")
        IMAGE = "image", _("Image")
        SECTION = "section", _("Section")

    source = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.CharField(max_length=200, help_text="The row's id in the source")
    target_id = models.BigIntegerField(help_text="The primary key of the row made here")
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="importers_one_record_per_source_row"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["thread", "comment", "article", "author", "image", "section"]
                ),
                name="importers_record_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} -> {self.target_id}"
