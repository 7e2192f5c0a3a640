"""What an import run did, and which rows here came from which row of a source.

``ImportedRecord`` is what makes imports safe to run again: every row an importer
creates is recorded under its source's own id, unique per (source, kind, source id),
so a second run of the same export finds everything already there and a newer export
adds only what is new. A row deleted here since keeps its record, so an import never
brings back what a moderator removed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ImportRun(models.Model):
    """One run of an importer: the audit row of an import, with its report."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=20, help_text="disqus, isso, wordpress, site")
    file_name = models.CharField(max_length=500, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "done", "failed"]),
                name="importers_run_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} import of {self.file_name} ({self.status})"


class ImportedRecord(models.Model):
    class Kind(models.TextChoices):
        THREAD = "thread", "Discussion thread"
        COMMENT = "comment", "Comment"
        ARTICLE = "article", "Article"
        AUTHOR = "author", "Author"
        IMAGE = "image", "Image"
        SECTION = "section", "Section"

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
