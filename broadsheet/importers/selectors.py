"""Reads for the admin's import pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from broadsheet.importers.models import ImportRun

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
    """A stored report (ImportReport.as_dict) as the run page lists it."""
    report = run.report or {}
    counts = report.get("counts", {})
    left_out = report.get("notes_left_out", {})
    notes = [
        NoteList(
            category, int(counts.get(category, len(lines))), list(lines), left_out.get(category, 0)
        )
        for category, lines in sorted(report.get("notes", {}).items())
    ]
    return ReportView(counts=sorted(counts.items()), notes=notes)
