"""Reads for the admin's import pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from broadsheet.importers.models import ImportRun
from broadsheet.importers.report_labels import label_shown

RECENT_RUNS = 50


def import_runs_recent() -> QuerySet[ImportRun]:
    """The latest runs, admin and command-line ones alike, newest first."""
    return ImportRun.objects.select_related("started_by").order_by("-started_at", "-pk")[
        :RECENT_RUNS
    ]


def import_run_with_people(run_id: int) -> ImportRun | None:
    return (
        ImportRun.objects.select_related("started_by", "follows")
        .prefetch_related("followed_by")
        .filter(pk=run_id)
        .first()
    )


@dataclass(frozen=True)
class NoteList:
    category: str
    count: int
    lines: list[str]
    left_out: int


@dataclass(frozen=True)
class ReportView:
    counts: list[tuple[str, int]]
    notes: list[NoteList]


def report_sections(run: ImportRun) -> ReportView:
    """A stored report (ImportReport.as_dict) as the run page lists it, its names in the
    active language (report_labels.py)."""
    report = run.report or {}
    counts = report.get("counts", {})
    left_out = report.get("notes_left_out", {})
    notes = [
        NoteList(
            label_shown(category),
            int(counts.get(category, len(lines))),
            list(lines),
            left_out.get(category, 0),
        )
        for category, lines in sorted(report.get("notes", {}).items())
    ]
    shown = [(label_shown(what), number) for what, number in sorted(counts.items())]
    return ReportView(counts=shown, notes=notes)
