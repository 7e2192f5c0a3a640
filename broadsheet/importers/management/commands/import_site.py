"""manage.py import_site FILE [--dry-run]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.export.records import SOURCE
from broadsheet.importers.export.restore import BadExport, SiteRestore, check_export
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.runs import import_run


class Command(BaseCommand):
    help = (
        "Import a Broadsheet site export (export_site's JSON Lines) into this site, "
        "empty or live (safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .jsonl file export_site wrote")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            header = check_export(path)
        except BadExport as error:
            raise CommandError(str(error)) from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read the export: {error}") from None
        progress = Progress(getattr(self.stderr, "_out", None))
        report = ImportReport(source=SOURCE, dry_run=options["dry_run"])
        with import_run(report=report, path=path) as run:
            SiteRestore(header=header, report=report, run=run, progress=progress).restore(path)
        self.stdout.write(report.render())
