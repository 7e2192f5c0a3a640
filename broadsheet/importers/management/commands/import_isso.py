"""manage.py import_isso comments.db [--dry-run] [--url-map FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.isso import SOURCE
from broadsheet.importers.matching import load_url_map
from broadsheet.importers.pipeline import ExportRefused, run_import
from broadsheet.importers.report import Progress


class Command(BaseCommand):
    help = "Import the threads and comments of an Isso SQLite database (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("database", help="Isso's comments.db (opened read-only)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing"
        )
        parser.add_argument("--url-map", help="A file of OLD NEW address pairs, one per line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url_map = load_url_map(options["url_map"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        try:
            report = run_import(
                SOURCE,
                options["database"],
                dry_run=options["dry_run"],
                progress=Progress(getattr(self.stderr, "_out", None)),
                url_map=url_map,
            )
        except ExportRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.render())
